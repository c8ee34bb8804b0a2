import ExTriageCore

/// Verification step 2: the manifest against the members read.
///
/// Paths are compared as UTF-8 bytes, never as Strings (which would equate canonically
/// equivalent Unicode spellings of different names).
struct ManifestCheck {
    typealias Problem = VerificationReport.Problem

    /// Why there is no manifest to check against, and the verdict that leaves.
    struct Unavailable: Error {
        var problem: Problem
        var verdict: VerificationReport.Verdict
    }

    let manifest: Manifest
    let members: [BundleScan.Member]
    /// Manifest entries by path bytes (the first one where a path is listed twice).
    let entries: [[UInt8]: Manifest.Entry]
    /// The path bytes of every member read.
    let present: Set<[UInt8]>

    init(manifest: Manifest, members: [BundleScan.Member]) {
        self.manifest = manifest
        self.members = members
        entries = Dictionary(manifest.entries.map { (Array($0.path.utf8), $0) }, uniquingKeysWith: { first, _ in first })
        present = Set(members.map { Array($0.path.utf8) })
    }

    /// A decoded manifest with the exact bytes it was decoded from (what the signature covers).
    struct Loaded {
        var manifest: Manifest
        var bytes: [UInt8]
    }

    /// Decodes the scan's `manifest.json`, or says why it cannot: no manifest in a tar that holds
    /// no bundle at all, no manifest in a bundle (truncated or unfinished), or an unreadable one.
    static func manifest(of scan: BundleScan) -> Result<Loaded, Unavailable> {
        if let size = scan.manifestRefusedSize {
            return .failure(Unavailable(problem: .manifestTooLarge(claimedSize: size), verdict: .notIntact))
        }
        guard let bytes = scan.manifestBytes else {
            return .failure(scan.looksLikeBundle ? Unavailable(problem: .manifestMissing(), verdict: .notIntact)
                                                 : Unavailable(problem: .notABundle(), verdict: .notABundle))
        }
        do {
            return .success(Loaded(manifest: try ManifestCodec.decode(bytes), bytes: bytes))
        } catch {
            return .failure(Unavailable(problem: .manifestInvalid(error), verdict: .notIntact))
        }
    }

    /// Every check, in report order.
    func problems() -> [Problem] {
        unsafePaths() + duplicateMembers() + duplicateEntries() + missingMembers() + memberContents() + order()
            + seal() + memberCount() + headers()
    }

    /// Manifest entries, then unlisted members, whose path is unsafe (each path once).
    func unsafePaths() -> [Problem] {
        var seen: Set<[UInt8]> = []
        return (manifest.entries.map(\.path) + members.map(\.path)).compactMap { path in
            guard seen.insert(Array(path.utf8)).inserted, let reason = MemberPathSafety.unsafeReason(path) else { return nil }
            return .unsafeMemberPath(path, reason: reason)
        }
    }

    /// Members that appear more than once, in path-byte order.
    func duplicateMembers() -> [Problem] {
        var counts: [[UInt8]: Int] = [:]
        for member in members { counts[Array(member.path.utf8), default: 0] += 1 }
        return counts.sorted { $0.key.lexicographicallyPrecedes($1.key) }
            .filter { $0.value > 1 }
            .map { .duplicateMember(String(decoding: $0.key, as: UTF8.self), times: $0.value) }
    }

    func duplicateEntries() -> [Problem] {
        entries.count == manifest.entries.count ? [] : [.manifestDuplicateEntry()]
    }

    /// Entries with no member.
    func missingMembers() -> [Problem] {
        manifest.entries.filter { !present.contains(Array($0.path.utf8)) }
            .map { .missingMember($0.path, sha256: $0.memberDigests.sha256) }
    }

    /// Per member in tar order: not listed, or listed with another size or digest.
    func memberContents() -> [Problem] {
        members.flatMap { member -> [Problem] in
            guard let entry = entries[Array(member.path.utf8)] else {
                return [.unlistedMember(member.path, sha256: member.digests.sha256)]
            }
            return ManifestCheck.contentProblems(member, entry)
        }
    }

    /// Size, then each digest the scan computed (SHA-1 and MD5 are empty when only SHA-256 ran).
    static func contentProblems(_ member: BundleScan.Member, _ entry: Manifest.Entry) -> [Problem] {
        var problems: [Problem] = []
        if UInt64(max(0, member.size)) != entry.memberSize {
            problems.append(.sizeMismatch(member.path, expected: entry.memberSize, found: member.size))
        }
        let expected = entry.memberDigests
        let pairs = [("sha256", expected.sha256, member.digests.sha256),
                     ("sha1", expected.sha1, member.digests.sha1),
                     ("md5", expected.md5, member.digests.md5)]
        for (name, want, got) in pairs where !got.isEmpty && want != got {
            problems.append(.hashMismatch(member.path, digest: name, expected: want, found: got))
        }
        return problems
    }

    /// The first position where listed members present in the tar come in another order.
    func order() -> [Problem] {
        let listed = manifest.entries.map { Array($0.path.utf8) }.filter { present.contains($0) }
        let seen = members.map { Array($0.path.utf8) }.filter { entries[$0] != nil }
        guard listed != seen, let position = zip(listed, seen).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset else {
            return []
        }
        return [.orderMismatch(at: position, listed: String(decoding: listed[position], as: UTF8.self),
                               seen: String(decoding: seen[position], as: UTF8.self))]
    }

    /// The seal recomputed from the entries must equal the one recorded.
    func seal() -> [Problem] {
        let recomputed = Manifest.Seal(entries: manifest.entries)
        return recomputed == manifest.seal ? [] : [.sealMismatch(recorded: manifest.seal.digest, recomputed: recomputed.digest)]
    }

    func memberCount() -> [Problem] {
        manifest.seal.memberCount == members.count ? [] : [.memberCount(sealed: manifest.seal.memberCount, found: members.count)]
    }

    /// Tar header fields extriage writes the same way every time: anything else was rewritten.
    func headers() -> [Problem] {
        members.compactMap { member in
            let differences = headerDifferences(member)
            return differences.isEmpty ? nil : .headerMismatch(member.path, differences: differences)
        }
    }

    func headerDifferences(_ member: BundleScan.Member) -> [String] {
        let header = member.header
        var differences: [String] = []
        if header.permissions != 0o444 { differences.append("mode \(String(header.permissions, radix: 8))") }
        if header.uid != 0 || header.gid != 0 { differences.append("owner \(header.uid):\(header.gid)") }
        if header.userName != "extriage" || header.groupName != "extriage" { differences.append("owner names") }
        if let entry = entries[Array(member.path.utf8)], (header.modified?.seconds ?? 0) != (entry.modified?.seconds ?? 0) {
            differences.append("modification time")
        }
        return differences
    }
}
