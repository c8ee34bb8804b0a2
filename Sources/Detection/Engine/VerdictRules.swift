import ExTriageCore

/// Turns findings and coverage into the host verdict and one state per CVE (§3.0): never "no
/// evidence" where the logs that would show it are missing.
enum VerdictRules {
    /// One state per CVE some check declares it assesses (`Check.assesses`): `exploited` or
    /// `attempted` from the findings that carry it; else `no-evidence` when one of those checks
    /// ran; else `not-assessable`, with the reason.
    static func cveStates(findings: [Finding], assessments: [(assessment: Assessment, row: CoverageRow)]) -> [String: (state: CVEState, reason: String?)] {
        var assessedBy: [String: [CoverageRow]] = [:]
        for (assessment, row) in assessments {
            for cve in assessment.cves { assessedBy[cve, default: []].append(row) }
        }
        var states: [String: (state: CVEState, reason: String?)] = [:]
        for (cve, rows) in assessedBy {
            let related = findings.filter { $0.cves.contains(cve) && $0.verdict != .informational }
            if related.contains(where: { $0.verdict >= .likely }) {
                states[cve] = (.exploited, nil)
            } else if !related.isEmpty {
                states[cve] = (.attempted, nil)
            } else if rows.contains(where: { $0.status == .ran }) {
                states[cve] = (.noEvidence, nil)
            } else {
                let why = rows.sorted { $0.checkId < $1.checkId }.map { "\($0.checkId): \($0.reason ?? $0.status.rawValue)" }
                states[cve] = (.notAssessable, "no check that assesses it could run (" + why.joined(separator: "; ") + ")")
            }
        }
        return states
    }

    /// Confirmed → compromised; likely or attempt → exploitation attempted; otherwise no evidence,
    /// unless no Exchange or IIS log could be read at all (could not assess).
    static func hostVerdict(findings: [Finding], coverage: [CoverageRow], intact: Bool) -> HostVerdict {
        let worst = findings.map(\.verdict).max() ?? .informational
        if worst == .confirmed { return .compromised }
        if worst == .likely || worst == .attempt { return .exploitationAttempted }
        let anyLogRead = coverage.contains { $0.status == .ran }
        return anyLogRead ? .noEvidenceFound : .couldNotAssess
    }
}

/// Groups findings that carry a client IP into campaigns (C04): same IP (and user agent), hits
/// within 30 minutes of each other, ordered, with their pivots and highest stage.
enum CampaignBuilder {
    static let window: Int64 = 30 * 60

    /// Client campaigns (one per IP and burst of activity), then what happened on the host
    /// itself (events, dumps, shells on disk: findings without a client IP) joined to the client
    /// campaign it falls within `window` of, or grouped by time into host campaigns of its own.
    static func campaigns(from findings: [Finding]) -> [Campaign] {
        var campaigns = clientCampaigns(from: findings)
        var unjoined: [Int] = []
        for index in hostIndexes(findings) {
            guard let time = findings[index].firstSeen else { continue }
            let near = campaigns.indices.filter { position in
                guard let first = campaigns[position].first, let last = campaigns[position].last else { return false }
                return time.seconds >= first.seconds - window && time.seconds <= last.seconds + window
            }
            guard let closest = near.min(by: { distance(time, campaigns[$0]) < distance(time, campaigns[$1]) }) else {
                unjoined.append(index)
                continue
            }
            campaigns[closest] = joined(campaigns[closest], index, findings)
        }
        campaigns += timeGroups(unjoined, findings).map { campaign(ip: nil, indexes: $0, findings: findings) }
        return campaigns.sorted { ($0.verdict, $1.first ?? Timestamp(seconds: .max)) > ($1.verdict, $0.first ?? Timestamp(seconds: .max)) }
    }

    /// Findings about the host rather than a client: no client IP, above informational, timed.
    static func hostIndexes(_ findings: [Finding]) -> [Int] {
        findings.indices.filter { findings[$0].verdict != .informational && (findings[$0].pivots[.clientIp] ?? []).isEmpty && findings[$0].firstSeen != nil }
    }

