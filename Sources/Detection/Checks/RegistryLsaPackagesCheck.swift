import ExTriageCore
import WindowsRegistry

/// Security support providers, authentication or notification (password filter) packages added to
/// `Control\Lsa` (and `Lsa\OSConfig`) beyond Windows' own: a DLL LSASS loads at boot that sees
/// every password (Mimikatz's mimilib/memssp, password filters). Known credential-capturing names:
/// `likely`; any other addition: `attempt` (some vendors' agents add one). References: MITRE
/// T1547.005, T1556.002.
struct RegistryLsaPackagesCheck: HiveInspection {
    let id: CheckID = "HOST-REG-LSA-PACKAGES"
    let title = "LSA security, authentication or password-filter package added"
    let input = CheckInput.memberContent(HiveKind.selector([.system]))
    let rules: RegistryRules

    func inspect(_ hive: RegistryHive, kind: HiveKind, content: MemberContent, into matches: inout EventMatches) {
        guard let lsa = hive.controlSets().first?.subkey("Control")?.subkey("Lsa") else { return }
        let lists: [(RegistryKey?, String, Set<String>)] = [
            (lsa, "Security Packages", rules.defaultSecurityPackages),
            (lsa.subkey("OSConfig"), "Security Packages", rules.defaultSecurityPackages),
            (lsa, "Authentication Packages", rules.defaultAuthenticationPackages),
            (lsa, "Notification Packages", rules.defaultNotificationPackages),
        ]
        for (key, name, defaults) in lists {
            guard let key, let value = key.value(name) else { continue }
            let added = value.strings.map { String($0.filter { $0 != "\"" && $0 != " " }).lowercased() }
                .filter { !$0.isEmpty && !defaults.contains($0) }
            for package in added {
                let stem = package.split(separator: "\\").last.map { String($0).replacing(".dll", with: "") } ?? package
                let verdict: Verdict = rules.knownMaliciousPackages.contains(stem) ? .likely : .attempt
                matches.add(verdict, HiveReading.evidence(content, kind: kind, key: key, values: [(name, value.display)],
                                                          details: ["AddedPackage": package]))
                matches.pivot("lsaPackage", package)
            }
        }
    }

    func finish(_ state: inout HiveFindings, in context: FinishContext) -> CheckOutput {
        CheckOutput(findings: state.matches.findings(checkId: id, title: title, severity: .high, attack: ["T1547.005", "T1556.002"],
                                                     category: FindingCategory.credentialAccess,
                                                     explanation: "LSASS loads every package listed here at boot and hands it logon passwords; "
                                                         + "a package Windows does not ship is a credential-capture or persistence DLL unless a known "
                                                         + "product put it there. Find the DLL in System32 and hash it."),
                    coverage: state.reading.coverage("SYSTEM hive"))
    }
}
