import ExTriageCore

/// Renderer-neutral views of a report shared by every output format: grouping, counts and ordering.
///
/// Nothing here decides what is suspicious; it only orders and counts what the analysis produced.
enum ReportFacts {
    /// The host line's parts: the name and where the evidence gives it, or that it does not.
    static func host(_ bundle: AnalysisReport.BundleInfo) -> [String] {
        guard let name = bundle.host else { return ["unknown (\(bundle.hostSource ?? "not in the evidence"))"] }
        return bundle.hostSource.map { [name, "(from \($0))"] } ?? [name]
    }

    /// One severity group: the severity and its findings, each with its index in the report.
    struct SeverityGroup {
        var severity: Severity
        var findings: [(index: Int, finding: Finding)]
    }

    /// Findings grouped by severity (most severe first); inside a group, highest tier first, then report order.
    static func findingsBySeverity(_ findings: [Finding]) -> [SeverityGroup] {
        let indexed = Array(findings.enumerated())
        return Severity.allCases.reversed().compactMap { severity in
            let members = indexed
                .filter { $0.element.severity == severity }
                .sorted { lhs, rhs in
                    lhs.element.verdict != rhs.element.verdict ? lhs.element.verdict > rhs.element.verdict : lhs.offset < rhs.offset
                }
                .map { (index: $0.offset, finding: $0.element) }
            return members.isEmpty ? nil : SeverityGroup(severity: severity, findings: members)
        }
    }

    /// How bad a host verdict is, for picking the worst of several: compromised highest, clean lowest.
    ///
    /// `could-not-assess` ranks above `no-evidence-found`: missing coverage is never reported as clean.
    static func rank(_ verdict: HostVerdict) -> Int {
        switch verdict {
        case .compromised: return 3
        case .exploitationAttempted: return 2
        case .couldNotAssess: return 1
        case .noEvidenceFound: return 0
        }
    }

    /// Where one evidence item is: `path:line`, `path record N`, or just the path.
    static func location(_ evidence: Evidence) -> String {
        if let line = evidence.line { return evidence.originalPath + ":" + String(line) }
        if let record = evidence.record { return evidence.originalPath + " record " + String(record) }
        return evidence.originalPath
    }

    /// When one evidence item happened: its timestamp, else a file's modified time (labelled), else nil.
    static func when(_ evidence: Evidence) -> String? {
        if let timestamp = evidence.timestamp { return timestamp.iso8601 }
        if let modified = evidence.details?["modified"], !modified.isEmpty { return "modified " + modified }
        return nil
    }

    /// Every evidence timestamp of every finding, with the finding's tier and check id.
    static func evidenceTimes(_ findings: [Finding]) -> [(time: Timestamp, verdict: Verdict, checkId: String)] {
        findings.flatMap { finding in
            finding.evidence.compactMap { evidence in
                evidence.timestamp.map { (time: $0, verdict: finding.verdict, checkId: finding.checkId.rawValue) }
            }
        }
    }

    /// `first – last`, with `?` for an unknown end.
    static func span(_ first: Timestamp?, _ last: Timestamp?) -> String {
        (first?.iso8601 ?? "?") + " – " + (last?.iso8601 ?? "?")
    }

    /// At most `limit` items joined by `separator`, then `… N more` for the rest.
    static func capped(_ items: [String], limit: Int, separator: String = ", ") -> String {
        guard items.count > limit else { return items.joined(separator: separator) }
        return items.prefix(limit).joined(separator: separator) + separator + "… \(items.count - limit) more"
    }
}
