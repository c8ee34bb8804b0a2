import ExTriageCore
import Foundation

/// Substitution values of one template instance: where each value's bytes are in the chunk.
struct ValueTable {
    struct Entry {
        var offset: Int
        var size: Int
        var type: UInt8
    }
    var entries: [Entry] = []

    static let empty = ValueTable()

    @inline(__always) func entry(_ index: Int) -> Entry? { index < entries.count ? entries[index] : nil }
    /// A value of the null type (an optional substitution with it is left out, with its element).
    @inline(__always) func isNull(_ index: Int) -> Bool { entry(index).map { $0.type == 0 } ?? true }
}

/// Text forms of BinXML values, equal to libevtx's XML rendering (libfwevt) where it is right.
enum ValueText {
    static let hexDigits = Array("0123456789ABCDEF".utf8)
    static let lowerHexDigits = Array("0123456789abcdef".utf8)

    /// The value as text; `item` picks one entry of an array value (nil: the whole value, arrays joined by ",").
    static func render(_ chunk: UnsafeRawBufferPointer, _ entry: ValueTable.Entry, item: Int? = nil, scratch: inout [UInt16]) -> String {
        let type = entry.type
        if type & 0x80 != 0 {
            let items = arrayItems(chunk, entry)
            if let item { return item < items.count ? scalar(chunk, items[item], scratch: &scratch) : "" }
            return items.map { scalar(chunk, $0, scratch: &scratch) }.joined(separator: ",")
        }
        return scalar(chunk, entry, scratch: &scratch)
    }

    /// The entries of an array value, each as a scalar entry.
    static func arrayItems(_ chunk: UnsafeRawBufferPointer, _ entry: ValueTable.Entry) -> [ValueTable.Entry] {
        let base = entry.type & 0x7F
        let end = entry.offset + entry.size
        var items: [ValueTable.Entry] = []
        switch base {
        case 0x01:
            // NUL-terminated UTF-16 strings one after another.
            var start = entry.offset
            var index = entry.offset
            while index + 2 <= end {
                if chunk.load(fromByteOffset: index, as: UInt8.self) == 0, chunk.load(fromByteOffset: index + 1, as: UInt8.self) == 0 {
                    items.append(.init(offset: start, size: index - start, type: base))
                    start = index + 2
                }
                index += 2
            }
            if start + 2 <= end { items.append(.init(offset: start, size: end - start, type: base)) }
        case 0x02:
            var start = entry.offset
            for index in entry.offset..<end where chunk.load(fromByteOffset: index, as: UInt8.self) == 0 {
                items.append(.init(offset: start, size: index - start, type: base))
                start = index + 1
            }
            if start < end { items.append(.init(offset: start, size: end - start, type: base)) }
        case 0x13:
            var index = entry.offset
            while index + 8 <= end {
                let size = 8 + 4 * Int(chunk.load(fromByteOffset: index + 1, as: UInt8.self))
                guard index + size <= end else { break }
                items.append(.init(offset: index, size: size, type: base))
                index += size
            }
        default:
            let width = fixedWidth(base, size: entry.size)
            guard width > 0 else { return [] }
            var index = entry.offset
            while index + width <= end {
                items.append(.init(offset: index, size: width, type: base))
                index += width
            }
        }
        return items
    }

    static func fixedWidth(_ type: UInt8, size: Int) -> Int {
        switch type {
        case 0x03, 0x04: return 1
        case 0x05, 0x06: return 2
        case 0x07, 0x08, 0x0B, 0x0D, 0x14: return 4
        case 0x09, 0x0A, 0x0C, 0x11, 0x15: return 8
        case 0x0F, 0x12: return 16
        case 0x10: return size % 8 == 0 ? 8 : 4
        default: return 0
        }
    }

    @inline(__always) static func unsigned(_ chunk: UnsafeRawBufferPointer, _ offset: Int, _ width: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<width { value |= UInt64(chunk.load(fromByteOffset: offset + index, as: UInt8.self)) << (8 * UInt64(index)) }
        return value
    }

