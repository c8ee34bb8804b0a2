import DataDocuments
import ExTriageCore

/// Which programs HOST-PREFETCH-TOOLS reports and how sure it is: data from
/// `Profiles/rules/host-execution.yaml`. Names and folders are lower-cased.
public struct ExecutionRules: Sendable {
    /// One kind of tool: its executable names and tiers.
    public struct ToolGroup: Sendable {
        public var kind: String
        public var names: Set<String>
        /// The tier wherever it ran from; nil: only reported from a writable folder.
        public var verdict: Verdict?
        /// The tier when it ran from one of `writableFolders`.
        public var fromWritableFolder: Verdict?
        public var attack: String
        public var category: String
    }

    public var groups: [ToolGroup]
    public var rundll32DumpDlls: Set<String>
    public var writableFolders: [String]

    static let allowedKeys: Set<String> = ["version", "groups", "rundll32DumpDlls", "writableFolders"]
    static let groupKeys: Set<String> = ["kind", "names", "verdict", "fromWritableFolder", "attack", "category"]

    /// Loads and checks the file; throws one error listing every problem (file, line, key).
    public static func load(file: String) throws -> ExecutionRules {
        try DataDocument.load(file: file, allowedKeys: allowedKeys, versions: [1], build: build).value(or: "invalid execution rules")
    }

    static func build(_ document: DataDocument) -> ExecutionRules? {
        let groups = document.mappings("groups", allowed: groupKeys, nonEmpty: true).compactMap { group -> ToolGroup? in
            guard let kind = group.string("kind"), let attack = group.string("attack"), let category = group.string("category") else { return nil }
            if !FindingCategory.all.contains(category) {
                group.problem("category", "must be one of \(FindingCategory.all.sorted().joined(separator: ", "))")
            }
            let names = group.strings("names", nonEmpty: true).map { $0.lowercased() }
            guard let verdict = group.hostRuleTier("verdict", required: true) else { return nil }
            let writable = group.hostRuleTier("fromWritableFolder", required: false) ?? nil
            return ToolGroup(kind: kind, names: Set(names), verdict: verdict, fromWritableFolder: writable, attack: attack, category: category)
        }
        let dlls = document.strings("rundll32DumpDlls").map { $0.lowercased() }
        let folders = document.strings("writableFolders", nonEmpty: true).map { $0.lowercased() }
        return ExecutionRules(groups: groups, rundll32DumpDlls: Set(dlls), writableFolders: folders)
    }


    /// The group a program name belongs to.
    public func group(of executable: String) -> ToolGroup? {
        let name = executable.lowercased()
        return groups.first { $0.names.contains(name) }
    }

    /// How sure a sighting of `executable` (at `path`, when known) makes us: the tier, the tool
    /// kind, its ATT&CK id and category; nil when it is no listed tool or its group is quiet there.
    func judge(executable: String, path: String?) -> (verdict: Verdict, kind: String, attack: String, category: String)? {
        guard let group = group(of: executable) else { return nil }
        let folded = path?.lowercased().replacing("/", with: "\\")
        let writable = folded.map { path in writableFolders.contains { path.contains($0) } } ?? false
        guard let verdict = writable ? (group.fromWritableFolder ?? group.verdict) : group.verdict else { return nil }
        return (verdict, group.kind + (writable ? " in a writable folder" : ""), group.attack, group.category)
    }
}
