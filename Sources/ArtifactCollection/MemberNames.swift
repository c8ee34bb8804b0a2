import EvidenceBundle
/// Member names handed out so far, compared as UTF-8 bytes.
struct MemberNames {
    /// Compared by bytes, each name held once (no `[UInt8]` copy per name).
    private var taken = Set<PathKey>()

    /// `wanted`, or `wanted~<n>` with a note when an earlier member already has that name.
    mutating func claim(_ wanted: String) -> (name: String, note: String?) {
        var candidate = wanted
        var suffix = 1
        while !taken.insert(PathKey(candidate)).inserted {
            candidate = wanted + "~\(suffix)"
            suffix += 1
        }
        return suffix == 1 ? (wanted, nil)
            : (candidate, "member renamed to \(candidate): its escaped name collides with another member's")
    }
}
