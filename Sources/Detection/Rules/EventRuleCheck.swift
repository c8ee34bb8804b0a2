import ExTriageCore

/// Runs one YAML event rule: matching records become evidence, grouped per tier.
struct EventRuleCheck: Check {
    let rule: EventRule
    var id: CheckID { CheckID(rule.id) }
    var title: String { rule.title }
    var input: CheckInput {
        .events(EventSelector(eventIDs: rule.eventIDs, everyEventOf: rule.eventIDs.isEmpty ? rule.providers : [], channels: rule.channels))
    }
    var assesses: Assessment { Assessment(cves: Set(rule.assesses)) }

    func makeState() -> EventMatches { EventMatches() }

    func observe(_ observation: Observation, into matches: inout EventMatches) {
        guard case .event(let record, let source) = observation, let (verdict, matched) = rule.verdict(for: record) else { return }
        matches.add(verdict, record.evidence(from: source, matched: matched))
        for (pivot, field) in rule.pivots { matches.pivot(PivotKey(pivot), record.value(field)) }
        matches.pivot(.computer, record.computer)
    }

    func finish(_ matches: inout EventMatches, in context: FinishContext) -> CheckOutput {
        CheckOutput(findings: matches.findings(checkId: id, title: rule.title, severity: rule.severity, cves: rule.cves, attack: rule.attack,
                                               category: rule.category, explanation: rule.explanation))
    }
}
