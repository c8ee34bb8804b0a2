import DataDocuments
import ExTriageCore
import Foundation

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

/// Loads and validates event rules, naming the file, line and key of every problem.
public enum EventRuleLoader {
    static let allowedKeys: Set<String> = ["version", "id", "title", "description", "category", "events", "needles", "where", "unless", "verdicts",
                                           "severity", "cves", "assesses", "attack", "explanation", "references", "pivots", "samples"]
    static let operators: Set<String> = ["contains", "equals", "any-of", "starts-with", "ends-with", "regex"]
    static let sampleEventKeys: Set<String> = ["id", "provider", "channel", "data", "userData", "level"]

    /// Every `*.yaml` under `directory`, sorted by file name; a missing folder is an error.
    public static func load(directory: String) throws -> [EventRule] {
        try RuleFiles.load(directory: directory, kind: "event", allowedKeys: allowedKeys, build: build)
    }

    /// One rule file's text; throws one error listing every problem.
    public static func parse(_ text: String, file: String) throws -> EventRule {
        try RuleFiles.parse(text, file: file, kind: "event", allowedKeys: allowedKeys, build: build)
    }

    /// Reads every key, recording every problem; nil when any is wrong.
    static func build(_ document: DataDocument) -> EventRule? {
        let id = document.string("id"), title = document.string("title"), description = document.string("description")
        let category = document.string("category")
        if let category, !FindingCategory.all.contains(category) {
            document.problem("category", "must be one of \(FindingCategory.all.sorted().joined(separator: ", "))")
        }
        var eventIDs: Set<UInt32> = []
        var providers: [String] = []
        var channels: [String] = []
        let events = document.mapping("events", allowed: ["ids", "providers", "channels"])
        if let events {
            let ids = events.items("ids", required: false)
            for item in ids {
                if let number = item.int(in: 0...Int(UInt32.max)) { eventIDs.insert(UInt32(number)) }
            }
            providers = events.strings("providers", required: false, allowSingle: true)
            channels = events.strings("channels", required: false, allowSingle: true)
            if events["ids"] == nil && events["providers"] == nil {
                document.problem("events", "needs ids (a list of event IDs) or providers (every event of them), and optional channels")
            } else if ids.isEmpty && providers.isEmpty {
                events.problem("ids", "needs at least one event ID or a provider")
            }
        }
        let needles = document.strings("needles", required: false, allowSingle: true).map { Array($0.lowercased().utf8) }
        let groups = parseGroups(document.required("where", hint: "field: value, or field: {operator: values}"))
        if let groups, groups.isEmpty { document.problem("where", "needs at least one condition") }
        let exclusions = parseGroups(document["unless"])
        let tiers = document.tiers(parseGroups)?.map { EventRule.Tier(verdict: $0.0, groups: $0.1) }
        let severity = document.severity()
        let cves = document.strings("cves", required: false, allowSingle: true)
        let assesses = RuleFiles.assessedCVEs(document)
        let attack = document.strings("attack", nonEmpty: true, allowSingle: true)
        let explanation = document.string("explanation")
        let references = document.strings("references", required: false, allowSingle: true)
        let pivots = document.pivots()
        var positive: [(event: EventRule.SampleEvent, verdict: Verdict)] = []
        var negative: [EventRule.SampleEvent] = []
        var samplesComplete = false
        if let samples = document.mapping("samples", allowed: ["positive", "negative"]) {
            samplesComplete = true
            for item in samples.mappings("positive", allowed: ["event", "verdict"], nonEmpty: true) {
                let event = item.mapping("event", allowed: sampleEventKeys).flatMap { sample($0, providers: providers, channels: channels) }
                let verdict = item.value("verdict", as: Verdict.self)
                if let event, let verdict { positive.append((event, verdict)) } else { samplesComplete = false }
            }
            for item in samples.items("negative", nonEmpty: true) {
                if let event = item.mapping(allowed: sampleEventKeys).flatMap({ sample($0, providers: providers, channels: channels) }) {
                    negative.append(event)
                } else {
                    samplesComplete = false
                }
            }
        }
        guard let id, let title, let description, let category, events != nil, let groups, let exclusions, let tiers,
              let severity, let explanation, samplesComplete else { return nil }
        return EventRule(id: id, title: title, description: description, category: category, eventIDs: eventIDs,
                         providers: Set(providers.map { $0.lowercased() }), channels: Set(channels.map { $0.lowercased() }),
                         needles: needles, groups: groups, exclusions: exclusions, tiers: tiers, severity: severity, cves: cves,
                         attack: attack, explanation: explanation, references: references, pivots: pivots, positive: positive,
                         negative: negative, file: document.file, assesses: assesses)
    }

