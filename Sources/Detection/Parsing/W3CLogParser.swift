import ExTriageCore

/// How the fields of a W3C-style log line are separated.
public enum LogFieldSeparator: Sendable {
    /// Exchange CSV (HttpProxy, ECP, OAB, Rps, ...): a real CSV with `"` quoting.
    case comma
    /// IIS W3C and HTTPERR: single spaces, `-` for empty.
    case space
}

/// What one line of a W3C-style log is.
public enum LogLine: Sendable {
    /// `#Software: x` -> ("Software", "x"); `#Fields: ...` also switches the column map.
    case header(key: String, value: String)
    case record(LogRecord)
    /// A line that is not a usable record: before any `#Fields`, wrong column count, unterminated quote, or cut at
    /// the line-length cap before its last column.
    case malformed(reason: String)
    case blank
}

/// Parses Exchange CSV logs (HttpProxy, ECP, OAB, Rps, ...) and IIS W3C / HTTPERR logs line by line.
///
/// Columns come from each file's own `#Fields:` line; another `#Fields:` later in the file switches the map
/// (IIS repeats the header block after restarts). A record must have exactly as many fields as `#Fields`
/// names, except that extra trailing fields are accepted when they are all empty. A line cut at the line-length
/// cap (a row followed by megabytes with no line break) is still a record, marked `cut`, when its first part
/// holds every column: whatever follows the last one is ignored. Everything else is counted in
/// `malformedCount` and returned as `.malformed`, never dropped silently (ADVERSARIAL-CASES C6).
///
/// A CSV value containing a real line break cannot be rejoined line by line: both parts come back malformed.
///
/// References: EXCHANGE-ARTIFACTS.md §2.1-2.6.
public struct W3CLogParser {
    /// Current `#Fields`, as written.
    public private(set) var fields: [String] = []
    /// Comma when the `#Fields` value contains a comma, else space (comma before any `#Fields`).
    public private(set) var separator: LogFieldSeparator = .comma
    /// Last `#Software`.
    public private(set) var software: String?
    /// Last `#Version`.
    public private(set) var version: String?
    /// Last `#Log-type`.
    public private(set) var logType: String?
    public private(set) var recordCount: Int = 0
    public private(set) var malformedCount: Int = 0

    private var columns: ColumnMap?
    /// Reused output buffer of the field scanner.
    private var scratch: [UInt32] = []

    public init() {}

    public mutating func parse(_ line: Line) -> LogLine {
        var text = line.text
        let columns = self.columns
        let scan = text.withUTF8 { bytes in W3CLogParser.scan(bytes, columns, cut: line.truncated, &scratch) }
        if line.truncated {
            guard case .record(let bounds) = scan, let columns else {
                return malformed("line longer than the line-length cap (truncated)")
            }
            recordCount += 1
            return .record(LogRecord(line: line.number, raw: line.text, columns: columns, bounds: bounds, cut: true))
        }
        switch scan {
        case .blank:
            return .blank
        case .header(let key, let value):
            applyHeader(key, value)
            return .header(key: key, value: value)
        case .noFields:
            return malformed("record before any #Fields")
        case .tooLong:
            return malformed("line too long to index")
        case .unterminatedQuote:
            return malformed("unterminated quoted field")
        case .wrongCount(let found):
            return malformed("expected \(columns?.fields.count ?? 0) fields, found \(found)")
        case .record(let bounds):
            guard let columns else { return malformed("record before any #Fields") }
            recordCount += 1
            return .record(LogRecord(line: line.number, raw: line.text, columns: columns, bounds: bounds))
        }
    }

    private mutating func malformed(_ reason: String) -> LogLine {
        malformedCount += 1
        return .malformed(reason: reason)
    }

    private mutating func applyHeader(_ key: String, _ value: String) {
        switch key.lowercased() {
        case "fields":
            let map = ColumnMap(fieldsValue: value)
            columns = map
            fields = map.fields
            separator = map.separator
        case "software":
            software = value
        case "version":
            version = value
        case "log-type":
            logType = value
        default:
            break
        }
    }

    private enum Scan {
        case blank
        case header(String, String)
        case noFields
        case tooLong
        case unterminatedQuote
        case wrongCount(Int)
        case record(FieldBounds)
    }

