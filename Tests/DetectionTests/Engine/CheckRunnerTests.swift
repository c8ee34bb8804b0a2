@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// What the runner does the same way for every check: coverage, caps, supersession, CVE states.
@Suite struct CheckRunnerTests {
    /// Counts every record of every IIS log it is offered; one evidence item per record.
    struct EveryRecord: Check {
        let id: CheckID = "TEST-EVERY-RECORD"
        let title = "every record"
        let input = CheckInput.logRecords(LogSelector(needles: nil, families: { if case .iis = $0 { return true } else { return false } }))
        let assesses = Assessment(cves: ["CVE-2000-0001"])

        func makeState() -> [Evidence] { [] }
        func observe(_ observation: Observation, into seen: inout [Evidence]) {
            guard case .logRecord(let record, _, let member) = observation else { return }
            seen.append(member.evidence(line: record.line, timestamp: record.timestamp, excerpt: record.raw))
        }
        func finish(_ seen: inout [Evidence], in context: FinishContext) -> CheckOutput {
            CheckOutput(findings: seen.isEmpty ? [] : [Finding(checkId: id, title: title, severity: .high, verdict: .likely,
                                                                 cves: ["CVE-2000-0001"], evidence: seen, explanation: "all")])
        }
    }

    static func iis(_ count: Int) -> String {
        LogText.iis((0..<count).map { "2021-03-03 07:10:00 10.0.0.10 GET /owa/x\($0) - 443 - 203.0.113.9 ua - 200 0 0 15" })
    }

    @Test func evidenceIsCappedAndWhatWasLeftOutIsCounted() throws {
        let result = CheckHarness(members: [(LogText.w3svc1, Self.iis(EvidenceList.defaultCap + 7))]).result([EveryRecord()])
        let finding = try #require(result.findings.first { $0.checkId == "TEST-EVERY-RECORD" })
        #expect(finding.evidence.count == EvidenceList.defaultCap)
        #expect(finding.omittedEvidence == 7)
        let row = try #require(result.coverage.first { $0.checkId == "TEST-EVERY-RECORD" })
        #expect(row.status == .ran && row.members == 1 && row.records == EvidenceList.defaultCap + 7)
    }

    @Test func aCheckWithNothingToReadIsNotApplicableAndItsCVEIsNotAssessable() throws {
        let result = CheckHarness(members: [(LogText.httpProxyPath, LogText.httpProxy([]))]).result([EveryRecord()])
        let row = try #require(result.coverage.first { $0.checkId == "TEST-EVERY-RECORD" })
        #expect(row.status == .notApplicable && row.reason == "no log it reads is in the bundle")
        let states = VerdictRules.cveStates(findings: result.findings, assessments: result.assessments)
        #expect(states["CVE-2000-0001"]?.state == .notAssessable)
        #expect(states["CVE-2000-0001"]?.reason?.contains("TEST-EVERY-RECORD: no log it reads is in the bundle") == true)
    }

    @Test func cveStatesFollowFindingsThenCoverage() throws {
        let ran = CheckHarness(members: [(LogText.w3svc1, Self.iis(1))]).result([EveryRecord()])
        #expect(VerdictRules.cveStates(findings: ran.findings, assessments: ran.assessments)["CVE-2000-0001"]?.state == .exploited)
        let quiet = VerdictRules.cveStates(findings: [], assessments: ran.assessments)
        #expect(quiet["CVE-2000-0001"]?.state == .noEvidence && quiet["CVE-2000-0001"]?.reason == nil)
    }

    @Test func aSupersededFindingIsDropped() {
        let request = Finding(checkId: "EXT-C12", title: "r", severity: .high, verdict: .likely, evidence: [], explanation: "",
                              pivots: [.shellPath: ["/aspnet_client/a.aspx"]])
        let other = Finding(checkId: "EXT-C12", title: "r", severity: .high, verdict: .likely, evidence: [], explanation: "",
                            pivots: [.shellPath: ["/aspnet_client/b.aspx"]])
        let rule = Supersession(check: "EXT-C12", pivot: .shellPath, values: ["/aspnet_client/a.aspx"])
        #expect(rule.covers(request) && !rule.covers(other))
    }

    @Test func exhibitsReachOnlyChecksThatFinishLater() {
        let requests = WebShellRequests(byPath: ["/a.aspx": WebShellRequestCheck.Requests()])
        let context = FinishContext(facts: BundleFacts(manifest: CheckHarness().manifest()), exhibits: [requests])
        #expect(context.exhibit(WebShellRequests.self)?.requests(to: "/A.aspx") != nil)
        #expect(context.exhibit(WebFileScans.self) == nil)
    }
}

/// A check that outlives its time budget is offered nothing more, and its row says so.
@Suite struct CheckTimeBudgetTests {
    struct Slow: Check {
        let id: CheckID = "TEST-SLOW"
        let title = "slow"
        let input = CheckInput.logRecords(LogSelector(needles: nil, families: { if case .iis = $0 { return true } else { return false } }))

        func makeState() -> Int { 0 }
        func observe(_ observation: Observation, into seen: inout Int) {
            guard case .logRecord = observation else { return }
            seen += 1
            var spin = 0.0
            for index in 0..<20_000 { spin += Double(index).squareRoot() }
            if spin < 0 { seen = -1 }
        }
        func finish(_ seen: inout Int, in context: FinishContext) -> CheckOutput {
            CheckOutput(findings: [], coverage: CoverageNote(reason: "saw \(seen)"))
        }
    }

    @Test func aCheckPastItsBudgetIsStoppedAndSaidToBe() throws {
        let harness = CheckHarness(members: [(LogText.w3svc1, CheckRunnerTests.iis(1000))])
        let runner = CheckRunner(checks: [Slow()], timeBudget: 0.000_001)
        for (path, bytes) in harness.streamed {
            #expect(runner.begin(member: "evidence/C/" + path))
            bytes.withUnsafeBytes { runner.consume($0) }
            runner.end()
        }
        let row = try #require(runner.finish(manifest: harness.manifest()).coverage.first { $0.checkId == "TEST-SLOW" })
        #expect(row.status == .failed)
        #expect(row.reason?.hasPrefix("stopped after about") == true)
        #expect(row.reason?.contains("saw \(CheckInstance<Slow>.sampleEvery)") == true, "\(row.reason ?? "")")
    }

    /// Logs that were not collected are a coverage fact, not evidence of deletion: no ATT&CK id.
    @Test func missingLogsCarryNoDeletionTechnique() throws {
        let missing = try #require(LogSpanBuilder().gapFindings.first { $0.title == "Logs missing from the bundle" })
        #expect(missing.attack.isEmpty)
        #expect(missing.verdict == .informational)
    }
}
