@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// Checks that pair events: SMB coercion call-backs, Run-dialog commands after RDP connections,
/// WinRM sessions with machine-local accounts. Positive cases and the ordinary activity that
/// looks like them.
@Suite struct RemoteSessionCorrelationCheckTests {
    static let base: Int64 = 1_614_757_000
    static let sysmon = "Microsoft-Windows-Sysmon"
    static let sysmonChannel = "Microsoft-Windows-Sysmon/Operational"

    static func at(_ seconds: Int64) -> Timestamp { Timestamp(seconds: base + seconds) }

    /// A Sysmon 3 record; `utc` is Sysmon's own UtcTime (the record time may be written later).
    static func connection(_ seconds: Int64, image: String, pid: String, initiated: Bool, source: (String, String), destination: (String, String),
                           utc: Bool = true) -> EvtxEvent {
        var data: [(name: String, value: String)] = []
        if utc { data.append(("UtcTime", at(seconds).iso8601.replacing("T", with: " ").replacing("Z", with: ""))) }
        data += [("ProcessId", pid), ("Image", image), ("User", "NT AUTHORITY\\SYSTEM"), ("Protocol", "tcp"), ("Initiated", initiated ? "true" : "false"),
                 ("SourceIp", source.0), ("SourcePort", source.1), ("DestinationIp", destination.0), ("DestinationPort", destination.1)]
        // The record itself is written a while later, as Sysmon does under load.
        return EvtxEvent(eventID: 3, provider: sysmon, channel: sysmonChannel, time: at(seconds + (utc ? 600 : 0)), data: data)
    }

    static func pipe(_ seconds: Int64, _ name: String, from address: String) -> EvtxEvent {
        EvtxEvent(eventID: 5145, provider: "Microsoft-Windows-Security-Auditing", channel: "Security", time: at(seconds),
                  data: [("SubjectUserName", "jdoe"), ("SubjectDomainName", "CORP"), ("IpAddress", address), ("IpPort", "51009"),
                         ("ShareName", "\\\\*\\IPC$"), ("RelativeTargetName", name), ("AccessMask", "0x12019f")])
    }

    @Test func smbCallBackAfterInboundContactIsCoercion() throws {
        let events = [
            // Peer .17 connects to our 445 (written local → remote), our kernel connects back 1 s later: attempt.
            Self.connection(0, image: "System", pid: "4", initiated: false, source: ("10.0.2.15", "445"), destination: ("10.0.2.17", "59767")), // 1
            Self.connection(1, image: "System", pid: "4", initiated: true, source: ("10.0.2.15", "62733"), destination: ("10.0.2.17", "445")),  // 2 attempt
            // Peer .30 opens the spooler pipe, then the kernel connects back to it: likely.
            Self.connection(100, image: "System", pid: "4", initiated: false, source: ("10.0.5.30", "50100"), destination: ("10.0.2.15", "445"), utc: false), // 3
            Self.connection(102, image: "System", pid: "4", initiated: true, source: ("10.0.2.15", "62800"), destination: ("10.0.5.30", "445"), utc: false), // 4 likely
            // Ordinary: the server maps the DC's SYSVOL with no inbound contact from it; a client reads a share here and nothing goes back.
            Self.connection(200, image: "System", pid: "4", initiated: true, source: ("10.0.2.15", "62900"), destination: ("10.0.0.5", "445")),  // 5 none
            Self.connection(300, image: "System", pid: "4", initiated: false, source: ("10.0.0.77", "50200"), destination: ("10.0.2.15", "445")), // 6 none
            // A call-back long after the contact, and a user process (not the kernel) connecting out: none.
            Self.connection(301 + 600, image: "System", pid: "4", initiated: true, source: ("10.0.2.15", "63000"), destination: ("10.0.0.77", "445")), // 7 none
            Self.connection(302, image: "C:\\Tools\\smbclient.exe", pid: "5120", initiated: true, source: ("10.0.2.15", "63001"), destination: ("10.0.0.77", "445")), // 8 none
            Self.pipe(101, "spoolss", from: "10.0.5.30"),   // 9 (context of 4)
            Self.pipe(400, "srvsvc", from: "10.0.0.77"),    // 10 none
        ]
        let findings = try EventHarness.findings(events, checks: [SMBCoercionCheck()])
        let found = Dictionary(grouping: findings.flatMap { finding in finding.evidence.map { ($0.record ?? 0, finding.verdict) } }, by: \.0)
            .mapValues { $0.map(\.1) }
        #expect(found[2] == [.attempt])
        #expect(found[4] == [.likely])
        #expect(found.keys.sorted() == [2, 4])
        let likely = try #require(findings.first { $0.verdict == .likely }?.evidence.first)
        #expect(likely.details?["InboundFrom"] == "10.0.5.30" && likely.details?["CoercionPipe"] == "spoolss")
        #expect(findings.allSatisfy { $0.category == FindingCategory.lateralMovement })
    }

