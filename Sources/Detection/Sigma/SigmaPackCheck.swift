import ExTriageCore
import Foundation
import Sigma

/// The Sigma rule packs given with `analyze --sigma DIR` (a SigmaHQ checkout, say) as one check:
/// every record goes to the rules its channel and event ID can match (the rule set's index), a
/// rule's hits on this host are one finding per tier (its level: high and critical `likely`,
/// medium `attempt`, lower and SigmaHQ's hunting rules `informational`) with the count and first
/// and last time, and the
/// pack's correlation rules fire within the bundle. The coverage row says how many rules loaded,
/// were skipped (with the commonest reasons) and matched.
struct SigmaPackCheck: Check {
    static let checkID: CheckID = "SIGMA"
    let id = SigmaPackCheck.checkID
    let title = "Sigma rule packs (--sigma)"
    let pack: SigmaPack
    var input: CheckInput { .events(SigmaLevels.selector(pack.active)) }

    struct State {
        var matches: [String: EventMatches] = [:]
        var correlator: SigmaCorrelator
        var correlationHits: [SigmaCorrelationHit] = []
        var offered = 0
    }

    func makeState() -> State { State(correlator: SigmaCorrelator(pack.rules)) }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .event(let record, let source) = observation else { return }
        state.offered += 1
        let eventID = Int(record.eventID)
        let candidates = pack.rules.candidates(channel: record.channel, eventID: eventID)
        guard !candidates.isEmpty else { return }
        let map = pack.rules.fieldMap(channel: record.channel, eventID: eventID)
        let event = map.event(SigmaEventRecord(record: record))
        for rule in candidates where record.sigmaMayMatch(rule) && pack.isActive(rule) {
            guard let match = rule.matches(event) else { continue }
            state.matches[rule.id, default: EventMatches()].add(SigmaLevels.verdict(for: rule),
                                                                record.evidence(from: source, matched: SigmaEventRecord.matchedFields(match, map)))
            state.matches[rule.id]?.pivot(.computer, record.computer)
            if pack.correlated.contains(rule.id), let time = record.time {
                state.correlationHits += state.correlator.observe(rule: rule, at: Date(timeIntervalSince1970: TimeInterval(time.seconds)), event: event)
            }
        }
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        var findings: [Finding] = []
        for rule in pack.rules.rules where state.matches[rule.id] != nil {
            guard let matches = state.matches[rule.id] else { continue }
            let explanation = (rule.description ?? rule.title) + " (Sigma rule \(rule.id), \(rule.file))"
            findings += matches.findings(checkId: CheckID("SIGMA:" + rule.id), title: rule.title, severity: SigmaLevels.severity(rule.level),
                                         cves: rule.cves, attack: rule.techniques, category: SigmaPack.category(rule.tactics, rule.techniques),
                                         explanation: explanation)
        }
        for hit in state.correlationHits + state.correlator.finish() {
            let group = hit.group.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            findings.append(Finding(checkId: CheckID("SIGMA:" + hit.correlationID), title: hit.title, severity: SigmaLevels.severity(hit.level),
                                    verdict: SigmaLevels.verdict(hit.level), evidence: [],
                                    explanation: "Sigma correlation: \(hit.count) matches of \(hit.ruleIDs.joined(separator: ", ")) from "
                                        + "\(hit.first) to \(hit.last)" + (group.isEmpty ? "" : " for \(group)")))
        }
        let reasons = pack.rules.skipReasonSummary().prefix(3).map { "\($0.count)× \($0.reason)" }.joined(separator: "; ")
        var reason = "\(pack.active.count) rule(s) in use (level \(pack.minimumLevel) and above, \(pack.excluded.count) excluded) of "
            + "\(pack.rules.rules.count) loaded from \(pack.folders.joined(separator: ", ")); \(pack.rules.skipped.count) skipped"
        if !reasons.isEmpty { reason += " (\(reasons))" }
        reason += "; \(state.matches.count) matched"
        return CheckOutput(findings: findings, coverage: CoverageNote(reason: reason, records: state.offered))
    }
}

/// Loaded Sigma packs and which of their rules are used.
public struct SigmaPack: Sendable {
    public let folders: [String]
    public let rules: SigmaRuleSet
    /// Rules below this level are loaded (and listed) but not run.
    public let minimumLevel: String
    /// Rule ids not to run (`--sigma-exclude`).
    public let excluded: Set<String>
    let active: [SigmaRule]
    let correlated: Set<String>

    static let levels = ["informational", "low", "medium", "high", "critical"]

    public init(folders: [String], rules: SigmaRuleSet, minimumLevel: String, excluded: Set<String>) {
        self.folders = folders
        self.rules = rules
        self.minimumLevel = minimumLevel
        self.excluded = excluded
        let floor = SigmaPack.levels.firstIndex(of: minimumLevel.lowercased()) ?? 2
        active = rules.rules.filter { rule in
            !excluded.contains(rule.id) && (SigmaPack.levels.firstIndex(of: rule.level?.lowercased() ?? "") ?? 0) >= floor
        }
        correlated = rules.correlatedRuleIDs
    }

    func isActive(_ rule: SigmaRule) -> Bool {
        !excluded.contains(rule.id) && (SigmaPack.levels.firstIndex(of: rule.level?.lowercased() ?? "") ?? 0)
            >= (SigmaPack.levels.firstIndex(of: minimumLevel.lowercased()) ?? 2)
    }

    /// extriage's finding category from a rule's ATT&CK tactics and techniques.
    static func category(_ tactics: [String], _ techniques: [String]) -> String? {
        if tactics.contains("credential-access") || techniques.contains(where: { $0.hasPrefix("T1003") }) { return FindingCategory.credentialAccess }
        if tactics.contains("lateral-movement") || techniques.contains(where: { $0.hasPrefix("T1021") || $0.hasPrefix("T1570") }) {
            return FindingCategory.lateralMovement
        }
        if techniques.contains(where: { $0.hasPrefix("T1070") }) { return FindingCategory.antiForensics }
        if tactics.contains("collection") || tactics.contains("exfiltration") { return FindingCategory.staging }
        if tactics.contains("execution") { return FindingCategory.execution }
        return nil
    }
}
