import ExTriageCore

/// Holds the head of each member that content checks want (one buffer, as long as the largest
/// limit among them) and hands each check its share when the member ends.
final class ContentFeed {
    let checks: [(index: Int, check: any RunningCheck, selector: MemberSelector)]
    /// Members offered, per position in `checks` (before any leading-bytes test).
    private(set) var selected: [Int]
    private var active: [Int] = []
    private var member: MemberInfo?
    private var buffer: [UInt8] = []
    private var size = 0
    private var limit = 0

    init(checks: [any RunningCheck]) {
        self.checks = checks.enumerated().compactMap { index, check in
            guard case .memberContent(let selector) = check.input else { return nil }
            return (index, check, selector)
        }
        selected = Array(repeating: 0, count: self.checks.count)
    }

    /// Whether any content check wants this member; if so its bytes follow through `consume`.
    func begin(member path: String) -> Bool {
        active.removeAll(keepingCapacity: true)
        guard !checks.isEmpty, let info = MemberInfo(member: path) else { return false }
        for (position, entry) in checks.enumerated() where entry.selector.matches(info) {
            active.append(position)
            selected[position] += 1
        }
        guard !active.isEmpty else { return false }
        member = info
        buffer.removeAll(keepingCapacity: true)
        size = 0
        limit = active.map { checks[$0].selector.limit }.max() ?? 0
        return true
    }

    func consume(_ bytes: UnsafeRawBufferPointer) {
        size += bytes.count
        let room = limit - buffer.count
        guard room > 0, let base = bytes.baseAddress else { return }
        // A typed view copies with memcpy; appending raw bytes one by one costs more than a scan.
        buffer.append(contentsOf: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: min(room, bytes.count)))
        if buffer.count >= 8 { dropMismatchedLeadingBytes() }
    }

    func end() {
        guard let info = member else { return }
        member = nil
        dropMismatchedLeadingBytes()
        // One shared store per member: what the first check parses, the others reuse.
        let shared = MemberShared()
        for position in active {
            let selector = checks[position].selector
            let head = buffer.count <= selector.limit ? buffer : Array(buffer.prefix(selector.limit))
            checks[position].check.observe(.content(MemberContent(member: info, head: head, size: size, shared: shared)))
        }
        active.removeAll(keepingCapacity: true)
        buffer = []
    }

    /// Checks whose leading bytes the member does not start with are dropped, and the buffer
    /// stops growing past what the rest want.
    private func dropMismatchedLeadingBytes() {
        let before = active.count
        active.removeAll { position in
            guard let leading = checks[position].selector.leadingBytes else { return false }
            guard buffer.count >= leading.count || member == nil else { return false }
            return !buffer.starts(with: leading)
        }
        if active.count != before { limit = active.map { checks[$0].selector.limit }.max() ?? 0 }
    }
}
