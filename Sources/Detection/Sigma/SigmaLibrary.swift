import ExTriageCore
import Foundation
import Sigma

/// The built-in Sigma rules (`Profiles/rules/sigma`, each with its `extriage:` block), one check
/// per rule id, and the packs given on the command line.
public struct SigmaLibrary: Sendable {
    /// The built-in rules grouped by their extriage id, in file order.
    let builtIn: [SigmaRuleCheck]
    public let pack: SigmaPack?

    /// What `analyze --sigma` asked for.
    public struct PackRequest: Sendable {
        public var folders: [String] = []
        public var minimumLevel = "medium"
        /// Files with one rule id per line (`#` comments) not to run.
        public var excludeFiles: [String] = []
        /// Stop at the first rule file that cannot be loaded instead of skipping it.
        public var strict = false

        public init() {}
    }

    /// Every built-in rule must load and carry an `extriage:` block; a pack's rules that cannot
    /// be loaded are skipped with their reason (unless `strict`).
    static func load(profiles: String, logsources: SigmaLogsourceMap, request: PackRequest) throws -> SigmaLibrary {
        let folder = profiles + "/rules/sigma"
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw ExTriageError(.invalidProfile, "the built-in Sigma rules folder is missing", path: folder)
        }
        let set = try SigmaRuleSet.load(paths: [folder], strict: true, logsources: logsources)
        var extras: [String: SigmaRuleExtras] = [:]
        for file in Set(set.rules.map(\.file)).sorted() {
            for block in try SigmaRuleExtras.load(file: file) { extras[block.sigmaID] = block }
        }
        var order: [String] = []
        var documents: [String: [SigmaRuleCheck.Document]] = [:]
        var firstExtras: [String: SigmaRuleExtras] = [:]
        for rule in set.rules.sorted(by: { ($0.file, 0) < ($1.file, 0) }) {
            guard let block = extras[rule.id] else {
                throw ExTriageError(.invalidProfile, "built-in Sigma rule \(rule.id) has no extriage: block (id, category, verdicts)", path: rule.file)
            }
            let tiers = try block.tiers.map { tier in (verdict: tier.verdict, when: try tier.when.map { try rule.subcondition($0) }) }
            if documents[block.id] == nil { order.append(block.id) }
            documents[block.id, default: []].append(SigmaRuleCheck.Document(rule: rule, tiers: tiers))
            if firstExtras[block.id] == nil || !block.positive.isEmpty { firstExtras[block.id] = block }
        }
        let checks = order.compactMap { id in firstExtras[id].map { SigmaRuleCheck(documents: documents[id] ?? [], extras: $0) } }
        return SigmaLibrary(builtIn: checks, pack: try loadPack(request, logsources: logsources))
    }

    static func loadPack(_ request: PackRequest, logsources: SigmaLogsourceMap) throws -> SigmaPack? {
        guard !request.folders.isEmpty else { return nil }
        guard SigmaPack.levels.contains(request.minimumLevel.lowercased()) else {
            throw ExTriageError(.invalidArgument, "--sigma-level takes one of \(SigmaPack.levels.joined(separator: ", "))")
        }
        var excluded: Set<String> = []
        for file in request.excludeFiles {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ExTriageError(.invalidArgument, "cannot read the Sigma exclusion list", path: file)
            }
            for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
                let id = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                if !id.isEmpty { excluded.insert(id) }
            }
        }
        let set = try SigmaRuleSet.load(paths: request.folders, strict: request.strict, logsources: logsources)
        return SigmaPack(folders: request.folders, rules: set, minimumLevel: request.minimumLevel.lowercased(), excluded: excluded)
    }
}