    static func distance(_ time: Timestamp, _ campaign: Campaign) -> Int64 {
        let first = campaign.first?.seconds ?? time.seconds
        let last = campaign.last?.seconds ?? time.seconds
        return time.seconds < first ? first - time.seconds : max(0, time.seconds - last)
    }

    /// `campaign` with one more finding: times, verdict and order updated; its stage stays.
    static func joined(_ campaign: Campaign, _ index: Int, _ findings: [Finding]) -> Campaign {
        var out = campaign
        let finding = findings[index]
        let times = finding.evidence.compactMap(\.timestamp)
        if let first = times.min() { out.first = min(out.first ?? first, first) }
        if let last = times.max() { out.last = max(out.last ?? last, last) }
        out.verdict = max(out.verdict, finding.verdict)
        out.findingIndexes = (out.findingIndexes + [index]).sorted { (findings[$0].firstSeen ?? Timestamp(seconds: 0)) < (findings[$1].firstSeen ?? Timestamp(seconds: 0)) }
        return out
    }

    /// Indexes in bursts: a gap longer than `window` starts a new group.
    static func timeGroups(_ indexes: [Int], _ findings: [Finding]) -> [[Int]] {
        let ordered = indexes.sorted { (findings[$0].firstSeen ?? Timestamp(seconds: 0)) < (findings[$1].firstSeen ?? Timestamp(seconds: 0)) }
        var groups: [[Int]] = []
        var lastTime: Timestamp?
        for index in ordered {
            let time = findings[index].firstSeen
            if let lastTime, let time, time.seconds - lastTime.seconds <= window, !groups.isEmpty {
                groups[groups.count - 1].append(index)
            } else {
                groups.append([index])
            }
            if let time { lastTime = max(lastTime ?? time, time) }
        }
        return groups
    }

    static func clientCampaigns(from findings: [Finding]) -> [Campaign] {
        var byIp: [String: [Int]] = [:]
        for (index, finding) in findings.enumerated() where finding.verdict != .informational {
            for ip in finding.pivots[.clientIp] ?? [] { byIp[ip, default: []].append(index) }
        }
        var campaigns: [Campaign] = []
        for ip in byIp.keys.sorted() {
            let indexes = (byIp[ip] ?? []).sorted { (findings[$0].firstSeen ?? Timestamp(seconds: 0)) < (findings[$1].firstSeen ?? Timestamp(seconds: 0)) }
            var group: [Int] = []
            var lastTime: Timestamp?
            func flush() {
                guard !group.isEmpty else { return }
                campaigns.append(campaign(ip: ip, indexes: group, findings: findings))
                group = []
            }
            for index in indexes {
                let time = findings[index].firstSeen
                if let lastTime, let time, time.seconds - lastTime.seconds > window { flush() }
                group.append(index)
                if let time { lastTime = max(lastTime ?? time, time) }
            }
            flush()
        }
        return campaigns
    }

    /// A campaign of the findings at `indexes`: of one client (`ip`), or of the host itself.
    static func campaign(ip: String?, indexes: [Int], findings: [Finding]) -> Campaign {
        let members = indexes.map { findings[$0] }
        var pivots: [PivotKey: Set<String>] = [:]
        for finding in members {
            for (key, values) in finding.pivots where key != .clientIp { pivots[key, default: []].formUnion(values) }
        }
        let times = members.flatMap { $0.evidence.compactMap(\.timestamp) }
        let stages = members.flatMap { $0.pivots[.stage] ?? [] }
        let best = members.max { $0.verdict < $1.verdict }
        return Campaign(clientIps: ip.map { [$0] } ?? [], userAgents: (pivots[.userAgent] ?? []).sorted(), first: times.min(), last: times.max(),
                        highestStage: AttackStage.highest(stages) ?? best?.title ?? "",
                        verdict: best?.verdict ?? .informational,
                        pivots: pivots.filter { $0.key != .userAgent && $0.key != .stage }.mapValues { $0.sorted() },
                        findingIndexes: indexes)
    }
}
