import ExTriageCore

/// Authentication coercion (T1187: SpoolSample/PrinterBug, PetitPotam, DFSCoerce, ShadowCoerce):
/// another host reaches this server over SMB (Sysmon 3 accepted on 445, or Security 5145 on a
/// coercion RPC pipe), and seconds later the kernel (`System`, PID 4) opens an SMB connection
/// back to that same host's port 445: the server was made to authenticate, with its machine
/// account, to a host that can relay or crack it.
///
/// Records of several logs arrive in file order, not time order, so the check keeps the SMB
/// connections and pipe opens it saw (bounded) and pairs them when every log has been read.
struct SMBCoercionCheck: Check {
    let id: CheckID = "EVT-LM-SMB-COERCION"
    let title = "Inbound SMB from a host, then this server's SMB connection back to it (authentication coercion)"
    let input = CheckInput.events(EventSelector(eventIDs: [3, 5145], channels: ["microsoft-windows-sysmon/operational", "security"]))

    /// RPC pipes the coercion tools call: print spooler, EFS (PetitPotam's named pipe), VSS agent.
    /// `lsarpc` and `netdfs` also carry coercion methods but are everyday traffic, so they are not
    /// a sign here.
    static let coercionPipes: Set<String> = ["spoolss", "efsrpc", "fssagentrpc"]
    /// How long after the inbound contact the call-back still counts (coerced call-backs take milliseconds to seconds).
    static let window: Int64 = 30
    static let maximumKept = 50_000

    struct Contact {
        var peer: String
        var time: Timestamp
        var pipe: String?
    }

    struct State {
        var contacts: [Contact] = []
        var callBacks: [(peer: String, time: Timestamp, evidence: Evidence)] = []
        var dropped = 0
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .event(let record, let source) = observation else { return }
        if record.eventID == 5145 {
            guard record.provider.lowercased() == "microsoft-windows-security-auditing",
                  (record.value("ShareName") ?? "").uppercased().hasSuffix("IPC$"),
                  let pipe = record.value("RelativeTargetName").map({ $0.trimmedSpaces.lowercased() }), Self.coercionPipes.contains(pipe),
                  let address = record.value("IpAddress"), !SysmonConnection.isLocalOnly(address), let time = record.time else { return }
            keep(Contact(peer: SysmonConnection.normalised(address), time: time, pipe: pipe), in: &state)
            return
        }
        guard let connection = SysmonConnection(record, servicePorts: [445]), let time = connection.time,
              !SysmonConnection.isLocalOnly(connection.remoteIP) else { return }
        let peer = SysmonConnection.normalised(connection.remoteIP)
        if !connection.outbound, connection.localPort == 445 {
            keep(Contact(peer: peer, time: time, pipe: nil), in: &state)
        } else if connection.outbound, connection.remotePort == 445, connection.isSystemProcess {
            guard state.callBacks.count < Self.maximumKept else { state.dropped += 1; return }
            state.callBacks.append((peer, time, record.evidence(from: source, matched: ["Image", "ProcessId", "User", "SourceIp", "DestinationIp",
                                                                                       "DestinationPort", "UtcTime"])))
        }
    }

    private func keep(_ contact: Contact, in state: inout State) {
        guard state.contacts.count < Self.maximumKept else { state.dropped += 1; return }
        state.contacts.append(contact)
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        var matches = EventMatches()
        let byPeer = Dictionary(grouping: state.contacts, by: \.peer)
        for callBack in state.callBacks.sorted(by: { $0.time < $1.time }) {
            // Contacts up to the window before the call-back (and a second after, for clock rounding between logs).
            let earlier = (byPeer[callBack.peer] ?? []).filter {
                $0.time.seconds <= callBack.time.seconds + 1 && callBack.time.seconds - $0.time.seconds <= Self.window
            }
            guard let first = earlier.min(by: { $0.time < $1.time }) else { continue }
            let pipe = earlier.compactMap(\.pipe).first
            var evidence = callBack.evidence
            evidence.details?["InboundFrom"] = callBack.peer
            evidence.details?["InboundAt"] = first.time.iso8601
            evidence.details?["SecondsAfterInbound"] = String(max(0, callBack.time.seconds - first.time.seconds))
            if let pipe { evidence.details?["CoercionPipe"] = pipe }
            evidence.details?["Reason"] = pipe != nil
                ? "\(callBack.peer) opened the \(pipe!) pipe here and this server's kernel connected back to its SMB port"
                : "\(callBack.peer) connected to this server's SMB port and this server's kernel connected back to its SMB port"
            matches.add(pipe != nil ? .likely : .attempt, evidence)
            matches.pivot("sourceIp", callBack.peer)
            matches.pivot(.computer, evidence.details?["Computer"])
        }
        var output = CheckOutput(findings: matches.findings(
            checkId: id, title: title, severity: .high, attack: ["T1187", "T1557.001"], category: FindingCategory.lateralMovement,
            explanation: "A host reached this server over SMB and within seconds the server's kernel opened an SMB connection back "
                + "to that host: the shape of forced authentication (SpoolSample/PrinterBug, PetitPotam), which hands the machine "
                + "account's NTLM authentication to a host that relays it (NTLM relay to AD CS, LDAP or other servers). Look for "
                + "logons of this server's account elsewhere right after, and for the tool on the peer."))
        if state.dropped > 0 { output.coverage.reason = "kept the first \(Self.maximumKept) SMB connections; \(state.dropped) more not paired" }
        return output
    }
}
