import ExTriageCore

/// Findings a check makes one per file, grouped as they are made (issue #14 item 3), so 200,000
/// alike files do not hold 200,000 findings. Each kind (`FindingGroups.Kind`) keeps its findings
/// while it has at most `FindingGroups.threshold`; past that it keeps only the `keep` that come
/// first in report order (earliest first seen, then as made), which hold every evidence item the
/// summary can list, and counts the rest: their evidence, CVEs and techniques.
///
/// `findings` gives the few as made and each large kind as the one finding
/// `FindingGroups.summarise` makes of it, where the kind's first finding was made; `summarise`
/// leaves such a finding as it is.
struct FindingSink {
    /// What is held of one kind.
    private struct Pile {
        var kept: [(order: Int, finding: Finding)] = []
        /// When the kind's first finding was made: where its summary goes.
        var firstOrder = 0
        var total = 0
        /// Evidence items of the findings no longer kept (listed and omitted).
        var droppedEvidence = 0
        var droppedCves: Set<String> = []
        var droppedAttack: Set<String> = []
    }

    /// Findings kept per large kind: as many as a summary lists evidence items (each finding has one or more).
    let keep: Int
    let threshold: Int
    private var piles: [FindingGroups.Kind: Pile] = [:]
    /// Kinds in the order of their first finding.
    private var kinds: [FindingGroups.Kind] = []
    private var made = 0

    init(keep: Int = EvidenceList.defaultCap, threshold: Int = FindingGroups.threshold) {
        self.keep = max(1, keep)
        self.threshold = threshold
    }

    /// Findings offered so far.
    var count: Int { made }
    /// Findings held now: at most `threshold` per small kind, under `2 * keep` per large one.
    var held: Int { piles.values.reduce(0) { $0 + $1.kept.count } }

    mutating func append(_ finding: Finding) {
        let kind = FindingGroups.kind(of: finding)
        if piles[kind] == nil { kinds.append(kind) }
        var pile = piles.removeValue(forKey: kind) ?? Pile(firstOrder: made)
        pile.total += finding.grouped ?? 1
        pile.kept.append((made, finding))
        made += 1
        if pile.total > threshold, pile.kept.count >= 2 * keep { trim(&pile) }
        piles[kind] = pile
    }

    mutating func append<S: Sequence>(contentsOf findings: S) where S.Element == Finding {
        for finding in findings { append(finding) }
    }

    /// Report order within one kind (verdict and severity are the kind's): earliest first seen, then as made.
    private static func precedes(_ lhs: (order: Int, finding: Finding), _ rhs: (order: Int, finding: Finding)) -> Bool {
        let left = lhs.finding.firstSeen ?? Timestamp(seconds: .max), right = rhs.finding.firstSeen ?? Timestamp(seconds: .max)
        return left != right ? left < right : lhs.order < rhs.order
    }

    /// Keeps the first `keep` in report order; counts what the others would have added.
    private func trim(_ pile: inout Pile) {
        pile.kept.sort(by: FindingSink.precedes)
        for (_, finding) in pile.kept.dropFirst(keep) {
            pile.droppedEvidence += finding.evidence.count + (finding.omittedEvidence ?? 0)
            pile.droppedCves.formUnion(finding.cves)
            pile.droppedAttack.formUnion(finding.attack)
        }
        pile.kept.removeLast(pile.kept.count - keep)
    }

    /// The findings: the few as made, each large kind as one summary at its first finding's place.
    var findings: [Finding] {
        var placed: [(order: Int, finding: Finding)] = []
        for kind in kinds {
            guard let pile = piles[kind] else { continue }
            guard pile.total > threshold else {
                placed += pile.kept
                continue
            }
            let ordered = pile.kept.sorted(by: FindingSink.precedes)
            var group = ordered[0].finding.startingGroup(stem: kind.stem, of: pile.total)
            for (_, finding) in ordered.dropFirst() { group.absorb(finding, cap: keep) }
            if pile.droppedEvidence > 0 { group.omittedEvidence = (group.omittedEvidence ?? 0) + pile.droppedEvidence }
            group.cves = Array(Set(group.cves).union(pile.droppedCves)).sorted()
            group.attack = Array(Set(group.attack).union(pile.droppedAttack)).sorted()
            placed.append((pile.firstOrder, group))
        }
        return placed.sorted { $0.order < $1.order }.map(\.finding)
    }
}
