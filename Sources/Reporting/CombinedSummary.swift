import ExTriageCore

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
        /// The bundle file as given to `analyze`.
        public var path: String
        public var verdict: HostVerdict
        /// Findings per tier.
        public var findings: VerdictCounts
    }

    /// The worst host verdict over all bundles (`could-not-assess` when there are none).
    public var worstVerdict: HostVerdict
    /// One row per bundle, in the order given.
    public var bundles: [Row]

    /// Summarises the reports in their given order.
    public init(_ reports: [AnalysisReport]) {
        bundles = reports.map { Row(path: $0.bundle.path, verdict: $0.verdict, findings: VerdictCounts($0.findings)) }
        worstVerdict = reports.map(\.verdict).max { ReportFacts.rank($0) < ReportFacts.rank($1) } ?? .couldNotAssess
    }
}
