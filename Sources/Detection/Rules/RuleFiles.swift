import ExTriageCore
import Foundation
import Yams

/// What every kind of YAML rule file shares: a folder loaded in name order with every problem
/// reported at once (file and key named), unique ids, and a top-level mapping of allowed keys.
enum RuleFiles {
    /// A problem in one rule file, at `key` when known.
    struct Problem: Error {
        var key: String?
        var message: String
    }

    /// Every `*.yaml` under `directory`, sorted by file name; `kind` names the rules in messages
    /// (`log`, `event`).
    static func load<Rule>(directory: String, kind: String, id: (Rule) -> String,
                           parse: (_ text: String, _ file: String) throws -> Rule) throws -> [Rule] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory))?.filter { $0.hasSuffix(".yaml") }.sorted() ?? []
        var rules: [Rule] = []
        var problems: [String] = []
        for name in files {
            let file = directory + "/" + name
            do {
                guard let data = FileManager.default.contents(atPath: file) else { throw Problem(key: nil, message: "cannot be read") }
                rules.append(try parse(String(decoding: data, as: UTF8.self), file))
            } catch let problem as Problem {
                problems.append("\(file): \(problem.key.map { "key '\($0)': " } ?? "")\(problem.message)")
            }
        }
        let ids = rules.map(id)
        for duplicate in Set(ids) where ids.filter({ $0 == duplicate }).count > 1 {
            problems.append("\(kind) rule id \(duplicate) is used twice")
        }
        guard problems.isEmpty else {
            throw ExTriageError(.invalidProfile, "invalid \(kind) rules:\n  " + problems.joined(separator: "\n  "))
        }
        return rules
    }
}

/// A rule file's top-level mapping: unknown keys rejected, typed reads that throw `RuleFiles.Problem`.
struct RuleDocument {
    let values: [String: Node]

    init(_ text: String, allowedKeys: Set<String>) throws {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch { throw RuleFiles.Problem(key: nil, message: "is not valid YAML: \(error)") }
        guard let mapping = node?.mapping else { throw RuleFiles.Problem(key: nil, message: "must be a mapping") }
        var values: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string, allowedKeys.contains(name) else {
                throw RuleFiles.Problem(key: key.string, message: "is not allowed (allowed: \(allowedKeys.sorted().joined(separator: ", ")))")
            }
            values[name] = value
        }
        self.values = values
        guard values["version"]?.int == 1 else { throw RuleFiles.Problem(key: "version", message: "must be 1") }
    }

    subscript(key: String) -> Node? { values[key] }

    /// Required, non-empty text.
    func string(_ key: String) throws -> String {
        guard let value = values[key]?.string, !value.isEmpty else { throw RuleFiles.Problem(key: key, message: "is required text") }
        return value
    }

    func severity() throws -> Severity {
        guard let severity = Severity(rawValue: try string("severity")) else {
            throw RuleFiles.Problem(key: "severity", message: "must be one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return severity
    }

    /// `pivots`: finding pivot name → the field it is read from.
    func pivots() -> [String: String] {
        var pivots: [String: String] = [:]
        for (key, value) in values["pivots"]?.mapping ?? [:] {
            if let name = key.string, let field = value.string { pivots[name] = field }
        }
        return pivots
    }

    /// `verdicts`: the list of `{verdict, where}` entries, each parsed with `conditions`.
    func tiers<Conditions>(_ conditions: (_ node: Node?, _ key: String) throws -> Conditions) throws -> [(Verdict, Conditions)] {
        guard let tierNodes = values["verdicts"]?.sequence, !tierNodes.isEmpty else {
            throw RuleFiles.Problem(key: "verdicts", message: "is required: a list of {verdict, where}")
        }
        return try tierNodes.map { tier in
            guard let verdictText = tier["verdict"]?.string, let verdict = Verdict(rawValue: verdictText) else {
                throw RuleFiles.Problem(key: "verdicts", message: "each entry needs verdict: confirmed, likely, attempt or informational")
            }
            return (verdict, try conditions(tier["where"], "verdicts.where"))
        }
    }
}
