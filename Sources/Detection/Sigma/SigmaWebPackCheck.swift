import ExTriageCore
import Sigma

/// The `webserver` rules of the Sigma packs (`--sigma`) over the IIS W3C logs: every IIS record
/// goes to the rules of the pseudo-channel `W3C`, under Sigma's field names (`c-useragent` is
/// `cs(User-Agent)`); a rule's hits are one finding per tier, as for event rules.
struct SigmaWebPackCheck: Check {
    static let channel = "W3C"
    let id: CheckID = "SIGMA-WEB"
    let title = "Sigma webserver rules over IIS logs (--sigma)"
    let pack: SigmaPack
    let input = CheckInput.logRecords(LogSelector(needles: nil, families: { if case .iis = $0 { return true } else { return false } }))

    /// Whether the pack has any rule this check would run.
    static func applies(to pack: SigmaPack) -> Bool {
        pack.active.contains { $0.applies(channel: channel, eventID: nil) }
    }

    func makeState() -> [String: EvidenceList] { [:] }

    func observe(_ observation: Observation, into matches: inout [String: EvidenceList]) {
        guard case .logRecord(let record, _, let member) = observation else { return }
        let event = pack.rules.fieldMap(channel: Self.channel, eventID: nil).event(SigmaLogRecord(record: record))
        for rule in pack.rules.candidates(channel: Self.channel, eventID: nil) where pack.isActive(rule) {
            guard rule.matches(event) != nil else { continue }
            matches[rule.id, default: EvidenceList()].append(member.evidence(record))
        }
    }

    func finish(_ matches: inout [String: EvidenceList], in context: FinishContext) -> CheckOutput {
        let findings = pack.rules.rules.compactMap { rule -> Finding? in
            guard let hits = matches[rule.id] else { return nil }
            let verdict = SigmaLevels.verdict(for: rule)
            let ips = Set(hits.items.compactMap(\.clientIp)).sorted()
            return Finding(checkId: CheckID("SIGMA:" + rule.id), title: rule.title,
                           severity: verdict >= .likely ? SigmaLevels.severity(rule.level) : verdict == .attempt ? .medium : .info,
                           verdict: verdict, cves: rule.cves, attack: rule.techniques, evidence: [],
                           explanation: (rule.description ?? rule.title) + " (Sigma rule \(rule.id), \(rule.file))",
                           pivots: ips.isEmpty ? [:] : [.clientIp: ips]).listing(hits)
        }
        return CheckOutput(findings: findings, coverage: CoverageNote(reason: "\(matches.count) webserver rule(s) matched"))
    }
}
