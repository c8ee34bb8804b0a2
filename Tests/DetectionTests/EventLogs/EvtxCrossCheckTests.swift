@testable import Detection
import Evtx
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// The native reader against libevtx, record by record (number, event ID, time, System values,
/// every field name and value), on the writer's files, the sample logs and, when present, the
/// corpus in /work/shared/corpora/evtx. libevtx (`EvtxReader`) is kept only for this.
///
/// Where libevtx is wrong, the test says so and does not copy it:
/// - signed integers (Int8..Int64) below zero: libevtx prints sign and magnitude bits
///   (-5 as Int8 gives "-123"); the native reader prints the two's-complement value;
/// - a normal substitution of the null type, and arrays of SIDs: libevtx fails the whole record;
///   the native reader gives an empty field / one field per SID;
/// - a string with a NUL inside: libevtx's XML ends at the NUL and the field (and every later
///   one) is lost; the native reader keeps the text before the NUL;
/// - characters outside the Basic Multilingual Plane (UTF-16 surrogate pairs): libevtx decodes
///   them to the wrong character; the native reader decodes them;
/// - CDATA and character references: libevtx drops the element or fails the record; the native
///   reader puts the text in the field.
@Suite struct EvtxCrossCheckTests {
    static let corpus = "/work/shared/corpora/evtx"

    /// Both readers over one file; the disagreements, as text (empty when they agree).
    static func compare(_ bytes: [UInt8], name: String) throws -> [String] {
        let directory = try TemporaryDirectory()
        let path = try directory.write("log.evtx", bytes)
        var expected: [EventRecord] = []
        let theirs = EvtxReader.read(path: path, wants: { _ in true }, parallel: false, namesFromTemplates: false) {
            if !$0.recovered { expected.append($0) }
        }
        let (native, ours) = EvtxStream.read(bytes, piece: 10_007)
        // Records recovered from slack are compared by count only: they lie in space that was
        // overwritten, their templates may be gone, and the two readers look for them differently.
        let actual = native.filter { !$0.recovered }.map(EventRecord.init)
        var problems: [String] = []
        func differ(_ what: String) { if problems.count < 20 { problems.append("\(name): \(what)") } }
        if theirs.recovered != ours.recovered {
            print("EvtxCrossCheckTests: \(name): recovered records: libevtx \(theirs.recovered), native \(ours.recovered)")
        }
        if theirs.records - theirs.recovered != ours.records - ours.recovered || theirs.failed != ours.failed {
            differ("counts: libevtx \(theirs.records) records, \(theirs.failed) failed, \(theirs.recovered) recovered; native \(ours.records), \(ours.failed), \(ours.recovered)")
        }
        if (theirs.problem == nil) != (ours.problem == nil) { differ("problem: libevtx \(theirs.problem ?? "-"), native \(ours.problem ?? "-")") }
        if expected.count != actual.count { differ("\(expected.count) records from libevtx, \(actual.count) native") }
        for (left, right) in zip(expected, actual) {
            let at = "record \(left.recordNumber)"
            if left.recordNumber != right.recordNumber { differ("\(at): number \(right.recordNumber)") }
            if left.eventID != right.eventID { differ("\(at): event ID \(left.eventID) vs \(right.eventID)") }
            if left.time != right.time { differ("\(at): time \(left.time?.iso8601 ?? "-") vs \(right.time?.iso8601 ?? "-")") }
            if left.provider != right.provider { differ("\(at): provider \(left.provider) vs \(right.provider)") }
            if left.channel != right.channel { differ("\(at): channel \(left.channel) vs \(right.channel)") }
            if left.computer != right.computer { differ("\(at): computer \(left.computer) vs \(right.computer)") }
            if left.level != right.level { differ("\(at): level \(left.level) vs \(right.level)") }
            if left.recovered != right.recovered { differ("\(at): recovered \(left.recovered) vs \(right.recovered)") }
            if left.fields.map(\.name) != right.fields.map(\.name) {
                differ("\(at): field names \(left.fields.map(\.name)) vs \(right.fields.map(\.name))")
                continue
            }
            for (l, r) in zip(left.fields, right.fields) where l.value != r.value {
                differ("\(at): \(l.name) = \(l.value.debugDescription) vs \(r.value.debugDescription)")
            }
        }
        return problems
    }

