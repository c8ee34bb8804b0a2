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
    /// the line-length cap.
    case malformed(reason: String)
    case blank
}

/// Parses Exchange CSV logs (HttpProxy, ECP, OAB, Rps, ...) and IIS W3C / HTTPERR logs line by line.
///
/// Columns come from each file's own `#Fields:` line; another `#Fields:` later in the file switches the map
/// (IIS repeats the header block after restarts). A record must have exactly as many fields as `#Fields`
/// names, except that extra trailing fields are accepted when they are all empty. Everything else is counted in
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

    public init() {}

    public mutating func parse(_ line: Line) -> LogLine {
        if line.truncated {
            return malformed("line longer than the line-length cap (truncated)")
        }
        var text = line.text
        let columns = self.columns
        let scan = text.withUTF8 { bytes in W3CLogParser.scan(bytes, columns) }
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
        case record([UInt32])
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ columns: ColumnMap?) -> Scan {
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
        guard let columns, !columns.fields.isEmpty else { return .noFields }
        guard bytes.count <= FieldScanner.maximumLength else { return .tooLong }
        let expected = columns.fields.count
        var result = FieldScanner.Result()
        let bounds = [UInt32](unsafeUninitializedCapacity: 2 * expected) { buffer, initialized in
            guard let out = buffer.baseAddress else { return }
            switch columns.separator {
            case .comma: result = FieldScanner.scanCSV(bytes, from: start, into: out, capacity: expected)
            case .space: result = FieldScanner.scanSpaces(bytes, from: start, into: out, capacity: expected)
            }
            initialized = 2 * min(result.count, expected)
        }
        if !result.closed { return .unterminatedQuote }
        if result.count == expected || (result.count > expected && result.extrasEmpty) { return .record(bounds) }
        return .wrongCount(result.count)
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
final class ColumnMap: Sendable {
    let fields: [String]
    let separator: LogFieldSeparator
    private let exact: [String: Int]
    private let folded: [String: Int]
    /// Exchange `DateTime` / `date-time` / `TimeStamp`.
    let timestampColumn: Int?
    /// IIS `date` and `time`.
    let dateColumn: Int?
    let timeColumn: Int?

    init(fieldsValue value: String) {
        let separator: LogFieldSeparator = value.utf8.contains(0x2C) ? .comma : .space
        var names: [String] = []
        if !value.isEmpty {
            var text = value
            names = text.withUTF8 { bytes in
                let bounds = FieldScanner.split(bytes, separator: separator)
                return stride(from: 0, to: bounds.count, by: 2).map { index in
                    let start = Int(bounds[index])
                    let end = Int(bounds[index + 1] & FieldScanner.offsetMask)
                    let field = UnsafeBufferPointer(rebasing: bytes[start..<end])
                    return bounds[index + 1] & FieldScanner.quotedFlag != 0
                        ? FieldScanner.unquote(field) : String(decoding: field, as: UTF8.self)
                }
            }
        }
        var exact: [String: Int] = [:]
        var folded: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            let key = name.trimmingSpaces()
            if exact[key] == nil { exact[key] = index }
            let lower = key.lowercased()
            if folded[lower] == nil { folded[lower] = index }
        }
        self.fields = names
        self.separator = separator
        self.exact = exact
        self.folded = folded
        timestampColumn = folded["datetime"] ?? folded["date-time"] ?? folded["timestamp"]
        dateColumn = folded["date"]
        timeColumn = folded["time"]
    }

    func index(of name: String) -> Int? {
        exact[name] ?? folded[name.lowercased()]
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        let bytes = Array(utf8)
        var lower = 0
        var upper = bytes.count
        while lower < upper, bytes[lower] == 0x20 || bytes[lower] == 0x09 { lower += 1 }
        while upper > lower, bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09 { upper -= 1 }
        if lower == 0 && upper == bytes.count { return self }
        return String(decoding: bytes[lower..<upper], as: UTF8.self)
    }
}

/// One record of a W3C-style log. Values are cut from `raw` only when asked for.
public struct LogRecord: Sendable {
    public let line: Int
    /// The original line text.
    public let raw: String
    let columns: ColumnMap
    /// Two entries per field: start offset and end offset (| quoted flag) into `raw.utf8`.
    let bounds: [UInt32]

    init(line: Int, raw: String, columns: ColumnMap, bounds: [UInt32]) {
        self.line = line
        self.raw = raw
        self.columns = columns
        self.bounds = bounds
    }

    /// Value of a column by name, case-insensitive; nil when the column is absent from `#Fields` (not the same
    /// as empty). For space-separated IIS logs the value `-` is returned as `""` and `+` in `cs(User-Agent)`
    /// stays as written. CSV values are unquoted (`""` -> `"`).
    public func value(_ field: String) -> String? {
        guard let index = columns.index(of: field) else { return nil }
        return value(at: index)
    }

    /// Value of the column at `index` in `#Fields`.
    func value(at index: Int) -> String {
        guard index >= 0, 2 * index + 1 < bounds.count else { return "" }
        let start = Int(bounds[2 * index])
        let end = Int(bounds[2 * index + 1] & FieldScanner.offsetMask)
        let quoted = bounds[2 * index + 1] & FieldScanner.quotedFlag != 0
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
            return Timestamp(iso8601: value(at: date) + " " + value(at: time))
        }
        return nil
    }
}
