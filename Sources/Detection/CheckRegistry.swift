import ExTriageCore

/// Every check extriage runs. A check file under `Checks/` that is not listed here fails a test.
public enum CheckRegistry {
    /// The Swift log checks, one per file under `Checks/`.
    static func makeSwiftChecks(builds: BuildTable) -> [any LogCheck] {
        [
            ProxyLogonSSRFCheck(),
            ECPVirtualDirectoryInjectionCheck(),
            ResetVirtualDirectoryCheck(),
            OABGeneratorWriteCheck(),
            WebShellRequestCheck(),
            BuildStatusCheck(builds: builds),
        ]
    }

    /// Swift checks plus one check per YAML rule, made fresh (checks keep per-bundle state).
    public static func makeLogChecks(rules: [LogRule], builds: BuildTable) -> [any LogCheck] {
        makeSwiftChecks(builds: builds) + rules.map { RuleCheck(rule: $0) }
    }

    /// The checks over whole members (web files, event logs, dumps), made fresh per bundle;
    /// `logChecks` are this bundle's log checks (the web-shell findings merge their request index).
    static func makeMemberChecks(options: AnalysisOptions = AnalysisOptions(), logChecks: [any LogCheck] = [],
                                 eventRules: [EventRule] = []) -> [any MemberCheck] {
        let requests = logChecks.lazy.compactMap { $0 as? WebShellRequestCheck }.first
        let webShells = WebShellScanBoard(options: options.webShells ?? WebShellScanOptions.builtin, requests: requests)
        return [
            WebShellContentCheck(board: webShells),
            WebShellLocationCheck(board: webShells),
            EventLogScan(checks: makeEventChecks(rules: eventRules)),
            MinidumpCheck(),
            StagingArchiveCheck(),
        ]
    }

    /// The Swift event-log checks, one per file under `Checks/`.
    static func makeSwiftEventChecks() -> [any EventCheck] {
        [
            LsassAccessCheck(),
            RemoteServiceInstallCheck(),
            RemoteLogonCheck(),
            WebShellProcessChainCheck(),
            ScheduledTaskCheck(),
        ]
    }

    /// Swift event checks plus one check per YAML event rule, made fresh per bundle.
    static func makeEventChecks(rules: [EventRule]) -> [any EventCheck] {
        makeSwiftEventChecks() + rules.map { EventRuleCheck(rule: $0) }
    }

    /// The YAML event rules under the built-in (or given) Profiles directory.
    public static func loadEventRules(profiles: String? = nil) throws -> [EventRule] {
        guard let directory = profiles ?? DataDirectory.locateProfiles() else {
            throw ExTriageError(.invalidProfile, "cannot find the Profiles directory with the detection rules")
        }
        return try EventRuleLoader.load(directory: directory + "/rules/events")
    }

    /// Ids of the Swift checks, for the registry test.
    public static var swiftCheckIDs: [String] { makeSwiftChecks(builds: BuildTable(fixes: [])).map(\.id) }

    /// The detection data under the built-in (or given) Profiles directory.
    public static func loadData(profiles: String? = nil) throws -> (rules: [LogRule], builds: BuildTable) {
        guard let directory = profiles ?? DataDirectory.locateProfiles() else {
            throw ExTriageError(.invalidProfile, "cannot find the Profiles directory with the detection rules")
        }
        return (try LogRuleLoader.load(directory: directory + "/rules/logs"),
                try BuildTable.load(file: directory + "/rules/exchange-builds.yaml"))
    }
}
