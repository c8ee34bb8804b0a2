import ExTriageCore

/// Renderer-neutral views of a report shared by every output format: grouping, counts and ordering.
///
/// Nothing here decides what is suspicious; it only orders and counts what the analysis produced.
enum ReportFacts {
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

    /// Every evidence timestamp of every finding, with the finding's tier and check id.
    static func evidenceTimes(_ findings: [Finding]) -> [(time: Timestamp, verdict: Verdict, checkId: String)] {
        findings.flatMap { finding in
            finding.evidence.compactMap { evidence in
                evidence.timestamp.map { (time: $0, verdict: finding.verdict, checkId: finding.checkId) }
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

/// The combined summary across several bundles: one row per bundle and the worst verdict overall.
public struct CombinedSummary: Codable, Sendable {
    /// How many findings of each tier one bundle has.
    public struct VerdictCounts: Codable, Sendable, Equatable {
        public var confirmed: Int
        public var likely: Int
        public var attempt: Int
        public var informational: Int

        /// Counts the findings by tier.
        public init(_ findings: [Finding]) {
            confirmed = findings.filter { $0.verdict == .confirmed }.count
            likely = findings.filter { $0.verdict == .likely }.count
            attempt = findings.filter { $0.verdict == .attempt }.count
            informational = findings.filter { $0.verdict == .informational }.count
        }

        /// The count for one tier.
        public subscript(verdict: Verdict) -> Int {
            switch verdict {
            case .confirmed: return confirmed
            case .likely: return likely
            case .attempt: return attempt
            case .informational: return informational
            }
        }
    }

    /// One bundle's line in the summary.
    public struct Row: Codable, Sendable {
        public var path: String
        public var verdict: HostVerdict
        public var findings: VerdictCounts
    }

    /// The worst host verdict over all bundles (`could-not-assess` when there are none).
    public var worstVerdict: HostVerdict
    public var bundles: [Row]

    /// Summarises the reports in their given order.
    public init(_ reports: [AnalysisReport]) {
        bundles = reports.map { Row(path: $0.bundle.path, verdict: $0.verdict, findings: VerdictCounts($0.findings)) }
        worstVerdict = reports.map(\.verdict).max { ReportFacts.rank($0) < ReportFacts.rank($1) } ?? .couldNotAssess
    }
}
