import CForensics
import Foundation
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
/// Event ID and written time come from libevtx's getters for every record. Only records whose
/// event ID `wants` accepts (a pre-filter, like the log checks' needles) are decoded further: the
/// first record of each template is rendered as XML and scanned for the channel, `TimeCreated`
/// and the named fields; later records of that template take their values from libevtx in order
/// and the names from the template (rendering XML costs about as much as libevtx's own parse).
/// Large files are decoded by two threads, each with its own libevtx handle, in record order.
public enum EvtxReader {
    /// `wantsProvider`, when given, is asked (with the lower-cased provider name) about records
    /// whose event ID is not wanted.
    /// Large files are decoded by two threads unless `parallel` is false; the records reach `each`
    /// in the same order either way.
    /// With `namesFromTemplates` false every record is rendered as XML (the template shortcut
    /// takes the written time, not `TimeCreated`); the native reader's cross-check uses that.
    public static func read(path: String, wants: (UInt32) -> Bool, wantsProvider: ((String) -> Bool)? = nil, parallel: Bool = true,
                            namesFromTemplates: Bool = true, each: (EventRecord) -> Void) -> EvtxReadSummary {
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
        state.learns = namesFromTemplates
        defer { state.close() }
        var allocated: Set<UInt64> = []
        var count: Int32 = 0
        if libevtx_file_get_number_of_records(file, &count, nil) == 1 {
            func take(_ decoded: Decoded) {
                apply(decoded, recovered: false, allocated: &allocated, summary: &summary, each: each)
            }
            if parallel, count >= Self.parallelThreshold {
                withoutActuallyEscaping(wants) { wants in
                    withoutActuallyEscaping(wantsProvider ?? { _ in false }) { byProvider in
                        let provider: ((String) -> Bool)? = wantsProvider == nil ? nil : byProvider
                        summary.namedByTemplate += readInParallel(path: path, file: file, count: Int(count), state: state,
                                                                  wants: wants, wantsProvider: provider, take: take)
                    }
                }
            } else {
                for index in 0..<Int(count) {
                    take(decode(file, index: index, recovered: false, wants: wants, wantsProvider: wantsProvider, state: state))
                }
            }
        }
        var recoveredCount: Int32 = 0
        if libevtx_file_get_number_of_recovered_records(file, &recoveredCount, nil) == 1 {
            for index in 0..<Int(recoveredCount) {
                let decoded = decode(file, index: index, recovered: true, wants: wants, wantsProvider: wantsProvider, state: state,
                                     skip: { allocated.contains($0) })
                apply(decoded, recovered: true, allocated: &allocated, summary: &summary, each: each)
            }
        }
        summary.namedByTemplate += state.namedByTemplate
        return summary
    }

    /// One record as decoded: its number, time and full record (if wanted), or why it is not counted.
    enum Decoded {
        case record(number: UInt64?, time: Timestamp?, full: EventRecord?)
        case failed
        case duplicate
    }

    /// Files with at least this many records are decoded by two threads.
    static let parallelThreshold: Int32 = 8192
    static let blockSize = 2048

    static func decode(_ file: UnsafeMutablePointer<libevtx_file_t>?, index: Int, recovered: Bool, wants: (UInt32) -> Bool,
                       wantsProvider: ((String) -> Bool)?, state: ReadState, skip: (UInt64) -> Bool = { _ in false }) -> Decoded {
        var record: RecordHandle?
        let got = recovered ? libevtx_file_get_recovered_record_by_index(file, Int32(index), &record, nil)
            : libevtx_file_get_record_by_index(file, Int32(index), &record, nil)
        guard got == 1, record != nil else { return .failed }
        defer { libevtx_record_free(&record, nil) }
        var number: UInt64 = 0
        let numbered = libevtx_record_get_identifier(record, &number, nil) == 1
        if recovered, numbered, skip(number) { return .duplicate }
        guard let event = readRecord(record, recovered: recovered, wants: wants, wantsProvider: wantsProvider, state: state) else { return .failed }
        return .record(number: numbered ? number : nil, time: event.time, full: event.full)
    }

