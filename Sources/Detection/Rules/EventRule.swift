import ExTriageCore
import Foundation
import Yams

/// An event-log rule kept as YAML data under `Profiles/rules/events/`.
///
/// It names the event IDs (and optionally providers and channels) it reads; `where` is one
/// group of field conditions or a list of groups (any group may hold; in a group every field
/// must). A field key may list alternatives (`Image|NewProcessName`). Each field condition holds
/// when every operator in it finds one of its values: `contains`, `equals`, `starts-with`,
/// `ends-with`, `regex`, all ignoring case (`any-of` is `equals`). `unless` groups exclude;
/// the first `verdicts` entry whose groups hold gives the tier. Positive and negative sample
/// events are written to a real EVTX file by a test and must behave as stated.
public struct EventRule: Sendable {
    public struct FieldCondition: Sendable {
        public var fields: [String]
        var matchers: [(operator: String, values: [ValueMatcher])]

        func holds(_ record: EventRecord) -> Bool {
            fields.contains { field in
                guard let value = record.value(field) else { return false }
                return matchers.allSatisfy { matcher in matcher.values.contains { $0.matches(value) } }
            }
        }
    }

    /// Conditions that must all hold.
    public struct Group: Sendable {
        public var conditions: [FieldCondition]
        func holds(_ record: EventRecord) -> Bool { conditions.allSatisfy { $0.holds(record) } }
        var fieldNames: [String] { conditions.compactMap(\.fields.first) }
    }

    public struct Tier: Sendable {
        public var verdict: Verdict
        public var groups: [Group]
    }

    public struct SampleEvent: Sendable {
        public var id: UInt32
        public var provider: String
        public var channel: String
        public var data: [(name: String, value: String)]
        public var userDataRoot: String?
        public var level: UInt8
    }

    public var id: String
    public var title: String
    public var description: String
    public var category: String
    /// Empty: every event of `providers`.
    public var eventIDs: Set<UInt32>
    /// Lower-cased; empty means any.
    public var providers: Set<String>
    public var channels: Set<String>
    /// Lower-case substrings of which one must occur in some field value (a pre-filter before
    /// the conditions, as the log rules' needles); empty means every record.
    public var needles: [[UInt8]]
    public var groups: [Group]
    public var exclusions: [Group]
    public var tiers: [Tier]
    public var severity: Severity
    public var cves: [String]
    public var attack: [String]
    public var explanation: String
    public var references: [String]
    /// Pivot name → field name.
    public var pivots: [String: String]
    public var positive: [(event: SampleEvent, verdict: Verdict)]
    public var negative: [SampleEvent]
    public var file: String
    /// CVEs whose state this rule's coverage decides (`assesses:`): `no-evidence` when it ran and found nothing.
    public var assesses: [String] = []

    /// The tier for a record, or nil when the rule does not match it; with the fields that matched.
    public func verdict(for record: EventRecord) -> (Verdict, [String])? {
        guard eventIDs.isEmpty || eventIDs.contains(record.eventID) else { return nil }
        if !providers.isEmpty, !providers.contains(record.provider.lowercased()) { return nil }
        if !channels.isEmpty, !channels.contains(record.channel.lowercased()) { return nil }
        if !needles.isEmpty {
            let text = record.searchText.isEmpty ? Array(record.allData.utf8) : record.searchText
            let found = text.withUnsafeBufferPointer { buffer in needles.contains { ByteSearch.firstIndex(buffer, of: $0, from: 0) != nil } }
            guard found else { return nil }
        }
        guard let group = groups.first(where: { $0.holds(record) }), !exclusions.contains(where: { $0.holds(record) }) else { return nil }
        guard let tier = tiers.first(where: { $0.groups.isEmpty || $0.groups.contains { $0.holds(record) } }) else { return nil }
        var matched: [String] = []
        for condition in group.conditions {
            if let field = condition.fields.first(where: { record.value($0) != nil && condition.holds(recordOnly($0, record)) }) {
                matched.append(field)
            }
        }
        return (tier.verdict, matched)
    }

    /// A record with only one field, to find which alternative matched.
    private func recordOnly(_ field: String, _ record: EventRecord) -> EventRecord {
        var copy = record
        copy.fields = record.value(field).map { [(field, $0)] } ?? []
        return copy
    }
}

