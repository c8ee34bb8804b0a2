import DataDocuments
import ExTriageCore

extension DataDocument {
    /// A host rule's tier under `key`: `none` is nil inside the outer optional; `confirmed` or any
    /// other word is a problem (host witnesses alone never confirm), and so is a missing required key.
    func hostRuleTier(_ key: String, required: Bool) -> Verdict?? {
        guard let text = required ? string(key) : optionalString(key) else { return nil }
        if text == "none" { return .some(nil) }
        guard let verdict = Verdict(rawValue: text), verdict != .confirmed else {
            problem(key, "must be one of likely, attempt, informational, none")
            return nil
        }
        return .some(verdict)
    }
}
