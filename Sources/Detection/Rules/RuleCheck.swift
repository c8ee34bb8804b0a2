import ExTriageCore

/// Runs one YAML log rule as a check: matching records become evidence, grouped per tier.
final class RuleCheck: LogCheck {
    let rule: LogRule
    var id: String { rule.id }
    var title: String { rule.title }
    let needles: [[UInt8]]?

    private var matches: [Verdict: [Evidence]] = [:]
    private var pivotValues: [String: Set<String>] = [:]

    init(rule: LogRule) {
        self.rule = rule
        needles = ByteSearch.needles(rule.needles)
    }

    func reads(_ family: LogFamily) -> Bool { rule.reads(family) }

    func inspect(_ record: LogRecord, header: LogHeader, in member: MemberContext) {
        guard let verdict = rule.verdict(for: { record.value($0) }) else { return }
        if matches[verdict, default: []].count < 1000 {
            matches[verdict, default: []].append(member.evidence(line: record.line, timestamp: record.timestamp, excerpt: record.raw))
        }
        for (pivot, field) in rule.pivots {
            if let value = record.value(field), !value.isEmpty, pivotValues[pivot, default: []].count < 100 {
                pivotValues[pivot, default: []].insert(value)
            }
        }
    }

    func finish(_ facts: BundleFacts) -> [Finding] {
        matches.keys.sorted(by: >).map { verdict in
            let severity: Severity = verdict >= .likely ? rule.severity : verdict == .attempt ? min(rule.severity, .medium) : .info
            return Finding(checkId: rule.id, title: rule.title, severity: severity, verdict: verdict, cves: rule.cves,
                           attack: rule.attack, evidence: matches[verdict] ?? [], explanation: rule.explanation,
                           pivots: pivotValues.mapValues { $0.sorted() })
        }
    }
}
