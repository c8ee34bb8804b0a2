/// Limits on free text that goes into manifests and custody records (ADVERSARIAL-CASES B8).
///
/// Values are stored as given, never interpreted; these limits keep them bounded and free of
/// control characters that could drive a terminal or break a log line.
public enum CaseFieldLimits {
    /// The most UTF-8 bytes one field may hold.
    public static let maximumBytes = 4096

    /// Throws when `value` is empty (and required), too long, or holds control characters
    /// (line breaks and tabs allowed only where `allowLineBreaks`).
    public static func check(name: String, _ value: String?, required: Bool = false, allowLineBreaks: Bool = false) throws {
        guard let value else {
            if required { throw ExTriageError(.invalidArgument, "\(name) is required") }
            return
        }
        if required && value.trimmingWhitespace().isEmpty {
            throw ExTriageError(.invalidArgument, "\(name) must not be empty")
        }
        if value.utf8.count > maximumBytes {
            throw ExTriageError(.invalidArgument, "\(name) is \(value.utf8.count) bytes; at most \(maximumBytes) are allowed")
        }
        for scalar in value.unicodeScalars where EscapedText.isUnsafe(scalar) {
            if allowLineBreaks && (scalar == "\n" || scalar == "\t" || scalar == "\r") { continue }
            throw ExTriageError(.invalidArgument, "\(name) contains a control or direction-override character (U+\(String(scalar.value, radix: 16, uppercase: true)))")
        }
    }
}
