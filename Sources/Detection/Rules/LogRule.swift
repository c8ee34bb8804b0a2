import DataDocuments
import ExTriageCore
import Foundation

/// A log rule that is a pure pattern match, kept as YAML data under `Profiles/rules/logs/`.
///
/// Every condition in `where` must hold (each field's value matches one of its regular
/// expressions, case-insensitive); none in `unless` may. A field written `name|decoded` is matched
/// after percent-decoding (repeated, so `%2550` is `P` too) and `+` as space: the spelling a
/// request used (`%50owershell`) does not hide what the server understood. The first `verdicts` entry whose extra
/// conditions hold gives the tier. Each rule carries positive and negative sample lines that a
/// test runs automatically (the Chainsaw/Sigma regression-data idea).
public struct LogRule: Sendable {
    public struct Condition: Sendable {
        public var field: String
        public var patterns: [String]
        let compiled: [RegexBox]
    }

    public struct Tier: Sendable {
        public var verdict: Verdict
        public var conditions: [Condition]
    }

    public struct Sample: Sendable {
        public var fields: String
        public var positive: [(line: String, verdict: Verdict)]
        public var negative: [String]
    }

    public var id: String
    public var title: String
    public var description: String
    public var families: [String]
    public var needles: [String]
    public var conditions: [Condition]
    public var exclusions: [Condition]
    public var tiers: [Tier]
    public var severity: Severity
    public var cves: [String]
    public var attack: [String]
    public var explanation: String
    /// Pivot name → field name, e.g. `clientIp: c-ip`.
    public var pivots: [String: String]
    public var samples: Sample
    public var file: String
    /// CVEs whose state this rule's coverage decides (`assesses:`): `no-evidence` when it ran and found nothing.
    public var assesses: [String] = []

    /// The tier for a record, or nil when the rule does not match it.
    public func verdict(for value: (String) -> String?) -> Verdict? {
        guard conditions.allSatisfy({ $0.holds(value) }), !exclusions.contains(where: { $0.holds(value) }) else { return nil }
        return tiers.first { $0.conditions.allSatisfy { $0.holds(value) } }?.verdict
    }

    /// Whether the rule reads a log family (`iis`, `iis-frontend`, `iis-backend`, `httpproxy`,
    /// `httpproxy/<protocol>`, `ecp-server`, `ecp-activity`, `oab-generator`, `rps-http`, `rps-cmdlet`, `local-cmdlet`, `httperr`).
    public func reads(_ family: LogFamily) -> Bool {
        families.contains { name in
            switch (name, family) {
            case ("iis", .iis): return true
            case ("iis-frontend", .iis(let site)): return site.uppercased() == "W3SVC1"
            case ("iis-backend", .iis(let site)): return site.uppercased() == "W3SVC2"
            case ("httpproxy", .httpProxy): return true
            case (_, .httpProxy(let protocolName)) where name.hasPrefix("httpproxy/"):
                return name.dropFirst(10).lowercased() == protocolName.lowercased()
            case ("ecp-server", .ecpServer), ("ecp-activity", .ecpActivity), ("oab-generator", .oabGenerator),
                 ("rps-http", .rpsHttp), ("rps-cmdlet", .rpsCmdlet), ("local-cmdlet", .localCmdlet), ("httperr", .httpErr):
                return true
            default: return false
            }
        }
    }
}

extension LogRule.Condition {
    func holds(_ value: (String) -> String?) -> Bool {
        guard let raw = value(fieldName) else { return false }
        let text = decoded ? Self.percentDecoded(raw) : raw
        let range = NSRange(text.startIndex..., in: text)
        return compiled.contains { $0.regex.firstMatch(in: text, range: range) != nil }
    }
}

extension LogRule.Condition {
    static let decodedSuffix = "|decoded"

    /// The log column the condition reads, without a `|decoded` modifier.
    var fieldName: String { decoded ? String(field.dropLast(Self.decodedSuffix.count)) : field }
    /// Whether the value is percent-decoded before it is matched.
    var decoded: Bool { field.lowercased().hasSuffix(Self.decodedSuffix) }

