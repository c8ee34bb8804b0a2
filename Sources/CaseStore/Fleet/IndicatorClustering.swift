import Detection
import ExTriageCore
import Foundation

/// Groups hosts by the rare indicators they share.
///
/// Similar shellFuzzy hashes (ssdeep score ≥ `fuzzyMatchScore`, linked transitively) count as one
/// indicator, named by the family's first hash. Each indicator on two or more hosts is weighed by rarity (kind weight × ln(1 + N/df), N hosts in
/// the case, df hosts carrying it); from `commonRuleMinimumHosts` hosts on, one on more than
/// `commonShare` of them is set aside as common. Indicators whose host sets overlap (Jaccard ≥
/// `linkOverlap`) are joined; each connected group of indicators is a cluster, its hosts the union
/// of theirs. Clustering indicators rather than hosts lets a host hit by two actors sit in both
/// clusters instead of merging them.
public struct IndicatorClustering: Sendable {
    public struct Key: Hashable, Sendable, Comparable {
        public var kind: Indicator.Kind
        public var value: String
        public static func < (lhs: Key, rhs: Key) -> Bool { (lhs.kind, lhs.value) < (rhs.kind, rhs.value) }
    }

    public struct Result: Sendable {
        public var clusters: [FleetReport.Cluster]
        public var common: [FleetReport.ClusterIndicator]
    }

    public var rules: ClusteringRules

    public init(rules: ClusteringRules = .standard) { self.rules = rules }

    /// `indicators` per host; `fallbackTimes` (first compromise) dates a host whose indicators carry no time.
    public func cluster(hostCount: Int, indicators: [String: [Indicator]], fallbackTimes: [String: Timestamp] = [:]) -> Result {
        var spread: [Key: [String: Timestamp?]] = [:]
        let fuzzyFamily = fuzzyFamilies(Set(indicators.values.joined().filter { $0.kind == .shellFuzzy }.map(\.value)))
        for (host, list) in indicators {
            for indicator in list {
                let value = indicator.kind == .shellFuzzy ? fuzzyFamily[indicator.value] ?? indicator.value : indicator.value
                let key = Key(kind: indicator.kind, value: value)
                let known = spread[key]?[host] ?? nil
                spread[key, default: [:]][host] = [known, indicator.firstSeen].compactMap { $0 }.min()
            }
        }
        let total = max(hostCount, indicators.filter { !$0.value.isEmpty }.count)
        var common: [FleetReport.ClusterIndicator] = []
        var candidates: [Key: Set<String>] = [:]
        for (key, hosts) in spread where hosts.count >= 2 {
            if total >= rules.commonRuleMinimumHosts && Double(hosts.count) > Double(total) * rules.commonShare {
                common.append(row(key, hosts: Set(hosts.keys), total: total))
            } else {
                candidates[key] = Set(hosts.keys)
            }
        }
        let groups = linkedGroups(candidates)
        var clusters: [FleetReport.Cluster] = []
        for group in groups {
            let rows = group.map { row($0, hosts: candidates[$0] ?? [], total: total) }
                .sorted { ($0.weight, $1.kind, $1.value) > ($1.weight, $0.kind, $0.value) }
            let score = rows.reduce(0) { $0 + $1.weight }
            let hosts = Set(group.flatMap { candidates[$0] ?? [] })
            guard score >= rules.minimumClusterScore, hosts.count >= 2 else { continue }
            var firstActivity: [String: Timestamp] = [:]
            for key in group {
                for (host, time) in spread[key] ?? [:] {
                    guard let time = time ?? fallbackTimes[host] else { continue }
                    firstActivity[host] = min(firstActivity[host] ?? time, time)
                }
            }
            clusters.append(FleetReport.Cluster(id: "", hosts: hosts.sorted(), indicators: rows, waves: waves(firstActivity),
                                                why: why(rows, hosts: hosts.count), score: (score * 100).rounded() / 100))
        }
        clusters.sort { lhs, rhs in
            let left = lhs.waves.first?.start ?? Timestamp(seconds: .max)
            let right = rhs.waves.first?.start ?? Timestamp(seconds: .max)
            return (left, rhs.hosts.count, lhs.hosts.joined(separator: ",")) < (right, lhs.hosts.count, rhs.hosts.joined(separator: ","))
        }
        for index in clusters.indices { clusters[index].id = "C\(index + 1)" }
        return Result(clusters: clusters, common: common.sorted { ($0.hosts.count, $1.kind, $1.value) > ($1.hosts.count, $0.kind, $0.value) })
    }

