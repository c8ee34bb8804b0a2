import Crypto
import ExTriageCore

/// A path's identity without its text: the first 128 bits of the SHA-256 of its UTF-8 bytes, so
/// names compare byte for byte (never with Unicode normalisation), as `PathKey` does.
struct PathHash: Hashable, Sendable {
    var high: UInt64
    var low: UInt64

    init(_ path: String) {
        var path = path
        var hasher = SHA256()
        path.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        (high, low) = hasher.finalize().withUnsafeBytes { raw in
            (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
    }
}

/// SHA-256, SHA-1 and MD5 as raw bytes instead of three hex strings (issue #14 item 3). Digests
/// that are not canonical lower-case hex (a hostile or damaged manifest's) are kept as written,
/// so every comparison and message is what the strings would give.
struct CompactDigests: Sendable {
    enum Field: CaseIterable { case sha256, sha1, md5 }

    private var sha256 = SIMD32<UInt8>()
    private var sha1 = SIMD32<UInt8>()
    private var md5 = SIMD16<UInt8>()
    /// Bits 0, 1, 2: SHA-256, SHA-1, MD5 present (not empty).
    private var present: UInt8 = 0
    /// The digests as written, when any is not canonical hex.
    private var written: Written?

    final class Written: Sendable {
        let digests: Digests
        init(_ digests: Digests) { self.digests = digests }
    }

    init(_ digests: Digests) {
        guard let a = CompactDigests.raw(digests.sha256, bytes: 32), let b = CompactDigests.raw(digests.sha1, bytes: 20),
              let c = CompactDigests.raw(digests.md5, bytes: 16) else {
            written = Written(digests)
            return
        }
        for index in a.indices { sha256[index] = a[index] }
        for index in b.indices { sha1[index] = b[index] }
        for index in c.indices { md5[index] = c[index] }
        present = (a.isEmpty ? 0 : 1) | (b.isEmpty ? 0 : 2) | (c.isEmpty ? 0 : 4)
    }

    /// The bytes of canonical hex of `bytes` bytes, [] for an empty string, nil otherwise.
    private static func raw(_ hex: String, bytes: Int) -> [UInt8]? {
        if hex.isEmpty { return [] }
        guard hex.utf8.count == 2 * bytes, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        return Hex.decode(hex)
    }

    private func bit(_ field: Field) -> UInt8 {
        switch field {
        case .sha256: return 1
        case .sha1: return 2
        case .md5: return 4
        }
    }

    /// The digest as lower-case hex ("" when absent).
    func hex(_ field: Field) -> String {
        if let written {
            switch field {
            case .sha256: return written.digests.sha256
            case .sha1: return written.digests.sha1
            case .md5: return written.digests.md5
            }
        }
        guard present & bit(field) != 0 else { return "" }
        switch field {
        case .sha256: return Hex.encode((0..<32).lazy.map { sha256[$0] })
        case .sha1: return Hex.encode((0..<20).lazy.map { sha1[$0] })
        case .md5: return Hex.encode((0..<16).lazy.map { md5[$0] })
        }
    }

    func has(_ field: Field) -> Bool {
        written != nil ? !hex(field).isEmpty : present & bit(field) != 0
    }

    /// Whether `field` is the same digest in both, as their hex strings would compare.
    func same(_ field: Field, as other: CompactDigests) -> Bool {
        guard written == nil, other.written == nil else { return hex(field) == other.hex(field) }
        guard present & bit(field) == other.present & bit(field) else { return false }
        switch field {
        case .sha256: return sha256 == other.sha256
        case .sha1: return sha1 == other.sha1
        case .md5: return md5 == other.md5
        }
    }

    var digests: Digests {
        written?.digests ?? Digests(sha256: hex(.sha256), sha1: hex(.sha1), md5: hex(.md5))
    }
}

/// The evidence members a scan read, compactly (issue #14 item 3): per member the hash of its
/// path and where the path lies in a `PathSpool`, its size, raw digests and the tar header facts
/// the check compares. The path text is read back only to name a member in a problem.
struct MemberTable {
    /// What the header check needs of a member's tar header.
    struct HeaderFacts: Sendable {
        var permissions: UInt32
        var uid: Int64
        var gid: Int64
        /// Owner and group names are both `extriage`.
        var standardNames: Bool
        /// Whole seconds, 0 when the header has none.
        var modifiedSeconds: Int64

        init(_ header: MemberHeader) {
            permissions = header.permissions
            uid = header.uid
            gid = header.gid
            standardNames = header.userName == "extriage" && header.groupName == "extriage"
            modifiedSeconds = header.modified?.seconds ?? 0
        }
    }

    struct Row: Sendable {
        var key: PathHash
        var path: PathSpool.Location
        var size: Int64
        var digests: CompactDigests
        var header: HeaderFacts
    }

    /// Where each path was first read and how many times.
    struct Presence {
        var first: Int32
        var count: Int32
    }

    private(set) var rows: [Row] = []
    private(set) var byKey: [PathHash: Presence] = [:]
    /// Shared with the manifest's `ListedTable`: a listed path equal to a member's is held once.
    let paths: PathSpool
    /// Some member is under `evidence/`.
    private(set) var hasEvidenceMember = false

    init(paths: PathSpool = PathSpool()) {
        self.paths = paths
    }

    /// A table of `members` (tests, and checks of members made elsewhere).
    init(_ members: [BundleScan.Member], paths: PathSpool = PathSpool()) {
        self.init(paths: paths)
        for member in members { append(path: member.path, size: member.size, digests: member.digests, header: member.header) }
    }

    var count: Int { rows.count }

    mutating func append(path: String, size: Int64, digests: Digests, header: MemberHeader) {
        let key = PathHash(path)
        if let seen = byKey[key] {
            byKey[key] = Presence(first: seen.first, count: seen.count + 1)
        } else {
            byKey[key] = Presence(first: Int32(rows.count), count: 1)
        }
        if path.hasPrefix("evidence/") { hasEvidenceMember = true }
        rows.append(Row(key: key, path: paths.append(path), size: size, digests: CompactDigests(digests), header: HeaderFacts(header)))
    }

    func path(_ index: Int) -> String { paths.path(at: rows[index].path) }

    var lastPath: String? { rows.isEmpty ? nil : path(rows.count - 1) }

    /// The members as values (tests): header fields the table does not keep come back as defaults.
    var members: [BundleScan.Member] {
        rows.indices.map { index in
            let row = rows[index]
            let path = self.path(index)
            let header = MemberHeader(path: path, kind: .file, size: row.size, modified: Timestamp(seconds: row.header.modifiedSeconds),
                                      linkTarget: nil, permissions: row.header.permissions, uid: row.header.uid, gid: row.header.gid,
                                      userName: row.header.standardNames ? "extriage" : nil,
                                      groupName: row.header.standardNames ? "extriage" : nil)
            return BundleScan.Member(path: path, size: row.size, digests: row.digests.digests, header: header)
        }
    }
}

/// The manifest's entries as the checks need them, compactly (see `MemberTable`): path hash and
/// place, member size, raw member digests, modification seconds; the seal and the unsafe paths
/// are worked out as entries arrive, while their text is at hand.
struct ListedTable {
    struct Row: Sendable {
        var key: PathHash
        var path: PathSpool.Location
        var memberSize: UInt64
        var memberDigests: CompactDigests
        var modifiedSeconds: Int64
    }

    private(set) var rows: [Row] = []
    /// The first entry listing each path.
    private(set) var firstIndex: [PathHash: Int32] = [:]
    /// Entries whose path is unsafe, in entry order, each path once.
    private(set) var unsafePaths: [VerificationReport.Problem] = []
    let paths: PathSpool
    private var sealHasher = SHA256Accumulator()
    private var sealBytes: UInt64 = 0

    init(paths: PathSpool) {
        self.paths = paths
    }

    /// A table of `listed`, sharing `members`' paths where equal.
    init(_ listed: [ListedEntry], members: MemberTable) {
        self.init(paths: members.paths)
        for entry in listed { append(entry, members: members) }
    }

    var count: Int { rows.count }

    /// Adds an entry; its path is taken from the member with the same path when there is one.
    mutating func append(_ entry: ListedEntry, members: MemberTable) {
        let key = PathHash(entry.path)
        let location = members.byKey[key].map { members.rows[Int($0.first)].path } ?? paths.append(entry.path)
        if firstIndex[key] == nil {
            firstIndex[key] = Int32(rows.count)
            if let reason = MemberPathSafety.unsafeReason(entry.path) { unsafePaths.append(.unsafeMemberPath(entry.path, reason: reason)) }
        }
        sealHasher.update(Array(entry.path.utf8) + [0] + Array(entry.memberDigests.sha256.utf8) + [0x0A])
        sealBytes = sealBytes &+ entry.memberSize
        rows.append(Row(key: key, path: location, memberSize: entry.memberSize, memberDigests: CompactDigests(entry.memberDigests),
                        modifiedSeconds: entry.modifiedSeconds))
    }

    func path(_ index: Int) -> String { paths.path(at: rows[index].path) }

    /// The seal of the entries so far, as `Manifest.Seal(listed:)` computes it.
    var seal: Manifest.Seal {
        var hasher = sealHasher
        return Manifest.Seal(memberCount: rows.count, totalBytes: sealBytes, digest: hasher.finalize())
    }
}
