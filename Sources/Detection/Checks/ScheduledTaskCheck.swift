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
        /// Network logon sessions by computer and logon id (as a number; text when it is not
        /// hexadecimal) → source address.
        var networkSessions: [String: [SessionID: String]] = [:]
        var sessionCount = 0
    }

    /// A logon id: `0x3e7` as the number, anything else as its normalised text.
    enum SessionID: Hashable {
        case number(UInt64)
        case text(String)

        init(_ logonID: String) {
            var digits = Substring(logonID)
            if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
            if let number = UInt64(digits, radix: 16), !digits.isEmpty, digits.first != "+", digits.first != "-" {
                self = .number(number)
            } else {
                self = .text(ScheduledTaskCheck.normalised(logonID))
            }
        }
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
            guard record.value("LogonType") == "3", let logonID = record.value("TargetLogonId"), state.sessionCount < Self.maximumSessions else { return }
            let address = record.value("IpAddress") ?? ""
            if state.networkSessions[record.computer, default: [:]].updateValue(address, forKey: SessionID(logonID)) == nil {
                state.sessionCount += 1
            }
            return
        }
        let content = (record.value("TaskContent") ?? record.value("TaskContentNew") ?? "").lowercased()
        let remoteFrom = record.value("SubjectLogonId").flatMap { state.networkSessions[record.computer]?[SessionID($0)] }
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
