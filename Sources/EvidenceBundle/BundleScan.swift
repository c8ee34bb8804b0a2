import ExTriageCore

/// Verification step 1: one streaming read of the tar.
///
/// Every evidence member is hashed as it streams (and handed to a `MemberObserver` meanwhile);
/// `manifest.json` is kept aside (`ManifestBytes`: a large one in a nameless temporary file) and
/// `manifest.sig` in memory; anything out of place in the member
/// list (a member after the manifest or signature, a non-file member, a second manifest,
/// trailing data, a damaged or cut tar) becomes a problem. Nothing is compared with the
/// manifest here.
struct BundleScan {
    /// An evidence member as read: its header and the digests of its bytes.
    struct Member {
        var path: String
        var size: Int64
        var digests: Digests
        var header: MemberHeader
    }

    /// Evidence members in tar order (everything but `manifest.json` and `manifest.sig`),
    /// compactly: their paths wait on disk in the table's spool.
    var table = MemberTable()
    /// The members as values (tests; the checks read `table`).
    var members: [Member] {
        get { table.members }
        set { table = MemberTable(newValue) }
    }
    var manifest: ManifestBytes?
    /// `manifest.json`'s bytes as an array (tests; the checks read `manifest`).
    var manifestBytes: [UInt8]? {
        get { manifest?.array }
        set { manifest = newValue.map(ManifestBytes.init) }
    }
    /// The size `manifest.json` claimed when it was too large to read (`ManifestCodec.maximumSize`).
    var manifestRefusedSize: Int64?
    var signatureBytes: [UInt8]?
    /// Sparse members, refused unread: their paths.
    var sparseMembers: [String] = []
    /// Set when the tar could not be read to its end (damaged or truncated).
    var readingFailed = false
    /// The whole bundle file's SHA-256 and size; after a tar read error, still the whole file's
    /// (read on past the damage); nil only when the file itself could not be read.
    var bundleSha256: String?
    var bundleBytes: UInt64?
    var problems: [VerificationReport.Problem] = []

    /// Whether the tar looks like an extriage bundle at all even without a manifest: it was
    /// cut short, or holds a signature or evidence members.
    var looksLikeBundle: Bool {
        readingFailed || signatureBytes != nil || manifestRefusedSize != nil
            || table.hasEvidenceMember || sparseMembers.contains { $0.hasPrefix("evidence/") }
    }

    static let chunkSize = 1 << 20
    static let signatureLimit = 64 * 1024

    /// Reads the bundle at `path` to its end. Throws only when it is not a tar at all.
    static func read(path: String, sha256Only: Bool, observer: (any MemberObserver)?,
                     manifestLimit: Int = ManifestCodec.maximumSize) throws -> BundleScan {
        let reader = try TarReader(path: path)
        var scan = BundleScan()
        do {
            try scan.readMembers(from: reader, sha256Only: sha256Only, observer: observer, manifestLimit: manifestLimit)
            try scan.finish(reader)
        } catch {
            scan.readingFailed = true
            scan.problems.append(.truncated(after: scan.table.count, lastMember: scan.table.lastPath, error))
            // The tar is damaged, but the file can still be hashed: the sidecar check then says
            // whether these are the bytes that were collected, instead of a false mismatch.
            if let file = try? reader.finishFileAfterError() {
                scan.bundleSha256 = file.sha256
                scan.bundleBytes = file.bytes
            }
        }
        return scan
    }

    private mutating func readMembers(from reader: TarReader, sha256Only: Bool, observer: (any MemberObserver)?,
                                      manifestLimit: Int) throws {
        var buffer = [UInt8](repeating: 0, count: BundleScan.chunkSize)
        while let header = try reader.next() {
            if signatureBytes != nil { problems.append(.memberAfterSignature(header.path)) }
            guard header.kind == .file else {
                problems.append(.unexpectedMemberType(header.path, header.kind))
                continue
            }
            guard !header.isSparse else {
                // Refused before a byte is read: skipping it reads only the blocks it stores.
                sparseMembers.append(header.path)
                problems.append(.sparseMember(header.path, claimedSize: header.size))
                continue
            }
            switch header.path {
            case Manifest.memberName:
                if manifest != nil || manifestRefusedSize != nil { problems.append(.duplicateManifest()) }
                guard header.size <= manifestLimit else {
                    manifestRefusedSize = header.size
                    continue
                }
                manifest = try ManifestBytes.read(from: reader, size: header.size, limit: manifestLimit)
            case ManifestSignature.memberName:
                signatureBytes = try reader.readAll(limit: BundleScan.signatureLimit)
            default:
                if manifest != nil { problems.append(.memberAfterManifest(header.path)) }
                do {
                    let digests = try BundleScan.hashMember(from: reader, buffer: &buffer, sha256Only: sha256Only,
                                                            observer: observer, path: header.path)
                    table.append(path: header.path, size: header.size, digests: digests, header: header)
                } catch let sparse as SparseMemberError {
                    sparseMembers.append(header.path)
                    problems.append(.sparseMember(header.path, detail: sparse.detail))
                }
            }
        }
    }

    /// Reads the rest of the file after the archive's end: the bundle's own hash and size.
    private mutating func finish(_ reader: TarReader) throws {
        let file = try reader.finishFile()
        bundleSha256 = file.sha256
        bundleBytes = file.bytes
        if file.trailingData { problems.append(.trailingData()) }
    }

    /// Streams the current member through the hashers; when `observer` wants it, each chunk goes
    /// to the observer while the hashes run on other cores. Chunks are filled to the buffer's size
    /// (libarchive hands out blocks of at most 64 KiB), so a chunk is large enough to be worth
    /// hashing on another core.
    static func hashMember(from reader: TarReader, buffer: inout [UInt8], sha256Only: Bool,
                           observer: (any MemberObserver)?, path: String) throws -> Digests {
        let hasher = ContentHasher(sha256Only: sha256Only)
        let observed = observer?.begin(member: path) ?? false
        /// Hashes (and shows the observer) the first `count` bytes of the buffer.
        func take(_ count: Int) {
            buffer.withUnsafeBytes { raw in
                let chunk = UnsafeRawBufferPointer(rebasing: raw[0..<count])
                if observed, let observer {
                    hasher.update(chunk) { observer.consume(chunk) }
                } else {
                    hasher.update(chunk)
                }
            }
        }
        while true {
            var filled = 0
            do {
                while filled < buffer.count {
                    let count = try buffer.withUnsafeMutableBytes {
                        try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...]))
                    }
                    if count == 0 { break }
                    filled += count
                }
            } catch {
                // What was read before the damage or the hole is seen as before. After a hole the
                // scan goes on to the next member, so the observer must see this one end.
                if filled > 0 { take(filled) }
                if error is SparseMemberError, observed { observer?.end() }
                throw error
            }
            if filled == 0 { break }
            take(filled)
            if filled < buffer.count { break }
        }
        if observed { observer?.end() }
        return hasher.finalize()
    }
}
