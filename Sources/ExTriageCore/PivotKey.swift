/// The name of a value an analyst pivots on (`clientIp`, `shellPath`, ...): the keys of
/// `Finding.pivots`. Rules may name their own; the ones code reads are the constants below.
/// Encodes as a plain string, and as an object key in a dictionary.
public struct PivotKey: RawRepresentable, Hashable, Comparable, Codable, CodingKeyRepresentable, Sendable,
    ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    /// The client address of a request: what campaigns group by.
    public static let clientIp: PivotKey = "clientIp"
    public static let userAgent: PivotKey = "userAgent"
    /// The attack-chain stages a finding shows (`AttackStage` raw values, or `web shell` / `web file`).
    public static let stage: PivotKey = "stage"
    /// A URL path of a web shell or of a file written by the chain.
    public static let shellPath: PivotKey = "shellPath"
    /// The request parameter a shell evaluates (its password).
    public static let shellParameter: PivotKey = "shellParameter"
    /// The ssdeep hash of a web shell's content: edited versions of one shell stay similar.
    public static let shellFuzzy: PivotKey = "shellFuzzy"
    /// A file's path on its source volume, for findings about a file rather than a URL.
    public static let filePath: PivotKey = "filePath"
    /// What an SSRF reached on the back end.
    public static let target: PivotKey = "target"
    public static let computer: PivotKey = "computer"
    public static let sourceImage: PivotKey = "sourceImage"
    public static let build: PivotKey = "build"
    public static let yaraRule: PivotKey = "yaraRule"
    public static let dumpedProcess: PivotKey = "dumpedProcess"
    public static let gaps: PivotKey = "gaps"
    public static let missing: PivotKey = "missing"
    /// Where a mailbox export or certificate request was written (`-FilePath`, `-RequestFile`), as logged.
    public static let mailboxExportPath: PivotKey = "mailboxExportPath"

    public init(from decoder: Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var codingKey: CodingKey { PivotCodingKey(stringValue: rawValue) }

    public init?<T: CodingKey>(codingKey: T) { rawValue = codingKey.stringValue }

    public var description: String { rawValue }

    public static func < (lhs: PivotKey, rhs: PivotKey) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The coding key of a pivot name in a JSON object.
struct PivotCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
