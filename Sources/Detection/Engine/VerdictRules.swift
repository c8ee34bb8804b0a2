import ExTriageCore

/// Turns findings and coverage into the host verdict and one state per CVE (§3.0): never "no
/// evidence" where the logs that would show it are missing.
enum VerdictRules {
    /// One state per CVE some check declares it assesses (`Check.assesses`): `exploited` or
    /// `attempted` from the findings that carry it; `no-evidence` when a check that assesses it ran
    /// over logs that cover the time the server was exposed; else `not-assessable`, with the reason:
    /// no such check could run, the logs end before exploitation began, or every build the logs
    /// show already had the fix (the exposed time is not in the logs). A CVE a check lists as
    /// `unassessable` is `not-assessable` with that check's reason unless a finding carries it.
    static func cveStates(findings: [Finding], assessments: [CheckAssessment], builds: BuildHistory? = nil)
        -> [String: (state: CVEState, reason: String?)] {
        var assessedBy: [String: [CheckAssessment]] = [:]
        for entry in assessments {
            for cve in entry.assessment.cves { assessedBy[cve, default: []].append(entry) }
        }
        var states: [String: (state: CVEState, reason: String?)] = [:]
        func findingState(_ cve: String) -> CVEState? {
            let related = findings.filter { $0.cves.contains(cve) && $0.verdict != .informational }
            if related.contains(where: { $0.verdict >= .likely }) { return .exploited }
            return related.isEmpty ? nil : .attempted
        }
        for (cve, entries) in assessedBy {
            if let found = findingState(cve) { states[cve] = (found, nil) } else { states[cve] = noFindingState(cve, entries: entries, builds: builds) }
        }
        // CVEs without a technique-based indicator: not assessable for that reason, unless a finding
        // (a --sigma or --rules pack, say) carries them.
        for entry in assessments {
            for (cve, why) in entry.assessment.unassessable where states[cve] == nil {
                if let found = findingState(cve) { states[cve] = (found, nil) } else { states[cve] = (.notAssessable, why) }
            }
        }
        return states
    }

    /// `no-evidence`, or `not-assessable` and why, for a CVE no finding carries.
    static func noFindingState(_ cve: String, entries: [CheckAssessment], builds: BuildHistory?) -> (state: CVEState, reason: String?) {
        let ran = entries.filter { $0.row.status == .ran }
        guard !ran.isEmpty else {
            let why = entries.sorted { $0.row.checkId < $1.row.checkId }.map { "\($0.row.checkId): \($0.row.reason ?? $0.row.status.rawValue)" }
            return (.notAssessable, "no check that assesses it could run (" + why.joined(separator: "; ") + ")")
        }
        let checks = ran.map(\.row.checkId.rawValue).sorted().joined(separator: ", ")
        let firsts = ran.compactMap(\.first), lasts = ran.compactMap(\.last)
        guard let first = firsts.min(), let last = lasts.max() else {
            return (.notAssessable, "the logs \(checks) read hold no dated record: no time was covered")
        }
        let fix = builds?.table.fix(for: cve)
        let exploitedFrom = fix?.exploitedFrom
        if let builds, let fix, let patched = builds.patchedAt(cve),
           !builds.seen.contains(where: { !builds.table.isPatched($0.build, against: fix) }) {
            return (.notAssessable, "the logs \(checks) read (\(first.iso8601) to \(last.iso8601)) show only builds with the \(fix.name) "
                + "(\(patched.build) first); \(exploitedFrom.map { "it was exploited from \($0.iso8601.prefix(10)), and " } ?? "")"
                + "the time this server was exposed is not in the logs")
        }
        if let exploitedFrom, last < exploitedFrom {
            return (.notAssessable, "the logs \(checks) read end \(last.iso8601), before it was exploited in the wild (from \(exploitedFrom.iso8601.prefix(10)))")
        }
        if let builds, let patched = builds.patchedAt(cve), first >= patched.time {
            return (.notAssessable, "the logs \(checks) read start \(first.iso8601), after the fixed build \(patched.build) was first seen (\(patched.time.iso8601))")
        }
        return (.noEvidence, nil)
    }

