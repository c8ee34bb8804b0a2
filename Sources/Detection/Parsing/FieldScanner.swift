/// Byte-level field splitting for W3C-style log lines: a CSV state machine for the Exchange family and a
/// single-space split for IIS. Fields are recorded as byte ranges into the line's UTF-8; strings are built only
/// when a value is asked for.
///
/// Each field takes two entries in the output: its start offset, and its end offset with `quotedFlag` set when
/// the field began with `"` (its value then needs unquoting). Separators are found eight bytes at a time (SWAR),
/// so the scan costs about one operation per byte and never backtracks.
enum FieldScanner {
    static let quotedFlag: UInt32 = 0x8000_0000
    static let offsetMask: UInt32 = 0x7FFF_FFFF
    /// Lines longer than this cannot be described by the 31-bit offsets.
    static let maximumLength = Int(offsetMask)

    static let comma: UInt8 = 0x2C
    static let quote: UInt8 = 0x22
    static let space: UInt8 = 0x20

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
    /// field is literal. Stores up to `capacity` fields (two entries each) at `out`.
    static func scanCSV(
        _ bytes: UnsafeBufferPointer<UInt8>, from offset: Int, into out: UnsafeMutablePointer<UInt32>, capacity: Int
    ) -> Result {
        var result = Result()
        guard let base = bytes.baseAddress else {
            store(0, 0, &result, out, capacity)
            return result
        }
        let count = bytes.count
        var fieldStart = offset
        var position = offset  // every comma in fieldStart..<position has been handled
        fields: while true {
            if fieldStart < count, base[fieldStart] == quote {
                var index = fieldStart + 1
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
                    store(fieldStart, count | Int(quotedFlag), &result, out, capacity)
                    result.closed = false
                    return result
                }
                index = firstByte(comma, base, from: index, to: count)
                store(fieldStart, index | Int(quotedFlag), &result, out, capacity)
                if index >= count { return result }
                fieldStart = index + 1
                position = fieldStart
                continue fields
            }
            // Unquoted fields: take every comma of each 8-byte word from one mask.
            #if _endian(little)
            let raw = UnsafeRawPointer(base)
            while position + 8 <= count {
                var mask = byteMask(raw.loadUnaligned(fromByteOffset: position, as: UInt64.self), commaPattern)
                while mask != 0 {
                    let separator = position + mask.trailingZeroBitCount >> 3
                    store(fieldStart, separator, &result, out, capacity)
                    fieldStart = separator + 1
                    if fieldStart < count, base[fieldStart] == quote {
                        position = fieldStart
                        continue fields
                    }
                    mask &= mask &- 1
                }
                position += 8
            }
            #endif
            while position < count {
                if base[position] == comma {
                    store(fieldStart, position, &result, out, capacity)
                    fieldStart = position + 1
                    position = fieldStart
                    if fieldStart < count, base[fieldStart] == quote { continue fields }
                } else {
                    position += 1
                }
            }
            store(fieldStart, count, &result, out, capacity)
            return result
        }
    }

    /// IIS W3C: fields separated by single spaces, no quoting.
    static func scanSpaces(
        _ bytes: UnsafeBufferPointer<UInt8>, from offset: Int, into out: UnsafeMutablePointer<UInt32>, capacity: Int
    ) -> Result {
        var result = Result()
        guard let base = bytes.baseAddress else {
            store(0, 0, &result, out, capacity)
            return result
        }
        let count = bytes.count
        var fieldStart = offset
        var position = offset
        #if _endian(little)
        let raw = UnsafeRawPointer(base)
        while position + 8 <= count {
            var mask = byteMask(raw.loadUnaligned(fromByteOffset: position, as: UInt64.self), spacePattern)
            while mask != 0 {
                let separator = position + mask.trailingZeroBitCount >> 3
                store(fieldStart, separator, &result, out, capacity)
                fieldStart = separator + 1
                mask &= mask &- 1
            }
            position += 8
        }
        #endif
        while position < count {
            if base[position] == space {
                store(fieldStart, position, &result, out, capacity)
                fieldStart = position + 1
            }
            position += 1
        }
        store(fieldStart, count, &result, out, capacity)
        return result
    }

    /// Splits into an array (for `#Fields` lines; not hot).
    static func split(_ bytes: UnsafeBufferPointer<UInt8>, separator: LogFieldSeparator) -> [UInt32] {
        func scan(_ out: UnsafeMutablePointer<UInt32>, _ capacity: Int) -> Result {
            switch separator {
            case .comma: return scanCSV(bytes, from: 0, into: out, capacity: capacity)
            case .space: return scanSpaces(bytes, from: 0, into: out, capacity: capacity)
            }
        }
        var probe: [UInt32] = [0, 0]
        let total = probe.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { scan($0, 0).count } ?? 0 }
        return [UInt32](unsafeUninitializedCapacity: 2 * total) { buffer, initialized in
            guard let out = buffer.baseAddress else { return }
            initialized = 2 * min(scan(out, total).count, total)
        }
    }

    @inline(__always)
    private static func store(_ start: Int, _ endAndFlag: Int, _ result: inout Result, _ out: UnsafeMutablePointer<UInt32>, _ capacity: Int) {
        let end = UInt32(truncatingIfNeeded: endAndFlag)
        if result.count < capacity {
            out[2 * result.count] = UInt32(truncatingIfNeeded: start)
            out[2 * result.count + 1] = end
        } else if UInt32(truncatingIfNeeded: start) != end & offsetMask {
            result.extrasEmpty = false
        }
        result.count += 1
    }

    private static let commaPattern: UInt64 = 0x2C2C_2C2C_2C2C_2C2C
    private static let spacePattern: UInt64 = 0x2020_2020_2020_2020

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
