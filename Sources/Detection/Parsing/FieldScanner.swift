#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level field splitting for W3C-style log lines: a CSV state machine for the Exchange family and a
/// single-space split for IIS. Fields are recorded as byte offsets into the line's UTF-8; strings are built only
/// when a value is asked for.
///
/// Output layout, for `capacity` fields: entry `k` is the start offset of field `k`, with `quotedFlag` set when
/// the field began with `"` (its value then needs unquoting); the entry after the last stored field is one past
/// its end (its separator's position + 1, or the line length + 1). So field `k` spans
/// `start(k) ..< start(k + 1) - 1`, and `capacity + 1` entries describe `capacity` fields. The output buffer must
/// have room for `capacity + FieldScanner.slack` entries: separators are written eight at a time without a
/// branch per field, and the surplus writes land in the slack.
///
/// Separators are found 64 bytes at a time with 8-byte SWAR compares, so a scan costs about one operation per
/// byte, whatever the content, and never backtracks.
enum FieldScanner {
    static let quotedFlag: UInt32 = 0x8000_0000
    static let offsetMask: UInt32 = 0x7FFF_FFFF
    /// Lines longer than this cannot be described by the 31-bit offsets.
    static let maximumLength = Int(offsetMask) - 1
    /// Extra output entries the scanners may write past `capacity + 1`.
    static let slack = 72

    static let comma: UInt8 = 0x2C
    static let quote: UInt8 = 0x22
    static let space: UInt8 = 0x20
    private static let commaPattern: UInt64 = 0x2C2C_2C2C_2C2C_2C2C
    private static let spacePattern: UInt64 = 0x2020_2020_2020_2020

    /// The outcome of scanning one line.
    struct Result {
        /// Fields found; only the first `capacity` are stored.
        var count = 0
        /// Every field past `capacity` is empty.
        var extrasEmpty = true
        /// False when the last quoted field has no closing quote (it then runs to the end of the line).
        var closed = true
    }

    /// RFC 4180 with Python-style leniency: a field starting with `"` is quoted, `""` inside it is one quote,
    /// and anything between the closing quote and the next comma is kept literally. A `"` inside an unquoted
    /// field is literal.
    static func scanCSV(
        _ bytes: UnsafeBufferPointer<UInt8>, from offset: Int, into out: UnsafeMutablePointer<UInt32>, capacity: Int
    ) -> Result {
        guard let base = bytes.baseAddress, offset < bytes.count else {
            return scanEmpty(at: max(offset, bytes.count), into: out, capacity: capacity)
        }
        // Most lines hold no quote at all: then every comma separates.
        if memchr(base + offset, Int32(quote), bytes.count - offset) == nil {
            return scanUnquoted(base, from: offset, count: bytes.count, pattern: commaPattern, into: out, capacity: capacity)
        }
        return scanQuoted(base, from: offset, count: bytes.count, into: out, capacity: capacity)
    }

    /// IIS W3C: fields separated by single spaces, no quoting.
    static func scanSpaces(
        _ bytes: UnsafeBufferPointer<UInt8>, from offset: Int, into out: UnsafeMutablePointer<UInt32>, capacity: Int
    ) -> Result {
        guard let base = bytes.baseAddress, offset < bytes.count else {
            return scanEmpty(at: max(offset, bytes.count), into: out, capacity: capacity)
        }
        return scanUnquoted(base, from: offset, count: bytes.count, pattern: spacePattern, into: out, capacity: capacity)
    }

    /// One empty field.
    private static func scanEmpty(at offset: Int, into out: UnsafeMutablePointer<UInt32>, capacity: Int) -> Result {
        out[0] = UInt32(truncatingIfNeeded: offset)
        if capacity >= 1 { out[1] = UInt32(truncatingIfNeeded: offset + 1) }
        return Result(count: 1, extrasEmpty: true, closed: true)
    }

    /// Every byte equal to the byte of `pattern` separates.
    private static func scanUnquoted(
        _ base: UnsafePointer<UInt8>, from offset: Int, count: Int, pattern: UInt64,
        into out: UnsafeMutablePointer<UInt32>, capacity: Int
    ) -> Result {
        var fields = 0  // fields ended so far
        var fieldStart = offset
        var extrasEmpty = true
        out[0] = UInt32(truncatingIfNeeded: offset)

        /// The careful path, one separator at a time (near or past `capacity`).
        @inline(__always)
        func end(at position: Int) {
            if fields >= capacity, position != fieldStart { extrasEmpty = false }
            fields &+= 1
            fieldStart = position &+ 1
            if fields <= capacity { out[fields] = UInt32(truncatingIfNeeded: fieldStart) }
        }

        var position = offset
        #if _endian(little)
        let raw = UnsafeRawPointer(base)
        while position &+ 64 <= count {
            var bits: UInt64 = 0
            for word in 0..<8 {
                let mask = byteMask(raw.loadUnaligned(fromByteOffset: position &+ 8 &* word, as: UInt64.self), pattern)
                bits |= (((mask &>> 7) &* 0x0102_0408_1020_4080) &>> 56) &<< UInt64(8 &* word)
            }
            if bits != 0 {
                let found = bits.nonzeroBitCount
                if fields &+ found <= capacity {
                    var slot = out + (fields &+ 1)
                    let next = UInt32(truncatingIfNeeded: position &+ 1)
                    repeat {
                        for index in 0..<8 {
                            slot[index] = next &+ UInt32(truncatingIfNeeded: bits.trailingZeroBitCount)
                            bits &= bits &- 1
                        }
                        slot += 8
                    } while bits != 0
                    fields &+= found
                    fieldStart = Int(out[fields])
                } else {
                    while bits != 0 {
                        end(at: position &+ bits.trailingZeroBitCount)
                        bits &= bits &- 1
                    }
                }
            }
            position &+= 64
        }
        #endif
        let separator = UInt8(truncatingIfNeeded: pattern)
        while position < count {
            if base[position] == separator { end(at: position) }
            position &+= 1
        }
        end(at: count)
        return Result(count: fields, extrasEmpty: extrasEmpty, closed: true)
    }

