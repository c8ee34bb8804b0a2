import CForensics
import Glibc
import ExTriageCore

/// What reading one EVTX file gave: how many records, how many failed, and its time span.
public struct EvtxReadSummary: Sendable {
    /// Records read (allocated plus recovered).
    public var records = 0
    /// Of those, recovered from unallocated chunk space.
    public var recovered = 0
    /// Allocated records libevtx listed but could not parse (counted, never fatal).
    public var failed = 0
    /// Recovery candidates (records found in unallocated chunk space) that did not parse.
    public var recoveryFailed = 0
    /// Recovered records skipped because the same record number is allocated in the file.
    public var recoveredDuplicates = 0
    /// Decoded records whose field names came from a template learned earlier in the file.
    public var namedByTemplate = 0
    public var first: Timestamp?
    public var last: Timestamp?
    /// Set when the file could not be read as EVTX at all (not EVTX, truncated header, ...).
    public var problem: String?
    /// libevtx marked the file as corrupted (bad chunk checksums, ...); its records were still read.
    public var corrupted = false
}

/// Reads every record of an EVTX file through libevtx (allocated, then recovered records).
///
/// Event ID, provider, level and written time come from libevtx's getters for every record; the
/// XML rendering, from which the channel, `TimeCreated` and the named fields are scanned, is
/// built only for records whose event ID `wants` accepts (a pre-filter, like the log checks'
/// needles): that rendering is most of the cost of a record.
public enum EvtxReader {
    /// `wantsProvider`, when given, is asked (with the lower-cased provider name) about records
    /// whose event ID is not wanted.
    public static func read(path: String, wants: (UInt32) -> Bool, wantsProvider: ((String) -> Bool)? = nil,
                            each: (EventRecord) -> Void) -> EvtxReadSummary {
        var summary = EvtxReadSummary()
        var error: ErrorHandle?
        guard libevtx_check_file_signature(path, &error) == 1 else {
            summary.problem = message(&error) ?? "not an EVTX file (no ElfFile signature)"
            return summary
        }
        var file: UnsafeMutablePointer<libevtx_file_t>?
        guard libevtx_file_initialize(&file, &error) == 1 else {
            summary.problem = message(&error) ?? "libevtx could not start"
            return summary
        }
        defer { libevtx_file_free(&file, nil) }
        guard libevtx_file_open(file, path, libevtx_get_access_flags_read(), &error) == 1 else {
            summary.problem = "not readable as EVTX: " + (message(&error) ?? "libevtx_file_open failed")
            return summary
        }
        defer { libevtx_file_close(file, nil) }
        summary.corrupted = libevtx_file_is_corrupted(file, nil) == 1
        let state = ReadState(path: path)
        defer {
            state.close()
        }
        var allocated: Set<UInt64> = []
        for recovered in [false, true] {
            var count: Int32 = 0
            let counted = recovered ? libevtx_file_get_number_of_recovered_records(file, &count, nil)
                : libevtx_file_get_number_of_records(file, &count, nil)
            guard counted == 1 else { continue }
            for index in 0..<count {
                var record: RecordHandle?
                let got = recovered ? libevtx_file_get_recovered_record_by_index(file, index, &record, &error)
                    : libevtx_file_get_record_by_index(file, index, &record, &error)
                guard got == 1, record != nil else {
                    libevtx_error_free(&error)
                    if recovered { summary.recoveryFailed += 1 } else { summary.failed += 1 }
                    continue
                }
                defer { libevtx_record_free(&record, nil) }
                var number: UInt64 = 0
                if libevtx_record_get_identifier(record, &number, nil) == 1 {
                    if !recovered {
                        allocated.insert(number)
                    } else if allocated.contains(number) {
                        summary.recoveredDuplicates += 1
                        continue
                    }
                }
                guard let event = readRecord(record, recovered: recovered, wants: wants, wantsProvider: wantsProvider, state: state) else {
                    if recovered { summary.recoveryFailed += 1 } else { summary.failed += 1 }
                    continue
                }
                summary.records += 1
                if recovered { summary.recovered += 1 }
                if let time = event.time {
                    summary.first = min(summary.first ?? time, time)
                    summary.last = max(summary.last ?? time, time)
                }
                if let full = event.full { each(full) }
            }
        }
        summary.namedByTemplate = state.namedByTemplate
        return summary
    }

