import DataDocuments
import ExTriageCore
import Foundation

/// What every kind of YAML rule file shares: a folder loaded in name order through
/// `DataFolder` (every problem of every file reported at once with file, line and key; unique
/// ids; a missing folder is an error), and the readers for keys all rule kinds have.
enum RuleFiles {
    static let versions: Set<Int> = [1]

    /// `assesses`: the CVEs whose state the rule's coverage decides (`CVE-YYYY-N...`), optional.
    static func assessedCVEs(_ document: DataDocument) -> [String] {
        let cves = document.strings("assesses", required: false, allowSingle: true)
        for cve in cves where !isCVE(cve) { document.problem("assesses", "'\(cve)' is not a CVE id (CVE-2021-26855)") }
        return cves.filter(isCVE)
    }

    static func isCVE(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        return parts.count == 3 && parts[0] == "CVE" && parts[1].count == 4 && parts[2].count >= 4
            && parts.dropFirst().allSatisfy { $0.allSatisfy(\.isNumber) }
    }

    /// Every `*.yaml` in `directory`, sorted by file name; `kind` names the rules in the error
    /// (`log`, `event`). Throws one `ExTriageError` listing every problem.
    static func load<Rule>(directory: String, kind: String, allowedKeys: Set<String>,
                           build: (DataDocument) -> Rule?) throws -> [Rule] {
        let loaded: (files: [DataFile<Rule>], problems: [DataProblem])
        do {
            loaded = try DataFolder.load(directory: directory, allowedKeys: allowedKeys, versions: versions) { document, _ in
                build(document)
            }
        } catch {
            throw error.exTriageError("cannot load the \(kind) rules")
        }
        guard loaded.problems.isEmpty else {
            throw DataDocumentProblems(loaded.problems).exTriageError("invalid \(kind) rules")
        }
        return loaded.files.map(\.value)
    }

    /// One rule file's text; throws one `ExTriageError` listing every problem.
    static func parse<Rule>(_ text: String, file: String, kind: String, allowedKeys: Set<String>,
                            build: (DataDocument) -> Rule?) throws -> Rule {
        try DataDocument.parse(text: text, file: file, allowedKeys: allowedKeys, versions: versions, build: build)
            .value(or: "invalid \(kind) rule")
    }
}

extension DataDocument {
    /// `severity`: one of `Severity`'s values.
    func severity() -> Severity? {
        value("severity", as: Severity.self)
    }

    /// `pivots`: finding pivot name → the field it is read from (optional).
    func pivots() -> [String: String] {
        guard let mapping = mapping("pivots", allowed: nil, required: false) else { return [:] }
        var pivots: [String: String] = [:]
        for name in mapping.keys {
            if let field = mapping[name]?.text(trim: true) { pivots[name] = field }
        }
        return pivots
    }

    /// `verdicts`: a non-empty list of `{verdict, where}`, each `where` read with `conditions`.
    func tiers<Conditions>(_ conditions: (_ value: DataValue?) -> Conditions?) -> [(Verdict, Conditions)]? {
        var tiers: [(Verdict, Conditions)] = []
        var complete = true
        for tier in mappings("verdicts", allowed: ["verdict", "where"], nonEmpty: true) {
            let verdict = tier.value("verdict", as: Verdict.self)
            let parsed = conditions(tier["where"])
            if let verdict, let parsed { tiers.append((verdict, parsed)) } else { complete = false }
        }
        return complete && !tiers.isEmpty ? tiers : nil
    }
}
