import ExTriageCore

/// Transport agents in Exchange's `agents.config` (`<agentList><agent name= classFactory=
/// baseType= assemblyPath=>`) that Microsoft does not ship, or whose assembly is not where
/// Exchange keeps its own (`TransportRoles\agents\`): a transport agent sees, changes and copies
/// every message, and is how LightNeuron-style backdoors persist. A Microsoft agent name or a
/// foreign agent loading from a writable, temporary or web-served folder (or a share), or
/// Microsoft's name over a foreign type or place, is `likely`; a foreign agent installed under
/// Program Files is `informational` (mail-hygiene and signature products install agents too).
/// References: EXCHANGE-ARTIFACTS.md §1.3; MITRE T1505.002; ESET, "LightNeuron" (2019).
struct TransportAgentCheck: Check {
    let id: CheckID = "HOST-TRANSPORT-AGENT"
    let title = "Transport agents Microsoft does not ship (agents.config)"
    static let headLimit = 4 << 20
    let input = CheckInput.memberContent(MemberSelector(limit: TransportAgentCheck.headLimit) { member in
        let path = member.sourcePath.lowercased()
        return path.hasSuffix("agents.config") && path.contains("transportroles/")
    })
    let points: ExtensionPoints

    func makeState() -> ConfigEntries { ConfigEntries() }

    func observe(_ observation: Observation, into state: inout ConfigEntries) {
        guard case .content(let content) = observation else { return }
        state.read(content) { $0.name == "agent" && $0.isInside("agentlist") }
    }

    func finish(_ state: inout ConfigEntries, in context: FinishContext) -> CheckOutput {
        let exchange = context.facts.exchangeInstallPath?.lowercased()
        let findings = state.kept.compactMap { kept -> Finding? in
            let agent = kept.element
            let name = agent["name"] ?? ""
            let type = agent["classfactory"] ?? agent["basetype"] ?? ""
            let path = ExtensionPoints.volumePath(agent["assemblypath"] ?? "", exchange: exchange)
            let knownName = points.transportAgents.contains(name.lowercased())
            let microsoftType = type.hasPrefix("Microsoft.Exchange.")
            let inAgentFolder = exchange.map { path.hasPrefix($0 + "/" + points.transportAgentFolder) } ?? path.contains("/" + points.transportAgentFolder)
            guard !(knownName && microsoftType && inAgentFolder) else { return nil }
            let place = inAgentFolder ? ExtensionPoints.Place.exchange : points.place(of: path, exchange: exchange, microsoftFolders: [])
            let verdict: Verdict
            let why: String
            if knownName {
                verdict = .likely
                why = "the name of a Microsoft agent over " + (microsoftType ? "an assembly outside TransportRoles\\agents\\ (\(place.rawValue))"
                                                                      : "a type that is not Exchange's (\(type))") + ": a masquerading agent"
            } else if [ExtensionPoints.Place.unusual, .unc, .elsewhere].contains(place) {
                verdict = .likely
                why = "an agent Microsoft does not ship, loading its assembly from \(place.rawValue)"
            } else if microsoftType && inAgentFolder {
                verdict = .informational
                why = "an agent name not in Microsoft's list, with an Exchange type in Exchange's agent folder: probably an Exchange agent the list lacks; confirm with Get-TransportAgent"
            } else {
                verdict = .informational
                why = "a third-party agent installed in \(place.rawValue): confirm with the mail administrators that the product is theirs (Get-TransportAgent, the DLL's signature)"
            }
            let details = ["name": name, "classFactory": type, "assemblyPath": agent["assemblypath"] ?? "", "enabled": agent["enabled"] ?? "",
                           "place": place.rawValue]
            return Finding(checkId: id, title: "Transport agent: \(name.isEmpty ? "(unnamed)" : name)", severity: verdict.persistenceSeverity, verdict: verdict,
                           attack: ["T1505.002"], evidence: [ConfigEntries.evidence(kept, facts: context.facts, details: details)],
                           explanation: why + ". A transport agent reads and can alter or copy every message the server handles; "
                               + "collect its DLL and check its signature and install time", category: FindingCategory.exchange)
        }
        return CheckOutput(findings: findings, coverage: state.coverage(of: "agents.config", limit: Self.headLimit))
    }
}