    /// `cut`: the line was cut at the cap, so any fields past the last column are the cut-off rest, accepted.
    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ columns: ColumnMap?, cut: Bool, _ scratch: inout [UInt32]) -> Scan {
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            start = 3  // a BOM left over from concatenated files
        }
        if start == bytes.count { return .blank }
        let first = bytes[start]
        if first == 0x20 || first == 0x09 {
            var index = start
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
            if index == bytes.count { return .blank }
        }
        if first == 0x23 {  // '#'
            return header(UnsafeBufferPointer(rebasing: bytes[(start + 1)...]))
        }
        guard let columns else { return .noFields }
        guard bytes.count <= FieldScanner.maximumLength else { return .tooLong }
        let expected = columns.fields.count
        let needed = expected + 1 + FieldScanner.slack
        if scratch.count < needed { scratch = [UInt32](repeating: 0, count: needed) }
        return scratch.withUnsafeMutableBufferPointer { buffer -> Scan in
            guard let out = buffer.baseAddress else { return .noFields }
            let result: FieldScanner.Result
            switch columns.separator {
            case .comma: result = FieldScanner.scanCSV(bytes, from: start, into: out, capacity: expected)
            case .space: result = FieldScanner.scanSpaces(bytes, from: start, into: out, capacity: expected)
            }
            if cut, result.count >= expected { return .record(FieldBounds(copying: out, count: expected + 1)) }
            if !result.closed { return .unterminatedQuote }
            guard result.count == expected || (result.count > expected && result.extrasEmpty) else {
                return .wrongCount(result.count)
            }
            return .record(FieldBounds(copying: out, count: expected + 1))
        }
    }

    /// `Key: value` (after the `#`); key and value trimmed of spaces and tabs. No colon: the whole text is the key.
    private static func header(_ bytes: UnsafeBufferPointer<UInt8>) -> Scan {
        var colon = 0
        while colon < bytes.count, bytes[colon] != 0x3A { colon += 1 }
        let key = trimmed(UnsafeBufferPointer(rebasing: bytes[0..<colon]))
        let value = colon < bytes.count ? trimmed(UnsafeBufferPointer(rebasing: bytes[(colon + 1)...])) : ""
        return .header(key, value)
    }

    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var lower = 0
        var upper = bytes.count
        while lower < upper, bytes[lower] == 0x20 || bytes[lower] == 0x09 { lower += 1 }
        while upper > lower, bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09 { upper -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[lower..<upper]), as: UTF8.self)
    }
}

/// The column layout from one `#Fields` line, shared by every record parsed under it.
///
/// Name lookup ignores case through a small open-addressing table hashed over ASCII-folded bytes (no string is
/// built per lookup); an exact spelling wins over a case variant, otherwise the first column wins. Queries with
/// non-ASCII bytes fall back to a dictionary of `lowercased()` names.
final class ColumnMap: Sendable {
    let fields: [String]
    let separator: LogFieldSeparator
    /// Exchange `DateTime` / `date-time` / `TimeStamp`.
    let timestampColumn: Int?
    /// IIS `date` and `time`.
    let dateColumn: Int?
    let timeColumn: Int?

    /// Trimmed names, concatenated; name `i` is `nameBytes[nameOffsets[i] ..< nameOffsets[i + 1]]`.
    private let nameBytes: [UInt8]
    private let nameOffsets: [Int]
    /// Column index per slot, -1 when empty.
    private let slots: [Int32]
    private let slotMask: Int
    private let folded: [String: Int]

    init(fieldsValue value: String) {
        let separator: LogFieldSeparator = value.utf8.contains(0x2C) ? .comma : .space
        var names: [String] = []
        if !value.isEmpty {
            var text = value
            names = text.withUTF8 { bytes in
                let bounds = FieldScanner.split(bytes, separator: separator)
                return (0..<(bounds.count - 1)).map { index in
                    let start = Int(bounds[index] & FieldScanner.offsetMask)
                    let end = Int(bounds[index + 1] & FieldScanner.offsetMask) - 1
                    let quoted = bounds[index] & FieldScanner.quotedFlag != 0
                    let field = UnsafeBufferPointer(rebasing: bytes[start..<end])
                    return quoted ? FieldScanner.unquote(field) : String(decoding: field, as: UTF8.self)
                }
            }
        }
        var nameBytes: [UInt8] = []
        var nameOffsets = [0]
        var folded: [String: Int] = [:]
        var slotCount = 8
        while slotCount < 2 * names.count { slotCount *= 2 }
        var slots = [Int32](repeating: -1, count: slotCount)
        for (index, name) in names.enumerated() {
            let key = Array(ColumnMap.trimmed(name).utf8)
            let lower = String(decoding: key, as: UTF8.self).lowercased()
            if folded[lower] == nil { folded[lower] = index }
            nameBytes += key
            nameOffsets.append(nameBytes.count)
            var slot = Int(truncatingIfNeeded: ColumnMap.hash(key)) & (slotCount - 1)
            var duplicate = false
            while slots[slot] >= 0 {
                let other = Int(slots[slot])
                if nameBytes[nameOffsets[other]..<nameOffsets[other + 1]].elementsEqual(key) { duplicate = true }
                slot = (slot + 1) & (slotCount - 1)
            }
            if !duplicate { slots[slot] = Int32(index) }
        }
        self.fields = names
        self.separator = separator
        self.nameBytes = nameBytes
        self.nameOffsets = nameOffsets
        self.slots = slots
        self.slotMask = slotCount - 1
        self.folded = folded
        timestampColumn = folded["datetime"] ?? folded["date-time"] ?? folded["timestamp"]
        dateColumn = folded["date"]
        timeColumn = folded["time"]
    }

