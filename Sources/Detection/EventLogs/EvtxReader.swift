import CForensics
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
        var xml = [UInt8](repeating: 0, count: 16_384)
        var text = [UInt8](repeating: 0, count: 512)
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
                guard let event = readRecord(record, recovered: recovered, wants: wants, wantsProvider: wantsProvider,
                                                   xml: &xml, text: &text) else {
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
        return summary
    }

    /// A record's cheap values, and the full record when its event ID is wanted; nil if unreadable.
    static func readRecord(_ record: RecordHandle?, recovered: Bool, wants: (UInt32) -> Bool, wantsProvider: ((String) -> Bool)?,
                           xml: inout [UInt8], text: inout [UInt8]) -> (time: Timestamp?, full: EventRecord?)? {
        var eventID: UInt32 = 0
        var filetime: UInt64 = 0
        var number: UInt64 = 0
        guard libevtx_record_get_event_identifier(record, &eventID, nil) == 1 else { return nil }
        let written = libevtx_record_get_written_time(record, &filetime, nil) == 1 ? Self.timestamp(filetime: filetime) : nil
        var provider: String?
        if !wants(eventID) {
            guard let wantsProvider else { return (written, nil) }
            let name = string(record, &text, size: libevtx_record_get_utf8_source_name_size, get: libevtx_record_get_utf8_source_name)
            guard wantsProvider(name.lowercased()) else { return (written, nil) }
            provider = name
        }
        _ = libevtx_record_get_identifier(record, &number, nil)
        var level: UInt8 = 0
        _ = libevtx_record_get_event_level(record, &level, nil)
        let providerName = provider ?? string(record, &text, size: libevtx_record_get_utf8_source_name_size, get: libevtx_record_get_utf8_source_name)
        let computer = string(record, &text, size: libevtx_record_get_utf8_computer_name_size, get: libevtx_record_get_utf8_computer_name)
        var xmlSize = 0
        guard libevtx_record_get_utf8_xml_string_size(record, &xmlSize, nil) == 1, xmlSize > 0 else { return nil }
        if xml.count < xmlSize { xml = [UInt8](repeating: 0, count: xmlSize * 2) }
        let rendered = xml.withUnsafeMutableBufferPointer { buffer -> Bool in
            libevtx_record_get_utf8_xml_string(record, buffer.baseAddress, xmlSize, nil) == 1
        }
        guard rendered else { return nil }
        let parsed = xml.withUnsafeBufferPointer { buffer in
            EventXMLScanner.scan(UnsafeBufferPointer(rebasing: buffer[0..<max(0, xmlSize - 1)]))
        }
        let time = parsed.time ?? written
        return (time, EventRecord(recordNumber: number, eventID: eventID, provider: providerName, channel: parsed.channel,
                                  computer: computer, level: level, time: time, fields: parsed.fields, recovered: recovered))
    }

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