    static func runCommand(_ seconds: Int64, _ command: String, letter: String = "a") -> [EvtxEvent] {
        let key = "HKU\\S-1-5-21-1004336348-1177238915-682003330-1107\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RunMRU"
        let utc = at(seconds).iso8601.replacing("T", with: " ").replacing("Z", with: "")
        return [
            EvtxEvent(eventID: 13, provider: sysmon, channel: sysmonChannel, time: at(seconds),
                      data: [("EventType", "SetValue"), ("UtcTime", utc), ("Image", "C:\\Windows\\Explorer.EXE"), ("TargetObject", key + "\\" + letter),
                             ("Details", command + "\\1")]),
            EvtxEvent(eventID: 13, provider: sysmon, channel: sysmonChannel, time: at(seconds),
                      data: [("EventType", "SetValue"), ("UtcTime", utc), ("Image", "C:\\Windows\\Explorer.EXE"), ("TargetObject", key + "\\MRUList"),
                             ("Details", letter)]),
        ]
    }

    static func rdpAccepted(_ seconds: Int64, from address: String = "192.168.56.1") -> EvtxEvent {
        connection(seconds, image: "C:\\Windows\\System32\\svchost.exe", pid: "1020", initiated: false, source: (address, "50123"),
                   destination: ("192.168.56.101", "3389"))
    }

    @Test func runDialogCommandsRightAfterRDPConnections() throws {
        // Two connections, each followed seconds later by a Run command: likely for both.
        let automated = [Self.rdpAccepted(0)] + Self.runCommand(8, "cmd.exe") + [Self.rdpAccepted(60)] + Self.runCommand(67, "powershell.exe", letter: "b")
        let found = try EventHarness.verdicts(automated, checks: [RDPRunDialogCheck()])
        #expect(found[2] == [.likely] && found[5] == [.likely])
        #expect(found[3] == nil && found[6] == nil && found[1] == nil)  // MRUList order and the connection itself are not findings

        // One connection then one command: attempt. LocalSessionManager 21 from an address counts as the connection.
        let logon = EvtxEvent(eventID: 21, provider: "Microsoft-Windows-TerminalServices-LocalSessionManager",
                              channel: "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational", time: Self.at(0),
                              data: [("User", "CORP\\admin"), ("SessionID", "2"), ("Address", "10.0.0.42")], userDataRoot: "EventXML")
        let once = try EventHarness.verdicts([logon] + Self.runCommand(12, "notepad"), checks: [RDPRunDialogCheck()])
        #expect(once[2] == [.attempt])
    }

    @Test func ordinaryRunDialogUseAndAdminRDPStayQuiet() throws {
        // An admin connects and uses the Run dialog ten minutes later; a console user uses it with no RDP at all;
        // a console logon (Address LOCAL) followed by a Run command.
        let admin = [Self.rdpAccepted(0, from: "10.0.0.42")] + Self.runCommand(600, "services.msc")
        #expect(try EventHarness.verdicts(admin, checks: [RDPRunDialogCheck()]).isEmpty)
        #expect(try EventHarness.verdicts(Self.runCommand(5, "eventvwr"), checks: [RDPRunDialogCheck()]).isEmpty)
        let console = EvtxEvent(eventID: 21, provider: "Microsoft-Windows-TerminalServices-LocalSessionManager",
                                channel: "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational", time: Self.at(0),
                                data: [("User", "CORP\\admin"), ("SessionID", "1"), ("Address", "LOCAL")], userDataRoot: "EventXML")
        #expect(try EventHarness.verdicts([console] + Self.runCommand(10, "cmd"), checks: [RDPRunDialogCheck()]).isEmpty)
        #expect(RDPRunDialogCheck.host("10.0.0.5:51234") == "10.0.0.5" && RDPRunDialogCheck.host("[fe80::1]:3389") == "fe80::1")
    }

    static func winrm(_ user: String, _ mechanism: String, computer: String = "EXCH01.corp.local") -> EvtxEvent {
        EvtxEvent(eventID: 169, provider: "Microsoft-Windows-WinRM", channel: "Microsoft-Windows-WinRM/Operational", computer: computer, time: at(0),
                  data: [("username", user), ("authenticationMechanism", mechanism)])
    }

    @Test func winRMWithMachineLocalAccounts() throws {
        let events = [
            Self.winrm("exch01\\administrator", "NTLM"),          // 1 attempt: this machine's account
            Self.winrm(".\\svc_backup", "Basic"),                 // 2 attempt
            Self.winrm("CORP\\exadmin", "Kerberos"),              // 3 none: domain admin, the ordinary way
            Self.winrm("CORP\\exadmin", "NTLM"),                  // 4 none: domain account by address (context only)
            Self.winrm("exch02\\administrator", "NTLM"),          // 5 none: another machine's name is a domain-like prefix here
            Self.winrm("exadmin@corp.local", "Negotiate"),        // 6 none
        ]
        let found = try EventHarness.verdicts(events, checks: [WinRMLocalAccountCheck()])
        #expect(found[1] == [.attempt] && found[2] == [.attempt])
        #expect(found[3] == nil && found[4] == nil && found[5] == nil && found[6] == nil)
    }
}
