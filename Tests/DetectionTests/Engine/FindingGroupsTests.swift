@testable import Detection
import ExTriageCore
import Testing

/// Issue #14 item 3: findings that repeat per file are summarised, not listed by the thousand.
@Suite struct FindingGroupsTests {
    func perFile(_ index: Int, verdict: Verdict = .informational) -> Finding {
        let path = "inetpub/wwwroot/page-\(index).aspx"
        return Finding(checkId: "EXT-C09", title: "Unexpected web file: page-\(index).aspx", severity: .low, verdict: verdict,
                       attack: ["T1505.003"],
                       evidence: [Evidence(member: "evidence/C/" + path, originalPath: path, timestamp: nil, excerpt: path, sha256: "")],
                       explanation: "outside the allow-list", pivots: [.shellPath: ["/page-\(index).aspx"]])
    }

    @Test func manyAlikeBecomeOneThatCountsThemAndKeepsTheFirstEvidence() {
        let lone = Finding(checkId: "EXT-C03", title: "SSRF", severity: .critical, verdict: .confirmed, evidence: [], explanation: "x")
        let findings = [lone] + (0..<2_500).map { perFile($0) }
        let summarised = FindingGroups.summarise(findings)
        #expect(summarised.count == 2)
        #expect(summarised[0].title == "SSRF" && summarised[0].grouped == nil)
        let group = summarised[1]
        #expect(group.grouped == 2_500)
        #expect(group.title == "Unexpected web file (2500 alike)")
        #expect(group.evidence.count == EvidenceList.defaultCap)
        #expect(group.evidence.first?.originalPath == "inetpub/wwwroot/page-0.aspx")
        #expect(group.omittedEvidence == 2_500 - EvidenceList.defaultCap)
        #expect(group.pivots[.shellPath]?.count == FindingGroups.pivotValuesShown)
    }

    @Test func aFewAlikeAndDifferentVerdictsStayApart() {
        let few = (0..<FindingGroups.threshold).map { perFile($0) }
        #expect(FindingGroups.summarise(few).count == FindingGroups.threshold)
        let mixed = few + few.map { var finding = $0; finding.verdict = .likely; return finding }
        #expect(FindingGroups.summarise(mixed).count == 2 * FindingGroups.threshold)
    }
}