    func index(of name: String) -> Int? {
        let found = name.utf8.withContiguousStorageIfAvailable { lookup($0) } ?? lookup(Array(name.utf8))
        switch found {
        case -1: return nil
        case -2: return folded[name.lowercased()]
        default: return found
        }
    }

    /// The column of `query` (ASCII, case-insensitive), -1 when absent, -2 when the query is not ASCII.
    private func lookup<Query: RandomAccessCollection>(_ query: Query) -> Int where Query.Element == UInt8 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in query {
            guard byte < 0x80 else { return -2 }
            hash = (hash ^ UInt64(ColumnMap.fold(byte))) &* 0x0100_0000_01B3
        }
        var slot = Int(truncatingIfNeeded: hash) & slotMask
        var caseVariant = -1
        while true {
            let candidate = Int(slots[slot])
            if candidate < 0 { return caseVariant }
            let lower = nameOffsets[candidate]
            let upper = nameOffsets[candidate + 1]
            if upper - lower == query.count {
                var exact = true
                var same = true
                var offset = lower
                for byte in query {
                    let stored = nameBytes[offset]
                    if stored != byte {
                        exact = false
                        if ColumnMap.fold(stored) != ColumnMap.fold(byte) {
                            same = false
                            break
                        }
                    }
                    offset += 1
                }
                if same {
                    if exact { return candidate }
                    if caseVariant < 0 { caseVariant = candidate }
                }
            }
            slot = (slot + 1) & slotMask
        }
    }

    @inline(__always)
    private static func fold(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    private static func hash(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(fold(byte))) &* 0x0100_0000_01B3 }
        return hash
    }

    private static func trimmed(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var lower = 0
        var upper = bytes.count
        while lower < upper, bytes[lower] == 0x20 || bytes[lower] == 0x09 { lower += 1 }
        while upper > lower, bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09 { upper -= 1 }
        if lower == 0 && upper == bytes.count { return text }
        return String(decoding: bytes[lower..<upper], as: UTF8.self)
    }
}

/// One record of a W3C-style log. Values are cut from `raw` only when asked for.
public struct LogRecord: Sendable {
    public let line: Int
    /// The original line text (its first `maximumLineLength` bytes when `cut`).
    public let raw: String
    /// The line ran past the line-length cap; the columns come from its first part.
    public let cut: Bool
    let columns: ColumnMap
    /// Field boundaries in `raw.utf8`, laid out as described on `FieldScanner`.
    let bounds: FieldBounds

    init(line: Int, raw: String, columns: ColumnMap, bounds: FieldBounds, cut: Bool = false) {
        self.line = line
        self.raw = raw
        self.cut = cut
        self.columns = columns
        self.bounds = bounds
    }

    /// Value of a column by name, case-insensitive; nil when the column is absent from `#Fields` (not the same
    /// as empty). For space-separated IIS logs the value `-` is returned as `""` and `+` in `cs(User-Agent)`
    /// stays as written. CSV values are unquoted (`""` -> `"`).
    /// Fields that name the requesting client: IIS `c-ip`, Exchange `ClientIpAddress`.
    static let clientFields = ["c-ip", "ClientIpAddress"]

    public func value(_ field: String) -> String? {
        guard let index = columns.index(of: field) else { return nil }
        return value(at: index)
    }

    /// Value of the column at `index` in `#Fields`.
    func value(at index: Int) -> String {
        guard index >= 0, index < bounds.fieldCount else { return "" }
        let (start, end, quoted) = bounds.field(index)
        let dashIsEmpty = columns.separator == .space
        func cut(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
            guard end <= bytes.count, start <= end else { return "" }
            let field = UnsafeBufferPointer(rebasing: bytes[start..<end])
            if quoted { return FieldScanner.unquote(field) }
            if dashIsEmpty, field.count == 1, field[0] == 0x2D { return "" }
            return String(decoding: field, as: UTF8.self)
        }
        if let value = raw.utf8.withContiguousStorageIfAvailable(cut) { return value }
        return Array(raw.utf8).withUnsafeBufferPointer(cut)
    }

    /// UTC time: Exchange `DateTime` / `date-time` / `TimeStamp` column (ISO 8601 with Z), or IIS `date` + `time`
    /// columns (UTC by definition). Nil when the columns are absent or the text does not parse.
    public var timestamp: Timestamp? {
        if let column = columns.timestampColumn {
            return Timestamp(iso8601: value(at: column))
        }
        if let date = columns.dateColumn, let time = columns.timeColumn {
            if columns.separator == .space, time == date + 1, time < bounds.fieldCount {
                // `date time` side by side (the IIS default): one slice of the line, already "YYYY-MM-DD hh:mm:ss".
                let start = bounds.field(date).start
                let end = bounds.field(time).end
                let text = raw.utf8.withContiguousStorageIfAvailable { bytes in
                    end <= bytes.count ? String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self) : nil
                } ?? nil
                if let text { return Timestamp(iso8601: text) }
            }
            return Timestamp(iso8601: value(at: date) + " " + value(at: time))
        }
        return nil
    }
}
