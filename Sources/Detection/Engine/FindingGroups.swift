import ExTriageCore

/// Summarises findings that repeat per file: when one check makes more than `threshold`
/// findings of one kind (same check, title before its `: <name>` tail, verdict and severity),
/// they become one finding that counts them (`grouped`) and lists their evidence up to the
/// usual cap, the rest counted in `omittedEvidence` (issue #14: 200,000 files must not give
/// 200,000 report rows). Fewer stay as they are; order is that of each kind's first finding.
enum FindingGroups {
    /// More findings of one kind than this are summarised.
    static let threshold = 50
    /// Values kept per pivot key of a summarised finding.
    static let pivotValuesShown = 100

    struct Kind: Hashable {
        var checkId: CheckID
        var stem: String
        var verdict: Verdict
        var severity: Severity
    }

    static func kind(of finding: Finding) -> Kind {
        if let grouped = finding.grouped, finding.title.hasSuffix(" (\(grouped) alike)") {
            // Already a summary (a `FindingSink`'s): its kind is that of the findings it counts.
            let stem = String(finding.title.dropLast(" (\(grouped) alike)".count))
            return Kind(checkId: finding.checkId, stem: stem, verdict: finding.verdict, severity: finding.severity)
        }
        let stem = finding.title.range(of: ": ").map { String(finding.title[..<$0.lowerBound]) } ?? finding.title
        return Kind(checkId: finding.checkId, stem: stem, verdict: finding.verdict, severity: finding.severity)
    }

    static func summarise(_ findings: [Finding], threshold: Int = FindingGroups.threshold,
                          evidenceCap: Int = EvidenceList.defaultCap) -> [Finding] {
        var counts: [Kind: Int] = [:]
        for finding in findings { counts[kind(of: finding), default: 0] += finding.grouped ?? 1 }
        guard counts.values.contains(where: { $0 > threshold }) else { return findings }
        var out: [Finding] = []
        var merged: [Kind: Int] = [:]
        for finding in findings {
            let key = kind(of: finding)
            guard let total = counts[key], total > threshold else {
                out.append(finding)
                continue
            }
            if let index = merged[key] {
                out[index].absorb(finding, cap: evidenceCap)
            } else {
                merged[key] = out.count
                out.append(finding.startingGroup(stem: key.stem, of: total))
            }
        }
        return out
    }
}

extension Finding {
    /// The first finding of a kind, made the summary of all `total`; a summary already stays one
    /// (counting `total`), so summarising twice changes nothing.
    func startingGroup(stem: String, of total: Int) -> Finding {
        var group = self
        let first = grouped.flatMap { _ in explanation.range(of: "; the first: ") }.map { String(explanation[$0.upperBound...]) } ?? explanation
        group.title = "\(stem) (\(total) alike)"
        group.explanation = "\(total) findings of this kind; the first: \(first)"
        group.grouped = total
        group.usage = nil
        group.pivots = pivots.mapValues { Array($0.prefix(FindingGroups.pivotValuesShown)) }
        return group
    }

    /// Adds another finding of the group: its evidence up to `cap` (the rest counted), its CVEs,
    /// techniques, pivots (up to `FindingGroups.pivotValuesShown` values each) and notes.
    mutating func absorb(_ other: Finding, cap: Int) {
        let room = max(0, cap - evidence.count)
        evidence += other.evidence.prefix(room)
        let dropped = other.evidence.count - min(room, other.evidence.count) + (other.omittedEvidence ?? 0)
        if dropped > 0 { omittedEvidence = (omittedEvidence ?? 0) + dropped }
        cves = Array(Set(cves).union(other.cves)).sorted()
        attack = Array(Set(attack).union(other.attack)).sorted()
        for (key, values) in other.pivots {
            var kept = pivots[key] ?? []
            guard kept.count < FindingGroups.pivotValuesShown else { continue }
            for value in values where !kept.contains(value) && kept.count < FindingGroups.pivotValuesShown { kept.append(value) }
            pivots[key] = kept
        }
        for note in other.notes ?? [] where (notes?.count ?? 0) < FindingGroups.pivotValuesShown { addNote(note) }
    }
}
