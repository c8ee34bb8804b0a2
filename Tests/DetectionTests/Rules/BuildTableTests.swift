@testable import Detection
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// The Exchange build table loads through the shared data loader: the shipped file is clean, a
/// broken one reports every problem with file, line and key.
@Suite struct BuildTableTests {
    @Test func theShippedTableLoads() throws {
        let table = try BuildTable.load(file: Repository.profiles + "/rules/exchange-builds.yaml")
        #expect(table.fixes.count >= 4)
        #expect(table.fixes.allSatisfy { !$0.cves.isEmpty && !($0.fixed.isEmpty && $0.includedFrom.isEmpty) })
        // The later rows name their source; CVE-2024-21410 is fixed only by a CU (2019 CU14).
        #expect(table.fix(for: "CVE-2021-42321")?.source?.contains("November 2021") == true)
        let relay = try #require(table.fix(for: "CVE-2024-21410"))
        #expect(table.isPatched(try #require(ExchangeBuild("15.2.1544.4")), against: relay))
        #expect(!table.isPatched(try #require(ExchangeBuild("15.2.1118.20")), against: relay))
        #expect(table.isPatched(try #require(ExchangeBuild("15.2.858.15")), against: try #require(table.fix(for: "CVE-2021-33766"))))
    }

    @Test func everyProblemIsReportedWithFileLineAndKey() throws {
        let temp = try TemporaryDirectory()
        let file = try temp.write("builds.yaml", """
            version: 0
            fixes:
              - name: March 2021 SU
                cves: CVE-2021-26855
                fixed: [15.1.2176.9, 15.1.x]
                colour: red
              - cves: [CVE-2021-34473]
                fixed: [15.2.858.10]
            notes: none
            """)
        do {
            _ = try BuildTable.load(file: file)
            Issue.record("expected an error")
        } catch let error as ExTriageError {
            #expect(error.code == .invalidProfile)
            let lines = error.message.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(lines == [
                "invalid Exchange build table:",
                "\(file):1: key 'version': must be 1 (found '0')",
                "\(file):4: key 'fixes.cves': must be a list",
                "\(file):5: key 'fixes.fixed': '15.1.x' is not a build number (major.minor.build.revision, e.g. 15.1.2176.9)",
                "\(file):6: key 'fixes.colour': is not allowed here (allowed: cves, exploitedFrom, fixed, includedFrom, name, source)",
                "\(file):7: key 'fixes.name': is required",
                "\(file):9: key 'notes': is not allowed here (allowed: fixes, version)",
            ], "\(lines)")
        }
    }

    @Test func aMissingTableIsAnError() {
        #expect(throws: ExTriageError.self) { _ = try BuildTable.load(file: "/nonexistent/exchange-builds.yaml") }
    }
}
