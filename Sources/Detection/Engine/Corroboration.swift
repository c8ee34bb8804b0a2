import ExTriageCore

/// A check whose findings are ordinary on their own (a log cleared, an admin's RDP session): it
/// keeps its tier only when something else in the bundle is above informational.
public struct NeedsCorroboration: Exhibit {
    public var check: CheckID
    /// The tier its findings take when nothing else corroborates them.
    public var alone: Verdict
}

/// Lowers uncorroborated findings to their `alone` tier and says why, so ordinary administration
/// stays quiet and the same event next to an intrusion still counts.
enum Corroboration {
    static func apply(_ findings: [Finding], rules: [NeedsCorroboration]) -> [Finding] {
        let alone = Dictionary(rules.map { ($0.check, $0.alone) }, uniquingKeysWith: { min($0, $1) })
        guard !alone.isEmpty else { return findings }
        let corroborated = findings.contains { alone[$0.checkId] == nil && $0.verdict > .informational }
        guard !corroborated else { return findings }
        return findings.map { finding in
            guard let tier = alone[finding.checkId], tier < finding.verdict else { return finding }
            var lowered = finding
            lowered.verdict = tier
            lowered.explanation += " Nothing else in this bundle is above informational, so this is \(tier.rawValue) on its own "
                + "(routine administration looks the same); it is \(finding.verdict.rawValue) beside other signs."
            return lowered
        }
    }
}