/// One case-insensitive comparison.
enum ValueMatcher: @unchecked Sendable {
    case contains([UInt8]), equals([UInt8]), startsWith([UInt8]), endsWith([UInt8]), regex(NSRegularExpression)

    func matches(_ value: String) -> Bool {
        if case .regex(let regex) = self {
            return regex.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
        }
        var text = value
        return text.withUTF8 { bytes in
            switch self {
            case .contains(let needle): return ByteSearch.firstIndex(bytes, of: needle, from: 0) != nil
            case .equals(let needle): return bytes.count == needle.count && Self.equal(bytes, 0, needle)
            case .startsWith(let needle): return bytes.count >= needle.count && Self.equal(bytes, 0, needle)
            case .endsWith(let needle): return bytes.count >= needle.count && Self.equal(bytes, bytes.count - needle.count, needle)
            case .regex: return false
            }
        }
    }

    static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ needle: [UInt8]) -> Bool {
        for index in needle.indices where ByteSearch.lower(bytes[start + index]) != needle[index] { return false }
        return true
    }
}

/// Loads and validates event rules, naming the file and key of every problem.
public enum EventRuleLoader {
    static let allowedKeys: Set<String> = ["version", "id", "title", "description", "category", "events", "needles", "where", "unless", "verdicts",
                                           "severity", "cves", "attack", "explanation", "references", "pivots", "samples"]
    static let operators: Set<String> = ["contains", "equals", "any-of", "starts-with", "ends-with", "regex"]

    /// Every `*.yaml` under `directory`, sorted by file name.
    public static func load(directory: String) throws -> [EventRule] {
        try RuleFiles.load(directory: directory, kind: "event", id: \.id, parse: parse)
    }

    typealias Problem = RuleFiles.Problem

    public static func parse(_ text: String, file: String) throws -> EventRule {
        let document = try RuleDocument(text, allowedKeys: allowedKeys)
        let values = document.values
        let string = document.string
        func list(_ node: Node?, _ key: String) throws -> [String] {
            guard let node else { return [] }
            if let single = node.string { return [single] }
            guard let items = node.sequence?.compactMap(\.string) else { throw Problem(key: key, message: "must be a list of text") }
            return items
        }
        let category = try string("category")
        guard FindingCategory.all.contains(category) else {
            throw Problem(key: "category", message: "must be one of \(FindingCategory.all.sorted().joined(separator: ", "))")
        }
        guard let events = values["events"], events["ids"] != nil || events["providers"] != nil else {
            throw Problem(key: "events", message: "needs ids (a list of event IDs) or providers (every event of them), and optional channels")
        }
        var eventIDs: Set<UInt32> = []
        for node in events["ids"]?.sequence ?? [] {
            guard let number = node.int, number >= 0, number <= Int(UInt32.max) else { throw Problem(key: "events.ids", message: "must be numbers") }
            eventIDs.insert(UInt32(number))
        }
        let providers = try list(events["providers"], "events.providers")
        guard !eventIDs.isEmpty || !providers.isEmpty else { throw Problem(key: "events.ids", message: "needs at least one event ID or a provider") }
        let channels = try list(events["channels"], "events.channels")
        let severity = try document.severity()
        let groups = try parseGroups(values["where"], key: "where")
        guard !groups.isEmpty else { throw Problem(key: "where", message: "needs at least one condition") }
        let tiers = try document.tiers(parseGroups).map { EventRule.Tier(verdict: $0.0, groups: $0.1) }
        let pivots = document.pivots()
        func sample(_ node: Node, key: String) throws -> EventRule.SampleEvent {
            guard let id = node["id"]?.int else { throw Problem(key: key, message: "each event needs id") }
            guard let provider = node["provider"]?.string ?? providers.first else {
                throw Problem(key: key, message: "each event needs provider (the rule names none)")
            }
            let channel = node["channel"]?.string ?? channels.first ?? ""
            var data: [(String, String)] = []
            for (name, value) in node["data"]?.mapping ?? [:] {
                guard let name = name.string else { continue }
                data.append((name, value.string ?? value.int.map(String.init) ?? ""))
            }
            return .init(id: UInt32(id), provider: provider, channel: channel, data: data, userDataRoot: node["userData"]?.string,
                         level: UInt8(clamping: node["level"]?.int ?? 4))
        }
        guard let samples = values["samples"] else { throw Problem(key: "samples", message: "is required: positive and negative events") }
        var positive: [(EventRule.SampleEvent, Verdict)] = []
        for item in samples["positive"]?.sequence ?? [] {
            guard let event = item["event"], let verdict = item["verdict"]?.string.flatMap(Verdict.init(rawValue:)) else {
                throw Problem(key: "samples.positive", message: "each item needs event and verdict")
            }
            positive.append((try sample(event, key: "samples.positive"), verdict))
        }
        let negative = try (samples["negative"]?.sequence ?? []).map { try sample($0, key: "samples.negative") }
        guard !positive.isEmpty, !negative.isEmpty else {
            throw Problem(key: "samples", message: "needs at least one positive and one negative event")
        }
        let attack = try list(values["attack"], "attack")
        guard !attack.isEmpty else { throw Problem(key: "attack", message: "needs at least one ATT&CK technique") }
        return EventRule(id: try string("id"), title: try string("title"), description: try string("description"), category: category,
                         eventIDs: eventIDs, providers: Set(providers.map { $0.lowercased() }), channels: Set(channels.map { $0.lowercased() }),
                         needles: try list(values["needles"], "needles").map { Array($0.lowercased().utf8) },
                         groups: groups, exclusions: try parseGroups(values["unless"], key: "unless"), tiers: tiers, severity: severity,
                         cves: try list(values["cves"], "cves"), attack: attack, explanation: try string("explanation"),
                         references: try list(values["references"], "references"), pivots: pivots, positive: positive,
                         negative: negative, file: file)
    }

