import ExTriageCore

/// A loaded Sigma detection rule: its metadata, where its records are, and its detection
/// compiled into search identifiers and a condition tree.
public struct SigmaRule: Sendable, Identifiable {
    /// Everything but the filters, shared by copies: a copy of a rule costs one retain.
    private let parts: SigmaRuleParts

    /// The rule's `id:`, or `file#document` when it has none.
    public var id: String { parts.id }
    /// The rule's `name:` (what correlations may refer to), if any.
    public var name: String? { parts.name }
    public var title: String { parts.title }
    public var status: String? { parts.status }
    /// `informational`, `low`, `medium`, `high`, `critical` (as written, lower-cased).
    public var level: String? { parts.level }
    public var description: String? { parts.description }
    public var author: String? { parts.author }
    public var references: [String] { parts.references }
    /// Every tag as written.
    public var tags: [String] { parts.tags }
    /// ATT&CK technique ids from `attack.tNNNN[.NNN]` tags, e.g. `T1003.001`.
    public var techniques: [String] { parts.techniques }
    /// ATT&CK tactics from `attack.<tactic>` tags, e.g. `credential-access`.
    public var tactics: [String] { parts.tactics }
    /// CVE ids from `cve.YYYY-NNNN` tags, e.g. `CVE-2021-26855`.
    public var cves: [String] { parts.cves }
    public var falsePositives: [String] { parts.falsePositives }
    /// The rule's `fields:` (fields worth showing with a match).
    public var fields: [String] { parts.fields }
    public var logsource: SigmaLogSource { parts.logsource }
    /// Where the rule's records are: channels, event IDs, field renames.
    public var targets: [SigmaTarget] { parts.targets }
    /// The file the rule came from.
    public var file: String { parts.file }
    /// The condition text as written.
    public var conditionText: String { parts.conditionText }

    var searches: [SigmaSearch] { parts.searches }
    var condition: SigmaCondition { parts.condition }
    /// Event IDs the detection itself pins (an `EventID` test every match passes); nil: any.
    var detectionEventIDs: Set<Int>? { parts.detectionEventIDs }
    /// What the keyword text of any record the rule matches holds (``SigmaScreen``); nil: nothing known.
    var requirement: SigmaRequirement? { parts.requirement }
    /// Global filters (Sigma filter documents) that name this rule: a match is dropped when one holds.
    var filters: [SigmaFilter] = []

    init(id: String, name: String?, title: String, status: String?, level: String?, description: String?, author: String?,
         references: [String], tags: [String], falsePositives: [String], fields: [String], logsource: SigmaLogSource,
         targets: [SigmaTarget], file: String, conditionText: String, searches: [SigmaSearch], condition: SigmaCondition) {
        parts = SigmaRuleParts(id: id, name: name, title: title, status: status, level: level, description: description, author: author,
                               references: references, tags: tags, falsePositives: falsePositives, fields: fields, logsource: logsource,
                               targets: targets, file: file, conditionText: conditionText, searches: searches, condition: condition)
    }

    /// The channels the rule reads (pre-filter which records to decode).
    public var channels: [String] {
        var seen = Set<String>()
        return targets.map(\.channel).filter { seen.insert($0.lowercased()).inserted }
    }

    /// The event IDs the rule can match on `channel` (from the logsource and from the
    /// detection's own `EventID` tests); nil: any event ID.
    public func eventIDs(channel: String) -> Set<Int>? {
        var result: Set<Int>?
        var sawAny = false
        for target in targets where target.channel.caseInsensitiveCompare(channel) == .orderedSame {
            if target.eventIDs.isEmpty { sawAny = true } else { result = (result ?? []).union(target.eventIDs) }
        }
        if sawAny { result = nil } else if result == nil { return [] }
        guard let detectionEventIDs else { return result }
        return result.map { $0.intersection(detectionEventIDs) } ?? detectionEventIDs
    }

    /// Whether records of `channel` with `eventID` (nil: the record has none, e.g. W3C) can match.
    public func applies(channel: String, eventID: Int?) -> Bool {
        let isTarget = targets.contains { $0.channel.caseInsensitiveCompare(channel) == .orderedSame }
        guard isTarget else { return false }
        guard let ids = eventIDs(channel: channel) else { return true }
        guard let eventID else { return false }
        return ids.contains(eventID)
    }

    /// The renames that present records of `channel` under this rule's field names.
    public func fieldTranslation(channel: String, eventID: Int? = nil) -> SigmaFieldMap {
        for target in targets where target.channel.caseInsensitiveCompare(channel) == .orderedSame {
            if let eventID, !target.eventIDs.isEmpty, !target.eventIDs.contains(eventID) { continue }
            return target.fields
        }
        return .identity
    }

    /// Whether the detection holds for `event` (already under Sigma's field names), and what matched.
    public func matches<Event: SigmaEvent>(_ event: Event) -> SigmaMatch? {
        let searches = parts.searches
        guard condition.evaluate({ searches[$0].holds(event) }) else { return nil }
        for filter in filters where filter.holds(event) { return nil }
        var positive: [Int] = []
        condition.positiveSearches({ searches[$0].holds(event) }, into: &positive)
        var fields: [SigmaMatch.Field] = []
        var keywords: [String] = []
        var seenFields = Set<String>()
        for index in positive {
            guard let items = searches[index].witness(event) else { continue }
            for item in items {
                if let field = item.field {
                    guard seenFields.insert(field.lowercased()).inserted else { continue }
                    let value = event.value(field)
                    fields.append(SigmaMatch.Field(name: field, value: value, search: searches[index].name, test: item.testDescription))
                } else if let text = item.keywordHolds(event.keywordText, folded: event.keywordTextFolded), !text.isEmpty {
                    keywords.append(text)
                }
            }
        }
        return SigmaMatch(ruleID: id, title: title, level: level, fields: fields, keywords: keywords)
    }
}