    static func apply(_ decoded: Decoded, recovered: Bool, allocated: inout Set<UInt64>, summary: inout EvtxReadSummary,
                      each: (EventRecord) -> Void) {
        switch decoded {
        case .failed:
            if recovered { summary.recoveryFailed += 1 } else { summary.failed += 1 }
        case .duplicate:
            summary.recoveredDuplicates += 1
        case .record(let number, let time, let full):
            if !recovered, let number { allocated.insert(number) }
            summary.records += 1
            if recovered { summary.recovered += 1 }
            if let time {
                summary.first = min(summary.first ?? time, time)
                summary.last = max(summary.last ?? time, time)
            }
            if let full { each(full) }
        }
    }

    /// Allocated records in blocks: this thread decodes the even blocks, a second thread with its own
    /// libevtx handle the odd ones, at most one block ahead; results are taken in record order, so
    /// checks see the same sequence as from one thread, and memory stays at one block.
    static func readInParallel(path: String, file: UnsafeMutablePointer<libevtx_file_t>?, count: Int, state: ReadState,
                               wants: @escaping (UInt32) -> Bool, wantsProvider: ((String) -> Bool)?, take: (Decoded) -> Void) -> Int {
        let blocks = (count + blockSize - 1) / blockSize
        let handoff = BlockHandoff()
        let job = UncheckedSendable((wants, wantsProvider))
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            defer { finished.signal() }
            var second: UnsafeMutablePointer<libevtx_file_t>?
            let opened = libevtx_file_initialize(&second, nil) == 1
                && libevtx_file_open(second, path, libevtx_get_access_flags_read(), nil) == 1
            let workerState = ReadState(path: path)
            for block in stride(from: 1, to: blocks, by: 2) {
                handoff.space.wait()
                if handoff.stopped { break }
                var results: [Decoded] = []
                if opened {
                    let range = block * blockSize..<min(count, (block + 1) * blockSize)
                    results.reserveCapacity(range.count)
                    for index in range {
                        results.append(decode(second, index: index, recovered: false, wants: job.value.0, wantsProvider: job.value.1, state: workerState))
                    }
                } else {
                    results = []
                }
                handoff.put(results, opened: opened)
            }
            handoff.templates = workerState.namedByTemplate
            workerState.close()
            if opened { libevtx_file_close(second, nil) }
            libevtx_file_free(&second, nil)
        }
        for block in 0..<blocks {
            let range = block * blockSize..<min(count, (block + 1) * blockSize)
            if block % 2 == 0 {
                for index in range { take(decode(file, index: index, recovered: false, wants: wants, wantsProvider: wantsProvider, state: state)) }
                continue
            }
            let (results, opened) = handoff.take()
            handoff.space.signal()
            if opened {
                results.forEach(take)
            } else {
                // The second handle could not open: decode this block here.
                for index in range { take(decode(file, index: index, recovered: false, wants: wants, wantsProvider: wantsProvider, state: state)) }
            }
        }
        handoff.stopped = true
        handoff.space.signal()
        finished.wait()
        return handoff.templates
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
        if state.learns, let template, let names = state.namesByTemplate[template], let channel = state.channel,
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
    /// Whether later records of a template take their names from the first one's XML.
    var learns = true
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
    /// Records that could not be found in the file; after a few the file is left to the XML path.
    private var misses = 0

    /// The template an allocated record instantiates, from the record's bytes: the template-instance
    /// token after the fragment header points at the definition, whose GUID and size identify it.
    /// Records are located by walking the chunks in order alongside libevtx (this libevtx does not
    /// give record offsets); after a few records that cannot be found the file is left to the XML path.
    func templateKey(_ record: EvtxReader.RecordHandle?, eventID: UInt32, recovered: Bool) -> TemplateKey? {
        var number: UInt64 = 0
        guard !recovered, descriptor >= 0, misses < 16, libevtx_record_get_identifier(record, &number, nil) == 1,
              let at = locate(number), at + 38 <= chunk.count, chunk[at + 24] == 0x0F, chunk[at + 28] == 0x0C else { return nil }
        let definition = Int(chunk[at + 34]) | Int(chunk[at + 35]) << 8 | Int(chunk[at + 36]) << 16 | Int(chunk[at + 37]) << 24
        guard definition >= 512, definition + 24 <= chunk.count else { return nil }
        return TemplateKey(eventID: eventID, identity: Array(chunk[(definition + 4)..<(definition + 24)]))
    }

