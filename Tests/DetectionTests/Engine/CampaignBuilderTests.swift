@testable import Detection
import ExTriageCore
import Testing

/// Campaigns: client bursts by IP, and host activity (events, dumps) joined by time.
@Suite struct CampaignBuilderTests {
    static let base: Int64 = 1_614_750_000

    static func finding(_ id: String, minute: Int64, verdict: Verdict, ip: String? = nil) -> Finding {
        let time = Timestamp(seconds: base + minute * 60)
        let evidence = Evidence(member: "evidence/C/x", originalPath: "x", timestamp: time, excerpt: id, sha256: "")
        return Finding(checkId: CheckID(id), title: id, severity: .high, verdict: verdict, evidence: [evidence], explanation: id,
                       pivots: ip.map { ["clientIp": [$0]] } ?? [:])
    }

    @Test func hostFindingsCloseInTimeJoinTheClientCampaign() {
        let findings = [
            Self.finding("ssrf", minute: 0, verdict: .likely, ip: "203.0.113.45"),
            Self.finding("shell-post", minute: 10, verdict: .likely, ip: "203.0.113.45"),
            Self.finding("w3wp-cmd", minute: 25, verdict: .confirmed),
            Self.finding("lsass-dump", minute: 20, verdict: .confirmed),
        ]
        let campaigns = CampaignBuilder.campaigns(from: findings)
        #expect(campaigns.count == 1)
        let campaign = campaigns[0]
        #expect(campaign.clientIps == ["203.0.113.45"])
        #expect(campaign.findingIndexes == [0, 1, 3, 2])
        #expect(campaign.verdict == .confirmed)
        #expect(campaign.last == Timestamp(seconds: Self.base + 25 * 60))
    }

    @Test func hostFindingsFarFromAnyClientFormTheirOwnCampaignsByBurst() {
        let findings = [
            Self.finding("ssrf", minute: 0, verdict: .likely, ip: "203.0.113.45"),
            Self.finding("psexec", minute: 300, verdict: .likely),
            Self.finding("log-cleared", minute: 310, verdict: .likely),
            Self.finding("dump-next-day", minute: 1_500, verdict: .confirmed),
            Self.finding("build", minute: 305, verdict: .informational),
        ]
        let campaigns = CampaignBuilder.campaigns(from: findings)
        #expect(campaigns.count == 3)
        let host = campaigns.filter { $0.clientIps.isEmpty }
        #expect(host.map(\.findingIndexes).sorted { $0[0] < $1[0] } == [[1, 2], [3]])
        // Informational findings never make or join a campaign.
        #expect(!campaigns.contains { $0.findingIndexes.contains(4) })
        #expect(campaigns.first?.verdict == .confirmed)
    }
}
