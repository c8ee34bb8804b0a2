@testable import Detection
import ExTriageCore
import Foundation
import Testing

/// Issue #14 item 3: findings are grouped as a check makes them, and what comes out is what
/// summarising the whole list in report order would give.
@Suite struct FindingSinkTests {
    /// A per-file finding first seen at `second` (nil: no time), as the location check makes them.
    func perFile(_ index: Int, second: Int64?, verdict: Verdict = .informational, cve: String? = nil) -> Finding {
        let path = "inetpub/wwwroot/aspnet_client/page-\(index).aspx"
        return Finding(checkId: "EXT-C09", title: "Unexpected web file: page-\(index).aspx", severity: .low, verdict: verdict,
                       cves: cve.map { [$0] } ?? [], attack: ["T1505.003"],
                       evidence: [Evidence(member: "evidence/C/" + path, originalPath: path, timestamp: second.map { Timestamp(seconds: $0) },
                                           excerpt: path, sha256: "")],
                       explanation: "outside the allow-list", pivots: [.shellPath: ["/aspnet_client/page-\(index).aspx"]])
    }

    func json(_ findings: [Finding]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(findings), as: UTF8.self)
    }

    /// Report order as `BundleAnalyzer` sorts before summarising.
    func reportOrder(_ findings: [Finding]) -> [Finding] {
        findings.sorted { lhs, rhs in
            (lhs.verdict, lhs.severity, rhs.firstSeen ?? Timestamp(seconds: .max)) > (rhs.verdict, rhs.severity, lhs.firstSeen ?? Timestamp(seconds: .max))
        }
    }

    @Test func manyAlikeHoldAboutAThousandAndSummariseAsTheWholeListWould() throws {
        let lone = Finding(checkId: "EXT-C03", title: "SSRF", severity: .critical, verdict: .confirmed, evidence: [], explanation: "x")
        // Times out of order (a permutation), some with none, one rare CVE among the last made.
        let all = [lone] + (0..<12_000).map { index in
            perFile(index, second: index % 7 == 0 ? nil : Int64((index * 7_919) % 12_000), cve: index == 11_999 ? "CVE-2021-26855" : nil)
        }
        var sink = FindingSink()
        var mostHeld = 0
        for finding in all {
            sink.append(finding)
            mostHeld = max(mostHeld, sink.held)
        }
        #expect(sink.count == all.count)
        #expect(mostHeld < 2 * EvidenceList.defaultCap + FindingGroups.threshold)
        let made = sink.findings
        #expect(made.count == 2 && made[0].title == "SSRF" && made[1].grouped == 12_000)
        #expect(made[1].title == "Unexpected web file (12000 alike)")
        #expect(made[1].evidence.count == EvidenceList.defaultCap && made[1].omittedEvidence == 12_000 - EvidenceList.defaultCap)
        #expect(made[1].cves == ["CVE-2021-26855"])
        // What the report shows is the same either way, summarised again or not.
        let whole = FindingGroups.summarise(reportOrder(all))
        #expect(try json(FindingGroups.summarise(reportOrder(made))) == json(whole))
        #expect(try json(reportOrder(made)) == json(whole))
    }

    @Test func aFewAlikeStayAsMadeAndKindsStayApart() throws {
        let few = (0..<FindingGroups.threshold).map { perFile($0, second: Int64(100 - $0)) }
        let likely = (0..<3).map { perFile($0, second: 5, verdict: .likely) }
        var sink = FindingSink()
        sink.append(contentsOf: few + likely)
        #expect(try json(sink.findings) == json(few + likely))
        #expect(sink.findings.allSatisfy { $0.grouped == nil })
    }

    @Test func summarisingASummaryChangesNothing() throws {
        var sink = FindingSink()
        sink.append(contentsOf: (0..<300).map { perFile($0, second: Int64($0)) })
        let group = try #require(sink.findings.first)
        #expect(FindingGroups.kind(of: group) == FindingGroups.kind(of: perFile(0, second: 0)))
        #expect(try json(FindingGroups.summarise([group])) == json([group]))
        #expect(group.explanation == "300 findings of this kind; the first: outside the allow-list")
    }
}