    /// A record's cheap values, and the full record when its event ID is wanted; nil if unreadable.
    static func readRecord(_ record: RecordHandle?, recovered: Bool, wants: (UInt32) -> Bool, wantsProvider: ((String) -> Bool)?,
                           state: ReadState) -> (time: Timestamp?, full: EventRecord?)? {
        var eventID: UInt32 = 0
        var filetime: UInt64 = 0
        var number: UInt64 = 0
        guard libevtx_record_get_event_identifier(record, &eventID, nil) == 1 else { return nil }
        let written = libevtx_record_get_written_time(record, &filetime, nil) == 1 ? Self.timestamp(filetime: filetime) : nil
        var provider: String?
        if !wants(eventID) {
            guard let wantsProvider else { return (written, nil) }
            let name = string(record, &state.text, size: libevtx_record_get_utf8_source_name_size, get: libevtx_record_get_utf8_source_name)
            guard wantsProvider(name.lowercased()) else { return (written, nil) }
            provider = name
        }
        _ = libevtx_record_get_identifier(record, &number, nil)
        var level: UInt8 = 0
        _ = libevtx_record_get_event_level(record, &level, nil)
        let providerName = provider ?? string(record, &state.text, size: libevtx_record_get_utf8_source_name_size, get: libevtx_record_get_utf8_source_name)
        let computer = string(record, &state.text, size: libevtx_record_get_utf8_computer_name_size, get: libevtx_record_get_utf8_computer_name)
        // Fast path: a template seen before gives the field names; libevtx gives the values in order.
        let template = state.templateKey(record, eventID: eventID, recovered: recovered)
        if let template, let names = state.namesByTemplate[template], let channel = state.channel,
           let values = strings(record, expected: names.count, state: state) {
            state.namedByTemplate += 1
            return (written, EventRecord(recordNumber: number, eventID: eventID, provider: providerName, channel: channel, computer: computer,
                                         level: level, time: written, fields: Array(zip(names, values)), recovered: recovered))
        }
        // Take the buffer out of the state so writing to it does not copy it (copy-on-write).
        var xml = state.xml
        state.xml = []
        defer { state.xml = xml }
        // Render straight into the reusable buffer: asking for the size first would render the XML twice.
        var rendered = xml.withUnsafeMutableBufferPointer { buffer -> Bool in
            libevtx_record_get_utf8_xml_string(record, buffer.baseAddress, buffer.count, nil) == 1
        }
        if !rendered {
            var needed = 0
            guard libevtx_record_get_utf8_xml_string_size(record, &needed, nil) == 1, needed > xml.count, needed <= maximumXML else { return nil }
            xml = [UInt8](repeating: 0, count: needed)
            rendered = xml.withUnsafeMutableBufferPointer { buffer -> Bool in
                libevtx_record_get_utf8_xml_string(record, buffer.baseAddress, buffer.count, nil) == 1
            }
            guard rendered else { return nil }
        }
        let xmlSize = xml.withUnsafeBufferPointer { buffer in (buffer.firstIndex(of: 0) ?? buffer.count) + 1 }
        let parsed = xml.withUnsafeBufferPointer { buffer in
            EventXMLScanner.scan(UnsafeBufferPointer(rebasing: buffer[0..<max(0, xmlSize - 1)]))
        }
        let time = parsed.time ?? written
        // Learn the template's field names when libevtx's values agree with the XML one for one.
        if let template, state.namesByTemplate.count < ReadState.maximumTemplates, !parsed.fields.isEmpty,
           let values = strings(record, expected: parsed.fields.count, state: state), values == parsed.fields.map(\.value) {
            state.namesByTemplate[template] = parsed.fields.map(\.name)
            if state.channel == nil { state.channel = parsed.channel }
        }
        return (time, EventRecord(recordNumber: number, eventID: eventID, provider: providerName, channel: parsed.channel,
                                  computer: computer, level: level, time: time, fields: parsed.fields, recovered: recovered))
    }

    /// The record's values in order (`EventData`/`UserData`), when there are exactly `expected`.
    static func strings(_ record: RecordHandle?, expected: Int, state: ReadState) -> [String]? {
        var count: Int32 = 0
        guard libevtx_record_get_number_of_strings(record, &count, nil) == 1, Int(count) == expected else { return nil }
        var values: [String] = []
        values.reserveCapacity(expected)
        for index in 0..<count {
            var length = 0
            guard libevtx_record_get_utf8_string_size(record, index, &length, nil) == 1 else { return nil }
            if length <= 1 {
                values.append("")
                continue
            }
            if state.text.count < length { state.text = [UInt8](repeating: 0, count: length * 2) }
            let value = state.text.withUnsafeMutableBufferPointer { buffer -> String? in
                guard libevtx_record_get_utf8_string(record, index, buffer.baseAddress, length, nil) == 1 else { return nil }
                return String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<(length - 1)]), as: UTF8.self)
            }
            guard let value else { return nil }
            values.append(value)
        }
        return values
    }

    /// A record's XML is at most a few times its 64 KiB chunk; more is treated as unreadable.
    static let maximumXML = 16 << 20

    typealias ErrorHandle = UnsafeMutablePointer<libevtx_error_t>
    typealias RecordHandle = UnsafeMutablePointer<libevtx_record_t>
    typealias SizeGetter = (RecordHandle?, UnsafeMutablePointer<Int>?, UnsafeMutablePointer<ErrorHandle?>?) -> Int32
    typealias StringGetter = (RecordHandle?, UnsafeMutablePointer<UInt8>?, Int, UnsafeMutablePointer<ErrorHandle?>?) -> Int32

    static func string(_ record: RecordHandle?, _ buffer: inout [UInt8], size: SizeGetter, get: StringGetter) -> String {
        var length = 0
        guard size(record, &length, nil) == 1, length > 1 else { return "" }
        if buffer.count < length { buffer = [UInt8](repeating: 0, count: length * 2) }
        return buffer.withUnsafeMutableBufferPointer { pointer -> String in
            guard get(record, pointer.baseAddress, length, nil) == 1 else { return "" }
            return String(decoding: UnsafeBufferPointer(rebasing: pointer[0..<(length - 1)]), as: UTF8.self)
        }
    }

    /// FILETIME (100 ns since 1601) to a timestamp; nil for zero.
    static func timestamp(filetime: UInt64) -> Timestamp? {
        guard filetime > 0 else { return nil }
        let seconds = Int64(filetime / 10_000_000) - 11_644_473_600
        return Timestamp(seconds: seconds, nanoseconds: Int32(filetime % 10_000_000) * 100)
    }

    /// libevtx's error text (its last line), freeing the error.
    static func message(_ error: inout ErrorHandle?) -> String? {
        guard error != nil else { return nil }
        var buffer = [CChar](repeating: 0, count: 1024)
        libevtx_error_sprint(error, &buffer, buffer.count)
        libevtx_error_free(&error)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "\n").last.map(String.init)
    }
}

