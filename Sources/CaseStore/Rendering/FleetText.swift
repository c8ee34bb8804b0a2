import ExTriageCore

/// Small text helpers shared by the fleet renderers.
enum FleetText {
    /// How many indicators a cluster's `why` names.
    static let whyIndicatorsShown = 3
    /// Values longer than this are shortened in one-line summaries (hashes).
    static let shortValueLength = 16

    /// A value for a one-line summary: long ones (hashes) cut with an ellipsis, control characters shown.
    static func short(_ value: String) -> String {
        let shown = EscapedText.display(value)
        return shown.count > shortValueLength ? String(shown.prefix(shortValueLength)) + "…" : shown
    }
}
