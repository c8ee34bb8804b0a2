import Evtx
import ExTriageCore
import Testing
import TestSupport

/// Every BinXML value type the writer can write reads back as the text libevtx gives (or, where
/// libevtx is wrong, as Windows would show it; see `EvtxCrossCheckTests`).
@Suite struct ValueTypeTests {
    static let time = Timestamp(iso8601: "2021-03-03T07:45:10.125Z") ?? Timestamp(seconds: 0)
    static let guid: [UInt8] = Array(1...16)

    /// Name, value and the expected text (arrays: one field per entry).
    static let cases: [(String, EvtxValue, [String])] = [
        ("String", .string("str"), ["str"]),
        ("Ansi", .ansi("ansi"), ["ansi"]),
        ("Int8", .int8(-5), ["-5"]),
        ("UInt8", .uint8(200), ["200"]),
        ("Int16", .int16(-300), ["-300"]),
        ("UInt16", .uint16(65000), ["65000"]),
        ("Int32", .int32(-70000), ["-70000"]),
        ("UInt32", .uint32(4_000_000_000), ["4000000000"]),
        ("Int64", .int64(-5_000_000_000), ["-5000000000"]),
        ("UInt64", .uint64(18_000_000_000_000_000_000), ["18000000000000000000"]),
        ("Real32", .real32(1.5), ["1.500000e+000"]),
        ("Real64", .real64(-2.25), ["-2.250000e+000"]),
        ("Real64Small", .real64(0.1), ["1.000000e-001"]),
        ("BoolTrue", .bool(true), ["true"]),
        ("BoolFalse", .bool(false), ["false"]),
        ("Binary", .binary([0xDE, 0xAD, 0xBE, 0xEF, 0x01]), ["DEADBEEF01"]),
        ("EmptyBinary", .binary([]), [""]),
        ("Guid", .guid(guid), ["{04030201-0605-0807-090A-0B0C0D0E0F10}"]),
        ("SizeT", .sizeT(0x1234_ABCD), ["305441741"]),
        ("FileTime", .filetime(132_592_335_101_250_000), ["2021-03-03T08:25:10.125000000Z"]),
        ("SystemTime", .systemtime([2021, 3, 3, 3, 7, 45, 10, 125]), ["2021-03-03T07:45:10.125Z"]),
        ("Sid", .sid("S-1-5-21-100-200-300-500"), ["S-1-5-21-100-200-300-500"]),
        ("Hex32", .hex32(0x1F), ["0x0000001f"]),
        ("Hex64", .hex64(0x3E7), ["0x00000000000003e7"]),
        ("StringArray", .array(0x01, [.string("a"), .string("bb"), .string("ccc")]), ["a", "bb", "ccc"]),
        ("UInt16Array", .array(0x06, [.uint16(1), .uint16(2), .uint16(3)]), ["1", "2", "3"]),
        ("Hex32Array", .array(0x14, [.hex32(10), .hex32(255)]), ["0x0000000a", "0x000000ff"]),
        ("GuidArray", .array(0x0F, [.guid(guid), .guid(guid)]), Array(repeating: "{04030201-0605-0807-090A-0B0C0D0E0F10}", count: 2)),
        ("FileTimeArray", .array(0x11, [.filetime(0), .filetime(132_592_335_101_250_000)]),
         ["1601-01-01T00:00:00.000000000Z", "2021-03-03T08:25:10.125000000Z"]),
        ("SidArray", .array(0x13, [.sid("S-1-5-18"), .sid("S-1-1-0")]), ["S-1-5-18", "S-1-1-0"]),
        ("EmptyString", .string(""), [""]),
        ("TrailingNul", .string("abc\0"), ["abc"]),
        ("Escapes", .string("x<y&z\"q'\ttab\r\nnl"), ["x<y&z\"q'\ttab\r\nnl"]),
        ("Unicode", .string("Grüße ✓ 𝄞"), ["Grüße ✓ 𝄞"]),
        // ASCII is read four units at a time: a NUL or a wider unit inside or after such a group.
        ("AsciiLong", .string("C:\\Windows\\System32\\svchost.exe -k netsvcs"), ["C:\\Windows\\System32\\svchost.exe -k netsvcs"]),
        ("NulAfterGroup", .string("abcd\0efgh"), ["abcd"]),
        ("NulInGroup", .string("abcdef\0gh"), ["abcdef"]),
        ("WideUnitLowByteZero", .string("abcdeĀfghij"), ["abcdeĀfghij"]),
        ("WideUnitLate", .string("abcdefgh\u{7F}ijé"), ["abcdefgh\u{7F}ijé"]),
        ("WideUnitFirst", .string("é1234567"), ["é1234567"]),
    ]

