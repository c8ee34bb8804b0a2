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

    /// Rows after February 2023: a build is judged by its own CU's SU, an older SU on that CU misses the fix,
    /// and Exchange SE (15.2.2562) is covered by the 2019 CU15 includedFrom for fixes that CU15 already had.
    @Test func laterUpdatesAreJudgedPerCumulativeUpdate() throws {
        let table = try BuildTable.load(file: Repository.profiles + "/rules/exchange-builds.yaml")
        func build(_ text: String) throws -> ExchangeBuild { try #require(ExchangeBuild(text)) }

        // CVE-2026-42897 (June 2026 SU, exploited from May 2026): 2019 CU14 Feb26SU misses it, Jun26SU has it.
        let owa = try #require(table.fix(for: "CVE-2026-42897"))
        #expect(owa.exploitedFrom == Timestamp(iso8601: "2026-05-14T00:00:00Z"))
        #expect(!table.isPatched(try build("15.2.1544.39"), against: owa))
        #expect(table.isPatched(try build("15.2.1544.41"), against: owa))
        #expect(!table.isPatched(try build("15.2.2562.37"), against: owa))
        #expect(table.isPatched(try build("15.2.2562.43"), against: owa))
        #expect(!table.isPatched(try build("15.1.2507.66"), against: owa))

        // October 2025 SU on Exchange SE RTM: Aug25SU misses it, Oct25SU has it.
        let october = try #require(table.fix(for: "CVE-2025-59248"))
        #expect(october.exploitedFrom == nil)
        #expect(!table.isPatched(try build("15.2.2562.20"), against: october))
        #expect(table.isPatched(try build("15.2.2562.29"), against: october))

        // March 2024 SU: Exchange 2016 CU23 Nov23SU misses it, Mar24SU has it; 2019 CU12 never got it;
        // 2019 CU15 and Exchange SE RTM contain it.
        let march2024 = try #require(table.fix(for: "CVE-2024-26198"))
        #expect(!table.isPatched(try build("15.1.2507.35"), against: march2024))
        #expect(table.isPatched(try build("15.1.2507.37"), against: march2024))
        #expect(!table.isPatched(try build("15.2.1118.40"), against: march2024))
        #expect(table.isPatched(try build("15.2.1748.10"), against: march2024))
        #expect(table.isPatched(try build("15.2.2562.17"), against: march2024))

        // The June 2023 SU is in 2019 CU14 but not in CU13 before its Jun23SU.
        let june2023 = try #require(table.fix(for: "CVE-2023-32031"))
        #expect(!table.isPatched(try build("15.2.1258.12"), against: june2023))
        #expect(table.isPatched(try build("15.2.1258.16"), against: june2023))
        #expect(table.isPatched(try build("15.2.1544.4"), against: june2023))
        let recent = table.fixes.filter { $0.cves.contains { ["CVE-2023-", "CVE-2024-", "CVE-2025-", "CVE-2026-"].contains(where: $0.hasPrefix) } }
        #expect(recent.count >= 13)
        #expect(recent.allSatisfy { $0.source != nil }, "every row since 2023 names its source")
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
                "\(file):9: key 'notes': is not allowed here (allowed: fixes, notAssessable, version)",
            ], "\(lines)")
        }
    }

    @Test func aMissingTableIsAnError() {
        #expect(throws: ExTriageError.self) { _ = try BuildTable.load(file: "/nonexistent/exchange-builds.yaml") }
    }
}