    /// Each ssdeep hash → the first (sorted) hash of its family: hashes joined when they score at
    /// least `fuzzyMatchScore`. Only hashes whose block sizes are equal or double each other can
    /// score above 0, so only those are compared.
    func fuzzyFamilies(_ hashes: Set<String>) -> [String: String] {
        let sorted = hashes.sorted()
        var sets = DisjointSets(count: sorted.count)
        var byBlockSize: [Int: [Int]] = [:]
        for (index, hash) in sorted.enumerated() {
            guard let size = hash.split(separator: ":", maxSplits: 1).first.flatMap({ Int($0) }) else { continue }
            byBlockSize[size, default: []].append(index)
        }
        for (size, members) in byBlockSize {
            let partners = members + (byBlockSize[size * 2] ?? [])
            for (position, left) in members.enumerated() {
                for right in partners[(position + 1)...] where sets.root(left) != sets.root(right) {
                    if (FuzzyHash.similarity(sorted[left], sorted[right]) ?? 0) >= rules.fuzzyMatchScore { sets.join(left, right) }
                }
            }
        }
        var family: [String: String] = [:]
        for (index, hash) in sorted.enumerated() { family[hash] = sorted[sets.root(index)] }
        return family
    }

    /// Connected groups of indicators whose host sets overlap enough, each sorted, in a stable order.
    func linkedGroups(_ candidates: [Key: Set<String>]) -> [[Key]] {
        let keys = candidates.keys.sorted()
        var sets = DisjointSets(count: keys.count)
        var byHost: [String: [Int]] = [:]
        for (index, key) in keys.enumerated() {
            for host in candidates[key] ?? [] { byHost[host, default: []].append(index) }
        }
        var compared = Set<Int>()
        for indexes in byHost.values {
            for (position, left) in indexes.enumerated() {
                for right in indexes[(position + 1)...] {
                    let pairKey = left * keys.count + right
                    guard compared.insert(pairKey).inserted else { continue }
                    let a = candidates[keys[left]] ?? [], b = candidates[keys[right]] ?? []
                    let overlap = Double(a.intersection(b).count) / Double(a.union(b).count)
                    if overlap >= rules.linkOverlap { sets.join(left, right) }
                }
            }
        }
        var groups: [Int: [Key]] = [:]
        for index in keys.indices { groups[sets.root(index), default: []].append(keys[index]) }
        return groups.values.map { $0.sorted() }.sorted { $0[0] < $1[0] }
    }

    func row(_ key: Key, hosts: Set<String>, total: Int) -> FleetReport.ClusterIndicator {
        let rarity = log(1 + Double(total) / Double(max(hosts.count, 1)))
        let weight = (rules.kindWeight(key.kind) * rarity * 100).rounded() / 100
        return FleetReport.ClusterIndicator(kind: key.kind.rawValue, value: key.value, hosts: hosts.sorted(), weight: weight)
    }

    /// Time windows of first activity: a gap longer than `waveGapSeconds` starts a new one.
    func waves(_ firstActivity: [String: Timestamp]) -> [FleetReport.Wave] {
        var waves: [FleetReport.Wave] = []
        for (host, time) in firstActivity.sorted(by: { ($0.value, $0.key) < ($1.value, $1.key) }) {
            if let last = waves.last, time.seconds - last.end.seconds <= rules.waveGapSeconds {
                waves[waves.count - 1].end = time
                waves[waves.count - 1].hosts.append(host)
            } else {
                waves.append(FleetReport.Wave(start: time, end: time, hosts: [host]))
            }
        }
        return waves
    }

    /// One line naming what tied the hosts, strongest first.
    func why(_ rows: [FleetReport.ClusterIndicator], hosts: Int) -> String {
        let shown = rows.prefix(FleetText.whyIndicatorsShown).map { "\($0.kind) \(FleetText.short($0.value))" }
        let more = rows.count > shown.count ? " and \(rows.count - shown.count) more" : ""
        return "\(hosts) hosts share \(shown.joined(separator: ", "))\(more)"
    }
}
