import DataDocuments
import ExTriageCore
import Foundation

/// extriage's part of a built-in Sigma rule, its `extriage:` block: the check id that groups the
/// rule's documents (one per Sigma service), the verdict tiers as conditions over the rule's own
/// search identifiers, the finding category, explanation and pivots, the CVEs its coverage
/// decides, and positive and negative sample events a test writes to real EVTX files.
public struct SigmaRuleExtras: Sendable {
    /// One tier: its verdict and, except for the last, a condition over search identifiers.
    public struct Tier: Sendable {
        public var verdict: Verdict
        public var when: String?
    }

    /// An event a test writes to an EVTX file to prove the rule.
    public struct SampleEvent: Sendable {
        public var id: UInt32
        public var provider: String
        public var channel: String
        public var data: [(name: String, value: String)]
        public var userDataRoot: String?
        public var level: UInt8
    }

    /// The Sigma document's own `id`.
    public var sigmaID: String
    /// The check id findings carry (`EVT-LSASS-PROCDUMP`), shared by the rule's documents.
    public var id: String
    public var category: String
    public var tiers: [Tier]
    /// The tier when nothing else in the bundle is above informational: an admin's routine action
    /// (a log cleared, an RDP logon) looks the same as an intruder's, and only company decides.
    public var alone: Verdict?
    public var explanation: String?
    /// Pivot name → the record field it is read from.
    public var pivots: [String: String]
    public var assesses: [String]
    public var cves: [String]
    public var positive: [(event: SampleEvent, verdict: Verdict)]
    public var negative: [SampleEvent]

    static let keys: Set<String> = ["version", "id", "category", "verdicts", "alone", "explanation", "pivots", "assesses", "cves", "samples"]
    static let sampleKeys: Set<String> = ["id", "provider", "channel", "data", "userData", "level"]

    /// Every `extriage:` block of one file, by the Sigma document id it sits in.
    public static func load(file: String) throws -> [SigmaRuleExtras] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ExTriageError(.invalidProfile, "cannot read the Sigma rule file", path: file)
        }
        return try DataDocument.blocks(text: String(decoding: data, as: UTF8.self), file: file, key: "extriage", allowedKeys: keys,
                                       versions: [1], build: build).value(or: "invalid extriage block in a Sigma rule")
    }

    static func build(_ sigmaID: String?, _ block: DataDocument) -> SigmaRuleExtras? {
        guard let sigmaID else {
            block.problem(nil, "the Sigma document holding it has no id")
            return nil
        }
        let id = block.string("id"), category = block.string("category")
        if let category, !FindingCategory.all.contains(category) {
            block.problem("category", "must be one of \(FindingCategory.all.sorted().joined(separator: ", "))")
        }
        var tiers: [Tier] = []
        for item in block.mappings("verdicts", allowed: ["verdict", "when"], nonEmpty: true) {
            if let verdict = item.value("verdict", as: Verdict.self) { tiers.append(Tier(verdict: verdict, when: item.optionalString("when"))) }
        }
        var pivots: [String: String] = [:]
        if let mapping = block.mapping("pivots", allowed: nil, required: false) {
            for name in mapping.keys { if let field = mapping.string(name) { pivots[name] = field } }
        }
        var positive: [(event: SampleEvent, verdict: Verdict)] = []
        var negative: [SampleEvent] = []
        if let samples = block.mapping("samples", allowed: ["positive", "negative"], required: false) {
            for item in samples.mappings("positive", allowed: ["event", "verdict"], nonEmpty: true) {
                if let event = item.mapping("event", allowed: sampleKeys).flatMap(sample), let verdict = item.value("verdict", as: Verdict.self) {
                    positive.append((event, verdict))
                }
            }
            for item in samples.items("negative", nonEmpty: true) {
                if let event = item.mapping(allowed: sampleKeys).flatMap(sample) { negative.append(event) }
            }
        }
        guard let id, let category, !tiers.isEmpty else { return nil }
        let alone = block.optionalString("alone").flatMap { text -> Verdict? in
            guard let verdict = Verdict(rawValue: text) else {
                block.problem("alone", "'\(text)' is not a verdict (\(Verdict.allCases.map(\.rawValue).joined(separator: ", ")))")
                return nil
            }
            return verdict
        }
        return SigmaRuleExtras(sigmaID: sigmaID, id: id, category: category, tiers: tiers, alone: alone, explanation: block.optionalString("explanation"),
                               pivots: pivots, assesses: RuleFiles.assessedCVEs(block), cves: block.strings("cves", required: false),
                               positive: positive, negative: negative)
    }

    static func sample(_ event: DataDocument) -> SampleEvent? {
        let id = event.int("id", in: 0...Int(UInt32.max))
        let provider = event.string("provider"), channel = event.string("channel")
        var data: [(String, String)] = []
        if let fields = event.mapping("data", allowed: nil, required: false) {
            for name in fields.keys {
                if let value = fields[name]?.text(allowEmpty: true) { data.append((name, value)) }
            }
        }
        let level = event.int("level", required: false, in: 0...255) ?? 4
        guard let id, let provider, let channel else { return nil }
        return SampleEvent(id: UInt32(id), provider: provider, channel: channel, data: data, userDataRoot: event.optionalString("userData"),
                           level: UInt8(level))
    }
}