    /// The general CSV path, for lines that hold a quote somewhere.
    private static func scanQuoted(
        _ base: UnsafePointer<UInt8>, from offset: Int, count: Int, into out: UnsafeMutablePointer<UInt32>, capacity: Int
    ) -> Result {
        var fields = 0
        var fieldStart = offset
        var extrasEmpty = true
        out[0] = UInt32(truncatingIfNeeded: offset)

        func end(at position: Int) {
            if fields >= capacity, position != fieldStart { extrasEmpty = false }
            fields += 1
            fieldStart = position + 1
            if fields <= capacity { out[fields] = UInt32(truncatingIfNeeded: fieldStart) }
        }

        while true {
            var index = fieldStart
            if index < count, base[index] == quote {
                if fields <= capacity { out[fields] |= quotedFlag }
                index += 1
                var closed = false
                while true {
                    index = firstByte(quote, base, from: index, to: count)
                    if index >= count { break }
                    if index + 1 < count, base[index + 1] == quote {
                        index += 2
                        continue
                    }
                    index += 1
                    closed = true
                    break
                }
                if !closed {
                    end(at: count)
                    return Result(count: fields, extrasEmpty: extrasEmpty, closed: false)
                }
            }
            index = firstByte(comma, base, from: index, to: count)
            end(at: index)
            if index >= count { return Result(count: fields, extrasEmpty: extrasEmpty, closed: true) }
        }
    }

    /// Splits into an array in the layout above, with room for every field (for `#Fields` lines; not hot).
    static func split(_ bytes: UnsafeBufferPointer<UInt8>, separator: LogFieldSeparator) -> [UInt32] {
        func scan(_ out: UnsafeMutablePointer<UInt32>, _ capacity: Int) -> Result {
            switch separator {
            case .comma: return scanCSV(bytes, from: 0, into: out, capacity: capacity)
            case .space: return scanSpaces(bytes, from: 0, into: out, capacity: capacity)
            }
        }
        var probe = [UInt32](repeating: 0, count: 1 + slack)
        let total = probe.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { scan($0, 0).count } ?? 0 }
        var bounds = [UInt32](repeating: 0, count: total + 1 + slack)
        bounds.withUnsafeMutableBufferPointer { buffer in
            if let out = buffer.baseAddress { _ = scan(out, total) }
        }
        bounds.removeLast(slack)
        return bounds
    }

    /// 0x80 in every byte of `word` equal to the byte repeated in `pattern`, 0 elsewhere (exact: no carries
    /// cross bytes).
    @inline(__always)
    static func byteMask(_ word: UInt64, _ pattern: UInt64) -> UInt64 {
        let bits = word ^ pattern
        return ~(((bits & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | bits) & 0x8080_8080_8080_8080
    }

    /// The first position of `target` in `base[start..<end]`, or `end`.
    @inline(__always)
    static func firstByte(_ target: UInt8, _ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        var index = start
        #if _endian(little)
        let pattern = UInt64(target) &* 0x0101_0101_0101_0101
        let raw = UnsafeRawPointer(base)
        while index + 8 <= end {
            let mask = byteMask(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self), pattern)
            if mask != 0 { return index + mask.trailingZeroBitCount >> 3 }
            index += 8
        }
        #endif
        while index < end, base[index] != target { index += 1 }
        return index
    }

    /// The value of a quoted CSV field given its raw bytes (starting with the opening quote).
    static func unquote(_ field: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(field.count)
        let count = field.count
        var index = 0
        var inQuotes = false
        if count > 0, field[0] == quote {
            inQuotes = true
            index = 1
        }
        while index < count {
            if !inQuotes {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: field[index..<count]))
                break
            }
            var run = index
            while run < count, field[run] != quote { run += 1 }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: field[index..<run]))
            if run >= count { break }
            if run + 1 < count, field[run + 1] == quote {
                out.append(quote)
                index = run + 2
            } else {
                inQuotes = false
                index = run + 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The field boundaries of one record (layout as on `FieldScanner`), in one allocation of a non-generic class
/// (an `Array` pays a generic-metadata lookup per allocation). Immutable once built, hence safe to share.
struct FieldBounds: @unchecked Sendable {
    private final class Storage: ManagedBuffer<Int, UInt32> {}

    private let storage: Storage

    /// Copies `count` entries.
    init(copying source: UnsafePointer<UInt32>, count: Int) {
        storage = unsafeDowncast(Storage.create(minimumCapacity: count) { _ in count }, to: Storage.self)
        storage.withUnsafeMutablePointerToElements { $0.initialize(from: source, count: count) }
    }

    /// Number of fields described.
    var fieldCount: Int { storage.header - 1 }

    /// The byte range of field `index` and whether it was quoted.
    @inline(__always)
    func field(_ index: Int) -> (start: Int, end: Int, quoted: Bool) {
        storage.withUnsafeMutablePointerToElements { entries in
            let start = entries[index]
            let end = Int(entries[index + 1] & FieldScanner.offsetMask) - 1
            return (Int(start & FieldScanner.offsetMask), end, start & FieldScanner.quotedFlag != 0)
        }
    }
}