    static func event(_ typed: [(name: String, value: EvtxValue)], id: UInt16 = 4000) -> EvtxEvent {
        var event = EvtxEvent(eventID: id, provider: "Test-Provider", channel: "Application", time: time, data: [("Plain", "p")])
        event.typed = typed
        return event
    }

    @Test func everyValueTypeReadsAsItsText() throws {
        let (records, summary) = EvtxStream.read(EvtxWriter.write([Self.event(Self.cases.map { ($0.0, $0.1) })]))
        #expect(summary.records == 1 && summary.failed == 0)
        let record = try #require(records.first)
        var expected: [(String, String)] = [("Plain", "p")]
        for (name, _, texts) in Self.cases { expected += texts.map { (name, $0) } }
        #expect(record.fields.map(\.name) == expected.map(\.0))
        for (actual, wanted) in zip(record.fields, expected) {
            #expect(actual.value == wanted.1, "\(wanted.0)")
        }
    }

    @Test func nestedBinaryXMLBecomesFields() throws {
        let event = Self.event([("Outer", .binXML(root: "Inner", [("A", "1"), ("B", "two & three")])), ("After", .string("x"))])
        let (records, _) = EvtxStream.read(EvtxWriter.write([event]))
        let record = try #require(records.first)
        #expect(record.fields.map(\.name) == ["Plain", "A", "B", "After"])
        #expect(record.fields.map(\.value) == ["p", "1", "two & three", "x"])
    }

    @Test func aNullValueIsAnEmptyField() throws {
        let (records, summary) = EvtxStream.read(EvtxWriter.write([Self.event([("Nothing", .null)])]))
        #expect(summary.failed == 0)
        #expect(records.first?.fields.last.map { [$0.name, $0.value] } == ["Nothing", ""])
    }

    /// Provider, channel and computer strings are reused while their bytes repeat: records that
    /// alternate between values each keep their own.
    @Test func repeatedSystemValuesStayPerRecord() throws {
        let computers = ["EXCH01.corp.local", "EXCH01.corp.local", "DC02.corp.local.example", "EXCH01.corp.local", "EXCH01.corp.locaL"]
        let providers = ["Microsoft-Windows-Security-Auditing", "Microsoft-Windows-Security-Auditing", "Service Control Manager",
                         "Microsoft-Windows-Security-Auditing", "Microsoft-Windows-Security-Auditinh"]
        let events = zip(computers, providers).map { computer, provider in
            EvtxEvent(eventID: 4624, provider: provider, channel: "Security", computer: computer, time: Self.time, data: [("A", "1")])
        }
        let (records, summary) = EvtxStream.read(EvtxWriter.write(events))
        #expect(summary.records == computers.count && summary.failed == 0)
        #expect(records.map(\.computer) == computers)
        #expect(records.map(\.provider) == providers)
        #expect(records.allSatisfy { $0.channel == "Security" })
    }

    @Test func systemValues() throws {
        var event = Self.event([])
        event.level = 2
        let (records, _) = EvtxStream.read(EvtxWriter.write([event], firstRecord: 77))
        let record = try #require(records.first)
        #expect(record.recordNumber == 77 && record.eventID == 4000 && record.level == 2 && record.provider == "Test-Provider")
        #expect(record.channel == "Application" && record.computer == "EXCH01.corp.local" && record.time == Self.time && record.writtenTime == Self.time)
        #expect(!record.recovered)
    }
}
