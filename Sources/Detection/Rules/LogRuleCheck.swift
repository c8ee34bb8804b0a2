import ExTriageCore

/// Runs one YAML log rule as a check: matching records become evidence, grouped per tier.
struct LogRuleCheck: Check {
    let rule: LogRule
    var id: CheckID { CheckID(rule.id) }
    var title: String { rule.title }
    var input: CheckInput { .logRecords(LogSelector(needles: rule.needles, families: { [rule] in rule.reads($0) })) }
    var assesses: Assessment { Assessment(cves: Set(rule.assesses)) }

    /// Matches and pivot values per tier: a tier's finding names only its own records' values.
    struct State {
        var matches: [Verdict: EvidenceList] = [:]
        var pivots: [Verdict: [PivotKey: Set<String>]] = [:]
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .logRecord(let record, _, let member) = observation, let verdict = rule.verdict(for: { record.value($0) }) else { return }
        state.matches[verdict, default: EvidenceList()].append(member.evidence(record))
        for (pivot, field) in rule.pivots {
            if let value = record.value(field), !value.isEmpty, state.pivots[verdict, default: [:]][PivotKey(pivot), default: []].count < 100 {
                state.pivots[verdict, default: [:]][PivotKey(pivot), default: []].insert(value)
            }
        }
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        CheckOutput(findings: state.matches.keys.sorted(by: >).map { verdict in
            let severity: Severity = verdict >= .likely ? rule.severity : verdict == .attempt ? min(rule.severity, .medium) : .info
            return Finding(checkId: id, title: rule.title, severity: severity, verdict: verdict, cves: rule.cves,
                           attack: rule.attack, evidence: [], explanation: rule.explanation,
                           pivots: (state.pivots[verdict] ?? [:]).mapValues { $0.sorted() })
                .listing(state.matches[verdict] ?? EvidenceList())
        })
    }
}
