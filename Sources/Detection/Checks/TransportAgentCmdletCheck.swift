import ExTriageCore

/// Transport agents installed, enabled or reprioritised through Exchange's cmdlets, from the
/// `Rps_Cmdlet` and `LocalPowerShell` cmdlet logs (`Install-TransportAgent -Name -TransportAgentFactory
/// -AssemblyPath`, `Enable-TransportAgent`, `Set-TransportAgent -Priority`, `Uninstall-TransportAgent`).
///
/// The installation is judged as `agents.config` is (HOST-TRANSPORT-AGENT, the same lists in
/// `Profiles/rules/extension-points.yaml`): Microsoft's own installs (`Install-AntiSpamAgents.ps1`,
/// setup and CUs: a Microsoft agent name, an Exchange factory, an assembly under
/// `TransportRoles\agents\`) stay quiet; an agent whose assembly is in a writable, temporary or
/// web-served folder, on a share or in an odd folder, or Microsoft's name over a foreign factory
/// or place, is `likely` (`attempt` when the cmdlet failed); a vendor's agent under Program Files is
/// `informational`. Enabling, reprioritising or removing that agent is listed as its evidence;
/// those steps on a foreign agent whose installation the logs do not hold are `informational`.
/// References: EXCHANGE-ARTIFACTS.md §1.3; MITRE T1505.002; Microsoft, "Install-TransportAgent";
/// ESET, "LightNeuron" (2019).
struct TransportAgentCmdletCheck: Check {
    let id: CheckID = "EXT-TRANSPORT-AGENT-CMDLET"
    let title = "Transport agent installed or enabled by cmdlet (cmdlet logs)"
    let input = CheckInput.logRecords(LogSelector(needles: ["transportagent"], families: MailboxExportCheck.reads))
    let points: ExtensionPoints

    /// One agent's cmdlets, by lower-cased agent name.
    struct Agent {
        var name: String
        var installs: [(factory: String, path: String, succeeded: Bool)] = []
        var steps = EvidenceList(cap: 100)
        var installEvidence = EvidenceList(cap: 100)
    }

    struct State {
        var agents: [String: Agent] = [:]
        var order: [String] = []
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .logRecord(let record, _, let member) = observation else { return }
        let cmdlet = (record.value("Cmdlet") ?? "").lowercased()
        guard ["install-transportagent", "enable-transportagent", "set-transportagent", "uninstall-transportagent", "disable-transportagent"]
            .contains(cmdlet) else { return }
        let parameters = record.value("Parameters") ?? ""
        guard let name = MailboxExportCheck.argument("-Name", in: parameters) ?? MailboxExportCheck.argument("-Identity", in: parameters)
        else { return }
        let key = name.lowercased()
        if state.agents[key] == nil {
            guard state.agents.count < 200 else { return }
            state.agents[key] = Agent(name: name)
            state.order.append(key)
        }
        let evidence = member.evidence(record)
        if cmdlet == "install-transportagent" {
            let succeeded = (record.value("ExecutionResult") ?? "Success").lowercased().hasPrefix("success")
            let factory = MailboxExportCheck.argument("-TransportAgentFactory", in: parameters) ?? ""
            let path = MailboxExportCheck.argument("-AssemblyPath", in: parameters) ?? ""
            if (state.agents[key]?.installs.count ?? 0) < 20 { state.agents[key]?.installs.append((factory, path, succeeded)) }
            state.agents[key]?.installEvidence.append(evidence)
        } else {
            state.agents[key]?.steps.append(evidence)
        }
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        let exchange = context.facts.exchangeInstallPath?.lowercased()
        let findings = state.order.compactMap { key -> Finding? in
            guard let agent = state.agents[key] else { return nil }
            return finding(agent, exchange: exchange)
        }
        return CheckOutput(findings: findings)
    }

    func finding(_ agent: Agent, exchange: String?) -> Finding? {
        let knownName = points.transportAgents.contains(agent.name.lowercased())
        var evidence = agent.installEvidence
        for item in agent.steps.items { evidence.append(item) }
        guard !agent.installs.isEmpty else {
            // Enabled, reprioritised or removed only: Microsoft's agents are administered routinely.
            guard !knownName else { return nil }
            return Finding(checkId: id, title: "Transport agent enabled or changed by cmdlet: \(agent.name)", severity: .info, verdict: .informational,
                           attack: ["T1505.002"], evidence: [],
                           explanation: "an agent Microsoft does not ship was enabled, reprioritised or removed, and these logs do not hold its "
                               + "installation; compare with agents.config (HOST-TRANSPORT-AGENT) and Get-TransportAgent",
                           category: FindingCategory.exchange).listing(evidence)
        }
        var worst: (verdict: Verdict, why: String, path: String, factory: String)?
        for install in agent.installs {
            guard let judged = judge(name: agent.name, knownName: knownName, factory: install.factory, configured: install.path, exchange: exchange)
            else { continue }
            let verdict = judged.verdict == .likely && !install.succeeded ? Verdict.attempt : judged.verdict
            let why = judged.why + (install.succeeded ? "" : " (the cmdlet failed)")
            if worst.map({ verdict > $0.verdict }) ?? true { worst = (verdict, why, install.path, install.factory) }
        }
        guard let worst else { return nil }
        return Finding(checkId: id, title: "Transport agent installed by cmdlet: \(agent.name)", severity: worst.verdict.persistenceSeverity,
                       verdict: worst.verdict, attack: ["T1505.002"], evidence: [],
                       explanation: worst.why + ". Install-TransportAgent registered it in agents.config; a transport agent reads and can alter "
                           + "or copy every message. Check who ran it (AuthenticatedUser), collect the DLL (" + worst.path + ") and its signature",
                       category: FindingCategory.exchange).listing(evidence)
    }

    /// The tier and reason for one installation, or nil for Microsoft's own.
    func judge(name: String, knownName: Bool, factory: String, configured: String, exchange: String?) -> (verdict: Verdict, why: String)? {
        let path = ExtensionPoints.volumePath(configured, exchange: exchange)
        let microsoftFactory = factory.hasPrefix("Microsoft.Exchange.")
        let inAgentFolder = exchange.map { path.hasPrefix($0 + "/" + points.transportAgentFolder) }
            ?? path.contains("/" + points.transportAgentFolder)
        if knownName && microsoftFactory && inAgentFolder { return nil }
        let place = inAgentFolder ? ExtensionPoints.Place.exchange : points.place(of: path, exchange: exchange, microsoftFolders: [])
        if configured.isEmpty {
            return (.informational, "an agent Microsoft does not ship was installed, its assembly path not in the logged parameters")
        }
        if knownName {
            return (.likely, "the name of a Microsoft agent over " + (microsoftFactory ? "an assembly in \(place.rawValue)" : "a factory that is not Exchange's (\(factory))"))
        }
        if [ExtensionPoints.Place.unusual, .unc, .elsewhere].contains(place) {
            return (.likely, "an agent Microsoft does not ship, loading its assembly from \(place.rawValue)")
        }
        return (.informational, "a third-party agent installed in \(place.rawValue): confirm with the mail administrators that the product is theirs")
    }
}
