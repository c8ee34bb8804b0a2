import CForensics
@testable import Detection
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Reading EVTX through libevtx: every field by name, broken files counted not fatal, and the
/// libyal load-order trap (EVTX and E01 in one process).
@Suite struct EvtxReaderTests {
    static let base = Timestamp(iso8601: "2021-03-03T07:45:10Z") ?? Timestamp(seconds: 0)

    static func events(_ count: Int = 3) -> [EvtxEvent] {
        (0..<count).map { index in
            EvtxEvent(eventID: 4688, provider: "Microsoft-Windows-Security-Auditing", channel: "Security", computer: "EXCH01.corp.local",
                      time: Timestamp(seconds: base.seconds + Int64(index), nanoseconds: 250_000_000),
                      data: [("SubjectUserName", "EXCH01$"), ("NewProcessName", "C:\\Windows\\System32\\cmd.exe"),
                             ("CommandLine", "cmd.exe /c echo <a & b> \"q\" \(index)"), ("ParentProcessName", "C:\\Windows\\System32\\inetsrv\\w3wp.exe")])
        }
    }

    static func readAll(_ path: String, wants: @escaping (UInt32) -> Bool = { _ in true }) -> ([EventRecord], EvtxReadSummary) {
        var records: [EventRecord] = []
        let summary = EvtxReader.read(path: path, wants: wants) { records.append($0) }
        return (records, summary)
    }

    @Test func everyRecordWithNamedFields() throws {
        let directory = try TemporaryDirectory()
        var events = Self.events()
        events.append(EvtxEvent(eventID: 1102, provider: "Microsoft-Windows-Eventlog", channel: "Security", time: Self.base,
                                data: [("SubjectUserName", "Administrator"), ("SubjectDomainName", "CORP")], userDataRoot: "LogFileCleared"))
        events.append(EvtxEvent(eventID: 2, provider: "MSExchange Unified Messaging", channel: "Application", time: Self.base, level: 2,
                                data: [("", "System.InvalidCastException: Unable to cast"), ("", "UM")]))
        let path = try directory.write("Security.evtx", EvtxWriter.write(events, firstRecord: 100))
        let (records, summary) = Self.readAll(path)
        #expect(summary.records == 5 && summary.failed == 0 && summary.problem == nil)
        #expect(records.map(\.recordNumber) == [100, 101, 102, 103, 104])
        let first = try #require(records.first)
        #expect(first.eventID == 4688 && first.provider == "Microsoft-Windows-Security-Auditing" && first.channel == "Security")
        #expect(first.computer == "EXCH01.corp.local")
        #expect(first.time == Timestamp(seconds: Self.base.seconds, nanoseconds: 250_000_000))
        #expect(first.value("commandline") == "cmd.exe /c echo <a & b> \"q\" 0")
        #expect(first.value("ParentProcessName") == "C:\\Windows\\System32\\inetsrv\\w3wp.exe")
        #expect(records[3].value("SubjectUserName") == "Administrator" && records[3].eventID == 1102)
        #expect(records[4].level == 2 && records[4].value("Data")?.contains("InvalidCastException") == true)
        #expect(summary.first == Self.base && summary.last == Timestamp(seconds: Self.base.seconds + 2, nanoseconds: 250_000_000))
    }

    /// Windows shares a template between records of one shape in a chunk; the reader then names
    /// fields from the template learned on the first record and must give the same records.
    @Test func sharedTemplatesReadTheSameAsInlineOnes() throws {
        let directory = try TemporaryDirectory()
        var events = Self.events(300)
        events.insert(EvtxEvent(eventID: 1102, provider: "Microsoft-Windows-Eventlog", channel: "Security", time: Self.base,
                                data: [("SubjectUserName", "Administrator")], userDataRoot: "LogFileCleared"), at: 150)
        let inline = try directory.write("inline.evtx", EvtxWriter.write(events))
        let sharedBytes = EvtxWriter.write(events, shareTemplates: true)
        let shared = try directory.write("shared.evtx", sharedBytes)
        #expect(sharedBytes.count < (try Data(contentsOf: URL(fileURLWithPath: inline))).count)
        let (expected, _) = Self.readAll(inline)
        let (actual, summary) = Self.readAll(shared)
        #expect(summary.namedByTemplate > 250, "the template path was not used: \(summary)")
        #expect(actual.count == expected.count && expected.count == 301)
        for (left, right) in zip(expected, actual) {
            #expect(left.recordNumber == right.recordNumber && left.eventID == right.eventID && left.channel == right.channel)
            #expect(left.fields.map(\.name) == right.fields.map(\.name) && left.fields.map(\.value) == right.fields.map(\.value))
            #expect(left.computer == right.computer && left.provider == right.provider)
        }
        let output = try ExternalTool.run("evtxexport", [shared])
        #expect(output.components(separatedBy: "Event identifier").count - 1 == 301)
    }

    /// Large files are decoded by two threads in blocks; the records and their order must not change.
    @Test func twoThreadsGiveTheSameRecordsInTheSameOrder() throws {
        let directory = try TemporaryDirectory()
        let count = Int(EvtxReader.parallelThreshold) + EvtxReader.blockSize + 100
        let events = Self.events(count)
        let path = try directory.write("Security.evtx", EvtxWriter.write(events, shareTemplates: true))
        var sequential: [EventRecord] = []
        let one = EvtxReader.read(path: path, wants: { _ in true }, parallel: false) { sequential.append($0) }
        var parallel: [EventRecord] = []
        let two = EvtxReader.read(path: path, wants: { _ in true }, parallel: true) { parallel.append($0) }
        #expect(one.records == count && two.records == count && two.failed == 0)
        #expect(sequential.map(\.recordNumber) == (1...UInt64(count)).map { $0 })
        #expect(parallel.map(\.recordNumber) == sequential.map(\.recordNumber))
        #expect(parallel.map { $0.value("CommandLine") ?? "" } == sequential.map { $0.value("CommandLine") ?? "" })
        #expect(two.namedByTemplate > count / 2, "the template path was not used in both threads: \(two)")
        #expect(one.first == two.first && one.last == two.last)
    }

