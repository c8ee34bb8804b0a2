import ExTriageCore
import Sigma

/// One rule as `extriage rules list` shows it: where it comes from and whether it runs.
public struct RuleListing: Codable, Sendable {
    /// `log`, `sigma` (built-in), `sigma-pack` (from `--sigma`), `yara-file`.
    public var kind: String
    public var id: String?
    public var title: String?
    public var level: String?
    public var file: String
    /// `loaded`, or `unsupported: <reason>` / `skipped: <reason>`.
    public var status: String
}

extension DetectionData {
    /// Every rule the data holds, built-in and from packs, with its status.
    public func ruleCatalog() -> [RuleListing] {
        var out = logRules.map { RuleListing(kind: "log", id: $0.id, title: $0.title, level: $0.severity.rawValue, file: $0.file, status: "loaded") }
        for check in sigma.builtIn {
            for document in check.documents {
                out.append(RuleListing(kind: "sigma", id: document.rule.id, title: document.rule.title, level: document.rule.level,
                                       file: document.rule.file, status: "loaded (\(check.id))"))
            }
        }
        if let pack = sigma.pack {
            let active = Set(pack.active.map(\.id))
            for item in pack.rules.describe() {
                var status = item.status.description
                if case .loaded = item.status, item.kind == .rule, let id = item.id, !active.contains(id) {
                    status = pack.excluded.contains(id) ? "loaded, excluded" : "loaded, below --sigma-level \(pack.minimumLevel)"
                }
                out.append(RuleListing(kind: "sigma-pack", id: item.id, title: item.title, level: item.level, file: item.file, status: status))
            }
        }
        for file in webShells.rules?.files ?? [] {
            out.append(RuleListing(kind: "yara-file", id: nil, title: nil, level: nil, file: file, status: "loaded"))
        }
        for problem in webShells.rules?.skipped ?? [] {
            out.append(RuleListing(kind: "yara-file", id: nil, title: nil, level: nil, file: problem.file, status: "skipped: \(problem)"))
        }
        return out
    }
}
