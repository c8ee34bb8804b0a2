/// Member names handed out so far, compared as UTF-8 bytes.
struct MemberNames {
    private var taken = Set<[UInt8]>()

    /// `wanted`, or `wanted~<n>` with a note when an earlier member already has that name.
    mutating func claim(_ wanted: String) -> (name: String, note: String?) {
        var candidate = wanted
        var suffix = 1
        while !taken.insert(Array(candidate.utf8)).inserted {
            candidate = wanted + "~\(suffix)"
            suffix += 1
        }
        return suffix == 1 ? (wanted, nil)
            : (candidate, "member renamed to \(candidate): its escaped name collides with another member's")
    }
}
