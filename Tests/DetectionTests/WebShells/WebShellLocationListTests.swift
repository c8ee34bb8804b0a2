@testable import Detection
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// The web-shell location list loads through the shared data loader: the shipped file is clean,
/// a broken one reports every problem with file, line and key.
@Suite struct WebShellLocationListTests {
    @Test func theShippedListLoads() throws {
        let list = try WebShellLocationList.load(file: Repository.profiles + "/rules/webshell-locations.yaml")
        #expect(list.scriptExtensions.contains("aspx"))
        #expect(list.zones.contains { $0.name == "aspnet_client" && $0.depth == .any })
        #expect(list.zones.contains { $0.scriptsOnly })
        #expect(list.attackWindows.count >= 3)
        #expect(list.knownShellHashes.allSatisfy { $0.count == 64 })
        #expect(!list.lookAlikeNames.isEmpty && list.longNameDistance == 3)
    }

    @Test func everyProblemIsReportedWithFileLineAndKey() throws {
        let temp = try TemporaryDirectory()
        let file = try temp.write("locations.yaml", """
            version: 1
            scriptExtensions: aspx
            webRoots: ["inetpub/"]
            zones:
              - name: aspnet_client
                folder: "inetpub/wwwroot/aspnet_client"
                depth: deep
                scriptsOnly: sometimes
              - folder: "x"
            attackWindows:
              - {name: w, start: 2021-01-01T00:00:00Z, end: soon}
            knownShellHashes: [abc]
            siblingSkewDays: a week
            colour: red
            """)
        do {
            _ = try WebShellLocationList.load(file: file)
            Issue.record("expected an error")
        } catch let error as ExTriageError {
            #expect(error.code == .invalidProfile)
            let lines = error.message.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(lines == [
                "invalid web-shell location list:",
                "\(file):1: key 'webExtensions': is required (a list)",
                "\(file):2: key 'scriptExtensions': must be a list",
                "\(file):7: key 'zones.depth': 'deep' is not one of: any, top, nested",
                "\(file):8: key 'zones.scriptsOnly': must be true or false",
                "\(file):9: key 'zones.name': is required",
                "\(file):11: key 'attackWindows.end': 'soon' is not an ISO 8601 UTC time (e.g. 2021-03-02T00:00:00Z)",
                "\(file):12: key 'knownShellHashes': 'abc' is not a SHA-256 (64 hex digits)",
                "\(file):13: key 'siblingSkewDays': must be a whole number from 0 to 3650",
                "\(file):14: key 'colour': is not allowed here (allowed: attackWindows, knownShellHashes, lookAlikes, nameIndicators, scriptExtensions, siblingSkewDays, version, webExtensions, webRoots, zones)",
            ], "\(lines)")
        }
    }
}