    /// Each chunk's file offset and record-number range, from the chunk headers.
    private var table: [(start: Int64, first: UInt64, last: UInt64)]?
    private var current: (first: UInt64, last: UInt64) = (1, 0)

    /// The record's offset in `chunk`: the chunk whose header range holds the number, walked from
    /// the last record found (records come in order) or from its start.
    private func locate(_ number: UInt64) -> Int? {
        if table == nil { table = readTable() }
        if !(current.first...max(current.first, current.last)).contains(number) || chunkStart < 0 {
            guard let entry = chunkEntry(number), load(entry.start) else {
                misses += 1
                return nil
            }
            current = (entry.first, entry.last)
        }
        for pass in 0..<2 {
            if pass == 1 { cursor = 512 }
            while cursor + 24 <= chunk.count {
                let size = Int(chunk[cursor + 4]) | Int(chunk[cursor + 5]) << 8 | Int(chunk[cursor + 6]) << 16 | Int(chunk[cursor + 7]) << 24
                guard chunk[cursor] == 0x2A, chunk[cursor + 1] == 0x2A, size >= 28, cursor + size <= chunk.count else { break }
                var id: UInt64 = 0
                for index in 0..<8 { id |= UInt64(chunk[cursor + 8 + index]) << (8 * UInt64(index)) }
                let here = cursor
                cursor += size
                if id == number { return here }
                if id > number { break }
            }
        }
        misses += 1
        return nil
    }

    /// The chunk whose range holds `number`: binary search (chunks are in record order), else a scan.
    private func chunkEntry(_ number: UInt64) -> (start: Int64, first: UInt64, last: UInt64)? {
        guard let table, !table.isEmpty else { return nil }
        var low = 0
        var high = table.count - 1
        while low < high {
            let middle = (low + high) / 2
            if table[middle].last < number { low = middle + 1 } else { high = middle }
        }
        if table[low].first <= number, number <= table[low].last { return table[low] }
        return table.first { $0.first <= number && number <= $0.last }
    }

    private func readTable() -> [(start: Int64, first: UInt64, last: UInt64)] {
        var entries: [(start: Int64, first: UInt64, last: UInt64)] = []
        var header = [UInt8](repeating: 0, count: 24)
        var start: Int64 = 4096
        while pread(descriptor, &header, 24, off_t(start)) == 24 {
            if header.starts(with: Array("ElfChnk".utf8)) {
                var first: UInt64 = 0
                var last: UInt64 = 0
                for index in 0..<8 {
                    first |= UInt64(header[8 + index]) << (8 * UInt64(index))
                    last |= UInt64(header[16 + index]) << (8 * UInt64(index))
                }
                entries.append((start, first, last))
            }
            start += 65_536
        }
        return entries
    }

    private func load(_ start: Int64) -> Bool {
        let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 65_536, off_t(start)) }
        guard count == 65_536, chunk.starts(with: Array("ElfChnk".utf8)) else { return false }
        chunkStart = start
        cursor = 512
        return true
    }
}

/// Decoded blocks passed from the second decoding thread, one at a time.
final class BlockHandoff: @unchecked Sendable {
    /// The worker may decode its next block (starts at one: a block ahead).
    let space = DispatchSemaphore(value: 1)
    private let ready = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var block: ([EvtxReader.Decoded], Bool)?
    var stopped = false
    var templates = 0

    func put(_ results: [EvtxReader.Decoded], opened: Bool) {
        lock.lock()
        block = (results, opened)
        lock.unlock()
        ready.signal()
    }

    func take() -> ([EvtxReader.Decoded], Bool) {
        ready.wait()
        lock.lock()
        defer { lock.unlock() }
        let taken = block ?? ([], false)
        block = nil
        return taken
    }
}

/// Hands values that are only read to the second decoding thread.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
