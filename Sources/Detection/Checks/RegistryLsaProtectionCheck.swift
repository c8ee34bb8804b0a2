import ExTriageCore
import WindowsRegistry

/// LSA protection explicitly switched off: `Control\Lsa` `RunAsPPL` = 0 in the SYSTEM hive. A
/// missing value is Windows Server's default and stays quiet; a value of 0 was written by someone
/// (or a tool) so that LSASS can be read: `attempt`, configuration only. References: MITRE
/// T1562.001, T1003.001; Microsoft "Configuring additional LSA protection".
struct RegistryLsaProtectionCheck: HiveInspection {
    let id: CheckID = "HOST-REG-RUNASPPL"
    let title = "LSA protection (RunAsPPL) explicitly disabled"
    let input = CheckInput.memberContent(HiveKind.selector([.system]))

    func inspect(_ hive: RegistryHive, kind: HiveKind, content: MemberContent, into matches: inout EventMatches) {
        guard let set = hive.controlSets().first, let key = set.subkey("Control")?.subkey("Lsa"),
              let value = key.value("RunAsPPL"), value.integer == 0 else { return }
        matches.add(.attempt, HiveReading.evidence(content, kind: kind, key: key, values: [("RunAsPPL", "0")]))
    }

    func finish(_ state: inout HiveFindings, in context: FinishContext) -> CheckOutput {
        CheckOutput(findings: state.matches.findings(checkId: id, title: title, severity: .medium, attack: ["T1562.001", "T1003.001"],
                                                     category: FindingCategory.credentialAccess,
                                                     explanation: "RunAsPPL=0 is written on purpose (a missing value is the default): LSASS runs "
                                                         + "unprotected so any administrator process can read its memory. Configuration only; look "
                                                         + "for a dump or a dumping tool around the key's last-written time."),
                    coverage: state.reading.coverage("SYSTEM hive"))
    }
}
