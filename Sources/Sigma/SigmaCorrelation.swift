import Foundation

/// A Sigma filter document (`filter:`): a detection that, when it holds, drops the matches of
/// the rules it names (environment tuning).
public struct SigmaFilter: Sendable {
    public let id: String
    public let title: String
    public let file: String
    public let logsource: SigmaLogSource
    /// The rules it applies to, by id or name.
    public let rules: [String]
    let searches: [SigmaSearch]
    let condition: SigmaCondition

    func holds<Event: SigmaEvent>(_ event: Event) -> Bool {
        condition.evaluate { searches[$0].holds(event) }
    }
}

/// A Sigma correlation rule: counts, distinct values or sequences of other rules' matches,
/// grouped by fields, within a time span.
public struct SigmaCorrelation: Sendable, Identifiable {
    public enum Kind: String, Sendable {
        case eventCount = "event_count"
        case valueCount = "value_count"
        case temporal
        case temporalOrdered = "temporal_ordered"
    }

    /// One bound of the condition (`gte: 10`); several are ANDed.
    public struct Bound: Sendable, Equatable {
        public enum Operator: String, Sendable, CaseIterable { case gt, gte, lt, lte, eq, neq }
        public let op: Operator
        public let value: Double

        func holds(_ count: Double) -> Bool {
            switch op {
            case .gt: return count > value
            case .gte: return count >= value
            case .lt: return count < value
            case .lte: return count <= value
            case .eq: return count == value
            case .neq: return count != value
            }
        }
    }

    public let id: String
    public let name: String?
    public let title: String
    public let level: String?
    public let status: String?
    public let description: String?
    public let file: String
    public let kind: Kind
    /// The referenced rules (or correlations), as written: ids or names.
    public let rules: [String]
    public let groupBy: [String]
    public let timespan: TimeInterval
    /// Empty for temporal kinds without a condition: every referenced rule must match.
    public let bounds: [Bound]
    /// The field whose distinct values `value_count` counts.
    public let field: String?
    /// alias → (rule name or id → that rule's field).
    public let aliases: [String: [String: String]]
    public let tags: [String]

    /// Whether the count satisfies every bound (temporal without bounds: all rules seen).
    func holds(_ count: Int) -> Bool {
        if bounds.isEmpty { return count >= rules.count }
        return bounds.allSatisfy { $0.holds(Double(count)) }
    }

    /// Whether the condition can only become true as events are added (then it is tested on each event).
    var isMonotone: Bool {
        bounds.isEmpty || bounds.allSatisfy { $0.op == .gt || $0.op == .gte }
    }

    /// Parses a timespan such as `90s`, `5m`, `1h`, `2d`.
    static func parseTimespan(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let unit = trimmed.last, let number = Double(trimmed.dropLast()), number > 0 else { return nil }
        switch unit {
        case "s": return number
        case "m": return number * 60
        case "h": return number * 3600
        case "d": return number * 86400
        case "w": return number * 7 * 86400
        default: return nil
        }
    }
}

/// A correlation that fired: which one, for which group, over which events.
public struct SigmaCorrelationHit: Sendable, Equatable {
    public let correlationID: String
    public let title: String
    public let level: String?
    /// group-by field → value.
    public let group: [String: String]
    public let first: Date
    public let last: Date
    /// The number of rule matches in the window that fired it.
    public let count: Int
    /// The ids of the rules whose matches are in the window.
    public let ruleIDs: [String]
}

/// Accumulates rule matches over one analysis and reports correlations as they fire.
///
/// Feed every match of a rule that some correlation refers to (``SigmaRuleSet/correlatedRuleIDs``),
/// with the event's time and the event (for group-by and value fields). Windows slide: entries
/// older than the timespan before the newest time seen for the group are dropped. A condition
/// that only grows (`gt`, `gte`, temporal) is tested on each match and the group's window is
/// cleared when it fires; other conditions (`lt`, `lte`, `eq`, `neq`) are tested when the window
/// slides past entries and at ``finish()``. A correlation that fires is fed on to correlations
/// that refer to it (chains).
public struct SigmaCorrelator: Sendable {
    private struct Entry: Sendable {
        let time: Date
        let rule: Int
        let ruleID: String
        let value: String?
    }

    private struct GroupKey: Hashable, Sendable {
        let correlation: Int
        let values: [String]
    }

    private let correlations: [SigmaCorrelation]
    /// rule id or name (lower-cased) → (correlation index, position in its rules list).
    private let referrers: [String: [(correlation: Int, position: Int)]]
    /// rule id → its name, for alias lookup.
    private let names: [String: String]
    private var windows: [GroupKey: [Entry]] = [:]

    public init(_ ruleSet: SigmaRuleSet) {
        self.correlations = ruleSet.correlations
        var referrers: [String: [(correlation: Int, position: Int)]] = [:]
        for (index, correlation) in ruleSet.correlations.enumerated() {
            for (position, reference) in correlation.rules.enumerated() {
                referrers[reference.lowercased(), default: []].append((index, position))
            }
        }
        self.referrers = referrers
        var names: [String: String] = [:]
        for rule in ruleSet.rules { if let name = rule.name { names[rule.id] = name } }
        for correlation in ruleSet.correlations { if let name = correlation.name { names[correlation.id] = name } }
        self.names = names
    }

