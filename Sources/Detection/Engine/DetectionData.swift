import ExTriageCore
import Sigma

/// Everything detection reads from the `Profiles` folder, loaded once per run and shared by
/// every bundle: the YAML log and event rules, the Exchange build table, the web-shell
/// locations and the compiled YARA rules with their scan limits.
public struct DetectionData: Sendable {
    /// The folder it was loaded from.
    public var profiles: String
    public var logRules: [LogRule]
    /// Built-in Sigma rules (one check per extriage id) and the packs given with `--sigma`.
    public var sigma: SigmaLibrary
    public var builds: BuildTable
    public var webShells: WebShellScanOptions
    public var timeStomping: TimeStompRules
    /// What the registry checks count as suspicious and as Windows' own (`rules/host-registry.yaml`).
    public var registry: RegistryRules
    /// Which executed programs the prefetch check reports (`rules/host-execution.yaml`).
    public var execution: ExecutionRules
    /// What the scheduled-task check counts as suspicious in a task's actions (`rules/host-tasks.yaml`).
    public var tasks: TaskRules
    /// Which programs' network usage the SRUM check reports, and from how many bytes (`rules/host-srum.yaml`).
    public var srum: SrumRules
    /// Which short-lived files the USN journal check reports (`rules/deleted-traces.yaml`).
    public var deletedTraces: DeletedTraceRules
    /// What Microsoft ships at the Exchange and IIS extension points (agents, modules, handlers).
    public var extensionPoints: ExtensionPoints
    /// Things the user should know that did not stop the load (a rule pack that did not compile
    /// and was skipped, a rule folder without rules).
    public var warnings: [String]

    /// How web files are scanned: extra YARA packs and limits (`analyze --rules`, `--scan-*`).
    public struct YaraRequest: Sendable {
        /// Folders searched recursively for `.yar`/`.yara` files.
        public var externalFolders: [String] = []
        public var includeBuiltin = true
        /// Stop when an external file does not compile, instead of skipping it.
        public var strict = false
        public var sizeCap = WebShellScanOptions.defaultSizeCap
        public var timeoutSeconds = WebShellScanOptions.defaultTimeoutSeconds

        public init() {}
    }

    /// Loads the data under `profiles`, or the built-in folder (`DataDirectory.locateProfiles`).
    /// Every problem is an `ExTriageError` naming the file; a missing folder is one too.
    public static func load(profiles: String? = nil, yara: YaraRequest = YaraRequest(),
                            sigma: SigmaLibrary.PackRequest = SigmaLibrary.PackRequest()) throws -> DetectionData {
        let folder = try profiles ?? locateProfiles()
        let locations = try WebShellLocationList.load(file: folder + "/rules/webshell-locations.yaml")
        var warnings: [String] = []
        let builtin = yara.includeBuiltin ? try WebShellScanOptions.builtinRuleFiles(profiles: folder) : []
        var external: [String] = []
        for directory in yara.externalFolders {
            let files = try YaraRules.ruleFiles(in: directory)
            if files.isEmpty { warnings.append("no .yar or .yara file under \(EscapedText.display(directory))") }
            external += files
        }
        let compiled = try YaraRules.compile(builtin: builtin, external: external, strict: yara.strict)
        for problem in compiled.skipped {
            warnings.append("YARA rule file skipped (use --strict-rules to stop instead): \(EscapedText.display(problem.description))")
        }
        return DetectionData(
            profiles: folder,
            logRules: try LogRuleLoader.load(directory: folder + "/rules/logs"),
            sigma: try SigmaLibrary.load(profiles: folder, logsources: try SigmaLogsourceMap.load(path: folder + "/rules/sigma-logsources.yaml"),
                                         request: sigma),
            builds: try BuildTable.load(file: folder + "/rules/exchange-builds.yaml"),
            webShells: WebShellScanOptions(rules: compiled, locations: locations, sizeCap: yara.sizeCap, timeoutSeconds: yara.timeoutSeconds),
            timeStomping: try TimeStompRules.load(file: folder + "/rules/timestomp.yaml"),
            registry: try RegistryRules.load(file: folder + "/rules/host-registry.yaml"),
            execution: try ExecutionRules.load(file: folder + "/rules/host-execution.yaml"),
            tasks: try TaskRules.load(file: folder + "/rules/host-tasks.yaml"),
            srum: try SrumRules.load(file: folder + "/rules/host-srum.yaml"),
            deletedTraces: try DeletedTraceRules.load(file: folder + "/rules/deleted-traces.yaml", locations: locations),
            extensionPoints: try ExtensionPoints.load(file: folder + "/rules/extension-points.yaml"),
            warnings: warnings)
    }

    /// The one place detection looks for its data folder.
    public static func locateProfiles() throws -> String {
        guard let folder = DataDirectory.locateProfiles() else {
            throw ExTriageError(.invalidProfile, "cannot find the Profiles directory with the detection rules; set EXTRIAGE_PROFILES to it")
        }
        return folder
    }

    /// Every check of this data, in report order (`CheckRegistry`).
    public var checks: [any Check] { CheckRegistry.checks(self) }
}