    /// A mapping (one group) or a list of mappings (any group).
    static func parseGroups(_ node: Node?, key: String) throws -> [EventRule.Group] {
        guard let node else { return [] }
        let groupNodes = node.sequence ?? [node]
        return try groupNodes.map { group in
            guard let mapping = group.mapping else { throw Problem(key: key, message: "must map field names to conditions") }
            var conditions: [EventRule.FieldCondition] = []
            for (fieldNode, value) in mapping {
                guard let field = fieldNode.string else { continue }
                let fields = field.split(separator: "|").map { String($0) }
                var matchers: [(String, [ValueMatcher])] = []
                if let plain = value.string ?? value.int.map(String.init) {
                    matchers.append(("equals", [.equals(Array(plain.lowercased().utf8))]))
                } else if let operators = value.mapping {
                    for (operatorNode, operand) in operators {
                        guard let name = operatorNode.string, EventRuleLoader.operators.contains(name) else {
                            throw Problem(key: "\(key).\(field)", message: "unknown operator (known: \(EventRuleLoader.operators.sorted().joined(separator: ", ")))")
                        }
                        let items = operand.sequence?.compactMap { $0.string ?? $0.int.map(String.init) } ?? [operand.string ?? operand.int.map(String.init) ?? ""]
                        guard !items.isEmpty, !items.contains("") else { throw Problem(key: "\(key).\(field).\(name)", message: "needs values") }
                        matchers.append((name, try items.map { try matcher(name, $0, key: "\(key).\(field)") }))
                    }
                } else {
                    throw Problem(key: "\(key).\(field)", message: "needs a value or a mapping of operators")
                }
                conditions.append(.init(fields: fields, matchers: matchers))
            }
            return EventRule.Group(conditions: conditions.sorted { $0.fields[0] < $1.fields[0] })
        }
    }

    static func matcher(_ name: String, _ value: String, key: String) throws -> ValueMatcher {
        let bytes = Array(value.lowercased().utf8)
        switch name {
        case "contains": return .contains(bytes)
        case "equals", "any-of": return .equals(bytes)
        case "starts-with": return .startsWith(bytes)
        case "ends-with": return .endsWith(bytes)
        default:
            do {
                return .regex(try NSRegularExpression(pattern: value, options: [.caseInsensitive]))
            } catch {
                throw Problem(key: key, message: "'\(value)' is not a valid regular expression")
            }
        }
    }
}