    static func scalar(_ chunk: UnsafeRawBufferPointer, _ entry: ValueTable.Entry, scratch: inout [UInt16]) -> String {
        let offset = entry.offset
        let size = entry.size
        switch entry.type {
        case 0x00: return ""
        case 0x01: return utf16(chunk, offset, size, scratch: &scratch)
        case 0x02: return ansi(chunk, offset, size)
        case 0x03: return size >= 1 ? String(Int8(truncatingIfNeeded: unsigned(chunk, offset, 1))) : ""
        case 0x04: return size >= 1 ? String(unsigned(chunk, offset, 1)) : ""
        case 0x05: return size >= 2 ? String(Int16(truncatingIfNeeded: unsigned(chunk, offset, 2))) : ""
        case 0x06: return size >= 2 ? String(unsigned(chunk, offset, 2)) : ""
        case 0x07: return size >= 4 ? String(Int32(truncatingIfNeeded: unsigned(chunk, offset, 4))) : ""
        case 0x08: return size >= 4 ? String(unsigned(chunk, offset, 4)) : ""
        case 0x09: return size >= 8 ? String(Int64(bitPattern: unsigned(chunk, offset, 8))) : ""
        case 0x0A: return size >= 8 ? String(unsigned(chunk, offset, 8)) : ""
        case 0x0B: return size >= 4 ? real(Double(Float(bitPattern: UInt32(unsigned(chunk, offset, 4))))) : ""
        case 0x0C: return size >= 8 ? real(Double(bitPattern: unsigned(chunk, offset, 8))) : ""
        case 0x0D: return size >= 1 ? (unsigned(chunk, offset, min(size, 4)) != 0 ? "true" : "false") : ""
        case 0x0E, 0x20, 0x23: return binary(chunk, offset, size)
        case 0x0F: return size >= 16 ? guid(chunk, offset) : binary(chunk, offset, size)
        case 0x10: return size >= 4 ? String(unsigned(chunk, offset, size >= 8 ? 8 : 4)) : ""
        case 0x11: return size >= 8 ? filetime(unsigned(chunk, offset, 8)) : ""
        case 0x12: return size >= 16 ? systemtime(chunk, offset) : ""
        case 0x13: return sid(chunk, offset, size) ?? binary(chunk, offset, size)
        case 0x14: return size >= 4 ? hex(unsigned(chunk, offset, 4), digits: 8) : ""
        case 0x15: return size >= 8 ? hex(unsigned(chunk, offset, 8), digits: 16) : ""
        default: return binary(chunk, offset, size)
        }
    }

