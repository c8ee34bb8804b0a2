@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// Service installs, logons, scheduled tasks and web-worker process chains, with exact events.
@Suite struct LateralMovementCheckTests {
    static let time = Timestamp(seconds: 1_614_757_000)

    static func service(_ name: String, _ image: String, security: Bool = false) -> EvtxEvent {
        security
            ? EvtxEvent(eventID: 4697, provider: "Microsoft-Windows-Security-Auditing", channel: "Security", time: time,
                        data: [("SubjectUserName", "admin"), ("ServiceName", name), ("ServiceFileName", image), ("ServiceStartType", "3")])
            : EvtxEvent(eventID: 7045, provider: "Service Control Manager", channel: "System", time: time,
                        data: [("ServiceName", name), ("ImagePath", image), ("ServiceType", "user mode service"), ("StartType", "demand start"),
                               ("AccountName", "LocalSystem")])
    }

    @Test func remoteServiceInstalls() throws {
        let events = [
            Self.service("BTOBTO", "%COMSPEC% /Q /c echo cd ^> \\\\127.0.0.1\\C$\\__output 2^>^&1 > %TEMP%\\execute.bat & %COMSPEC% /Q /c %TEMP%\\execute.bat & del %TEMP%\\execute.bat"), // 1 confirmed
            Self.service("PSEXESVC", "%SystemRoot%\\PSEXESVC.exe"),                              // 2 likely
            Self.service("updsvc", "C:\\Windows\\Temp\\upd.exe"),                                 // 3 likely
            Self.service("remotesvc", "calc.exe"),                                                // 4 likely
            Self.service("qXzTrWpL", "%systemroot%\\qXzTrWpL.exe", security: true),               // 5 likely
            Self.service("spooler2", "cmd.exe /c net user x y /add"),                             // 6 likely
            Self.service("MSExchangeIS", "\"C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Bin\\Microsoft.Exchange.Store.Service.exe\""), // 7 none
            Self.service("WinDefend", "\"C:\\ProgramData\\Microsoft\\Windows Defender\\platform\\4.18\\MsMpEng.exe\""),                       // 8 none (Defender's platform)
            Self.service("Netlogon", "%SystemRoot%\\system32\\lsass.exe"),                          // 9 none
            Self.service("MpKsl4c5b2a1e", "\\??\\C:\\ProgramData\\Microsoft\\Windows Defender\\Definition Updates\\{3A1F0C2D-5B6E-4F7A-8C9D-0E1F2A3B4C5D}\\MpKsl4c5b2a1e.sys"), // 10 none (Defender definition update driver)
            Self.service("MpKsl4c5b2a1e", "C:\\ProgramData\\MpKsl4c5b2a1e.sys"),                   // 11 likely: the name outside Defender's folder
        ]
        let found = try EventHarness.verdicts(events, checks: [RemoteServiceInstallCheck()])
        #expect(found[1] == [.confirmed])
        #expect(found[2] == [.likely] && found[3] == [.likely] && found[4] == [.likely] && found[5] == [.likely] && found[6] == [.likely])
        #expect(found[7] == nil && found[8] == nil && found[9] == nil && found[10] == nil)
        #expect(found[11] == [.likely])
    }

    static func logon(type: String, process: String, package: String = "NTLM", key: String = "0", user: String = "Administrator",
                      ip: String = "10.0.0.42", id: String = "0x21a8c68") -> EvtxEvent {
        EvtxEvent(eventID: 4624, provider: "Microsoft-Windows-Security-Auditing", channel: "Security", time: time,
                  data: [("SubjectUserSid", "S-1-0-0"), ("TargetUserName", user), ("TargetDomainName", "CORP"), ("TargetLogonId", id),
                         ("LogonType", type), ("LogonProcessName", process), ("AuthenticationPackageName", package), ("KeyLength", key),
                         ("IpAddress", ip)])
    }

    @Test func logonTraits() throws {
        let events = [
            Self.logon(type: "9", process: "seclogo", package: "Negotiate"),                        // 1 likely
            Self.logon(type: "3", process: "NtLmSsp "),                                             // 2 informational
            Self.logon(type: "10", process: "User32 ", package: "Negotiate", key: "0", ip: "203.0.113.45"), // 3 likely
            Self.logon(type: "10", process: "User32 ", package: "Negotiate", key: "0", ip: "10.0.0.42"),    // 4 informational
            Self.logon(type: "3", process: "Kerberos", package: "Kerberos"),                       // 5 none
            Self.logon(type: "3", process: "NtLmSsp ", user: "ANONYMOUS LOGON"),                    // 6 none
            Self.logon(type: "3", process: "NtLmSsp ", user: "EXCH01$"),                            // 7 none
        ]
        let found = try EventHarness.verdicts(events, checks: [RemoteLogonCheck()])
        #expect(found[1] == [.likely] && found[2] == [.informational] && found[3] == [.likely] && found[4] == [.informational])
        #expect(found[5] == nil && found[6] == nil && found[7] == nil)
        #expect(RemoteLogonCheck.isPublic("8.8.8.8") && !RemoteLogonCheck.isPublic("172.20.1.1") && !RemoteLogonCheck.isPublic("-"))
    }