    /// `text` with `+` as space and `%XX` escapes decoded, up to three rounds (double encoding);
    /// a malformed escape stays as written.
    static func percentDecoded(_ text: String) -> String {
        var current = Array(text.utf8)
        for round in 0..<3 {
            guard current.contains(0x25) || (round == 0 && current.contains(0x2B)) else { break }
            var out: [UInt8] = []
            out.reserveCapacity(current.count)
            var index = 0
            while index < current.count {
                let byte = current[index]
                if byte == 0x25, index + 2 < current.count, let high = hexValue(current[index + 1]), let low = hexValue(current[index + 2]) {
                    out.append(high << 4 | low)
                    index += 3
                    continue
                }
                out.append(round == 0 && byte == 0x2B ? 0x20 : byte)
                index += 1
            }
            if out == current { break }
            current = out
        }
        return String(decoding: current, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}

/// A compiled regular expression that can be shared across threads (it is immutable).
struct RegexBox: @unchecked Sendable {
    let regex: NSRegularExpression
}

/// Loads and validates log rules, naming the file, line and key of every problem.
public enum LogRuleLoader {
    static let allowedKeys: Set<String> = ["version", "id", "title", "description", "families", "needles", "where", "unless",
                                           "verdicts", "severity", "cves", "assesses", "attack", "explanation", "pivots", "samples"]
    static let knownFamilies: Set<String> = ["iis", "iis-frontend", "iis-backend", "httpproxy", "ecp-server", "ecp-activity",
                                             "oab-generator", "rps-http", "rps-cmdlet", "local-cmdlet", "httperr"]

    /// Every `*.yaml` under `directory`, sorted by file name; a missing folder is an error.
    public static func load(directory: String) throws -> [LogRule] {
        try RuleFiles.load(directory: directory, kind: "log", allowedKeys: allowedKeys, build: build)
    }

    /// One rule file's text; throws one error listing every problem.
    public static func parse(_ text: String, file: String) throws -> LogRule {
        try RuleFiles.parse(text, file: file, kind: "log", allowedKeys: allowedKeys, build: build)
    }

    /// Reads every key, recording every problem; nil when any is wrong.
    static func build(_ document: DataDocument) -> LogRule? {
        let id = document.string("id"), title = document.string("title"), description = document.string("description")
        var families: [String] = []
        for item in document.items("families", nonEmpty: true) {
            guard let family = item.text(trim: true) else { continue }
            if !knownFamilies.contains(family) && !family.hasPrefix("httpproxy/") {
                item.problem("unknown family '\(family)' (known: \(knownFamilies.sorted().joined(separator: ", ")), httpproxy/<protocol>)")
            }
            families.append(family)
        }
        let needles = document.strings("needles", nonEmpty: true).map { $0.lowercased() }
        let conditions = parseConditions(document.required("where", hint: "field: pattern or [patterns]"))
        if let conditions, conditions.isEmpty { document.problem("where", "needs at least one condition") }
        let exclusions = parseConditions(document["unless"])
        let tiers = document.tiers(parseConditions)?.map { LogRule.Tier(verdict: $0.0, conditions: $0.1) }
        let severity = document.severity()
        let cves = document.strings("cves", required: false)
        let assesses = RuleFiles.assessedCVEs(document)
        let attack = document.strings("attack")
        let explanation = document.string("explanation")
        let pivots = document.pivots()
        let samples = parseSamples(document.mapping("samples", allowed: ["fields", "positive", "negative"]))
        guard let id, let title, let description, let conditions, let exclusions, let tiers, let severity, let explanation,
              let samples else { return nil }
        return LogRule(id: id, title: title, description: description, families: families, needles: needles,
                       conditions: conditions, exclusions: exclusions, tiers: tiers, severity: severity, cves: cves,
                       attack: attack, explanation: explanation, pivots: pivots, samples: samples, file: document.file,
                       assesses: assesses)
    }

    /// `samples`: `fields` (the `#Fields:` header), positive `{line, verdict}` items, negative lines.
    static func parseSamples(_ samples: DataDocument?) -> LogRule.Sample? {
        guard let samples else { return nil }
        let fields = samples.string("fields")
        var positive: [(line: String, verdict: Verdict)] = []
        for item in samples.mappings("positive", allowed: ["line", "verdict"], nonEmpty: true) {
            if let line = item.string("line", trim: false), let verdict = item.value("verdict", as: Verdict.self) {
                positive.append((line, verdict))
            }
        }
        let negative = samples.strings("negative", nonEmpty: true)
        guard let fields else { return nil }
        return LogRule.Sample(fields: fields, positive: positive, negative: negative)
    }

    /// A mapping of field name → a regular expression or a list of them; nil when the node is
    /// wrong, empty when there is none.
    static func parseConditions(_ value: DataValue?) -> [LogRule.Condition]? {
        guard let value else { return [] }
        guard let mapping = value.mapping(allowed: nil) else { return nil }
        var out: [LogRule.Condition] = []
        var complete = true
        for field in mapping.keys {
            guard let patternValue = mapping[field] else { continue }
            let patterns: [String]
            if case .scalar = patternValue.node {
                patterns = patternValue.text().map { [$0] } ?? []
            } else {
                patterns = patternValue.texts(nonEmpty: true) ?? []
            }
            guard !patterns.isEmpty else {
                complete = false
                continue
            }
            var compiled: [RegexBox] = []
            for pattern in patterns {
                do {
                    compiled.append(RegexBox(regex: try NSRegularExpression(pattern: pattern, options: [.caseInsensitive])))
                } catch {
                    patternValue.problem("'\(pattern)' is not a valid regular expression")
                    complete = false
                }
            }
            out.append(.init(field: field, patterns: patterns, compiled: compiled))
        }
        return complete ? out.sorted { $0.field < $1.field } : nil
    }
}
