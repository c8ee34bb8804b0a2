import ExTriageCore

/// Every check extriage runs, in the order of the report's coverage table. A check file under
/// `Checks/` that is not listed here fails a test.
public enum CheckRegistry {
    /// The Swift checks, one per file under `Checks/`, then one per YAML rule, for `data`.
    public static func checks(_ data: DetectionData) -> [any Check] {
        let logChecks: [any Check] = [
            ProxyLogonSSRFCheck(),
            ECPVirtualDirectoryInjectionCheck(),
            ResetVirtualDirectoryCheck(),
            OABGeneratorWriteCheck(),
            WebShellRequestCheck(locations: data.webShells.locations),
            BuildStatusCheck(builds: data.builds),
            MailboxExportCheck(),
            TransportAgentCmdletCheck(points: data.extensionPoints),
            ProtectionOffCmdletCheck(),
        ]
        let webShellChecks: [any Check] = [
            TimeStompCheck(locations: data.webShells.locations, rules: data.timeStomping),
            WebShellContentCheck(options: data.webShells),
            WebShellLocationCheck(locations: data.webShells.locations),
        ]
        let eventChecks: [any Check] = [
            LsassAccessCheck(),
            RemoteServiceInstallCheck(),
            RemoteLogonCheck(),
            WebShellProcessChainCheck(),
            ScheduledTaskCheck(),
            SMBCoercionCheck(),
            RDPRunDialogCheck(),
            WinRMLocalAccountCheck(),
        ]
        let onDiskChecks: [any Check] = [
            MinidumpCheck(),
            StagingArchiveCheck(),
            PowerShellHistoryCheck(),
            ExtendedProtectionCheck(),
            ProtectionPostureCheck(),
            ExSetupVersionCheck(builds: data.builds),
            AmsiBlockCheck(),
            PrefetchToolCheck(rules: data.execution),
            RegistryServiceCheck(rules: data.registry),
            RegistryWDigestCheck(),
            RegistryLsaProtectionCheck(),
            RegistryLsaPackagesCheck(rules: data.registry),
            RegistryIFEOCheck(rules: data.registry),
            RegistryRunKeyCheck(rules: data.registry),
            RegistryLocalAccountCheck(rules: data.registry),
            ShimCacheToolCheck(rules: data.execution),
            AmcacheToolCheck(rules: data.execution),
            ScheduledTaskFileCheck(rules: data.tasks),
            SrumExfilCheck(rules: data.srum),
            UsnDeletedFileCheck(rules: data.deletedTraces),
            ShadowCopyCheck(locations: data.webShells.locations),
        ]
        // Exchange and IIS extension points: configuration read from the bundle.
        let persistenceChecks: [any Check] = [
            TransportAgentCheck(points: data.extensionPoints),
            IISModuleCheck(points: data.extensionPoints),
            ExchangeWebConfigCheck(points: data.extensionPoints),
            IISLoggingDisabledCheck(),
        ]
        var packs: [any Check] = []
        if let pack = data.sigma.pack {
            packs.append(SigmaPackCheck(pack: pack))
            if SigmaWebPackCheck.applies(to: pack) { packs.append(SigmaWebPackCheck(pack: pack)) }
        }
        return logChecks + data.logRules.map(LogRuleCheck.init) + webShellChecks
            + eventChecks + data.sigma.builtIn + onDiskChecks + persistenceChecks + packs
    }

    /// The Swift checks' type names, for the registry test.
    public static func swiftCheckTypeNames(_ data: DetectionData) -> Set<String> {
        Set(checks(data).map { String(describing: type(of: $0)) }).subtracting(["LogRuleCheck", "SigmaRuleCheck", "SigmaPackCheck", "SigmaWebPackCheck"])
    }
}
