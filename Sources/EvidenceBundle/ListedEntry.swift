import ExTriageCore

/// What the checks need of one manifest entry: its member's path, size, digests and time.
///
/// Shares the entry's strings (nothing is copied), so verify can drop the rest of each entry
/// (source path, volume, times, flags) as soon as it is decoded.
struct ListedEntry: Sendable {
    var path: String
    var memberSize: UInt64
    var memberDigests: Digests
    /// The entry's modification time in whole seconds, 0 when it has none (as the tar header check compares).
    var modifiedSeconds: Int64

    init(_ entry: Manifest.Entry) {
        path = entry.path
        memberSize = entry.memberSize
        memberDigests = entry.memberDigests
        modifiedSeconds = entry.modified?.seconds ?? 0
    }
}

extension ListedEntry {
    /// This entry with its path and digests held in `member`'s strings wherever their bytes are
    /// equal (almost always), so the entry's own copies can be freed. Nothing compared changes:
    /// equal bytes, same text.
    func sharingStrings(with member: BundleScan.Member) -> ListedEntry {
        var shared = self
        shared.path = ListedEntry.same(path, member.path)
        shared.memberDigests.sha256 = ListedEntry.same(memberDigests.sha256, member.digests.sha256)
        shared.memberDigests.sha1 = ListedEntry.same(memberDigests.sha1, member.digests.sha1)
        shared.memberDigests.md5 = ListedEntry.same(memberDigests.md5, member.digests.md5)
        return shared
    }

    /// `other` when it has the same bytes as `string`, else `string`.
    static func same(_ string: String, _ other: String) -> String {
        string.utf8.elementsEqual(other.utf8) ? other : string
    }
}

extension Manifest.Seal {
    /// The seal of these entries, in order (`init(entries:)` is this over its entries).
    init<S: Sequence>(listed: S) where S.Element == ListedEntry {
        var hasher = SHA256Accumulator()
        var total: UInt64 = 0
        var count = 0
        for entry in listed {
            hasher.update(Array(entry.path.utf8) + [0] + Array(entry.memberDigests.sha256.utf8) + [0x0A])
            total = total &+ entry.memberSize
            count += 1
        }
        memberCount = count
        totalBytes = total
        digest = hasher.finalize()
    }
}
