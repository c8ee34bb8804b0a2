import ExTriageCore
import Foundation
import Testing
import TestSupport

/// The test EVTX writer's files are real EVTX: `evtxexport` (libevtx-utils) reads every record back.
@Suite struct EvtxWriterTests {
    static let time = Timestamp(iso8601: "2021-03-03T07:45:10.125Z") ?? Timestamp(seconds: 0)

    @Test func evtxexportReadsTheWrittenRecords() throws {
        let directory = try TemporaryDirectory()
        let events = [
            EvtxEvent(eventID: 1, provider: "Microsoft-Windows-Sysmon", channel: "Microsoft-Windows-Sysmon/Operational", time: Self.time,
                      data: [("Image", "C:\\Windows\\System32\\cmd.exe"), ("ParentImage", "C:\\Windows\\System32\\inetsrv\\w3wp.exe"), ("RuleName", "")]),
            EvtxEvent(eventID: 1102, provider: "Microsoft-Windows-Eventlog", channel: "Security", time: Self.time,
                      data: [("SubjectUserName", "Administrator")], userDataRoot: "LogFileCleared"),
        ]
        let path = try directory.write("Security.evtx", EvtxWriter.write(events, firstRecord: 41))
        let output = try ExternalTool.run("evtxexport", ["-f", "xml", path])
        #expect(output.contains("<EventID>1</EventID>"))
        #expect(output.contains("<Data Name=\"ParentImage\">C:\\Windows\\System32\\inetsrv\\w3wp.exe</Data>"))
        #expect(output.contains("<EventRecordID>42</EventRecordID>"))
        #expect(output.contains("<SubjectUserName>Administrator</SubjectUserName>"))
        #expect(output.contains("<TimeCreated SystemTime=\"2021-03-03T07:45:10.125"))
        #expect(output.contains("<Computer>EXCH01.corp.local</Computer>"))
    }

    @Test func manyEventsSpanSeveralChunks() throws {
        let directory = try TemporaryDirectory()
        let events = (0..<900).map { index in
            EvtxEvent(eventID: 4688, provider: "Microsoft-Windows-Security-Auditing", channel: "Security",
                      time: Timestamp(seconds: Self.time.seconds + Int64(index)),
                      data: [("NewProcessName", "C:\\Windows\\System32\\whoami.exe"), ("CommandLine", String(repeating: "x", count: 60) + "\(index)")])
        }
        let bytes = EvtxWriter.write(events)
        #expect(bytes.count > 4096 + 65_536)
        let path = try directory.write("Security.evtx", bytes)
        let output = try ExternalTool.run("evtxexport", [path])
        #expect(output.components(separatedBy: "Event identifier").count - 1 == 900)
        #expect(output.contains("x899"))
    }

    /// Records end on any byte boundary before padding: every value length must read back.
    @Test func everyValueLengthReadsBack() throws {
        let directory = try TemporaryDirectory()
        let events = (0..<24).map { length in
            EvtxEvent(eventID: 1000, provider: "Application Error", channel: "Application", time: Self.time,
                      data: [("", String(repeating: "a", count: length)), ("Name", "v")])
        }
        let path = try directory.write("Application.evtx", EvtxWriter.write(events))
        let output = try ExternalTool.run("evtxexport", [path])
        #expect(output.components(separatedBy: "Event identifier").count - 1 == 24)
    }
}
