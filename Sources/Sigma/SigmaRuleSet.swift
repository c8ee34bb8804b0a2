import ExTriageCore
import Foundation

/// A rule file (or document) the engine could not load, and why.
public struct SigmaSkip: Sendable, Equatable {
    public let file: String
    public let id: String?
    public let title: String?
    public let level: String?
    public let reason: String
}

/// One row of ``SigmaRuleSet/describe()``: for `extriage rules list`.
public struct SigmaRuleDescription: Sendable, Equatable {
    public enum Kind: String, Sendable { case rule, correlation, filter }
    public enum Status: Sendable, Equatable, CustomStringConvertible {
        case loaded
        case unsupported(String)

        public var description: String {
            switch self {
            case .loaded: return "loaded"
            case .unsupported(let reason): return "unsupported: \(reason)"
            }
        }
    }

    public let id: String?
    public let title: String?
    public let level: String?
    public let file: String
    public let kind: Kind
    public let status: Status
}

/// Loaded Sigma rules, correlations and filters, indexed by channel and event ID.
public struct SigmaRuleSet: Sendable {
    public let rules: [SigmaRule]
    public let correlations: [SigmaCorrelation]
    public let filters: [SigmaFilter]
    public let skipped: [SigmaSkip]
    public let logsources: SigmaLogsourceMap

    private struct ChannelIndex: Sendable {
        var byEventID: [Int: [SigmaRule]] = [:]
        /// Rules that take any event ID on the channel (also the answer for IDs no rule pins).
        var anyEventID: [SigmaRule] = []
    }

    /// Lower-cased channel → its rules.
    private let index: [String: ChannelIndex]

    init(rules: [SigmaRule], correlations: [SigmaCorrelation], filters: [SigmaFilter], skipped: [SigmaSkip], logsources: SigmaLogsourceMap) {
        self.rules = rules
        self.correlations = correlations
        self.filters = filters
        self.skipped = skipped
        self.logsources = logsources
        var positions: [String: (byEventID: [Int: [Int]], any: [Int])] = [:]
        for (position, rule) in rules.enumerated() {
            for channel in rule.channels {
                let key = channel.lowercased()
                var entry = positions[key] ?? ([:], [])
                if let ids = rule.eventIDs(channel: channel) {
                    for id in ids { entry.byEventID[id, default: []].append(position) }
                } else {
                    entry.any.append(position)
                }
                positions[key] = entry
            }
        }
        var index: [String: ChannelIndex] = [:]
        for (channel, entry) in positions {
            var channelIndex = ChannelIndex()
            channelIndex.anyEventID = entry.any.map { rules[$0] }
            for (id, pinned) in entry.byEventID {
                channelIndex.byEventID[id] = (pinned + entry.any).sorted().map { rules[$0] }
            }
            index[channel] = channelIndex
        }
        self.index = index
    }

    /// The rules to evaluate for a record of `channel` with `eventID` (nil: a record without
    /// one, such as a W3C line), in load order. O(1): precomputed per channel and event ID.
    public func candidates(channel: String, eventID: Int?) -> [SigmaRule] {
        guard let channelIndex = index[channel] ?? index[channel.lowercased()] else { return [] }
        guard let eventID else { return channelIndex.anyEventID }
        return channelIndex.byEventID[eventID] ?? channelIndex.anyEventID
    }

    /// Every channel some rule reads (lower-cased), and for each the event IDs rules pin; nil
    /// when some rule takes any event ID there. For pre-filtering which records to decode.
    public var channelEventIDs: [String: Set<Int>?] {
        var result: [String: Set<Int>?] = [:]
        for (channel, channelIndex) in index {
            result[channel] = channelIndex.anyEventID.isEmpty ? Set(channelIndex.byEventID.keys) : nil
        }
        return result
    }

    /// The renames that present records of `channel`/`eventID` under Sigma's field names.
    public func fieldMap(channel: String, eventID: Int?) -> SigmaFieldMap {
        logsources.fieldMap(channel: channel, eventID: eventID)
    }

    /// The ids of rules that correlations refer to (directly, by id or name): feed their matches to a ``SigmaCorrelator``.
    public var correlatedRuleIDs: Set<String> {
        let references = Set(correlations.flatMap(\.rules).map { $0.lowercased() })
        return Set(rules.filter { references.contains($0.id.lowercased()) || $0.name.map { references.contains($0.lowercased()) } == true }.map(\.id))
    }

    /// Per rule, correlation, filter and skipped file: id, title, level, file and status, in file order.
    public func describe() -> [SigmaRuleDescription] {
        var rows: [SigmaRuleDescription] = []
        rows += rules.map { SigmaRuleDescription(id: $0.id, title: $0.title, level: $0.level, file: $0.file, kind: .rule, status: .loaded) }
        rows += correlations.map {
            SigmaRuleDescription(id: $0.id, title: $0.title, level: $0.level, file: $0.file, kind: .correlation, status: .loaded)
        }
        rows += filters.map { SigmaRuleDescription(id: $0.id, title: $0.title, level: nil, file: $0.file, kind: .filter, status: .loaded) }
        rows += skipped.map {
            SigmaRuleDescription(id: $0.id, title: $0.title, level: $0.level, file: $0.file, kind: .rule, status: .unsupported($0.reason))
        }
        return rows.sorted { ($0.file, $0.id ?? "") < ($1.file, $1.id ?? "") }
    }

    /// The skip reasons, most frequent first, with details in quotes folded so similar reasons group.
    public func skipReasonSummary() -> [(reason: String, count: Int)] {
        var counts: [String: Int] = [:]
        for skip in skipped {
            var folded = ""
            var inQuote = false
            for character in skip.reason {
                if character == "'" {
                    inQuote.toggle()
                    folded.append(inQuote ? "'…" : "'")
                } else if !inQuote {
                    folded.append(character)
                }
            }
            counts[folded, default: 0] += 1
        }
        return counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { ($0.key, $0.value) }
    }
}
