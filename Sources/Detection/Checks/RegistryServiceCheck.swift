import ExTriageCore
import WindowsRegistry

/// Services in the SYSTEM hive that remote execution leaves or that run from where no service
/// belongs (EXCHANGE-ARTIFACTS.md C16, T1543.003/T1569.002): PsExec's PSEXESVC and its kin, a
/// service binary in temp, ADMIN$ or web folders or loose in the Windows folder (Impacket's
/// random-named `%SystemRoot%\xxxxxxxx.exe`), a service command running a shell (smbexec): `likely`;
/// a binary under ProgramData, user or PerfLogs folders: `attempt`. Each is the service key, its
/// ImagePath and the key's last-written time (about when it was installed or last changed).
/// Microsoft's services (Defender's platform folder under ProgramData included) stay quiet.
/// References: MITRE T1543.003, T1569.002; SANS "Windows registry: services".
struct RegistryServiceCheck: Check {
    let id: CheckID = "HOST-REG-SERVICES"
    let title = "Service installed by remote execution or running from a temp, share or web folder (SYSTEM hive)"
    let input = CheckInput.memberContent(HiveKind.selector([.system]))
    let rules: RegistryRules

    struct State {
        var reading = HiveReading()
        var matches = EventMatches()
        var seen: Set<String> = []
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .content(let content) = observation else { return }
        var found: [(Verdict, Evidence, String)] = []
        state.reading.read(content) { hive, kind in
            for set in hive.controlSets() {
                for service in set.subkey("Services")?.subkeys() ?? [] {
                    let imagePath = service.value("ImagePath")?.string ?? ""
                    guard let (verdict, reason) = judge(name: service.name, imagePath: imagePath) else { continue }
                    let evidence = HiveReading.evidence(content, kind: kind, key: service, values: [("ImagePath", imagePath)],
                                                        details: ["Service": service.name, "Reason": reason])
                    found.append((verdict, evidence, service.name))
                }
            }
        }
        // Every control set holds a copy of each service: one finding per service name and image path.
        for (verdict, evidence, name) in found where state.seen.insert(content.member.member + "|" + name.lowercased() + "|" + (evidence.details?["ImagePath"] ?? "")).inserted {
            state.matches.add(verdict, evidence)
            state.matches.pivot("serviceName", name)
        }
    }

    /// The tier and the reason for a service, or nil when it looks like any other.
    func judge(name: String, imagePath: String) -> (Verdict, String)? {
        if rules.remoteExecutionServices.contains(name.lowercased()) {
            return (.likely, "service name of a remote execution tool (PsExec family)")
        }
        let path = RegistryRules.normalisedPath(imagePath)
        let binary = RegistryRules.executable(of: path)
        if rules.serviceTrustedPrefixes.contains(where: binary.hasPrefix) { return nil }
        if let marker = rules.serviceShellMarkers.first(where: path.contains) {
            return (.likely, "service command runs a shell or script host (\(marker))")
        }
        if path.hasPrefix("\\\\") || rules.serviceLikelyFolders.contains(where: binary.contains) {
            return (.likely, "service binary in a temp, administrative share or web folder")
        }
        if binary.hasPrefix("c:\\windows\\"), !binary.dropFirst(11).contains("\\"),
           !rules.windowsFolderBinaries.contains(String(binary.dropFirst(11))) {
            return (.likely, "service binary loose in the Windows folder, the root of the ADMIN$ share PsExec and Impacket copy to")
        }
        if rules.serviceAttemptFolders.contains(where: binary.hasPrefix) {
            return (.attempt, "service binary in a folder ordinary users can write to")
        }
        return nil
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        CheckOutput(findings: state.matches.findings(checkId: id, title: title, severity: .high, attack: ["T1543.003", "T1569.002"],
                                                     category: FindingCategory.lateralMovement,
                                                     explanation: "The SYSTEM hive holds a service that remote execution tools install (PsExec's PSEXESVC, "
                                                         + "Impacket's random-named binary in ADMIN$) or whose binary sits where no service belongs; the "
                                                         + "key's last-written time dates the install. Match it with System 7045 and Security 4697 if the logs remain."),
                    coverage: state.reading.coverage("SYSTEM hive"))
    }
}
