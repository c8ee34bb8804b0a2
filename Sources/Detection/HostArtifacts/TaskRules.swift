import DataDocuments
import ExTriageCore

/// What HOST-SCHEDULED-TASKS counts as suspicious in a task's actions and as Windows' own: data
/// from `Profiles/rules/host-tasks.yaml`. Every text is lower-cased; paths use `\`.
public struct TaskRules: Sendable {
    public var scriptMarkers: [String]
    public var shells: Set<String>
    public var webOrTempFolders: [String]
    public var writableFolders: [String]
    public var trustedPrefixes: [String]
    public var microsoftTaskFolders: [String]
    public var microsoftAuthors: [String]
    public var systemPrincipals: Set<String>
    public var recentDays: Int

    static let listKeys = ["scriptMarkers", "shells", "webOrTempFolders", "writableFolders", "trustedPrefixes", "microsoftTaskFolders",
                           "microsoftAuthors", "systemPrincipals"]
    static let allowedKeys = Set(listKeys + ["version", "recentDays"])

    /// Loads and checks the file; throws one error listing every problem (file, line, key).
    public static func load(file: String) throws -> TaskRules {
        try DataDocument.load(file: file, allowedKeys: allowedKeys, versions: [1], build: build).value(or: "invalid scheduled task rules")
    }

    static func build(_ document: DataDocument) -> TaskRules? {
        var lists: [String: [String]] = [:]
        for key in listKeys { lists[key] = document.strings(key, nonEmpty: true).map { $0.lowercased() } }
        func list(_ key: String) -> [String] { lists[key] ?? [] }
        guard let days = document.int("recentDays", in: 0...3650) else { return nil }
        return TaskRules(scriptMarkers: list("scriptMarkers"), shells: Set(list("shells")), webOrTempFolders: list("webOrTempFolders"),
                         writableFolders: list("writableFolders"), trustedPrefixes: list("trustedPrefixes"),
                         microsoftTaskFolders: list("microsoftTaskFolders"), microsoftAuthors: list("microsoftAuthors"),
                         systemPrincipals: Set(list("systemPrincipals")), recentDays: days)
    }

    /// Why one action is suspicious: the tier and what it matched, or nil.
    func judge(action: ScheduledTask.Action) -> (verdict: Verdict, reason: String)? {
        let command = RegistryRules.normalisedPath(action.command)
        let arguments = RegistryRules.normalisedPath(action.arguments)
        let program = RegistryRules.normalisedPath(RegistryRules.executable(of: action.command)).trimmingPrefix(while: { $0 == "\"" })
        let name = String(program.split(separator: "\\").last ?? "")
        let trusted = trustedPrefixes.contains { program.hasPrefix($0) }
        if shells.contains(name) {
            // Markers on the arguments as written (a `/` of `bitsadmin /transfer` or a URL kept).
            let line = " " + action.arguments.lowercased() + " "
            if let marker = scriptMarkers.first(where: { line.contains($0) }) {
                return (.likely, "\(name) with \(marker.trimmingWhitespace())")
            }
            if let folder = webOrTempFolders.first(where: { arguments.contains($0) }) {
                return (.likely, "\(name) runs a file from \(folder)")
            }
            if let folder = writableFolders.first(where: { arguments.contains($0) }), !trustedPrefixes.contains(where: { arguments.contains($0) }) {
                return (.attempt, "\(name) runs a file from \(folder)")
            }
        }
        guard !trusted else { return nil }
        if let folder = webOrTempFolders.first(where: { command.contains($0) }) { return (.likely, "program in \(folder)") }
        if let folder = writableFolders.first(where: { command.contains($0) }) { return (.attempt, "program in \(folder)") }
        return nil
    }

    /// Whether the task is Windows' or Exchange's own: under a Microsoft folder and authored by Microsoft.
    func isMicrosoft(_ task: ScheduledTask) -> Bool {
        let path = task.path.lowercased().replacing("/", with: "\\")
        let author = (task.author ?? "").lowercased()
        return microsoftTaskFolders.contains { path.contains($0) } && microsoftAuthors.contains { author.hasPrefix($0) }
    }

    /// Whether the task runs as SYSTEM.
    func runsAsSystem(_ task: ScheduledTask) -> Bool {
        [task.userId, task.groupId].contains { $0.map { systemPrincipals.contains($0.lowercased()) } ?? false }
    }
}