    /// What the verdict does not say by itself: no evidence is not "clean" where CVEs could not be
    /// assessed, and a patched server is not a clean one where it was exploited before the patch
    /// (`patched`, from `PatchNotes`).
    static func verdictNote(_ verdict: HostVerdict, states: [String: CVEState], patched: String? = nil) -> String? {
        let unassessed = states.filter { $0.value == .notAssessable }.keys.sorted()
        var parts: [String] = []
        if verdict == .noEvidenceFound || verdict == .exploitationAttempted, !unassessed.isEmpty {
            let lead = verdict == .noEvidenceFound ? "no evidence in what was collected" : "exploitation attempted in what was collected"
            parts.append(lead + "; not assessable for " + unassessed.joined(separator: ", ") + " (see the CVE states)")
        }
        if let patched { parts.append(patched) }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
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

/// Groups findings that carry a client IP into campaigns (C04): same IP, hits within 30 minutes
/// of each other, ordered, with their pivots and highest stage. Each evidence line counts for
/// its own client (`Evidence.clientIp`), so a finding that merges clients puts each line in its
/// client's campaign; the server's own addresses (its logs' `s-ip`), loopback and unspecified
/// addresses are never a client: their lines are host activity, joined to a campaign by time.
enum CampaignBuilder {
    static let window: Int64 = 30 * 60

    /// Client campaigns (one per IP and burst of activity), then what happened on the host
    /// itself (events, dumps, shells on disk, requests from the server's own addresses) joined to
    /// the client campaign it falls within `window` of, or grouped by time into host campaigns.
    static func campaigns(from findings: [Finding], hostAddresses: Set<String> = []) -> [Campaign] {
        let attribution = Attribution(findings: findings, hostAddresses: hostAddresses)
        var campaigns = clientCampaigns(attribution)
        var unjoined: [Int] = []
        for index in hostIndexes(attribution) {
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
        campaigns += timeGroups(unjoined, findings).map { campaign(ip: nil, indexes: $0, attribution: attribution) }
        return campaigns.sorted { ($0.verdict, $1.first ?? Timestamp(seconds: .max)) > ($1.verdict, $0.first ?? Timestamp(seconds: .max)) }
    }

    /// Which clients each finding's evidence comes from.
    struct Attribution {
        let findings: [Finding]
        let hostAddresses: Set<String>

        /// Whether an address is the server itself, loopback or unspecified.
        func isHost(_ address: String) -> Bool {
            let folded = address.lowercased()
            return hostAddresses.contains(address) || folded.hasPrefix("127.") || folded == "::1" || folded == "0.0.0.0"
                || folded == "::" || folded == "localhost"
        }

        /// The finding's clients that are not the host and, where its lines name their client, have a line in it.
        func clients(_ index: Int) -> [String] {
            let lines = Set(findings[index].evidence.compactMap(\.clientIp))
            return (findings[index].pivots[.clientIp] ?? []).filter { !isHost($0) && (lines.isEmpty || lines.contains($0)) }
        }

        /// The times of the finding's evidence that belong to `ip` (lines of other clients left out).
        func times(_ index: Int, ip: String?) -> [Timestamp] {
            findings[index].evidence.filter { item in
                guard let ip, let line = item.clientIp else { return true }
                return line == ip
            }.compactMap(\.timestamp)
        }

        func firstSeen(_ index: Int, ip: String?) -> Timestamp? { times(index, ip: ip).min() }
    }

    /// Findings about the host rather than a client: no client but the host, above informational, timed.
    static func hostIndexes(_ attribution: Attribution) -> [Int] {
        attribution.findings.indices.filter { index in
            attribution.findings[index].verdict != .informational && attribution.clients(index).isEmpty
                && attribution.findings[index].firstSeen != nil
        }
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

    static func clientCampaigns(_ attribution: Attribution) -> [Campaign] {
        var byIp: [String: [Int]] = [:]
        for index in attribution.findings.indices where attribution.findings[index].verdict != .informational {
            for ip in attribution.clients(index) { byIp[ip, default: []].append(index) }
        }
        var campaigns: [Campaign] = []
        for ip in byIp.keys.sorted() {
            let indexes = (byIp[ip] ?? []).sorted {
                (attribution.firstSeen($0, ip: ip) ?? Timestamp(seconds: 0)) < (attribution.firstSeen($1, ip: ip) ?? Timestamp(seconds: 0))
            }
            var group: [Int] = []
            var lastTime: Timestamp?
            func flush() {
                guard !group.isEmpty else { return }
                campaigns.append(campaign(ip: ip, indexes: group, attribution: attribution))
                group = []
            }
            for index in indexes {
                let times = attribution.times(index, ip: ip)
                if let lastTime, let time = times.min(), time.seconds - lastTime.seconds > window { flush() }
                group.append(index)
                if let time = times.max() { lastTime = max(lastTime ?? time, time) }
            }
            flush()
        }
        return campaigns
    }

    /// A campaign of the findings at `indexes`: of one client (`ip`, its own lines only), or of the host itself.
    static func campaign(ip: String?, indexes: [Int], attribution: Attribution) -> Campaign {
        let members = indexes.map { attribution.findings[$0] }
        var pivots: [PivotKey: Set<String>] = [:]
        for finding in members {
            for (key, values) in finding.pivots where key != .clientIp { pivots[key, default: []].formUnion(values) }
        }
        let times = indexes.flatMap { attribution.times($0, ip: ip) }
        let stages = members.flatMap { $0.pivots[.stage] ?? [] }
        let best = members.max { $0.verdict < $1.verdict }
        return Campaign(clientIps: ip.map { [$0] } ?? [], userAgents: UserAgents.distinct(Array(pivots[.userAgent] ?? [])), first: times.min(), last: times.max(),
                        highestStage: AttackStage.highest(stages) ?? best?.title ?? "",
                        verdict: best?.verdict ?? .informational,
                        pivots: pivots.filter { $0.key != .userAgent && $0.key != .stage }.mapValues { $0.sorted() },
                        findingIndexes: indexes)
    }
}
