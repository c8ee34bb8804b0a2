import ExTriageCore
import Sigma

/// One built-in Sigma rule as a check: its documents (one per Sigma service it reads) run over
/// the event records their logsources name; a match is graded by the `extriage:` tiers (the
/// first whose condition over the rule's search identifiers holds) and grouped per tier.
/// References: Profiles/rules/sigma/*.yml, the Sigma specification 2.x.
struct SigmaRuleCheck: Check {
    /// One document of the rule, with its tiers compiled against its searches and, per channel
    /// (lower-cased), the event IDs it can match (nil: any) and its field map, looked up once.
    final class Document: Sendable {
        let rule: SigmaRule
        let tiers: [(verdict: Verdict, when: SigmaSubcondition?)]
        let eventIDs: [String: Set<Int>?]
        let fieldMaps: [String: SigmaFieldMap]

        init(rule: SigmaRule, tiers: [(verdict: Verdict, when: SigmaSubcondition?)]) {
            self.rule = rule
            self.tiers = tiers
            var ids: [String: Set<Int>?] = [:]
            var maps: [String: SigmaFieldMap] = [:]
            // Under the channel as the rule's logsource names it and lower-cased: records usually
            // spell it the same way, so the usual look-up needs no lower-casing.
            for channel in rule.channels {
                for key in [channel.lowercased(), channel] {
                    ids[key] = rule.eventIDs(channel: channel)
                    maps[key] = rule.fieldTranslation(channel: channel)
                }
            }
            eventIDs = ids
            fieldMaps = maps
        }
    }

    /// A document that reads a channel: the event IDs it can match there (nil: any) and its field map.
    struct Reader: Sendable {
        let document: Document
        let eventIDs: Set<Int>?
        let map: SigmaFieldMap
    }

    let id: CheckID
    let title: String
    let documents: [Document]
    /// Per channel (as the rules spell it, and lower-cased), its readers in document order: one look-up per record.
    let readers: [String: [Reader]]
    let extras: SigmaRuleExtras
    let severity: Severity
    let input: CheckInput
    var assesses: Assessment { Assessment(cves: Set(extras.assesses)) }

    init(documents: [Document], extras: SigmaRuleExtras) {
        self.documents = documents
        self.extras = extras
        id = CheckID(extras.id)
        title = documents.first?.rule.title ?? extras.id
        severity = SigmaLevels.severity(documents.first?.rule.level)
        input = .events(SigmaLevels.selector(documents.map(\.rule)))
        var readers: [String: [Reader]] = [:]
        let keys = Set(documents.flatMap { $0.eventIDs.keys })
        for key in keys {
            // A channel is looked up as spelled, else lower-cased.
            readers[key] = documents.compactMap { document in
                let own = document.eventIDs[key] != nil ? key : key.lowercased()
                return document.eventIDs[own].map { Reader(document: document, eventIDs: $0, map: document.fieldMaps[own] ?? .identity) }
            }
        }
        self.readers = readers
    }

    func makeState() -> EventMatches { EventMatches() }

    func observe(_ observation: Observation, into matches: inout EventMatches) {
        guard case .event(let record, let source) = observation else { return }
        guard let channelReaders = readers[record.channel] ?? readers[record.channel.lowercased()] else { return }
        let eventID = Int(record.eventID)
        for reader in channelReaders {
            if let pinned = reader.eventIDs, !pinned.contains(eventID) { continue }
            let document = reader.document
            // Screened first: a rule ruled out costs no event view and no field map copy.
            guard record.sigmaMayMatch(document.rule) else { continue }
            let map = reader.map
            let event = map.event(SigmaEventRecord(record: record))
            guard let match = document.rule.matches(event),
                  let tier = document.tiers.first(where: { $0.when?.holds(event) ?? true }) else { continue }
            matches.add(tier.verdict, record.evidence(from: source, matched: SigmaEventRecord.matchedFields(match, map)))
            for (pivot, field) in extras.pivots { matches.pivot(PivotKey(pivot), record.value(map.recordField(for: field))) }
            matches.pivot(.computer, record.computer)
            return
        }
    }

    func finish(_ matches: inout EventMatches, in context: FinishContext) -> CheckOutput {
        let rule = documents.first?.rule
        return CheckOutput(findings: matches.findings(checkId: id, title: title, severity: severity, cves: extras.cves,
                                                      attack: rule?.techniques ?? [], category: extras.category,
                                                      explanation: extras.explanation ?? rule?.description ?? title),
                           exhibits: extras.alone.map { [NeedsCorroboration(check: id, alone: $0)] } ?? [])
    }
}

/// How Sigma's levels and logsources turn into extriage's severities, tiers and event selectors.
enum SigmaLevels {
    static func severity(_ level: String?) -> Severity {
        switch level?.lowercased() {
        case "critical": return .critical
        case "high": return .high
        case "medium": return .medium
        case "low": return .low
        default: return .info
        }
    }

    /// The tier a rule of a pack gets: SigmaHQ's hunting rules (`detection.threat-hunting`) are
    /// for hunting, not alerting, so `informational`; the others by level.
    static func verdict(for rule: SigmaRule) -> Verdict {
        rule.tags.contains { $0.lowercased() == "detection.threat-hunting" } ? .informational : verdict(rule.level)
    }

    /// The tier a level gives: high and critical `likely`, medium `attempt`, low and
    /// informational `informational` (a pack's rules carry no tiers of their own).
    static func verdict(_ level: String?) -> Verdict {
        switch level?.lowercased() {
        case "critical", "high": return .likely
        case "medium": return .attempt
        default: return .informational
        }
    }

    /// The records `rules` can match: their event IDs on their channels, or every record of a
    /// channel where a rule pins no ID.
    static func selector(_ rules: [SigmaRule]) -> EventSelector {
        var ids: Set<UInt32> = []
        var channels: Set<String> = []
        var everyEvent = false
        for rule in rules {
            for channel in rule.channels {
                channels.insert(channel.lowercased())
                guard let pinned = rule.eventIDs(channel: channel) else {
                    everyEvent = true
                    continue
                }
                for id in pinned where id >= 0 && id <= Int(UInt32.max) { ids.insert(UInt32(id)) }
            }
        }
        return EventSelector(eventIDs: ids, channels: channels, allEvents: everyEvent, sigma: true)
    }
}
