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