    /// UTF-16LE up to the first NUL (libevtx ends the string there). ASCII text (the usual case) is
    /// checked and copied in one pass, four units at a time; other text is decoded as UTF-16.
    static func utf16(_ chunk: UnsafeRawBufferPointer, _ offset: Int, _ size: Int, scratch: inout [UInt16]) -> String {
        let units = size / 2
        guard units > 0, let base = chunk.baseAddress else { return "" }
        let start = base + offset
        var ascii = true
        let text = String(unsafeUninitializedCapacity: units) { buffer in
            var index = 0
            while index + 4 <= units {
                let word = UInt64(littleEndian: start.loadUnaligned(fromByteOffset: 2 * index, as: UInt64.self))
                // Stop at a unit of 0x80 or more, or a NUL unit (the units being below 0x80, a lane is zero
                // exactly when subtracting one sets its top bit).
                guard word & 0xFF80_FF80_FF80_FF80 == 0, (word &- 0x0001_0001_0001_0001) & ~word & 0x8000_8000_8000_8000 == 0 else { break }
                buffer[index] = UInt8(truncatingIfNeeded: word)
                buffer[index + 1] = UInt8(truncatingIfNeeded: word >> 16)
                buffer[index + 2] = UInt8(truncatingIfNeeded: word >> 32)
                buffer[index + 3] = UInt8(truncatingIfNeeded: word >> 48)
                index += 4
            }
            while index < units {
                let unit = UInt16(littleEndian: start.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))
                if unit == 0 { break }
                if unit >= 0x80 {
                    ascii = false
                    return 0
                }
                buffer[index] = UInt8(truncatingIfNeeded: unit)
                index += 1
            }
            return index
        }
        if ascii { return text }
        var count = 0
        while count < units, start.loadUnaligned(fromByteOffset: 2 * count, as: UInt16.self) != 0 { count += 1 }
        if scratch.count < count { scratch = [UInt16](repeating: 0, count: max(count, 2 * scratch.count)) }
        return scratch.withUnsafeMutableBufferPointer { buffer in
            for index in 0..<count { buffer[index] = UInt16(littleEndian: start.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)) }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<count]), as: UTF16.self)
        }
    }

    /// An ANSI string (code page 1252 read as Latin-1) up to the first NUL.
    static func ansi(_ chunk: UnsafeRawBufferPointer, _ offset: Int, _ size: Int) -> String {
        var scalars = String.UnicodeScalarView()
        for index in offset..<offset + size {
            let byte = chunk.load(fromByteOffset: index, as: UInt8.self)
            if byte == 0 { break }
            scalars.append(Unicode.Scalar(byte))
        }
        return String(scalars)
    }

    static func binary(_ chunk: UnsafeRawBufferPointer, _ offset: Int, _ size: Int) -> String {
        String(unsafeUninitializedCapacity: size * 2) { buffer in
            for index in 0..<size {
                let byte = chunk.load(fromByteOffset: offset + index, as: UInt8.self)
                buffer[2 * index] = hexDigits[Int(byte >> 4)]
                buffer[2 * index + 1] = hexDigits[Int(byte & 0x0F)]
            }
            return size * 2
        }
    }

    /// `0x` and lower-case hex digits, zero-padded (libfwevt's HexInt32/HexInt64).
    static func hex(_ value: UInt64, digits: Int) -> String {
        String(unsafeUninitializedCapacity: digits + 2) { buffer in
            buffer[0] = 0x30
            buffer[1] = 0x78
            for index in 0..<digits {
                buffer[2 + index] = lowerHexDigits[Int((value >> (4 * UInt64(digits - 1 - index))) & 0xF)]
            }
            return digits + 2
        }
    }

    /// `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`, upper case.
    static func guid(_ chunk: UnsafeRawBufferPointer, _ offset: Int) -> String {
        let data1 = unsigned(chunk, offset, 4)
        let data2 = unsigned(chunk, offset + 4, 2)
        let data3 = unsigned(chunk, offset + 6, 2)
        var text = "{" + hexUpper(data1, 8) + "-" + hexUpper(data2, 4) + "-" + hexUpper(data3, 4) + "-"
        text += binary(chunk, offset + 8, 2) + "-" + binary(chunk, offset + 10, 6) + "}"
        return text
    }

    static func hexUpper(_ value: UInt64, _ digits: Int) -> String {
        String(unsafeUninitializedCapacity: digits) { buffer in
            for index in 0..<digits { buffer[index] = hexDigits[Int((value >> (4 * UInt64(digits - 1 - index))) & 0xF)] }
            return digits
        }
    }

    /// `S-1-5-21-...`: revision, 48-bit big-endian authority, little-endian sub-authorities.
    static func sid(_ chunk: UnsafeRawBufferPointer, _ offset: Int, _ size: Int) -> String? {
        guard size >= 8 else { return nil }
        let revision = chunk.load(fromByteOffset: offset, as: UInt8.self)
        let count = Int(chunk.load(fromByteOffset: offset + 1, as: UInt8.self))
        guard 8 + 4 * count <= size else { return nil }
        var authority: UInt64 = 0
        for index in 0..<6 { authority = authority << 8 | UInt64(chunk.load(fromByteOffset: offset + 2 + index, as: UInt8.self)) }
        var text = "S-\(revision)-\(authority)"
        for index in 0..<count { text += "-" + String(unsigned(chunk, offset + 8 + 4 * index, 4)) }
        return text
    }

    /// `YYYY-MM-DDTHH:MM:SS.fffffffffZ` (nine fraction digits, as libfwevt writes FILETIME).
    static func filetime(_ ticks: UInt64) -> String {
        let seconds = Int64(ticks / 10_000_000) - 11_644_473_600
        let nanoseconds = Int64(ticks % 10_000_000) * 100
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let second = seconds - days * 86_400
        let (year, month, day) = civil(days)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(second / 3600, 2) + ":" + pad(second / 60 % 60, 2) + ":"
            + pad(second % 60, 2) + "." + pad(nanoseconds, 9) + "Z"
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` from the eight 16-bit SYSTEMTIME fields.
    static func systemtime(_ chunk: UnsafeRawBufferPointer, _ offset: Int) -> String {
        func field(_ index: Int) -> Int64 { Int64(unsigned(chunk, offset + 2 * index, 2)) }
        return pad(field(0), 4) + "-" + pad(field(1), 2) + "-" + pad(field(3), 2) + "T" + pad(field(4), 2) + ":" + pad(field(5), 2) + ":"
            + pad(field(6), 2) + "." + pad(field(7), 3) + "Z"
    }

    /// `%.6e` with a three-digit exponent, as libfwevt prints reals (`1.500000e+000`).
    static func real(_ value: Double) -> String {
        let text = String(format: "%.6e", value)
        guard let e = text.firstIndex(of: "e") else { return text }
        var exponent = text[text.index(after: e)...]
        let sign = exponent.first == "-" ? "-" : "+"
        if exponent.first == "-" || exponent.first == "+" { exponent = exponent.dropFirst() }
        return text[..<e] + "e" + sign + String(repeating: "0", count: max(0, 3 - exponent.count)) + exponent
    }

    @inline(__always) static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// Days since 1970-01-01 to (year, month, day).
    static func civil(_ days: Int64) -> (Int64, Int64, Int64) { Timestamp.civil(fromDays: days) }
}
