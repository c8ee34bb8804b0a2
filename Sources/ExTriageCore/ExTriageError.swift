/// The one error type for fatal problems: a code, a message that says what to do, the path
/// involved and the underlying cause.
///
/// Expected non-events (a missing artifact, one unreadable file among thousands) are never thrown:
/// they are recorded as data (manifest outcomes, coverage rows).
public struct ExTriageError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; extensible without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidArgument = Code("invalid-argument")
        public static let invalidProfile = Code("invalid-profile")
        public static let sourceUnreadable = Code("source-unreadable")
        public static let outputExists = Code("output-exists")
        public static let outputUnwritable = Code("output-unwritable")
        public static let archiveFailure = Code("archive-failure")
        public static let notABundle = Code("not-a-bundle")
        public static let bundleRefused = Code("bundle-refused")
        public static let io = Code("io")
    }

    public var code: Code
    public var message: String
    public var path: String?
    public var cause: String?

    public init(_ code: Code, _ message: String, path: String? = nil, cause: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.cause = cause
    }

    public var description: String {
        var text = message
        if let path { text += " (\(EscapedText.display(path)))" }
        if let cause { text += ": \(cause)" }
        return text
    }
}
