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

    /// One finding whose lines come from two clients: each client's campaign holds its own lines'
    /// times, and a client with no line in a tier's finding is not put in that finding's campaign.
    @Test func eachLineCountsForItsOwnClient() {
        func line(_ minute: Int64, _ ip: String) -> Evidence {
            var evidence = Evidence(member: "evidence/C/x.log", originalPath: "x.log", line: Int(minute), timestamp: Timestamp(seconds: Self.base + minute * 60),
                                    excerpt: ip, sha256: "")
            evidence.clientIp = ip
            return evidence
        }
        let merged = Finding(checkId: "EXT-EXPLOIT-STEMS", title: "stems", severity: .high, verdict: .likely,
                             evidence: [line(0, "198.51.100.23"), line(95, "203.0.113.45"), line(96, "203.0.113.45")],
                             explanation: "", pivots: [.clientIp: ["198.51.100.23", "203.0.113.45"]])
        let stale = Finding(checkId: "EXT-X", title: "x", severity: .high, verdict: .confirmed, evidence: [line(95, "203.0.113.45")],
                            explanation: "", pivots: [.clientIp: ["198.51.100.23", "203.0.113.45"]])
        let campaigns = CampaignBuilder.campaigns(from: [merged, stale])
        let early = campaigns.first { $0.clientIps == ["198.51.100.23"] }
        #expect(early?.first == Timestamp(seconds: Self.base) && early?.last == Timestamp(seconds: Self.base))
        #expect(early?.findingIndexes == [0])
        let late = campaigns.first { $0.clientIps == ["203.0.113.45"] }
        #expect(late?.first == Timestamp(seconds: Self.base + 95 * 60) && late?.findingIndexes.sorted() == [0, 1])
    }

    /// The server's own address (its logs' s-ip) and loopback are never a campaign's client.
    @Test func theServerIsNotItsOwnAttacker() {
        let findings = [
            Self.finding("ssrf", minute: 0, verdict: .likely, ip: "203.0.113.45"),
            Self.finding("backend-post", minute: 5, verdict: .confirmed, ip: "10.0.0.10"),
            Self.finding("probe", minute: 6, verdict: .attempt, ip: "127.0.0.1"),
        ]
        let campaigns = CampaignBuilder.campaigns(from: findings, hostAddresses: ["10.0.0.10"])
        #expect(campaigns.map(\.clientIps) == [["203.0.113.45"]])
        #expect(campaigns.first?.findingIndexes.sorted() == [0, 1, 2])
        #expect(campaigns.first?.verdict == .confirmed)
        #expect(CampaignBuilder.campaigns(from: findings).contains { $0.clientIps == ["10.0.0.10"] })
    }
}
