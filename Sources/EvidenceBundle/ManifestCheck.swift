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

    /// The manifest's entries, as far as the checks need them, and the seal it records.
    let listed: [ListedEntry]
    let recordedSeal: Manifest.Seal
    let members: [BundleScan.Member]
    /// Indexes of manifest entries by path bytes (the first one where a path is listed twice).
    /// Keys share the entries' strings: no path is copied.
    let entries: [PathKey: Int]
    /// Every member read, by path bytes, with how many times it was read.
    let present: [PathKey: Int]

    init(manifest: Manifest, members: [BundleScan.Member]) {
        self.init(listed: manifest.entries.map(ListedEntry.init), seal: manifest.seal, members: members)
    }

    init(listed: [ListedEntry], seal: Manifest.Seal, members: [BundleScan.Member]) {
        self.listed = listed
        self.recordedSeal = seal
        self.members = members
        var entries: [PathKey: Int] = [:]
        entries.reserveCapacity(listed.count)
        for (index, entry) in listed.enumerated() where entries[PathKey(entry.path)] == nil {
            entries[PathKey(entry.path)] = index
        }
        self.entries = entries
        var present: [PathKey: Int] = [:]
        present.reserveCapacity(members.count)
        for member in members { present[PathKey(member.path), default: 0] += 1 }
        self.present = present
    }

    /// The manifest entry listing `path`, if any.
    func entry(_ path: String) -> ListedEntry? {
        entries[PathKey(path)].map { listed[$0] }
    }

    /// A decoded manifest with the exact bytes it was decoded from (what the signature covers),
    /// and its entries as the checks need them (`manifest.entries` is empty unless kept).
    struct Loaded {
        var manifest: Manifest
        var source: ManifestBytes
        var listed: [ListedEntry]
        var bytes: [UInt8] { source.array }
    }

    /// Decodes the scan's `manifest.json`, or says why it cannot: no manifest in a tar that holds
    /// no bundle at all, no manifest in a bundle (truncated or unfinished), or an unreadable one.
    /// Without `keepingEntries`, each entry is dropped once its `ListedEntry` is taken.
    static func manifest(of scan: BundleScan, limit: Int = ManifestCodec.maximumSize,
                         keepingEntries: Bool = true) -> Result<Loaded, Unavailable> {
        if let size = scan.manifestRefusedSize {
            return .failure(Unavailable(problem: .manifestTooLarge(claimedSize: size, limit: limit), verdict: .notIntact))
        }
        guard let bytes = scan.manifest else {
            return .failure(scan.looksLikeBundle ? Unavailable(problem: .manifestMissing(), verdict: .notIntact)
                                                 : Unavailable(problem: .notABundle(), verdict: .notABundle))
        }
        do {
            // Each listed entry shares its member's strings, so only one copy of each path is held.
            var firstMember: [PathKey: Int] = [:]
            firstMember.reserveCapacity(scan.members.count)
            for (index, member) in scan.members.enumerated() where firstMember[PathKey(member.path)] == nil {
                firstMember[PathKey(member.path)] = index
            }
            // Sized for one entry per member: growing by doubling would hold up to twice that.
            var listed: [ListedEntry] = []
            listed.reserveCapacity(scan.members.count)
            var entries: [Manifest.Entry] = []
            if keepingEntries { entries.reserveCapacity(scan.members.count) }
            var manifest = try ManifestCodec.decodeEntries(bytes, limit: limit) { entry in
                let member = firstMember[PathKey(entry.path)].map { scan.members[$0] }
                let entryListed = ListedEntry(entry)
                listed.append(member.map(entryListed.sharingStrings(with:)) ?? entryListed)
                if keepingEntries { entries.append(member.map(entry.sharingStrings(with:)) ?? entry) }
            }
            manifest.entries = entries
            return .success(Loaded(manifest: manifest, source: bytes, listed: listed))
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
        // Keys share the paths' storage: no path is copied.
        var seen: Set<PathKey> = []
        return (listed.map(\.path) + members.map(\.path)).compactMap { path in
            guard seen.insert(PathKey(path)).inserted, let reason = MemberPathSafety.unsafeReason(path) else { return nil }
            return .unsafeMemberPath(path, reason: reason)
        }
    }

    /// Members that appear more than once, in path-byte order.
    func duplicateMembers() -> [Problem] {
        present.filter { $0.value > 1 }
            .sorted { PathKey.precedes($0.key.path, $1.key.path) }
            .map { .duplicateMember($0.key.path, times: $0.value) }
    }

    func duplicateEntries() -> [Problem] {
        entries.count == listed.count ? [] : [.manifestDuplicateEntry()]
    }

    /// Entries with no member.
    func missingMembers() -> [Problem] {
        listed.filter { present[PathKey($0.path)] == nil }
            .map { .missingMember($0.path, sha256: $0.memberDigests.sha256) }
    }

    /// Per member in tar order: not listed, or listed with another size or digest.
    func memberContents() -> [Problem] {
        members.flatMap { member -> [Problem] in
            guard let entry = entry(member.path) else {
                return [.unlistedMember(member.path, sha256: member.digests.sha256)]
            }
            return ManifestCheck.contentProblems(member, entry)
        }
    }

    /// Size, then each digest the scan computed (SHA-1 and MD5 are empty when only SHA-256 ran).
    static func contentProblems(_ member: BundleScan.Member, _ entry: ListedEntry) -> [Problem] {
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
        let listedPaths = listed.lazy.map(\.path).filter { present[PathKey($0)] != nil }
        let seen = members.lazy.map(\.path).filter { entries[PathKey($0)] != nil }
        var position = 0
        var wantPaths = listedPaths.makeIterator()
        var seenPaths = seen.makeIterator()
        while true {
            switch (wantPaths.next(), seenPaths.next()) {
            case let (want?, got?):
                guard want.utf8.elementsEqual(got.utf8) else {
                    return [.orderMismatch(at: position, listed: want, seen: got)]
                }
                position += 1
            default:
                // One list ended first: a repeated path, reported as a duplicate instead.
                return []
            }
        }
    }

    /// The seal recomputed from the entries must equal the one recorded.
    func seal() -> [Problem] {
        let recomputed = Manifest.Seal(listed: listed)
        return recomputed == recordedSeal ? [] : [.sealMismatch(recorded: recordedSeal.digest, recomputed: recomputed.digest)]
    }

    func memberCount() -> [Problem] {
        recordedSeal.memberCount == members.count ? [] : [.memberCount(sealed: recordedSeal.memberCount, found: members.count)]
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
        if let entry = entry(member.path), (header.modified?.seconds ?? 0) != entry.modifiedSeconds {
            differences.append("modification time")
        }
        return differences
    }
}
