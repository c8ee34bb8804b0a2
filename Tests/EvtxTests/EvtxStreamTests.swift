import Evtx
import ExTriageCore
import Testing
import TestSupport

@Suite struct EvtxStreamTests {
    static let base = Timestamp(iso8601: "2021-03-03T07:45:10Z") ?? Timestamp(seconds: 0)

    static func events(_ count: Int = 3) -> [EvtxEvent] {
        (0..<count).map { index in
            EvtxEvent(eventID: 4688, provider: "Microsoft-Windows-Security-Auditing", channel: "Security", computer: "EXCH01.corp.local",
                      time: Timestamp(seconds: base.seconds + Int64(index), nanoseconds: 250_000_000),
                      data: [("SubjectUserName", "EXCH01$"), ("NewProcessName", "C:\\Windows\\System32\\cmd.exe"),
                             ("CommandLine", "cmd.exe /c echo <a & b> \"q\" \(index)")])
        }
    }

    @Test func readsTheWrittenRecords() throws {
        var events = Self.events()
        events.append(EvtxEvent(eventID: 1102, provider: "Microsoft-Windows-Eventlog", channel: "Security", time: Self.base,
                                data: [("SubjectUserName", "Administrator"), ("SubjectDomainName", "CORP")], userDataRoot: "LogFileCleared"))
        events.append(EvtxEvent(eventID: 2, provider: "MSExchange Unified Messaging", channel: "Application", time: Self.base, level: 2,
                                data: [("", "System.InvalidCastException: Unable to cast"), ("", "UM")]))
        let (records, summary) = EvtxStream.read(EvtxWriter.write(events, firstRecord: 100))
        #expect(summary.records == 5 && summary.failed == 0 && summary.problem == nil && summary.badChunks == 0)
        #expect(records.map(\.recordNumber) == [100, 101, 102, 103, 104])
        let first = try #require(records.first)
        #expect(first.eventID == 4688 && first.provider == "Microsoft-Windows-Security-Auditing" && first.channel == "Security")
        #expect(first.computer == "EXCH01.corp.local")
        #expect(first.time == Timestamp(seconds: Self.base.seconds, nanoseconds: 250_000_000))
        #expect(first.fields.map(\.name) == ["SubjectUserName", "NewProcessName", "CommandLine"])
        #expect(first.fields.last?.value == "cmd.exe /c echo <a & b> \"q\" 0")
        #expect(records[3].fields.map(\.name) == ["SubjectUserName", "SubjectDomainName"])
        #expect(records[4].level == 2 && records[4].fields.map(\.name) == ["Data", "Data"])
    }
}