    /// One sample event; provider and channel default to the rule's first.
    static func sample(_ event: DataDocument, providers: [String], channels: [String]) -> EventRule.SampleEvent? {
        let id = event.int("id", in: 0...Int(UInt32.max))
        let provider = event.optionalString("provider") ?? providers.first
        if event["provider"] == nil && providers.isEmpty {
            event.problem("provider", "is required (the rule names no provider)")
        }
        let channel = event.optionalString("channel") ?? channels.first ?? ""
        var data: [(String, String)] = []
        if let fields = event.mapping("data", allowed: nil, required: false) {
            for name in fields.keys {
                if let value = fields[name]?.text(allowEmpty: true) { data.append((name, value)) }
            }
        }
        let userDataRoot = event.optionalString("userData")
        let level = event.int("level", required: false, in: 0...255) ?? 4
        guard let id, let provider else { return nil }
        return .init(id: UInt32(id), provider: provider, channel: channel, data: data, userDataRoot: userDataRoot, level: UInt8(level))
    }

    /// A mapping (one group) or a list of mappings (any group); nil when wrong, empty when none.
    static func parseGroups(_ value: DataValue?) -> [EventRule.Group]? {
        guard let value else { return [] }
        let groupValues: [DataValue]
        if case .sequence = value.node {
            guard let items = value.items() else { return nil }
            groupValues = items
        } else {
            groupValues = [value]
        }
        var groups: [EventRule.Group] = []
        var complete = true
        for groupValue in groupValues {
            guard let mapping = groupValue.mapping(allowed: nil) else {
                complete = false
                continue
            }
            var conditions: [EventRule.FieldCondition] = []
            for field in mapping.keys {
                guard let condition = mapping[field] else { continue }
                let fields = field.split(separator: "|").map { String($0) }
                guard !fields.isEmpty else {
                    mapping.problem(field, "needs a field name")
                    complete = false
                    continue
                }
                var matchers: [(String, [ValueMatcher])] = []
                switch condition.node {
                case .scalar:
                    if let plain = condition.text() {
                        matchers.append(("equals", [.equals(Array(plain.lowercased().utf8))]))
                    } else {
                        complete = false
                    }
                case .mapping:
                    guard let operators = condition.mapping(allowed: EventRuleLoader.operators) else { continue }
                    if case .mapping(let written) = condition.node, written.count == 0 {
                        condition.problem("needs at least one operator (\(EventRuleLoader.operators.sorted().joined(separator: ", ")))")
                    }
                    for name in operators.keys {
                        guard let operand = operators[name], let items = operand.texts(nonEmpty: true, allowSingle: true),
                              !items.isEmpty else {
                            complete = false
                            continue
                        }
                        var values: [ValueMatcher] = []
                        for item in items {
                            if let matcher = matcher(name, item, operand) { values.append(matcher) } else { complete = false }
                        }
                        matchers.append((name, values))
                    }
                case .sequence:
                    condition.problem("needs a value or a mapping of operators")
                    complete = false
                }
                conditions.append(.init(fields: fields, matchers: matchers))
            }
            groups.append(EventRule.Group(conditions: conditions.sorted { $0.fields[0] < $1.fields[0] }))
        }
        return complete ? groups : nil
    }

    static func matcher(_ name: String, _ value: String, _ operand: DataValue) -> ValueMatcher? {
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
                operand.problem("'\(value)' is not a valid regular expression")
                return nil
            }
        }
    }
}