    @Test func thePrefilterSkipsDecodingButCountsEveryRecord() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("Security.evtx", EvtxWriter.write(Self.events(5)))
        let (records, summary) = Self.readAll(path) { $0 == 1 }
        #expect(records.isEmpty && summary.records == 5)
    }

    @Test func aDamagedRecordIsCountedAndTheRestRead() throws {
        let directory = try TemporaryDirectory()
        var bytes = EvtxWriter.write(Self.events(4))
        // Break the binary XML of the second record (its fragment header), leaving the framing intact.
        let records = Self.recordOffsets(bytes)
        #expect(records.count == 4)
        for offset in records[1] + 24..<records[1] + 60 { bytes[offset] = 0xEE }
        let path = try directory.write("Security.evtx", bytes)
        let (read, summary) = Self.readAll(path)
        #expect(summary.failed >= 1)
        #expect(read.map(\.recordNumber).contains(1) && read.map(\.recordNumber).contains(4))
        #expect(!read.map(\.recordNumber).contains(2))
    }

    @Test func aCutFileKeepsTheRecordsBeforeTheCut() throws {
        let directory = try TemporaryDirectory()
        let bytes = EvtxWriter.write(Self.events(900))
        let path = try directory.write("Security.evtx", Array(bytes.prefix(4096 + 65_536 + 20_000)))
        let (read, summary) = Self.readAll(path)
        let firstChunk = Self.recordOffsets(bytes).filter { $0 < 4096 + 65_536 }.count
        #expect(firstChunk > 10 && summary.problem == nil)
        #expect(read.count >= firstChunk && read.count < 900)
        #expect(Array(read.map(\.recordNumber).prefix(firstChunk)) == (1...UInt64(firstChunk)).map { $0 })
    }

    @Test func aFileThatIsNotEVTXIsReportedNotFatal() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("System.evtx", "this is not an event log\n")
        let (read, summary) = Self.readAll(path)
        #expect(read.isEmpty && summary.problem != nil)
    }

    @Test func theReaderStreamsMembersAndReportsCoverage() throws {
        let good = EvtxWriter.write(Self.events(3), dirty: true)
        let harness = CheckHarness(binaryMembers: [("Windows/System32/winevt/Logs/Security.evtx", good),
                                                   ("Windows/System32/winevt/Logs/Broken.evtx", Array("garbage".utf8))])
        let rows = harness.result(try TestData.checks(reading: TestData.isEvents)).coverage
        let row = try #require(rows.first { $0.checkId == "EVTX" })
        #expect(row.status == .ran && row.members == 1 && row.records == 3 && row.malformed == 0)
        #expect(row.reason?.contains("Broken.evtx") == true)
    }

    /// Chunk-relative record starts (`**\0\0`), in file order.
    static func recordOffsets(_ bytes: [UInt8]) -> [Int] {
        var offsets: [Int] = []
        var chunk = 4096
        while chunk + 512 <= bytes.count {
            var offset = chunk + 512
            while offset + 8 < chunk + 65_536, bytes[offset] == 0x2A, bytes[offset + 1] == 0x2A {
                offsets.append(offset)
                offset += Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16
            }
            chunk += 65_536
        }
        return offsets
    }
}

/// Debian's libyal libraries share helper symbols; if libewf loaded before libevtx, every EVTX
/// record would fail (NATIVE-LIBRARIES.md). This test reads an E01 (made by ewfacquire) and an
/// EVTX record in one process, so a regression in the link order shows at once.
@Suite struct LibyalLoadOrderTests {
    @Test func evtxAndE01ReadInOneProcess() throws {
        let directory = try TemporaryDirectory()
        var raw = [UInt8](repeating: 0, count: 1 << 20)
        for index in raw.indices { raw[index] = UInt8(truncatingIfNeeded: index &* 31 &+ 7) }
        let rawPath = try directory.write("disk.raw", raw)
        try ExternalTool.run("ewfacquire", ["-u", "-q", "-t", directory.path + "/image", "-c", "deflate:fast", "-C", "case", "-e", "examiner",
                                            "-E", "evidence", "-D", "test", "-f", "encase6", rawPath])
        var handle: UnsafeMutablePointer<libewf_handle_t>?
        #expect(libewf_handle_initialize(&handle, nil) == 1)
        defer { libewf_handle_free(&handle, nil) }
        let segment = strdup(directory.path + "/image.E01")
        defer { free(segment) }
        var names: [UnsafeMutablePointer<CChar>?] = [segment]
        #expect(libewf_handle_open(handle, &names, 1, Int32(libewf_get_access_flags_read()), nil) == 1)
        var size: UInt64 = 0
        #expect(libewf_handle_get_media_size(handle, &size, nil) == 1 && size == UInt64(raw.count))
        var buffer = [UInt8](repeating: 0, count: 4096)
        #expect(libewf_handle_read_buffer(handle, &buffer, buffer.count, nil) == 4096)
        #expect(buffer == Array(raw.prefix(4096)))
        libewf_handle_close(handle, nil)

        let path = try directory.write("Security.evtx", EvtxWriter.write(EvtxReaderTests.events(2)))
        let (records, summary) = EvtxReaderTests.readAll(path)
        #expect(summary.failed == 0 && records.count == 2)
        #expect(records.first?.value("NewProcessName") == "C:\\Windows\\System32\\cmd.exe")
    }
}
