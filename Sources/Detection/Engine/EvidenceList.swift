import ExTriageCore

/// Evidence kept up to a cap, with the count of what was left out: checks keep their state
/// bounded with it, and what they drop is always said (`Finding.omittedEvidence`).
public struct EvidenceList: Sendable {
    /// Evidence items one finding lists; the runner trims longer lists to this too.
    public static let defaultCap = 1000

    public let cap: Int
    public private(set) var items: [Evidence] = []
    /// Every item offered, kept or not.
    public private(set) var total = 0

    public init(cap: Int = EvidenceList.defaultCap) { self.cap = cap }

    public mutating func append(_ evidence: Evidence) {
        total += 1
        if items.count < cap { items.append(evidence) }
    }

    public var isEmpty: Bool { total == 0 }
    /// Items offered but not kept.
    public var omitted: Int { total - items.count }
}

extension Finding {
    /// This finding with `list`'s items as its evidence and its omissions recorded.
    func listing(_ list: EvidenceList) -> Finding {
        var finding = self
        finding.evidence = list.items
        finding.omittedEvidence = list.omitted > 0 ? list.omitted : nil
        return finding
    }

    /// At most `cap` evidence items, the rest counted in `omittedEvidence`.
    func capped(at cap: Int) -> Finding {
        guard evidence.count > cap else { return self }
        var finding = self
        finding.omittedEvidence = (omittedEvidence ?? 0) + evidence.count - cap
        finding.evidence = Array(evidence.prefix(cap))
        return finding
    }
}
