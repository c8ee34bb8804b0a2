import ExTriageCore
import WindowsRegistry

/// Posture from the registry: whether Exchange's AMSI integration has a scanner to hand requests
/// to, and whether the Emergency Mitigation service may run.
/// - SOFTWARE `Microsoft\AMSI\Providers`: Microsoft Defender registers itself there as
///   `{2781761E-28E0-4109-99FE-B9D127C57AFE}`; without it (and without another provider) AMSI
///   scans nothing, so Exchange's request filtering blocks nothing;
/// - SYSTEM `Services\MSExchangeMitigation` `Start=4` (disabled): Microsoft's emergency URL-rewrite
///   mitigations are never applied (the service exists from the September 2021 CUs on; its
///   absence is not reported).
/// Always `informational`: posture, never proof; the cmdlets that switch these off are
/// EXT-PROTECTION-OFF's. The key's last-written time dates the change. References: Microsoft,
/// "Exchange Server AMSI integration", "Exchange Emergency Mitigation (EM) service";
/// learn.microsoft.com "IAntimalwareProvider" (provider registration under AMSI\Providers).
struct ProtectionPostureCheck: Check {
    let id: CheckID = "EXT-POSTURE-PROTECTIONS"
    let title = "AMSI provider and Emergency Mitigation service (posture, registry)"
    let input = CheckInput.memberContent(HiveKind.selector([.system, .software]))
    /// Microsoft Defender's AMSI provider CLSID.
    static let defenderProvider = "{2781761E-28E0-4109-99FE-B9D127C57AFE}"

    struct State {
        var reading = HiveReading()
        var amsi: [Evidence] = []
        var mitigation: [Evidence] = []
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .content(let content) = observation else { return }
        var amsi = state.amsi, mitigation = state.mitigation
        state.reading.read(content) { hive, kind in
            switch kind {
            case .software:
                if let evidence = Self.missingDefenderProvider(hive, content: content) { amsi.append(evidence) }
            case .system:
                if let evidence = Self.mitigationDisabled(hive, content: content) { mitigation.append(evidence) }
            default:
                return
            }
        }
        state.amsi = amsi
        state.mitigation = mitigation
    }

    /// Evidence when the SOFTWARE hive registers no Defender AMSI provider, naming the others.
    static func missingDefenderProvider(_ hive: RegistryHive, content: MemberContent) -> Evidence? {
        guard let microsoft = hive.key("Microsoft") else { return nil }
        let providers = microsoft.subkey("AMSI")?.subkey("Providers")
        let names = providers?.subkeys().map(\.name) ?? []
        guard !names.contains(where: { $0.uppercased() == defenderProvider }) else { return nil }
        let key = providers ?? microsoft
        let shown = names.isEmpty ? "none" : names.prefix(10).joined(separator: ", ")
        return HiveReading.evidence(content, kind: .software, key: key, values: [("Providers", shown)],
                                    details: providers == nil ? ["Missing": "Microsoft\\AMSI\\Providers"] : [:])
    }

    /// Evidence when a control set marks the MSExchangeMitigation service disabled (`Start=4`).
    static func mitigationDisabled(_ hive: RegistryHive, content: MemberContent) -> Evidence? {
        for set in hive.controlSets() {
            guard let service = set.subkey("Services")?.subkey("MSExchangeMitigation") else { continue }
            guard let start = service.value("Start")?.integer else { return nil }
            return start == 4 ? HiveReading.evidence(content, kind: .system, key: service, values: [("Start", "4 (disabled)")]) : nil
        }
        return nil
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        var findings: [Finding] = []
        if !state.amsi.isEmpty {
            findings.append(Finding(
                checkId: id, title: "No Microsoft Defender AMSI provider registered", severity: .info, verdict: .informational, attack: ["T1562.001"],
                evidence: state.amsi,
                explanation: "Exchange's AMSI integration hands request bodies to the AMSI providers under HKLM\\SOFTWARE\\Microsoft\\AMSI\\Providers; "
                    + "Defender's (\(Self.defenderProvider)) is not there, so unless the listed provider is another antimalware product, "
                    + "Exchange's request filtering blocks nothing. The key's last-written time dates the last change"))
        }
        if !state.mitigation.isEmpty {
            findings.append(Finding(
                checkId: id, title: "Exchange Emergency Mitigation service disabled", severity: .info, verdict: .informational, attack: ["T1562.001"],
                evidence: state.mitigation,
                explanation: "MSExchangeMitigation is set to Start=4 (disabled): Microsoft's emergency URL-rewrite mitigations (such as the "
                    + "ProxyNotShell one) were not applied automatically; the key's last-written time dates the change"))
        }
        return CheckOutput(findings: findings, coverage: state.reading.coverage("SYSTEM or SOFTWARE hive"))
    }
}
