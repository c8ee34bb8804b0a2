/// Finds the elements of the top-level `"entries"` array in `manifest.json` bytes without
/// parsing the whole document into one tree, so each entry can be decoded alone and dropped.
///
/// It only locates: every byte is still checked by `JSONDecoder` (the document without its
/// entries, then each entry). Anything it does not plainly understand (an escaped or repeated
/// key, deep nesting, a byte-order mark, stray bytes) gives nil, and the caller decodes the
/// whole document the ordinary way, so errors stay exactly the ordinary ones.
struct ManifestEntryScanner<Bytes: RandomAccessCollection> where Bytes.Element == UInt8, Bytes.Index == Int {
    /// The document with `"entries"` emptied to `[]`, and each element's byte range.
    struct Layout {
        var head: [UInt8]
        var elements: [Range<Int>]
    }

    /// Nesting allowed inside one entry (extriage writes 3); deeper falls back to the whole document.
    static var maximumDepth: Int { 32 }

    let bytes: Bytes
    /// Told the offset of each element's end as it is passed (to release what lies behind).
    let passed: (Int) -> Void
    private var position = 0

    init(_ bytes: Bytes, passed: @escaping (Int) -> Void = { _ in }) {
        self.bytes = bytes
        self.passed = passed
        position = bytes.startIndex
    }

    /// The layout, or nil when the bytes are not a plain object with one unescaped `"entries"` array.
    static func layout(of bytes: Bytes, passed: @escaping (Int) -> Void = { _ in }) -> Layout? {
        var scanner = ManifestEntryScanner(bytes, passed: passed)
        return scanner.scanDocument()
    }

    private mutating func scanDocument() -> Layout? {
        skipSpace()
        guard take(0x7B) else { return nil }
        var found: (open: Int, close: Int, elements: [Range<Int>])?
        skipSpace()
        if !take(0x7D) {
            repeat {
                skipSpace()
                guard let key = scanString(), !bytes[key].contains(0x5C) else { return nil }
                skipSpace()
                guard take(0x3A) else { return nil }
                skipSpace()
                if bytes[key].elementsEqual(ManifestEntryScanner.entriesKey) {
                    guard found == nil, let array = scanEntries() else { return nil }
                    found = array
                } else {
                    guard skipValue(depth: 0) else { return nil }
                }
                skipSpace()
            } while take(0x2C)
            guard take(0x7D) else { return nil }
        }
        skipSpace()
        guard position == bytes.endIndex, let found else { return nil }
        let head = Array(bytes[..<found.open]) + [0x5B, 0x5D] + Array(bytes[(found.close + 1)...])
        return Layout(head: head, elements: found.elements)
    }

    private static var entriesKey: [UInt8] { ManifestEntryKey.entries }

    /// The `[` … `]` of the entries array and its elements' ranges.
    private mutating func scanEntries() -> (open: Int, close: Int, elements: [Range<Int>])? {
        let open = position
        guard take(0x5B) else { return nil }
        var elements: [Range<Int>] = []
        skipSpace()
        if !take(0x5D) {
            repeat {
                skipSpace()
                let start = position
                guard skipValue(depth: 0) else { return nil }
                elements.append(start..<position)
                passed(position)
                skipSpace()
            } while take(0x2C)
            guard take(0x5D) else { return nil }
        }
        return (open, position - 1, elements)
    }

    /// Skips one value: a string, an object or array (strings inside skipped whole), or a scalar.
    private mutating func skipValue(depth: Int) -> Bool {
        guard position < bytes.endIndex, depth <= ManifestEntryScanner.maximumDepth else { return false }
        switch bytes[position] {
        case 0x22:
            return scanString() != nil
        case 0x7B, 0x5B:
            let close: UInt8 = bytes[position] == 0x7B ? 0x7D : 0x5D
            position += 1
            skipSpace()
            if take(close) { return true }
            repeat {
                skipSpace()
                if close == 0x7D {
                    guard scanString() != nil else { return false }
                    skipSpace()
                    guard take(0x3A) else { return false }
                    skipSpace()
                }
                guard skipValue(depth: depth + 1) else { return false }
                skipSpace()
            } while take(0x2C)
            return take(close)
        default:
            let start = position
            while position < bytes.endIndex, !ManifestEntryScanner.endsScalar(bytes[position]) { position += 1 }
            return position > start
        }
    }

    /// The range of a string with its quotes, the cursor after it; escapes are skipped, not read.
    private mutating func scanString() -> Range<Int>? {
        let start = position
        guard take(0x22) else { return nil }
        while position < bytes.endIndex {
            switch bytes[position] {
            case 0x22:
                position += 1
                return start..<position
            case 0x5C:
                position += 2
            default:
                position += 1
            }
        }
        return nil
    }

    private static func endsScalar(_ byte: UInt8) -> Bool {
        isSpace(byte) || byte == 0x2C || byte == 0x5D || byte == 0x7D || byte == 0x22 || byte == 0x5B || byte == 0x7B
            || byte == 0x3A
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private mutating func skipSpace() {
        while position < bytes.endIndex, ManifestEntryScanner.isSpace(bytes[position]) { position += 1 }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard position < bytes.endIndex, bytes[position] == byte else { return false }
        position += 1
        return true
    }
}

/// Static stored properties are not allowed in generic types.
private enum ManifestEntryKey {
    static let entries = Array("\"entries\"".utf8)
}
