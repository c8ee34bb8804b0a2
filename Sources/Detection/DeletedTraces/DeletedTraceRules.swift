import DataDocuments
import ExTriageCore

/// What HOST-USN-DELETED reports: data from `Profiles/rules/deleted-traces.yaml`, with the web
/// folders and script extensions of `webshell-locations.yaml`. Folders are lower-cased path
/// fragments matched anywhere in a (possibly partial) path: ending in `/`, a folder; without, the
/// start of a folder name (`appcrash_`).
public struct DeletedTraceRules: Sendable {
    public var maxLifetimeSeconds: Int64
    public var dumpExtensions: Set<String>
    public var archiveExtensions: Set<String>
    public var stagingFolders: [String]
    public var quietFolders: [String]
    /// Filled from the web-shell locations by `with(locations:)`.
    public var webFolders: [String] = []
    public var scriptExtensions: Set<String> = []

    static let allowedKeys: Set<String> = ["version", "maxLifetimeMinutes", "dumpExtensions", "archiveExtensions", "stagingFolders",
                                           "quietFolders"]

    /// Loads and checks the file; throws one error listing every problem (file, line, key).
    public static func load(file: String, locations: WebShellLocationList) throws -> DeletedTraceRules {
        try DataDocument.load(file: file, allowedKeys: allowedKeys, versions: [1], build: build)
            .value(or: "invalid deleted-trace rules").with(locations: locations)
    }

    static func build(_ document: DataDocument) -> DeletedTraceRules? {
        let minutes = document.int("maxLifetimeMinutes", in: 1...525_600)
        let lower = { (key: String) in document.strings(key, nonEmpty: true).map { $0.lowercased() } }
        let dumps = lower("dumpExtensions"), archives = lower("archiveExtensions")
        let staging = lower("stagingFolders"), quiet = lower("quietFolders")
        for folder in staging where !folder.hasSuffix("/") { document.problem("stagingFolders", "'\(folder)' must end with '/'") }
        guard let minutes else { return nil }
        return DeletedTraceRules(maxLifetimeSeconds: Int64(minutes) * 60, dumpExtensions: Set(dumps), archiveExtensions: Set(archives),
                                 stagingFolders: staging, quietFolders: quiet)
    }

    /// Takes the web roots (a leading `%Placeholder%/` dropped, so the rest matches anywhere) and
    /// script extensions of the web-shell locations; roots that are quiet folders are left out.
    func with(locations: WebShellLocationList) -> DeletedTraceRules {
        var rules = self
        rules.scriptExtensions = locations.scriptExtensions
        rules.webFolders = locations.webRoots.map { root in
            let lowered = root.lowercased()
            guard lowered.hasPrefix("%"), let slash = lowered.firstIndex(of: "/") else { return lowered }
            return String(lowered[slash...])
        }.filter { root in !quietFolders.contains { $0.hasSuffix(root) || root.hasSuffix($0) } }
        return rules
    }

    /// Whether a folder list matches `path` (lower-cased, `/`-separated, possibly starting with `…/`).
    static func contains(_ folders: [String], _ path: String) -> Bool {
        let padded = "/" + path
        return folders.contains { folder in padded.contains(folder.hasPrefix("/") ? folder : "/" + folder) }
    }
}
