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
    let listed: ListedTable
    let recordedSeal: Manifest.Seal
    let members: MemberTable

    init(manifest: Manifest, members: [BundleScan.Member]) {
        self.init(listed: manifest.entries.map(ListedEntry.init), seal: manifest.seal, members: members)
    }

    init(listed: [ListedEntry], seal: Manifest.Seal, members: [BundleScan.Member]) {
        let table = MemberTable(members)
        self.init(listed: ListedTable(listed, members: table), seal: seal, members: table)
    }

    init(listed: ListedTable, seal: Manifest.Seal, members: MemberTable) {
        self.listed = listed
        self.recordedSeal = seal
        self.members = members
    }

    /// The index of the first manifest entry listing the path of `key`, if any.
    private func entryIndex(_ key: PathHash) -> Int? {
        listed.firstIndex[key].map(Int.init)
    }

    /// A decoded manifest with the exact bytes it was decoded from (what the signature covers),
    /// and its entries as the checks need them (`manifest.entries` is empty unless kept).
    struct Loaded {
        var manifest: Manifest
        var source: ManifestBytes
        var listed: ListedTable
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
            // Each listed entry's path is its member's in the spool: only one copy of each path is held.
            var listed = ListedTable(paths: scan.table.paths)
            // Sized for one entry per member: growing by doubling would hold up to twice that.
            var entries: [Manifest.Entry] = []
            if keepingEntries { entries.reserveCapacity(scan.table.count) }
            var manifest = try ManifestCodec.decodeEntries(bytes, limit: limit) { entry in
                listed.append(ListedEntry(entry), members: scan.table)
                if keepingEntries { entries.append(entry) }
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

    /// Manifest entries, then unlisted members, whose path is unsafe (each path once). The
    /// entries' were found as they were listed; a member's path is read back only when unlisted.
    func unsafePaths() -> [Problem] {
        var problems = listed.unsafePaths
        for (index, row) in members.rows.enumerated() where entryIndex(row.key) == nil && members.byKey[row.key]?.first == Int32(index) {
            let path = members.path(index)
            if let reason = MemberPathSafety.unsafeReason(path) { problems.append(.unsafeMemberPath(path, reason: reason)) }
        }
        return problems
    }

    /// Members that appear more than once, in path-byte order.
    func duplicateMembers() -> [Problem] {
        members.byKey.values.filter { $0.count > 1 }
            .map { (path: members.path(Int($0.first)), times: Int($0.count)) }
            .sorted { PathKey.precedes($0.path, $1.path) }
            .map { .duplicateMember($0.path, times: $0.times) }
    }

    func duplicateEntries() -> [Problem] {
        listed.firstIndex.count == listed.count ? [] : [.manifestDuplicateEntry()]
    }

    /// Entries with no member.
    func missingMembers() -> [Problem] {
        listed.rows.indices.filter { members.byKey[listed.rows[$0].key] == nil }
            .map { .missingMember(listed.path($0), sha256: listed.rows[$0].memberDigests.hex(.sha256)) }
    }

    /// Per member in tar order: not listed, or listed with another size or digest.
    func memberContents() -> [Problem] {
        members.rows.indices.flatMap { index -> [Problem] in
            let member = members.rows[index]
            guard let entry = entryIndex(member.key) else {
                return [.unlistedMember(members.path(index), sha256: member.digests.hex(.sha256))]
            }
            return contentProblems(index, listed.rows[entry])
        }
    }

    /// Size, then each digest the scan computed (SHA-1 and MD5 are absent when only SHA-256 ran).
    func contentProblems(_ index: Int, _ entry: ListedTable.Row) -> [Problem] {
        let member = members.rows[index]
        var problems: [Problem] = []
        if UInt64(max(0, member.size)) != entry.memberSize {
            problems.append(.sizeMismatch(members.path(index), expected: entry.memberSize, found: member.size))
        }
        let fields: [(name: String, field: CompactDigests.Field)] = [("sha256", .sha256), ("sha1", .sha1), ("md5", .md5)]
        for (name, field) in fields
        where member.digests.has(field) && !entry.memberDigests.same(field, as: member.digests) {
            problems.append(.hashMismatch(members.path(index), digest: name, expected: entry.memberDigests.hex(field),
                                          found: member.digests.hex(field)))
        }
        return problems
    }

    /// The first position where listed members present in the tar come in another order.
    func order() -> [Problem] {
        let listedKeys = listed.rows.indices.lazy.filter { members.byKey[listed.rows[$0].key] != nil }
        let seen = members.rows.indices.lazy.filter { entryIndex(members.rows[$0].key) != nil }
        var position = 0
        var wantRows = listedKeys.makeIterator()
        var seenRows = seen.makeIterator()
        while true {
            switch (wantRows.next(), seenRows.next()) {
            case let (want?, got?):
                guard listed.rows[want].key == members.rows[got].key else {
                    return [.orderMismatch(at: position, listed: listed.path(want), seen: members.path(got))]
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
        let recomputed = listed.seal
        return recomputed == recordedSeal ? [] : [.sealMismatch(recorded: recordedSeal.digest, recomputed: recomputed.digest)]
    }

    func memberCount() -> [Problem] {
        recordedSeal.memberCount == members.count ? [] : [.memberCount(sealed: recordedSeal.memberCount, found: members.count)]
    }

    /// Tar header fields extriage writes the same way every time: anything else was rewritten.
    func headers() -> [Problem] {
        members.rows.indices.compactMap { index in
            let differences = headerDifferences(index)
            return differences.isEmpty ? nil : .headerMismatch(members.path(index), differences: differences)
        }
    }

    func headerDifferences(_ index: Int) -> [String] {
        let header = members.rows[index].header
        var differences: [String] = []
        if header.permissions != 0o444 { differences.append("mode \(String(header.permissions, radix: 8))") }
        if header.uid != 0 || header.gid != 0 { differences.append("owner \(header.uid):\(header.gid)") }
        if !header.standardNames { differences.append("owner names") }
        if let entry = entryIndex(members.rows[index].key), header.modifiedSeconds != listed.rows[entry].modifiedSeconds {
            differences.append("modification time")
        }
        return differences
    }
}