/// Reusable buffers and what one file's records taught: field names per template, the channel.
final class ReadState {
    var xml = [UInt8](repeating: 0, count: 256 * 1024)
    var text = [UInt8](repeating: 0, count: 512)
    /// Field names by template (its GUID and size from the file, and the event ID).
    var namesByTemplate: [TemplateKey: [String]] = [:]
    var channel: String?
    /// Records whose fields were named from a learned template rather than from the XML.
    var namedByTemplate = 0
    private var descriptor: Int32
    static let maximumTemplates = 10_000

    struct TemplateKey: Hashable {
        var eventID: UInt32
        var identity: [UInt8]
    }

    init(path: String) { descriptor = open(path, O_RDONLY) }

    func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }

    /// The chunk holding the record being located, and where the walk through it stands.
    private var chunk = [UInt8](repeating: 0, count: 65_536)
    private var chunkStart: Int64 = -1
    private var cursor = 512
    private var misses = 0

    /// The template an allocated record instantiates, from the record's bytes: the template-instance
    /// token after the fragment header points at the definition, whose GUID and size identify it.
    /// Records are located by walking the chunks in order alongside libevtx (this libevtx does not
    /// give record offsets); after a few records that cannot be found the file is left to the XML path.
    func templateKey(_ record: EvtxReader.RecordHandle?, eventID: UInt32, recovered: Bool) -> TemplateKey? {
        var number: UInt64 = 0
        guard !recovered, descriptor >= 0, misses < 3, libevtx_record_get_identifier(record, &number, nil) == 1,
              let at = locate(number), at + 38 <= chunk.count, chunk[at + 24] == 0x0F, chunk[at + 28] == 0x0C else { return nil }
        let definition = Int(chunk[at + 34]) | Int(chunk[at + 35]) << 8 | Int(chunk[at + 36]) << 16 | Int(chunk[at + 37]) << 24
        guard definition >= 512, definition + 24 <= chunk.count else { return nil }
        return TemplateKey(eventID: eventID, identity: Array(chunk[(definition + 4)..<(definition + 24)]))
    }

    /// The record's offset in `chunk`, walking forward from the last one found.
    private func locate(_ number: UInt64) -> Int? {
        let savedStart = chunkStart
        let savedCursor = cursor
        var chunksTried = 0
        while chunksTried < 3 {
            if chunkStart < 0 || cursor + 24 > chunk.count {
                let next = chunkStart < 0 ? 4096 : chunkStart + 65_536
                guard load(next) else { break }
                chunksTried += 1
            }
            let size = Int(chunk[cursor + 4]) | Int(chunk[cursor + 5]) << 8 | Int(chunk[cursor + 6]) << 16 | Int(chunk[cursor + 7]) << 24
            guard chunk[cursor] == 0x2A, chunk[cursor + 1] == 0x2A, size >= 28, cursor + size <= chunk.count else {
                cursor = chunk.count  // end of this chunk's records
                continue
            }
            var id: UInt64 = 0
            for index in 0..<8 { id |= UInt64(chunk[cursor + 8 + index]) << (8 * UInt64(index)) }
            let here = cursor
            cursor += size
            if id == number { return here }
        }
        misses += 1
        if savedStart >= 0, savedStart != chunkStart { _ = load(savedStart) }
        cursor = savedCursor
        return nil
    }

    private func load(_ start: Int64) -> Bool {
        let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 65_536, off_t(start)) }
        guard count == 65_536, chunk.starts(with: Array("ElfChnk".utf8)) else { return false }
        chunkStart = start
        cursor = 512
        return true
    }
}
