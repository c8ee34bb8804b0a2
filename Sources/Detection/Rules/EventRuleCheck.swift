import ExTriageCore

/// Runs one YAML event rule: matching records become evidence, grouped per tier.
final class EventRuleCheck: EventCheck {
    let rule: EventRule
    var id: String { rule.id }
    var title: String { rule.title }
    var eventIDs: Set<UInt32> { rule.eventIDs }
    var everyEventOf: Set<String> { rule.eventIDs.isEmpty ? rule.providers : [] }
    private var matches = EventMatches()

    init(rule: EventRule) { self.rule = rule }

    func inspect(_ record: EventRecord, from source: EventSource) {
        guard let (verdict, matched) = rule.verdict(for: record) else { return }
        matches.add(verdict, record.evidence(from: source, matched: matched))
        for (pivot, field) in rule.pivots { matches.pivot(pivot, record.value(field)) }
        matches.pivot("computer", record.computer)
    }

    func finish(_ facts: BundleFacts, logFindings: [Finding]) -> [Finding] {
        matches.findings(checkId: rule.id, title: rule.title, severity: rule.severity, cves: rule.cves, attack: rule.attack,
                         category: rule.category, explanation: rule.explanation)
    }
}
