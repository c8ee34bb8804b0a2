/// What a report says about one CVE on one host (EXCHANGE-ARTIFACTS.md §3.0).
public enum CVEState: String, Codable, Sendable, CaseIterable {
    /// A `likely` or `confirmed` finding carries it.
    case exploited
    /// Only `attempt` findings carry it.
    case attempted
    /// The build in use lacked the fix, but nothing shows it was used.
    case exposed
    /// A check that assesses it ran over the evidence it needs and found nothing.
    case noEvidence = "no-evidence"
    /// No check that assesses it could run: the reason says what was missing.
    case notAssessable = "not-assessable"
}
