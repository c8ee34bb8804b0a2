import ExTriageCore
import WindowsRegistry

/// Image File Execution Options abused (SOFTWARE hive): `SilentProcessExit\lsass.exe` or the
/// lsass.exe GlobalFlag 0x200 (FLG_MONITOR_SILENT_PROCESS_EXIT), the trick that makes WerFault
/// write a full LSASS dump, and a `Debugger` on lsass.exe or an accessibility binary (sticky-keys
/// backdoor): `likely`; a Debugger on another program: `informational` (developer tools set some).
/// References: MITRE T1546.012, T1003.001; Hexacorn "Silent Process Exit" write-ups.
struct RegistryIFEOCheck: HiveInspection {
    let id: CheckID = "HOST-REG-IFEO"
    let title = "Image File Execution Options: LSASS dump on exit (SilentProcessExit) or a debugger hijack"
    let input = CheckInput.memberContent(HiveKind.selector([.software]))
    let rules: RegistryRules

    static let roots = ["Microsoft\\Windows NT\\CurrentVersion", "Wow6432Node\\Microsoft\\Windows NT\\CurrentVersion"]
    static let monitorSilentProcessExit: UInt64 = 0x200

    func inspect(_ hive: RegistryHive, kind: HiveKind, content: MemberContent, into matches: inout EventMatches) {
        func add(_ verdict: Verdict, _ evidence: Evidence, image: String) {
            matches.add(verdict, evidence)
            matches.pivot("image", image)
        }
        for root in Self.roots {
            for image in hive.key(root + "\\Image File Execution Options")?.subkeys() ?? [] {
                let name = image.name.lowercased()
                if let debugger = image.value("Debugger")?.string, !debugger.isEmpty {
                    let verdict: Verdict = rules.ifeoLikelyImages.contains(name) ? .likely : .informational
                    add(verdict, HiveReading.evidence(content, kind: kind, key: image, values: [("Debugger", debugger)]), image: name)
                }
                if name == "lsass.exe", let flag = image.value("GlobalFlag")?.integer, flag & Self.monitorSilentProcessExit != 0 {
                    add(.likely, HiveReading.evidence(content, kind: kind, key: image, values: [("GlobalFlag", "0x" + String(flag, radix: 16))]),
                        image: name)
                }
            }
            for image in hive.key(root + "\\SilentProcessExit")?.subkeys() ?? [] {
                let name = image.name.lowercased()
                let values = image.values().filter { ["reportingmode", "localdumpfolder", "dumptype", "monitorprocess"].contains($0.name.lowercased()) }
                    .map { ($0.name, $0.display) }
                add(name == "lsass.exe" ? .likely : .informational, HiveReading.evidence(content, kind: kind, key: image, values: values), image: name)
            }
        }
    }

    func finish(_ state: inout HiveFindings, in context: FinishContext) -> CheckOutput {
        CheckOutput(findings: state.matches.findings(checkId: id, title: title, severity: .high, attack: ["T1546.012", "T1003.001"],
                                                     category: FindingCategory.credentialAccess,
                                                     explanation: "SilentProcessExit (or GlobalFlag 0x200) on lsass.exe makes WerFault write a full "
                                                         + "LSASS memory dump to LocalDumpFolder when LSASS is told to exit; a Debugger value runs another "
                                                         + "program in place of the named one. Look in LocalDumpFolder and for WerFault runs."),
                    coverage: state.reading.coverage("SOFTWARE hive"))
    }
}
