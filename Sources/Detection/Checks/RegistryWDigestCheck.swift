import ExTriageCore
import WindowsRegistry

/// WDigest told to keep clear-text passwords in LSASS memory: `SecurityProviders\WDigest`
/// `UseLogonCredential` = 1 in the SYSTEM hive, what intruders set before dumping LSASS on Windows
/// 8.1/2012 R2 and later (off by default there): `likely`. Evidence: the key, the value and the
/// key's last-written time. References: MITRE T1003.001, T1112; Microsoft KB2871997.
struct RegistryWDigestCheck: HiveInspection {
    let id: CheckID = "HOST-REG-WDIGEST"
    let title = "WDigest set to keep clear-text passwords in LSASS (UseLogonCredential=1)"
    let input = CheckInput.memberContent(HiveKind.selector([.system]))

    func inspect(_ hive: RegistryHive, kind: HiveKind, content: MemberContent, into matches: inout EventMatches) {
        // The current control set first; one finding per hive.
        for set in hive.controlSets() {
            guard let key = set.subkey("Control")?.subkey("SecurityProviders")?.subkey("WDigest"),
                  let value = key.value("UseLogonCredential"), let number = value.integer, number != 0 else { continue }
            matches.add(.likely, HiveReading.evidence(content, kind: kind, key: key, values: [("UseLogonCredential", String(number))]))
            break
        }
    }

    func finish(_ state: inout HiveFindings, in context: FinishContext) -> CheckOutput {
        CheckOutput(findings: state.matches.findings(checkId: id, title: title, severity: .high, attack: ["T1003.001", "T1112"],
                                                     category: FindingCategory.credentialAccess,
                                                     explanation: "UseLogonCredential=1 makes WDigest keep every later logon's password in clear text "
                                                         + "in LSASS memory, off by default since Windows 8.1/2012 R2: set to harvest passwords with a "
                                                         + "later LSASS dump. The key's last-written time dates the change; treat passwords used since as exposed."),
                    coverage: state.reading.coverage("SYSTEM hive"))
    }
}
