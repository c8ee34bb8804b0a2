import ExTriageCore

/// Scheduled tasks created or changed from the network or with attacker-style actions
/// (EXCHANGE-ARTIFACTS.md C19, T1053.005/T1021): Security 4698/4702 whose subject logon session
/// is a network logon (4624 type 3) seen earlier in the same log (remote task registration,
/// ATSVC/atexec), or whose action runs a shell, encoded PowerShell or a file from a writable folder.
struct ScheduledTaskCheck: Check {
    let id: CheckID = "EVT-LM-SCHEDULED-TASK"
    let title = "Scheduled task registered remotely or running a shell from a writable folder (4698/4702)"
    let input = CheckInput.events(EventSelector(eventIDs: [4624, 4698, 4702]))

    struct State {
        var matches = EventMatches()
        /// Network logon sessions by computer and logon id → source address.
        var networkSessions: [String: String] = [:]
    }
    static let maximumSessions = 200_000

    static let suspiciousContent = ["cmd.exe /c", "cmd /c", "powershell", "-enc", "-encodedcommand", "mshta", "rundll32", "regsvr32",
                                    "\\programdata\\", "\\users\\public\\", "\\windows\\temp\\", "\\appdata\\local\\temp\\", "\\inetpub\\",
                                    "\\perflogs\\", "certutil", "bitsadmin", "vsperfmon"]

    static let defenderPlatform = "\\programdata\\microsoft\\windows defender\\platform\\"

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .event(let record, let source) = observation else { return }
        if record.eventID == 4624 {
            guard record.value("LogonType") == "3", let logonID = record.value("TargetLogonId"), state.networkSessions.count < Self.maximumSessions else { return }
            state.networkSessions[record.computer + "|" + Self.normalised(logonID)] = record.value("IpAddress") ?? ""
            return
        }
        let content = (record.value("TaskContent") ?? record.value("TaskContentNew") ?? "").lowercased()
        let session = record.value("SubjectLogonId").map { record.computer + "|" + Self.normalised($0) }
        let remoteFrom = session.flatMap { state.networkSessions[$0] }
        // Defender's platform updates rewrite its scan tasks (4702) to run MpCmdRun.exe from its versioned folder under ProgramData.
        let scanned = content.replacing(Self.defenderPlatform, with: "\\defender-platform\\")
        let marker = Self.suspiciousContent.first { scanned.contains($0) }
        guard remoteFrom != nil || marker != nil else { return }
        var evidence = record.evidence(from: source, matched: ["TaskName", "SubjectUserName", "SubjectLogonId"])
        if let remoteFrom { evidence.details?["NetworkLogonFrom"] = remoteFrom }
        if let marker { evidence.details?["ActionMarker"] = marker }
        state.matches.add(.likely, evidence)
        state.matches.pivot("taskName", record.value("TaskName"))
        state.matches.pivot(.computer, record.computer)
    }

    /// `0x00000000021a8c68` and `0x21a8c68` are the same session.
    static func normalised(_ logonID: String) -> String {
        var text = Substring(logonID.lowercased())
        if text.hasPrefix("0x") { text = text.dropFirst(2) }
        while text.count > 1, text.first == "0" { text = text.dropFirst() }
        return String(text)
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        CheckOutput(findings: state.matches.findings(checkId: id, title: title, severity: .high, attack: ["T1053.005", "T1021"], category: FindingCategory.lateralMovement,
                         explanation: "A scheduled task was created or changed by a network logon session or runs a shell or a file from a "
                             + "writable folder: remote execution through the Task Scheduler. Read the task XML (Exec/Command)."))
    }
}
