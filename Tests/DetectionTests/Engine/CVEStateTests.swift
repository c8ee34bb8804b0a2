@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// A CVE is `no-evidence` only where the logs cover the time the server was exposed to it.
@Suite struct CVEStateTests {
    static func day(_ text: String) -> Timestamp { Timestamp(iso8601: text + "T00:00:00Z") ?? Timestamp(seconds: 0) }

    static func ran(_ first: String, _ last: String) -> CheckAssessment {
        CheckAssessment(assessment: Assessment(cves: ["CVE-2021-26855"]), row: CoverageRow(checkId: "EXT-C03", title: "t", status: .ran),
                        first: day(first), last: day(last))
    }

    static func history(_ seen: [(String, String)]) throws -> BuildHistory {
        BuildHistory(table: try TestData.detection().builds,
                     seen: try seen.map { (try #require(ExchangeBuild($0.0)), day($0.1)) })
    }

    static func state(_ entry: CheckAssessment, _ history: BuildHistory?) -> (state: CVEState, reason: String?)? {
        VerdictRules.cveStates(findings: [], assessments: [entry], builds: history)["CVE-2021-26855"]
    }

    @Test func logsOfAVulnerableBuildInTheWindowAreNoEvidence() throws {
        let result = Self.state(Self.ran("2021-03-01", "2021-03-05"), try Self.history([("15.1.2176.2", "2021-03-01")]))
        #expect(result?.state == .noEvidence && result?.reason == nil)
    }

    @Test func logsOnlyOfAPatchedBuildCannotAssessIt() throws {
        let result = Self.state(Self.ran("2022-12-06", "2022-12-07"), try Self.history([("15.2.1118.20", "2022-12-06")]))
        #expect(result?.state == .notAssessable)
        #expect(result?.reason?.contains("March 2021 SU (ProxyLogon)") == true)
        #expect(result?.reason?.contains("exploited from 2021-01-03") == true)
    }

    @Test func logsThatEndBeforeExploitationCannotAssessIt() throws {
        let result = Self.state(Self.ran("2020-11-01", "2020-12-01"), try Self.history([("15.1.2176.2", "2020-11-01")]))
        #expect(result?.state == .notAssessable && result?.reason?.contains("before it was exploited in the wild") == true)
    }

    /// A log with only its header ran the check over no time at all: nothing was assessed.
    @Test func logsWithNoDatedRecordCannotAssessIt() {
        let entry = CheckAssessment(assessment: Assessment(cves: ["CVE-2021-26855"]), row: CoverageRow(checkId: "EXT-C03", title: "t", status: .ran),
                                    first: nil, last: nil)
        let result = Self.state(entry, nil)
        #expect(result?.state == .notAssessable && result?.reason?.contains("no dated record") == true)
    }

    /// A CVE without a technique-based indicator (the build table's `notAssessable:`) is
    /// not assessable with the table's reason, whatever the logs cover, unless a finding carries it.
    @Test func aCVEWithoutAnIndicatorIsNotAssessableWithItsReasonUnlessAFindingCarriesIt() throws {
        let table = try TestData.detection().builds
        let reason = try #require(table.notAssessable["CVE-2021-28480"])
        #expect(reason.contains("no public description"))
        let entry = CheckAssessment(assessment: BuildStatusCheck(builds: table).assesses,
                                    row: CoverageRow(checkId: "EXT-C02", title: "t", status: .ran), first: Self.day("2021-03-01"), last: Self.day("2021-09-01"))
        let quiet = VerdictRules.cveStates(findings: [], assessments: [entry])["CVE-2021-28480"]
        #expect(quiet?.state == .notAssessable && quiet?.reason == reason)
        let finding = Finding(checkId: "SIGMA-WEB", title: "t", severity: .high, verdict: .likely, cves: ["CVE-2021-28480"], evidence: [],
                              explanation: "e")
        #expect(VerdictRules.cveStates(findings: [finding], assessments: [entry])["CVE-2021-28480"]?.state == .exploited)
        do {
            _ = try BuildTable.parse("version: 1\nfixes: [{name: x, cves: [CVE-2021-12345], fixed: [15.2.1.1]}]\nnotAssessable: [{cve: nope, reason: r}]",
                                     file: "b.yaml")
            Issue.record("a bad CVE id was accepted")
        } catch {
            #expect(String(describing: error).contains("'nope' is not a CVE id"))
        }
    }

    @Test func aFindingDecidesBeforeCoverage() throws {
        let finding = Finding(checkId: "EXT-C03", title: "t", severity: .high, verdict: .attempt, cves: ["CVE-2021-26855"], evidence: [],
                              explanation: "")
        let states = VerdictRules.cveStates(findings: [finding], assessments: [Self.ran("2022-12-06", "2022-12-07")],
                                            builds: try Self.history([("15.2.1118.20", "2022-12-06")]))
        #expect(states["CVE-2021-26855"]?.state == .attempted)
    }

    @Test func theVerdictSaysWhatCouldNotBeAssessed() {
        #expect(VerdictRules.verdictNote(.noEvidenceFound, states: ["CVE-2021-26855": .notAssessable, "CVE-2021-26857": .noEvidence])
            == "no evidence in what was collected; not assessable for CVE-2021-26855 (see the CVE states)")
        #expect(VerdictRules.verdictNote(.compromised, states: ["CVE-2021-26855": .notAssessable]) == nil)
        #expect(VerdictRules.verdictNote(.noEvidenceFound, states: ["CVE-2021-26855": .noEvidence]) == nil)
    }
}