/// What made a rule match one event: the fields tested by the searches that decided it, and
/// the keyword texts that matched.
public struct SigmaMatch: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        /// The Sigma field name as the rule wrote it.
        public let name: String
        /// The event's value (nil when missing, e.g. for a `null` or `exists: false` test).
        public let value: String?
        /// The search identifier the field belongs to.
        public let search: String
        /// The rule's test, e.g. `*\\cmd.exe` or `re:...`.
        public let test: String
    }

    public let ruleID: String
    public let title: String
    public let level: String?
    public let fields: [Field]
    public let keywords: [String]
}

/// ATT&CK and CVE references parsed from Sigma tags.
struct SigmaTags {
    var techniques: [String] = []
    var tactics: [String] = []
    var cves: [String] = []

    init(_ tags: [String]) {
        for tag in tags {
            let lowered = tag.lowercased()
            if lowered.hasPrefix("attack.") {
                let rest = lowered.dropFirst("attack.".count)
                if rest.first == "t", rest.dropFirst().first?.isNumber == true {
                    techniques.append(rest.uppercased())
                } else if let first = rest.first, first.isLetter,
                          !(["g", "s", "m", "c", "d", "a"].contains(first) && rest.dropFirst().allSatisfy(\.isNumber)) {
                    tactics.append(rest.replacingOccurrences(of: "_", with: "-"))
                }
            } else if lowered.hasPrefix("cve.") {
                var rest = String(lowered.dropFirst("cve.".count))
                if let dot = rest.firstIndex(of: "."), rest.firstIndex(of: "-") == nil { rest.replaceSubrange(dot...dot, with: "-") }
                cves.append("CVE-" + rest.uppercased())
            }
        }
    }
}

extension SigmaSearch {
    /// Event IDs this search pins: every alternative has an `EventID` item of plain numbers.
    var eventIDs: Set<Int>? {
        var result = Set<Int>()
        for items in alternatives {
            var pinned: Set<Int>?
            for item in items where item.field?.lowercased() == "eventid" && !item.negated {
                guard case .values(let tests, let all) = item.kind, !all || tests.count == 1 else { continue }
                var ids = Set<Int>()
                for test in tests {
                    guard case .strings(let patterns) = test, patterns.count == 1, patterns[0].shape == .exact,
                          let id = Int(String(decoding: patterns[0].bytes, as: UTF8.self)) else { ids = []; break }
                    ids.insert(id)
                }
                if !ids.isEmpty { pinned = ids }
            }
            guard let pinned else { return nil }
            result.formUnion(pinned)
        }
        return result.isEmpty ? nil : result
    }
}

extension SigmaItem {
    var testDescription: String {
        switch kind {
        case .exists(let flag): return "exists: \(flag)"
        case .values(let tests, let all):
            let text = tests.map(\.display).joined(separator: all ? " AND " : " | ")
            return negated ? "neq " + text : text
        }
    }
}

/// A condition over one rule's search identifiers that the rule's own condition does not have
/// to name: how a caller grades a match (extriage's verdict tiers: `when: tier_confirmed`).
public struct SigmaSubcondition: Sendable {
    let searches: [SigmaSearch]
    let condition: SigmaCondition

    /// Whether it holds for `event` (under Sigma's field names, as for `SigmaRule.matches`).
    public func holds<Event: SigmaEvent>(_ event: Event) -> Bool {
        condition.evaluate { searches[$0].holds(event) }
    }
}

extension SigmaRule {
    /// `text` (condition syntax) compiled over this rule's search identifiers.
    public func subcondition(_ text: String) throws(ExTriageError) -> SigmaSubcondition {
        do {
            return SigmaSubcondition(searches: searches, condition: try SigmaConditionParser.parse(text, names: searches.map(\.name)))
        } catch {
            throw ExTriageError(.invalidProfile, "rule \(id) (\(file)): '\(text)' is not a condition over its searches: \(error)")
        }
    }
}

/// The fixed parts of a `SigmaRule`, in one object.
final class SigmaRuleParts: Sendable {
    let id: String
    let name: String?
    let title: String
    let status: String?
    let level: String?
    let description: String?
    let author: String?
    let references: [String]
    let tags: [String]
    let techniques: [String]
    let tactics: [String]
    let cves: [String]
    let falsePositives: [String]
    let fields: [String]
    let logsource: SigmaLogSource
    let targets: [SigmaTarget]
    let file: String
    let conditionText: String
    let searches: [SigmaSearch]
    let condition: SigmaCondition
    let detectionEventIDs: Set<Int>?
    let requirement: SigmaRequirement?

    init(id: String, name: String?, title: String, status: String?, level: String?, description: String?, author: String?,
         references: [String], tags: [String], falsePositives: [String], fields: [String], logsource: SigmaLogSource,
         targets: [SigmaTarget], file: String, conditionText: String, searches: [SigmaSearch], condition: SigmaCondition) {
        self.id = id
        self.name = name
        self.title = title
        self.status = status
        self.level = level
        self.description = description
        self.author = author
        self.references = references
        self.tags = tags
        let parsed = SigmaTags(tags)
        self.techniques = parsed.techniques
        self.tactics = parsed.tactics
        self.cves = parsed.cves
        self.falsePositives = falsePositives
        self.fields = fields
        self.logsource = logsource
        self.targets = targets
        self.file = file
        self.conditionText = conditionText
        self.searches = searches
        self.condition = condition
        self.detectionEventIDs = condition.requiredEventIDs { index in searches[index].eventIDs }
        self.requirement = SigmaNeedles.required(searches: searches, condition: condition, targets: targets)
    }
}