    @Test func remoteScheduledTasksJoinTheirNetworkLogon() throws {
        let task = { (name: String, session: String, command: String) in
            EvtxEvent(eventID: 4702, provider: "Microsoft-Windows-Security-Auditing", channel: "Security", time: Self.time,
                      data: [("SubjectUserName", "a-jbrown"), ("SubjectLogonId", session), ("TaskName", name),
                             ("TaskContentNew", "<Task><Actions><Exec><Command>\(command)</Command></Exec></Actions></Task>")])
        }
        let events = [
            Self.logon(type: "3", process: "Kerberos", package: "Kerberos", id: "0x00000000021a8c68"), // 1 (not a finding of this check)
            task("\\LMST", "0x21a8c68", "C:\\Windows\\System32\\notepad.exe"),                         // 2 likely: remote session
            task("\\Updater", "0x3e7", "powershell.exe -enc SQBFAFgA"),                                 // 3 likely: content
            task("\\Microsoft\\Windows\\Defrag\\ScheduledDefrag", "0x3e7", "%windir%\\system32\\defrag.exe"), // 4 none
            task("\\Microsoft\\Windows\\Windows Defender\\Windows Defender Scheduled Scan", "0x3e7",
                 "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.23110.3-0\\MpCmdRun.exe</Command><Arguments>Scan -ScheduleJob"), // 5 none: Defender platform update
            task("\\Microsoft\\Windows\\Windows Defender\\Windows Defender Scheduled Scan", "0x3e7",
                 "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.23110.3-0\\MpCmdRun.exe & powershell -enc SQBFAFgA"), // 6 likely
        ]
        let findings = try EventHarness.findings(events, checks: [ScheduledTaskCheck()])
        let found = Dictionary(grouping: findings.flatMap { finding in finding.evidence.map { ($0.record ?? 0, finding.verdict) } }, by: \.0)
        #expect(found[2]?.map(\.1) == [.likely] && found[3]?.map(\.1) == [.likely])
        #expect(found[1] == nil && found[4] == nil && found[5] == nil)
        #expect(found[6]?.map(\.1) == [.likely])
        let remote = try #require(findings.flatMap(\.evidence).first { $0.record == 2 })
        #expect(remote.details?["NetworkLogonFrom"] == "10.0.0.42")
    }

    @Test func logonIDsCompareAsNumbers() {
        typealias ID = ScheduledTaskCheck.SessionID
        #expect(ID("0x00000000021A8C68") == ID("0x21a8c68") && ID("0x21a8c68") == .number(0x21a8c68))
        #expect(ID("0x0") == ID("0x0000000000000000") && ID("0X3E7") == ID("0x3e7"))
        #expect(ID("0x3e7") != ID("0x3e8"))
        #expect(ID("-") == .text("-") && ID("0x") == .text("") && ID("0x-1") == .text("-1"))
        #expect(ID("0x000000000000000000003e7") == ID("0x3e7"), "leading zeros beyond 16 digits are still the same session")
    }

    @Test func webWorkerChildren() throws {
        let process = { (image: String, parent: String, command: String, security: Bool) in
            security
                ? EvtxEvent(eventID: 4688, provider: "Microsoft-Windows-Security-Auditing", channel: "Security", time: Self.time,
                            data: [("NewProcessName", image), ("CommandLine", command), ("ParentProcessName", parent)])
                : EvtxEvent(eventID: 1, provider: "Microsoft-Windows-Sysmon", channel: "Microsoft-Windows-Sysmon/Operational", time: Self.time,
                            data: [("Image", image), ("CommandLine", command), ("ParentImage", parent),
                                   ("ParentCommandLine", "c:\\windows\\system32\\inetsrv\\w3wp.exe -ap \"MSExchangeOWAAppPool\"")])
        }
        let events = [
            process("C:\\Windows\\System32\\cmd.exe", "C:\\Windows\\System32\\inetsrv\\w3wp.exe", "cmd /c whoami", false),                 // 1
            process("C:\\Windows\\System32\\net.exe", "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Bin\\UMWorkerProcess.exe", "net user", true), // 2
            process("C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\csc.exe", "C:\\Windows\\System32\\inetsrv\\w3wp.exe", "csc.exe /noconfig", false), // 3
            process("C:\\Windows\\System32\\WerFault.exe", "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Bin\\UMWorkerProcess.exe", "WerFault -u", true), // 4
            process("C:\\Windows\\System32\\cmd.exe", "C:\\Windows\\explorer.exe", "cmd", false),                                             // 5
        ]
        let findings = try EventHarness.findings(events, checks: [WebShellProcessChainCheck()])
        let records = Set(findings.flatMap(\.evidence).compactMap(\.record))
        #expect(records == [1, 2])
        #expect(findings.first?.verdict == .confirmed && findings.first?.cves == ["CVE-2021-26857"])
        #expect(findings.first?.category == "exchange")
    }
}
