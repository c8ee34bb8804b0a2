import EvidenceBundle
import ExTriageCore

/// A bundle member as checks see it, known from its name alone (the manifest, with hashes and
/// times, comes last in the bundle; use `FinishContext.facts` in `finish` for those).
public struct MemberInfo: Sendable, Hashable {
    /// Bundle member name (`evidence/C/inetpub/wwwroot/x.aspx`).
    public var member: String
    /// The volume name (`C`, `vol2`).
    public var volume: String
    /// The path on the source volume, `/`-separated.
    public var sourcePath: String

    public init(member: String, volume: String, sourcePath: String) {
        self.member = member
        self.volume = volume
        self.sourcePath = sourcePath
    }

    /// `evidence/<volume>/<path>`, or nil for the manifest and anything else.
    public init?(member: String) {
        let parts = member.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "evidence", !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
        self.init(member: member, volume: String(parts[1]), sourcePath: String(parts[2]))
    }

    /// The file name's extension, lower-cased, without the dot (`aspx`), or "".
    public var fileExtension: String {
        let bytes = sourcePath.utf8
        let nameStart = bytes.lastIndex(of: UInt8(ascii: "/")).map { bytes.index(after: $0) } ?? bytes.startIndex
        guard let dot = bytes[nameStart...].lastIndex(of: UInt8(ascii: ".")), dot != nameStart else { return "" }
        return String(decoding: bytes[bytes.index(after: dot)...].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
