import Foundation
import Testing
import TestSupport

/// Web-shell detection through the real executable on the samples, and with external rule packs.
@Suite(.serialized) struct WebShellTests {
    static func findings(_ json: String) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return object?["findings"] as? [[String: Any]] ?? []
    }

    static func coverage(_ json: String) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return object?["coverage"] as? [[String: Any]] ?? []
    }

    /// Each shell of the compromised sample is one confirmed finding with its rule matches and
    /// its request history; its request-only EXT-C12 finding is merged, not repeated.
    @Test func theSampleShellsAreFoundWithEvidenceAndRequests() throws {
        let temp = try TemporaryDirectory()
        let bundle = try collectSample("exchange2016-compromised", into: temp)
        let run = try Run.extriage(["analyze", bundle, "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let findings = try WebShellTests.findings(run.stdout)
        let shells = findings.filter { $0["checkId"] as? String == "EXT-C10" }
        let names = shells.compactMap { ($0["title"] as? String)?.replacingOccurrences(of: "Web shell: ", with: "") }.sorted()
        #expect(names == ["RedirSuiteServerProxy.aspx", "discover.aspx", "qGtWmKzP.aspx"])
        for shell in shells {
            #expect(shell["verdict"] as? String == "confirmed")
            let evidence = shell["evidence"] as? [[String: Any]] ?? []
            let details = evidence.first?["details"] as? [String: String] ?? [:]
            #expect(details["rules"]?.isEmpty == false)
            #expect(details["requests"]?.contains("POST answered 2xx") == true, "\(details)")
            #expect((evidence.first?["sha256"] as? String)?.count == 64)
            #expect(evidence.count > 1, "request lines are part of the evidence")
            #expect((shell["pivots"] as? [String: [String]])?["clientIp"] == ["203.0.113.45"])
        }
        let requestFindings = findings.filter { $0["checkId"] as? String == "EXT-C12" }.compactMap { $0["title"] as? String }
        #expect(!requestFindings.contains { $0.lowercased().contains("discover.aspx") || $0.lowercased().contains("qgtwmkzp") || $0.lowercased().contains("redirsuiteserverproxy") })
        #expect(requestFindings.contains("Requests to /aspnet_client/shell.aspx"), "404 probes for absent shells stay as attempts")
    }

    @Test func theCleanSampleHasNoWebShellFinding() throws {
        let temp = try TemporaryDirectory()
        let bundle = try collectSample("exchange2019-clean", into: temp)
        let run = try Run.extriage(["analyze", bundle, "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let flagged = try WebShellTests.findings(run.stdout).filter { ["EXT-C09", "EXT-C10"].contains($0["checkId"] as? String ?? "") }
        #expect(flagged.isEmpty, "\(flagged.map { $0["title"] ?? "" })")
        let scanned = try WebShellTests.coverage(run.stdout).first { $0["checkId"] as? String == "EXT-C10" }
        #expect((scanned?["members"] as? Int ?? 0) > 20)
    }
}