    /// Records that `rule` matched `event` at `time`; returns the correlations that fire now.
    public mutating func observe<Event: SigmaEvent>(rule: SigmaRule, at time: Date, event: Event) -> [SigmaCorrelationHit] {
        observe(ruleID: rule.id, name: rule.name, at: time) { event.value($0) }
    }

    /// Records a match of the rule with `ruleID` (and optional `name`), reading group-by and
    /// value fields with `field`; returns the correlations that fire now.
    public mutating func observe(ruleID: String, name: String? = nil, at time: Date,
                                 field: (String) -> String?) -> [SigmaCorrelationHit] {
        var hits: [SigmaCorrelationHit] = []
        var seen = Set<Int>()
        for key in [ruleID.lowercased(), name?.lowercased()].compactMap({ $0 }) {
            for (index, position) in referrers[key] ?? [] where seen.insert(index).inserted {
                hits += add(correlation: index, position: position, ruleID: ruleID, name: name ?? names[ruleID], time: time, field: field)
            }
        }
        return hits
    }

    /// Tests the conditions that are decided at the end of a window (`lt`, `lte`, `eq`, `neq`)
    /// on what is left, and clears the accumulator.
    public mutating func finish() -> [SigmaCorrelationHit] {
        var hits: [SigmaCorrelationHit] = []
        for key in windows.keys.sorted(by: { ($0.correlation, $0.values.joined(separator: "\u{1F}")) < ($1.correlation, $1.values.joined(separator: "\u{1F}")) }) {
            let correlation = correlations[key.correlation]
            guard !correlation.isMonotone, let entries = windows[key], !entries.isEmpty else { continue }
            if let hit = evaluate(key, entries) { hits.append(hit) }
        }
        windows = [:]
        return hits
    }

    private mutating func add(correlation index: Int, position: Int, ruleID: String, name: String?, time: Date,
                              field: (String) -> String?) -> [SigmaCorrelationHit] {
        let correlation = correlations[index]
        func fieldName(_ field: String) -> String {
            guard let alias = correlation.aliases[field] else { return field }
            return alias[name ?? ""] ?? alias[ruleID] ?? field
        }
        var values: [String] = []
        for groupField in correlation.groupBy {
            guard let value = field(fieldName(groupField)) else { return [] }
            values.append(value.lowercased())
        }
        var value: String?
        if correlation.kind == .valueCount, let countedField = correlation.field {
            guard let counted = field(fieldName(countedField)) else { return [] }
            value = counted
        }
        let key = GroupKey(correlation: index, values: values)
        var entries = windows[key] ?? []
        var hits: [SigmaCorrelationHit] = []
        let newest = max(entries.last?.time ?? time, time)
        let cutoff = newest.addingTimeInterval(-correlation.timespan)
        if let firstKept = entries.firstIndex(where: { $0.time >= cutoff }) ?? (entries.isEmpty ? nil : entries.count), firstKept > 0 {
            // The window slides past old entries: a condition decided at the window's end is tested first.
            if !correlation.isMonotone, let hit = evaluate(key, entries) { hits.append(hit) }
            entries.removeFirst(firstKept)
        }
        if time >= cutoff {
            let slot = entries.lastIndex { $0.time <= time }.map { $0 + 1 } ?? 0
            entries.insert(Entry(time: time, rule: position, ruleID: ruleID, value: value), at: slot)
        }
        if correlation.isMonotone, let hit = evaluate(key, entries) {
            hits.append(hit)
            entries = []
        }
        windows[key] = entries.isEmpty ? nil : entries
        var chained: [SigmaCorrelationHit] = []
        for hit in hits {
            let groupValues = hit.group
            chained += observe(ruleID: correlation.id, name: correlation.name, at: hit.last) { name in
                groupValues.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
            }
        }
        return hits + chained
    }

    private func evaluate(_ key: GroupKey, _ entries: [Entry]) -> SigmaCorrelationHit? {
        let correlation = correlations[key.correlation]
        let count: Int
        switch correlation.kind {
        case .eventCount:
            count = entries.count
        case .valueCount:
            count = Set(entries.compactMap { $0.value?.lowercased() }).count
        case .temporal:
            count = Set(entries.map(\.rule)).count
        case .temporalOrdered:
            var next = 0
            for entry in entries where next < correlation.rules.count && entry.rule == next { next += 1 }
            count = next
        }
        guard correlation.holds(count), let first = entries.first, let last = entries.last else { return nil }
        var group: [String: String] = [:]
        for (field, value) in zip(correlation.groupBy, key.values) { group[field] = value }
        var ruleIDs: [String] = []
        for entry in entries where !ruleIDs.contains(entry.ruleID) { ruleIDs.append(entry.ruleID) }
        return SigmaCorrelationHit(correlationID: correlation.id, title: correlation.title, level: correlation.level, group: group,
                                   first: first.time, last: last.time, count: entries.count, ruleIDs: ruleIDs)
    }
}
