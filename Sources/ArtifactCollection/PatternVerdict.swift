import EvidenceBundle

/// The status and reason of one pattern's summary row, from the outcomes of the files it
/// matched and the parts of the evidence that could not be searched for it.
struct PatternVerdict {
    /// One status per matched file that was captured or failed.
    var fileStatuses: [OutcomeStatus]
    /// Failed selection notes: folders that could not be listed or read, unreadable entries.
    var failures: [SelectionNote]

    /// How many unsearched places a reason names before it says "and N more".
    static let namedFailures = 3

    /// nil when the pattern matched nothing and nothing failed (then it is `missing` or `empty`).
    var outcome: (status: OutcomeStatus, reason: String?)? {
        guard !fileStatuses.isEmpty || !failures.isEmpty else { return nil }
        let matched = fileStatuses.count
        let failed = fileStatuses.filter { $0 == .failed }.count
        let partial = fileStatuses.filter { $0 == .partial }.count
        var reasons: [String] = []
        if !failures.isEmpty {
            let named = failures.prefix(PatternVerdict.namedFailures).map(\.summary)
            let more = failures.count - named.count
            reasons.append(named.joined(separator: "; ") + (more > 0 ? "; and \(more) more (see the rows for each path)" : ""))
        }
        if failed > 0 {
            reasons.append(failed == matched ? "every matched file failed (\(failed) of \(matched))" : "\(failed) of \(matched) matched files failed")
        }
        if partial > 0 { reasons.append("\(partial) of \(matched) stored partially") }
        let reason = reasons.isEmpty ? nil : reasons.joined(separator: "; ")
        if failed == matched { return (.failed, reason) }
        return (failed > 0 || partial > 0 || !failures.isEmpty ? .partial : .collected, reason)
    }
}
