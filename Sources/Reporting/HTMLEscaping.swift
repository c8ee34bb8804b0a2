import ExTriageCore

/// Escaping for report text placed in HTML text or attribute values.
public enum HTMLText {
    /// Shows control characters and bidirectional overrides as `\u{...}`, then escapes `& < > " '`.
    public static func escape(_ text: String) -> String {
        var out = ""
        for character in EscapedText.display(text) {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