    /// The files the existing tests write: reader tests, writer tests, every event rule's samples, the sample trees.
    static func writerFiles() throws -> [(String, [UInt8])] {
        var files: [(String, [UInt8])] = []
        var events = EvtxReaderTests.events(300)
        events.insert(EvtxEvent(eventID: 1102, provider: "Microsoft-Windows-Eventlog", channel: "Security", time: EvtxReaderTests.base,
                                data: [("SubjectUserName", "Administrator")], userDataRoot: "LogFileCleared"), at: 150)
        events.append(EvtxEvent(eventID: 2, provider: "MSExchange Unified Messaging", channel: "Application", time: EvtxReaderTests.base, level: 2,
                                data: [("", "System.InvalidCastException: Unable to cast"), ("", "UM")]))
        files.append(("reader-inline", EvtxWriter.write(events, firstRecord: 100)))
        files.append(("reader-shared", EvtxWriter.write(events, dirty: true, shareTemplates: true)))
        files.append(("reader-900", EvtxWriter.write(EvtxReaderTests.events(900))))
        files.append(("writer-lengths", EvtxWriter.write((0..<24).map { length in
            EvtxEvent(eventID: 1000, provider: "Application Error", channel: "Application", time: EvtxReaderTests.base,
                      data: [("", String(repeating: "a", count: length)), ("Name", "v")])
        })))
        for check in try TestData.detection().sigma.builtIn {
            let samples = check.extras.positive.map(\.event) + check.extras.negative
            let ruleEvents = samples.enumerated().map { EventHarness.event($0.element, at: $0.offset) }
            if !ruleEvents.isEmpty { files.append(("rule \(check.id)", EvtxWriter.write(ruleEvents))) }
        }
        for sample in ["exchange2016-compromised", "exchange2019-clean"] {
            for (name, bytes) in SampleEventLogs.files(for: sample) { files.append(("\(sample)/\(name)", bytes)) }
        }
        return files
    }

    @Test func theWritersFilesReadTheSame() throws {
        let files = try Self.writerFiles()
        #expect(files.count > 20)
        for (name, bytes) in files {
            let problems = try Self.compare(bytes, name: name)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        }
    }

    /// Every value type libevtx renders correctly reads the same; the rest are listed above.
    @Test func valueTypesReadTheSame() throws {
        let guid: [UInt8] = Array(1...16)
        var event = EvtxEvent(eventID: 4000, provider: "Test-Provider", channel: "Application", time: EvtxReaderTests.base, data: [("Plain", "p")])
        event.typed = [
            ("String", .string("str")), ("Ansi", .ansi("ansi")), ("Int8", .int8(5)), ("UInt8", .uint8(200)), ("Int16", .int16(300)),
            ("UInt16", .uint16(65000)), ("Int32", .int32(70000)), ("UInt32", .uint32(4_000_000_000)), ("Int64", .int64(5_000_000_000)),
            ("UInt64", .uint64(18_000_000_000_000_000_000)), ("Real32", .real32(1.5)), ("Real64", .real64(-2.25)), ("Real", .real64(1e20)),
            ("True", .bool(true)), ("False", .bool(false)), ("Binary", .binary([0xDE, 0xAD, 0x01])), ("NoBinary", .binary([])),
            ("Guid", .guid(guid)), ("SizeT", .sizeT(0x1234_ABCD)), ("FileTime", .filetime(132_592_335_101_250_000)), ("Zero", .filetime(0)),
            ("SystemTime", .systemtime([2021, 3, 3, 3, 7, 45, 10, 125])), ("Sid", .sid("S-1-5-21-100-200-300-500")),
            ("Hex32", .hex32(0x1F)), ("Hex64", .hex64(0x3E7)), ("Strings", .array(0x01, [.string("a"), .string("bb")])),
            ("Shorts", .array(0x06, [.uint16(1), .uint16(2)])), ("Guids", .array(0x0F, [.guid(guid)])), ("Hexes", .array(0x15, [.hex64(1), .hex64(2)])),
            ("Times", .array(0x11, [.filetime(132_592_335_101_250_000)])), ("Empty", .string("")), ("Nul", .string("abc\0")),
            ("Escapes", .string("x<y&z\"q'\ttab\r\nnl")), ("Unicode", .string("Grüße ✓ é")),
            // Not "𝄞" (U+1D11E): libevtx turns a UTF-16 surrogate pair into the wrong character (U+1CD1F).
        ]
        let problems = try Self.compare(EvtxWriter.write([event]), name: "value types")
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test func theSampleLogsReadTheSame() throws {
        let root = Repository.root + "/Samples/images"
        var count = 0
        for image in try FileManager.default.contentsOfDirectory(atPath: root).sorted() {
            let logs = root + "/" + image + "/Windows/System32/winevt/Logs"
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: logs) else { continue }
            for name in names.sorted() where name.hasSuffix(".evtx") {
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: logs + "/" + name)))
                let problems = try Self.compare(bytes, name: image + "/" + name)
                #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
                count += 1
            }
        }
        #expect(count >= 9)
    }

    @Test func theCorpusReadsTheSame() throws {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: Self.corpus) else {
            print("EvtxCrossCheckTests: \(Self.corpus) is absent; corpus cross-check skipped")
            return
        }
        for name in names.sorted() where name.lowercased().hasSuffix(".evtx") {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.corpus + "/" + name)))
            let problems = try Self.compare(bytes, name: name)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        }
    }
}
