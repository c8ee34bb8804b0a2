@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// Sysmon 10/8 and Security 4656/4663 access to LSASS, tier by access bits and call stack.
@Suite struct LsassAccessCheckTests {
    static let sysmon = "Microsoft-Windows-Sysmon"
    static let sysmonChannel = "Microsoft-Windows-Sysmon/Operational"

    static func access(_ source: String, mask: String, trace: String, target: String = "C:\\Windows\\system32\\lsass.exe") -> EvtxEvent {
        EvtxEvent(eventID: 10, provider: sysmon, channel: sysmonChannel, time: Timestamp(seconds: 1_614_757_000),
                  data: [("SourceImage", source), ("TargetImage", target), ("GrantedAccess", mask), ("CallTrace", trace)])
    }

    static func handle(_ eventID: UInt16, process: String, mask: String, object: String = "\\Device\\HarddiskVolume1\\Windows\\System32\\lsass.exe") -> EvtxEvent {
        EvtxEvent(eventID: eventID, provider: "Microsoft-Windows-Security-Auditing", channel: "Security", time: Timestamp(seconds: 1_614_757_000),
                  data: [("SubjectUserName", "admin"), ("ObjectType", "Process"), ("ObjectName", object), ("AccessMask", mask), ("ProcessName", process)])
    }

    @Test func tiersFollowTheCallStackAndAccessBits() throws {
        let dbghelp = "C:\\Windows\\SYSTEM32\\ntdll.dll+4595c|C:\\Windows\\system32\\dbghelp.dll+4c791|C:\\Windows\\system32\\dbghelp.dll+4dc"
        let events = [
            Self.access("C:\\Windows\\system32\\rundll32.exe", mask: "0x1fffff", trace: "C:\\Windows\\System32\\comsvcs.dll+1f2a|ntdll.dll+1"),  // 1 confirmed
            Self.access("C:\\Users\\Public\\tools\\procdump64.exe", mask: "0x001fffff", trace: "ntdll.dll+9c534|KERNELBASE.dll+2726e"),     // 2 confirmed
            Self.access("C:\\Windows\\system32\\taskmgr.exe", mask: "0x001fffff", trace: dbghelp),                                       // 3 likely
            Self.access("C:\\ProgramData\\x.exe", mask: "0x1438", trace: "ntdll.dll+1|kernelbase.dll+2"),                               // 4 likely
            Self.access("C:\\ProgramData\\y.exe", mask: "0x1010", trace: "ntdll.dll+1|UNKNOWN(00000000012A3F21)"),                       // 5 likely
            Self.access("C:\\ProgramData\\z.exe", mask: "0x1410", trace: "ntdll.dll+1|kernelbase.dll+2"),                               // 6 informational
            Self.access("C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18\\MsMpEng.exe", mask: "0x1410", trace: "ntdll.dll+1"), // 7 none
            Self.access("C:\\ProgramData\\z.exe", mask: "0x1000", trace: "ntdll.dll+1"),                                              // 8 none (no read)
            Self.access("C:\\ProgramData\\z.exe", mask: "0x1fffff", trace: dbghelp, target: "C:\\Windows\\system32\\notepad.exe"),  // 9 none
            Self.handle(4663, process: "C:\\Windows\\System32\\cscript.exe", mask: "0x10"),                                       // 10 likely
            Self.handle(4656, process: "C:\\Windows\\System32\\cscript.exe", mask: "0x400"),                                      // 11 informational
            Self.handle(4656, process: "C:\\Windows\\System32\\svchost.exe", mask: "0x1410"),                                     // 12 none
            EvtxEvent(eventID: 8, provider: Self.sysmon, channel: Self.sysmonChannel, time: Timestamp(seconds: 1_614_757_000),
                      data: [("SourceImage", "C:\\Windows\\System32\\rdrleakdiag.exe"), ("TargetImage", "C:\\Windows\\System32\\lsass.exe")]), // 13 likely
        ]
        let found = try EventHarness.verdicts(events, checks: [LsassAccessCheck()])
        #expect(found[1] == [.confirmed] && found[2] == [.confirmed])
        #expect(found[3] == [.likely] && found[4] == [.likely] && found[5] == [.likely])
        #expect(found[6] == [.informational])
        #expect(found[7] == nil && found[8] == nil && found[9] == nil)
        #expect(found[10] == [.likely] && found[11] == [.informational] && found[12] == nil)
        #expect(found[13] == [.likely])
    }

    @Test func evidenceNamesTheSourceAndMask() throws {
        let finding = try #require(try EventHarness.findings([Self.access("C:\\ProgramData\\x.exe", mask: "0x1438", trace: "ntdll.dll+1")],
                                                             checks: [LsassAccessCheck()]).first)
        #expect(finding.category == "credential-access" && finding.attack == ["T1003.001"])
        let details = try #require(finding.evidence.first?.details)
        #expect(details["GrantedAccess"] == "0x1438" && details["SourceImage"] == "C:\\ProgramData\\x.exe")
        #expect(finding.pivots["sourceImage"] == ["C:\\ProgramData\\x.exe"])
    }
}
