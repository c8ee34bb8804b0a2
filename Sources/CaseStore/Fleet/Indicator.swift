import ExTriageCore

/// A value that can tie hosts together: a shell's hash or password, an attacker's address, a tool.
public struct Indicator: Sendable, Hashable, Codable {
    /// What the value is. Raw values are the report's `kind` strings.
    public enum Kind: String, Sendable, Codable, CaseIterable, Comparable {
        /// SHA-256 of a web-shell file.
        case shellSha256
        /// ssdeep hash of a web-shell file; hosts are tied by similar hashes (`ClusteringRules.fuzzyMatchScore`),
        /// so edited versions of one shell tie them although their SHA-256 differ.
        case shellFuzzy
        /// A web shell's file name, lower-cased.
        case shellName
        /// The request parameter a Chopper-style shell evaluates (its password).
        case shellParameter
        /// A client address that attacked the host (never the host's own).
        case clientIp
        /// A user agent of attacking requests, in `UserAgents.key` spelling.
        case userAgent
        /// SHA-256 of a dumping tool (ProcDump) left on disk.
        case toolSha256
        /// The file name of a memory dump.
        case dumpName
        /// The file name of a staging archive.
        case archiveName
        /// Where a mailbox export wrote its PST, lower-cased (`PivotKey.mailboxExportPath`).
        case mailboxExportPath

        public static func < (lhs: Kind, rhs: Kind) -> Bool {
            (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
        }
    }

    public var kind: Kind
    public var value: String
    /// The earliest time the evidence shows it, when it shows one.
    public var firstSeen: Timestamp?

    public init(kind: Kind, value: String, firstSeen: Timestamp? = nil) {
        self.kind = kind
        self.value = value
        self.firstSeen = firstSeen
    }
}
