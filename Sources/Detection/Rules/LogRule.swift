import ExTriageCore
import Foundation
import Yams

/// A log rule that is a pure pattern match, kept as YAML data under `Profiles/rules/logs/`.
///
/// Every condition in `where` must hold (each field's value matches one of its regular
/// expressions, case-insensitive); none in `unless` may. The first `verdicts` entry whose extra
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
    /// `httpproxy/<protocol>`, `ecp-server`, `ecp-activity`, `oab-generator`, `rps-http`, `rps-cmdlet`, `httperr`).
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
                 ("rps-http", .rpsHttp), ("rps-cmdlet", .rpsCmdlet), ("httperr", .httpErr):
                return true
            default: return false
            }
        }
    }
}

extension LogRule.Condition {
    func holds(_ value: (String) -> String?) -> Bool {
        guard let text = value(field) else { return false }
        let range = NSRange(text.startIndex..., in: text)
        return compiled.contains { $0.regex.firstMatch(in: text, range: range) != nil }
    }
}

/// A compiled regular expression that can be shared across threads (it is immutable).
struct RegexBox: @unchecked Sendable {
    let regex: NSRegularExpression
}

/// Loads and validates log rules, naming the file and key of every problem.
public enum LogRuleLoader {
    static let allowedKeys: Set<String> = ["version", "id", "title", "description", "families", "needles", "where", "unless",
                                           "verdicts", "severity", "cves", "attack", "explanation", "pivots", "samples"]
    static let knownFamilies: Set<String> = ["iis", "iis-frontend", "iis-backend", "httpproxy", "ecp-server", "ecp-activity",
                                             "oab-generator", "rps-http", "rps-cmdlet", "httperr"]

    /// Every `*.yaml` under `directory`, sorted by file name.
    public static func load(directory: String) throws -> [LogRule] {
        try RuleFiles.load(directory: directory, kind: "log", id: \.id, parse: parse)
    }

    typealias RuleProblem = RuleFiles.Problem

    public static func parse(_ text: String, file: String) throws -> LogRule {
        let document = try RuleDocument(text, allowedKeys: allowedKeys)
        let values = document.values
        let string = document.string
        func list(_ key: String, required: Bool = true) throws -> [String] {
            guard let node = values[key] else {
                if required { throw RuleProblem(key: key, message: "is required (a list)") }
                return []
            }
            guard let items = node.sequence?.compactMap(\.string) else { throw RuleProblem(key: key, message: "must be a list of text") }
            return items
        }
        let families = try list("families")
        for family in families where !knownFamilies.contains(family) && !family.hasPrefix("httpproxy/") {
            throw RuleProblem(key: "families", message: "unknown family '\(family)' (known: \(knownFamilies.sorted().joined(separator: ", ")), httpproxy/<protocol>)")
        }
        let severity = try document.severity()
        let conditions = try parseConditions(values["where"], key: "where")
        guard !conditions.isEmpty else { throw RuleProblem(key: "where", message: "needs at least one condition") }
        let tiers = try document.tiers(parseConditions).map { LogRule.Tier(verdict: $0.0, conditions: $0.1) }
        let pivots = document.pivots()
        guard let sampleNode = values["samples"], let fields = sampleNode["fields"]?.string else {
            throw RuleProblem(key: "samples", message: "is required: fields, positive (line + verdict), negative")
        }
        var positive: [(String, Verdict)] = []
        for item in sampleNode["positive"]?.sequence ?? [] {
            guard let line = item["line"]?.string, let verdict = item["verdict"]?.string.flatMap(Verdict.init(rawValue:)) else {
                throw RuleProblem(key: "samples.positive", message: "each item needs line and verdict")
            }
            positive.append((line, verdict))
        }
        let negative = sampleNode["negative"]?.sequence?.compactMap(\.string) ?? []
        guard !positive.isEmpty, !negative.isEmpty else {
            throw RuleProblem(key: "samples", message: "needs at least one positive and one negative line")
        }
        let needles = try list("needles").map { $0.lowercased() }
        guard !needles.isEmpty else { throw RuleProblem(key: "needles", message: "needs at least one lower-case substring") }
        return LogRule(id: try string("id"), title: try string("title"), description: try string("description"), families: families,
                       needles: needles, conditions: conditions, exclusions: try parseConditions(values["unless"], key: "unless"),
                       tiers: tiers, severity: severity, cves: try list("cves", required: false), attack: try list("attack"),
                       explanation: try string("explanation"), pivots: pivots,
                       samples: .init(fields: fields, positive: positive, negative: negative), file: file)
    }

    static func parseConditions(_ node: Node?, key: String) throws -> [LogRule.Condition] {
        guard let node else { return [] }
        guard let mapping = node.mapping else { throw RuleProblem(key: key, message: "must map field names to patterns") }
        var out: [LogRule.Condition] = []
        for (fieldNode, value) in mapping {
            guard let field = fieldNode.string else { continue }
            let patterns = value.string.map { [$0] } ?? value.sequence?.compactMap(\.string) ?? []
            guard !patterns.isEmpty else { throw RuleProblem(key: "\(key).\(field)", message: "needs a pattern or a list of patterns") }
            let compiled = try patterns.map { pattern -> RegexBox in
                do {
                    return RegexBox(regex: try NSRegularExpression(pattern: pattern, options: [.caseInsensitive]))
                } catch {
                    throw RuleProblem(key: "\(key).\(field)", message: "'\(pattern)' is not a valid regular expression")
                }
            }
            out.append(.init(field: field, patterns: patterns, compiled: compiled))
        }
        return out.sorted { $0.field < $1.field }
    }
}
