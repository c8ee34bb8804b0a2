import ExTriageCore

/// Commands typed into the Run dialog right after an inbound RDP connection (T1021.001): tools
/// such as SharpRDP execute over RDP by opening a session, sending Win+R and the command as
/// keystrokes, then disconnecting. Explorer records each Run-dialog command under
/// `...\Explorer\RunMRU\<letter>` (Sysmon 13); the connection is Sysmon 3 accepted on 3389,
/// RdpCoreTS 131, RemoteConnectionManager 1149 or LocalSessionManager 21/25 from an address.
///
/// A person who logs on over RDP and opens the Run dialog takes longer than a few seconds and
/// does it once per session; a Run command seconds after each of several connections is
/// automation. One pairing is `attempt`, two or more connections each followed by a command
/// are `likely`. RDP on its own stays with EVT-LM-REMOTE-SESSION (context).
struct RDPRunDialogCheck: Check {
    let id: CheckID = "EVT-LM-RDP-RUN-DIALOG"
    let title = "Run-dialog command seconds after an inbound RDP connection (SharpRDP-style execution)"
    let input = CheckInput.events(EventSelector(eventIDs: [3, 13, 21, 25, 131, 1149]))

    /// How long after the connection a Run command counts as sent by the connecting tool.
    static let window: Int64 = 30
    static let maximumKept = 50_000

    struct State {
        var connections: [(time: Timestamp, source: String)] = []
        var commands: [(time: Timestamp, command: String, evidence: Evidence)] = []
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .event(let record, let source) = observation else { return }
        let provider = record.provider.lowercased()
        switch (record.eventID, provider) {
        case (13, "microsoft-windows-sysmon"):
            let key = (record.value("TargetObject") ?? "").lowercased()
            guard let range = key.range(of: "\\explorer\\runmru\\"), !key[range.upperBound...].contains("\\"),
                  key[range.upperBound...] != "mrulist", ImagePath.fileName(record.value("Image") ?? "") == "explorer.exe",
                  let time = SysmonConnection.utcTime(record) ?? record.time, state.commands.count < Self.maximumKept else { return }
            let command = record.value("Details") ?? ""
            state.commands.append((time, command, record.evidence(from: source, matched: ["Image", "TargetObject", "Details", "UtcTime"])))
        case (3, "microsoft-windows-sysmon"):
            guard let connection = SysmonConnection(record, servicePorts: [3389]), !connection.outbound, connection.localPort == 3389,
                  !SysmonConnection.isLocalOnly(connection.remoteIP), let time = connection.time else { return }
            keep(time, connection.remoteIP, &state)
        case (131, "microsoft-windows-remotedesktopservices-rdpcorets"):
            let address = Self.host(record.value("ClientIP") ?? "")
            guard !SysmonConnection.isLocalOnly(address), let time = record.time else { return }
            keep(time, address, &state)
        case (1149, "microsoft-windows-terminalservices-remoteconnectionmanager"):
            let address = record.value("Param3") ?? ""
            guard !SysmonConnection.isLocalOnly(address), let time = record.time else { return }
            keep(time, address, &state)
        case (21, "microsoft-windows-terminalservices-localsessionmanager"), (25, "microsoft-windows-terminalservices-localsessionmanager"):
            let address = record.value("Address") ?? ""
            guard !SysmonConnection.isLocalOnly(address), address.lowercased() != "local", let time = record.time else { return }
            keep(time, address, &state)
        default:
            break
        }
    }

    private func keep(_ time: Timestamp, _ address: String, _ state: inout State) {
        guard state.connections.count < Self.maximumKept else { return }
        state.connections.append((time, address))
    }

    /// `10.0.0.5:51234` or `[fe80::1]:51234` → the address.
    static func host(_ endpoint: String) -> String {
        let text = endpoint.trimmedSpaces
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") { return String(text[text.index(after: text.startIndex)..<close]) }
        if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") { return String(text[..<colon]) }
        return text
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        let connections = state.connections.sorted { $0.time < $1.time }
        var paired: [(evidence: Evidence, connection: Int)] = []
        for command in state.commands.sorted(by: { $0.time < $1.time }) {
            // The latest connection at most `window` seconds before the command.
            guard let index = connections.lastIndex(where: { $0.time <= command.time && command.time.seconds - $0.time.seconds <= Self.window })
            else { continue }
            var evidence = command.evidence
            evidence.details?["RDPConnectionFrom"] = connections[index].source
            evidence.details?["RDPConnectionAt"] = connections[index].time.iso8601
            evidence.details?["SecondsAfterConnection"] = String(command.time.seconds - connections[index].time.seconds)
            paired.append((evidence, index))
        }
        // Distinct connections that were followed by a command (several log records can describe one connection).
        var sessionTimes: [Int64] = []
        for index in Set(paired.map(\.connection)).sorted() {
            let seconds = connections[index].time.seconds
            if sessionTimes.last.map({ seconds - $0 > 5 }) ?? true { sessionTimes.append(seconds) }
        }
        let verdict: Verdict = sessionTimes.count >= 2 ? .likely : .attempt
        var matches = EventMatches()
        for item in paired {
            matches.add(verdict, item.evidence)
            matches.pivot("sourceIp", item.evidence.details?["RDPConnectionFrom"])
            matches.pivot("command", item.evidence.details?["Details"])
            matches.pivot(.computer, item.evidence.details?["Computer"])
        }
        return CheckOutput(findings: matches.findings(
            checkId: id, title: title, severity: .high, attack: ["T1021.001", "T1059"], category: FindingCategory.lateralMovement,
            explanation: "A command was typed into the Run dialog within \(Self.window) seconds of an inbound RDP connection"
                + (verdict == .likely ? ", after \(sessionTimes.count) separate connections" : "")
                + ": how tools like SharpRDP run commands over RDP without an interactive user. Read the commands (Details), "
                + "the processes Explorer started then, and the account of the RDP logon (4624 type 10, LocalSessionManager 21)."))
    }
}
