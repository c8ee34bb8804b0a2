import ExTriageCore
import WindowsRegistry

/// Run and RunOnce entries (SOFTWARE and every NTUSER.DAT) that start a script host with encoded
/// or downloaded code, or a program in temp, web or share folders: `likely`; a program under
/// ProgramData, Public or roaming profile folders: `attempt`. Ordinary Run entries
/// (SecurityHealth, VMware Tools, agents under Program Files) stay quiet. References: MITRE
/// T1547.001.
struct RegistryRunKeyCheck: HiveInspection {
    let id: CheckID = "HOST-REG-RUN-KEYS"
    let title = "Run/RunOnce autostart of a script or of a program in a temp, web or share folder"
    let input = CheckInput.memberContent(HiveKind.selector([.software, .user]))
    let rules: RegistryRules

    static let softwareKeys = ["Microsoft\\Windows\\CurrentVersion\\Run", "Microsoft\\Windows\\CurrentVersion\\RunOnce",
                               "Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Run", "Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\RunOnce",
                               "Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer\\Run"]
    static let userKeys = ["Software\\Microsoft\\Windows\\CurrentVersion\\Run", "Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce",
                           "Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer\\Run"]

    func inspect(_ hive: RegistryHive, kind: HiveKind, content: MemberContent, into matches: inout EventMatches) {
        for path in kind == .user ? Self.userKeys : Self.softwareKeys {
            guard let key = hive.key(path) else { continue }
            for value in key.values() {
                guard let command = value.string ?? value.strings.first else { continue }
                let normalised = RegistryRules.normalisedPath(command)
                if let marker = rules.runLikelyMarkers.first(where: normalised.contains) {
                    matches.add(.likely, HiveReading.evidence(content, kind: kind, key: key, values: [(value.name, command)],
                                                              details: ["Marker": marker]))
                } else if rules.runAttemptFolders.contains(where: normalised.contains) {
                    matches.add(.attempt, HiveReading.evidence(content, kind: kind, key: key, values: [(value.name, command)]))
                }
            }
        }
    }

    func finish(_ state: inout HiveFindings, in context: FinishContext) -> CheckOutput {
        CheckOutput(findings: state.matches.findings(checkId: id, title: title, severity: .high, attack: ["T1547.001"],
                                                     category: FindingCategory.persistence,
                                                     explanation: "A Run/RunOnce value starts this command at every boot or logon; encoded or "
                                                         + "downloaded script code, or a program in a temp, web or share folder, is how intruders "
                                                         + "persist. The key's last-written time is when its values last changed."),
                    coverage: state.reading.coverage("SOFTWARE or NTUSER.DAT hive"))
    }
}
