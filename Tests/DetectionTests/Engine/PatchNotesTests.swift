@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// Patching is not cleaning: exploitation or a web shell from before the logs show the fix is said
/// to be, on the finding, in the CVE's reason and in the verdict note.
@Suite struct PatchNotesTests {
    static let cve = "CVE-2021-26855"
    static func time(_ text: String) -> Timestamp { Timestamp(iso8601: text) ?? Timestamp(seconds: 0) }

    /// The logs show 15.1.2176.2 (vulnerable) from 1 March, then 15.1.2176.9 (March 2021 SU) from 6 March.
    static func patchedOnTheSixth() throws -> BuildHistory {
        try CVEStateTests.history([("15.1.2176.2", "2021-03-01"), ("15.1.2176.9", "2021-03-06")])
    }

    static func exploit(at text: String, verdict: Verdict = .likely) -> Finding {
        Finding(checkId: "EXT-C03", title: "SSRF", severity: .high, verdict: verdict, cves: [cve],
                evidence: [Evidence(member: "evidence/C/x.log", originalPath: "x.log", line: 1, timestamp: time(text), excerpt: "x", sha256: "")],
                explanation: "ssrf")
    }

    static func webShell(firstRequest text: String) -> Finding {
        var finding = Finding(checkId: "EXT-C10", title: "Web shell: a.aspx", severity: .critical, verdict: .confirmed,
                              evidence: [Evidence(member: "evidence/C/x.log", originalPath: "x.log", line: 2, timestamp: time(text), excerpt: "POST", sha256: "")],
                              explanation: "chopper", pivots: [.stage: [AttackStage.webShell.rawValue]])
        finding.usage = ShellUsage(status: .requested, requests: 1, first: time(text), last: time(text))
        return finding
    }

    @Test func theLogsShowWhenTheFixArrived() throws {
        let history = try Self.patchedOnTheSixth()
        #expect(history.patchedDuringLogs(Self.cve)?.time == Self.time("2021-03-06T00:00:00Z"))
        #expect(PatchNotes(builds: history).patchedAt[Self.cve] == Self.time("2021-03-06T00:00:00Z"))
        // Only fixed builds in the logs: the fix came before them, its date is not known.
        let always = try CVEStateTests.history([("15.1.2176.9", "2021-03-06")])
        #expect(always.patchedDuringLogs(Self.cve) == nil && PatchNotes(builds: always).patchedAt.isEmpty)
        // Only vulnerable builds: never patched.
        #expect(try CVEStateTests.history([("15.1.2176.2", "2021-03-01")]).patchedDuringLogs(Self.cve) == nil)
    }

    @Test func exploitationBeforeThePatchIsSaid() throws {
        let notes = PatchNotes(builds: try Self.patchedOnTheSixth())
        let result = notes.annotate([Self.exploit(at: "2021-03-03T07:00:00Z"), Self.exploit(at: "2021-03-07T07:00:00Z"),
                                     Self.exploit(at: "2021-03-02T07:00:00Z", verdict: .informational)])
        let before = result.findings[0].notes ?? []
        #expect(before.count == 1)
        #expect(before.first?.hasPrefix("exploited before the patch of 2021-03-06: patching did not remove what was left") == true)
        #expect(result.findings[1].notes == nil)  // after the patch: nothing to say
        #expect(result.findings[2].notes == nil)  // informational: not exploitation
        #expect(result.exploitedBefore[Self.cve]?.build.description == "15.1.2176.9")
        #expect(result.verdictSentence == "\(Self.cve) exploited before the patch of 2021-03-06: patching did not remove what was left")
        #expect(VerdictRules.verdictNote(.compromised, states: [Self.cve: .exploited], patched: result.verdictSentence)
            == result.verdictSentence)
    }

    @Test func aWebShellFromBeforeThePatchIsSaidToHaveStayed() throws {
        let notes = PatchNotes(builds: try Self.patchedOnTheSixth())
        let result = notes.annotate([Self.webShell(firstRequest: "2021-03-04T10:00:00Z"), Self.webShell(firstRequest: "2021-03-09T10:00:00Z")])
        #expect(result.findings[0].notes?.first?.hasPrefix("exploited before the patch of 2021-03-06") == true)
        #expect(result.findings[1].notes == nil)
        #expect(result.verdictSentence == "a web shell was left before the patch of 2021-03-06: patching did not remove what was left")
        // Without a build change in the logs nothing is claimed.
        let unchanged = PatchNotes(builds: try CVEStateTests.history([("15.1.2176.2", "2021-03-01")]))
        #expect(unchanged.annotate([Self.webShell(firstRequest: "2021-03-04T10:00:00Z")]).findings[0].notes == nil)
    }

    /// The build history comes from the log headers through the real check.
    @Test func buildHeadersOverTimeGiveThePatchDate() throws {
        let before = LogText.httpProxy([LogText.proxyRow(time: "2021-03-03T06:49:46.210Z", anchor: "a")], version: "15.01.2176.002")
        let after = LogText.httpProxy([LogText.proxyRow(time: "2021-03-08T06:00:00.000Z", anchor: "a")], version: "15.01.2176.009")
        let harness = CheckHarness(members: [
            ("Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG", before),
            ("Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030806-1.LOG", after),
        ])
        let result = harness.result([BuildStatusCheck(builds: try TestData.detection().builds)])
        let history = try #require(result.exhibit(BuildHistory.self))
        #expect(PatchNotes(builds: history).patchedAt[Self.cve] == Self.time("2021-03-08T06:00:00Z"))
    }

    /// A later log with a header and no record (an idle hour) does not erase when a build was first seen.
    @Test func aHeaderOnlyLogKeepsTheBuildsFirstSighting() throws {
        let before = LogText.httpProxy([LogText.proxyRow(time: "2021-03-03T06:49:46.210Z", anchor: "a")], version: "15.01.2176.002")
        let idle = LogText.httpProxy([], version: "15.01.2176.002")
        let after = LogText.httpProxy([LogText.proxyRow(time: "2021-03-08T06:00:00.000Z", anchor: "a")], version: "15.01.2176.009")
        let harness = CheckHarness(members: [
            ("Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG", before),
            ("Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030307-1.LOG", idle),
            ("Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030806-1.LOG", after),
        ])
        let result = harness.result([BuildStatusCheck(builds: try TestData.detection().builds)])
        let history = try #require(result.exhibit(BuildHistory.self))
        #expect(PatchNotes(builds: history).patchedAt[Self.cve] == Self.time("2021-03-08T06:00:00Z"))
    }
}
