#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One line of text from a member.
public struct Line: Sendable {
    /// 1-based line number within the member.
    public var number: Int
    /// The decoded text: invalid UTF-8 bytes replaced (U+FFFD), NUL bytes kept as `\u{0}`; no line terminator.
    public var text: String
    /// The line was longer than the cap; `text` holds the first `maximumLineLength` bytes.
    public var truncated: Bool

    public init(number: Int, text: String, truncated: Bool = false) {
        self.number = number
        self.text = text
        self.truncated = truncated
    }
}

/// Splits a byte stream fed in chunks into lines, bounded in memory.
///
/// - Line endings: LF, CRLF and a lone CR each end a line (a CRLF split across two chunks counts once).
/// - Encoding is decided from the first 4 KiB (or fewer at `finish`): a UTF-8 BOM is stripped; a UTF-16 BOM (LE
///   or BE) switches to transcoding; without a BOM, the NUL bytes decide: ASCII text in UTF-16 has a zero in
///   every code unit, at odd offsets for LE and even ones for BE, so when at least half the code units have a
///   zero on one side and few on the other, that is the byte order (whatever the first character is).
///   Everything else is UTF-8.
/// - A line longer than `maximumLineLength` bytes (of UTF-8) keeps only its first `maximumLineLength` bytes; the
///   rest is skipped up to the next line ending, and the line is reported `truncated` and counted. The reader
///   never holds more than about `maximumLineLength` bytes plus one transcoding block (64 KiB input) at a time,
///   whatever the chunk or line size.
///
/// Adversarial cases C6 (long lines, NUL bytes, CR-only endings, UTF-16 with and without BOM, invalid UTF-8).
public struct LineReader {
    private enum Decoding {
        case undecided
        case utf8
        case utf16(bigEndian: Bool)
    }

    /// Bytes looked at to decide the encoding.
    static let sniffLength = 4096
    /// UTF-16 input is transcoded in blocks of this many bytes so the scratch buffer stays small.
    private static let transcodeBlock = 64 * 1024

    private let cap: Int
    private var decoding: Decoding = .undecided
    private var head: [UInt8] = []

    /// `utf-8`, `utf-8-bom`, `utf-16le`, `utf-16be`; `utf-8` until decided.
    public private(set) var encoding: String = "utf-8"
    /// Lines cut at the cap so far.
    public private(set) var linesTruncated: Int = 0

    private var lineNumber = 0
    /// The start of the current line when it spans chunks (at most `cap` bytes).
    private var pending: [UInt8] = []
    /// The current line went past the cap: its remaining bytes are being skipped.
    private var overflowed = false
    /// The previous chunk ended with CR: a LF at the start of the next one belongs to it.
    private var afterCR = false

    // UTF-16 transcoding state, kept across chunks.
    private var oddByte: UInt8?
    private var highSurrogate: UInt16?
    private var scratch: [UInt8] = []

    public init(maximumLineLength: Int = 1 << 20) {
        cap = max(1, maximumLineLength)
    }

    /// Capacity of the buffer that holds a line spanning chunks (exposed for tests of the memory bound).
    var pendingCapacity: Int { pending.capacity }
    /// Capacity of the UTF-16 transcoding buffer (exposed for tests of the memory bound).
    var scratchCapacity: Int { scratch.capacity }

    /// Feeds the next chunk; `handle` is called for every complete line.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ handle: (Line) throws -> Void) rethrows {
        guard !bytes.isEmpty else { return }
        var input = bytes
        if case .undecided = decoding {
            let take = min(LineReader.sniffLength - head.count, input.count)
            head.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[0..<take]))
            input = UnsafeRawBufferPointer(rebasing: input[take...])
            guard head.count >= LineReader.sniffLength else { return }
            try decide(handle)
        }
        try decode(input, handle)
    }

    /// Flushes the last line (no trailing newline); call once at the end.
    public mutating func finish(_ handle: (Line) throws -> Void) rethrows {
        if case .undecided = decoding {
            try decide(handle)
        }
        if case .utf16 = decoding, oddByte != nil || highSurrogate != nil {
            // A cut code unit or an unpaired high surrogate at the very end.
            oddByte = nil
            highSurrogate = nil
            let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]
            try replacement.withUnsafeBytes { try split($0, handle) }
        }
        if !pending.isEmpty || overflowed {
            try emitPending(handle)
        }
        afterCR = false
    }

    // MARK: - Encoding

    private mutating func decide(_ handle: (Line) throws -> Void) rethrows {
        let bytes = head
        head = []
        var body = bytes[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            decoding = .utf8
            encoding = "utf-8-bom"
            body = bytes[3...]
        } else if bytes.starts(with: [0xFF, 0xFE]) {
            decoding = .utf16(bigEndian: false)
            encoding = "utf-16le"
            body = bytes[2...]
        } else if bytes.starts(with: [0xFE, 0xFF]) {
            decoding = .utf16(bigEndian: true)
            encoding = "utf-16be"
            body = bytes[2...]
        } else if let bigEndian = LineReader.utf16ByteOrder(bytes) {
            decoding = .utf16(bigEndian: bigEndian)
            encoding = bigEndian ? "utf-16be" : "utf-16le"
        } else {
            decoding = .utf8
            encoding = "utf-8"
        }
        let rest = Array(body)
        try rest.withUnsafeBytes { try decode($0, handle) }
    }

    /// BOM-less UTF-16 from the NUL pattern: true for big-endian, false for little-endian, nil for
    /// neither. At least two code units; zeros on one side in at least half of them, and on the
    /// other side in at most an eighth as many (so NUL-padded or zero-filled UTF-8 stays UTF-8).
    static func utf16ByteOrder(_ bytes: [UInt8]) -> Bool? {
        let units = bytes.count / 2
        guard units >= 2 else { return nil }
        var evenZeros = 0
        var oddZeros = 0
        for unit in 0..<units {
            if bytes[2 * unit] == 0 { evenZeros += 1 }
            if bytes[2 * unit + 1] == 0 { oddZeros += 1 }
        }
        if 2 * oddZeros >= units, 8 * evenZeros <= oddZeros { return false }
        if 2 * evenZeros >= units, 8 * oddZeros <= evenZeros { return true }
        return nil
    }

    private mutating func decode(_ input: UnsafeRawBufferPointer, _ handle: (Line) throws -> Void) rethrows {
        guard !input.isEmpty else { return }
        switch decoding {
        case .undecided, .utf8:
            try split(input, handle)
        case .utf16(let bigEndian):
            var offset = 0
            var out = scratch
            scratch = []
            defer { scratch = out }
            while offset < input.count {
                let end = min(offset + LineReader.transcodeBlock, input.count)
                out.removeAll(keepingCapacity: true)
                transcodeUTF16(UnsafeRawBufferPointer(rebasing: input[offset..<end]), bigEndian: bigEndian, into: &out)
                try out.withUnsafeBytes { try split($0, handle) }
                offset = end
            }
        }
    }

    private mutating func transcodeUTF16(_ input: UnsafeRawBufferPointer, bigEndian: Bool, into out: inout [UInt8]) {
        out.reserveCapacity(input.count / 2 * 3 + 8)
        var index = 0
        if let first = oddByte, !input.isEmpty {
            oddByte = nil
            let second = input[0]
            appendUnit(bigEndian ? UInt16(first) << 8 | UInt16(second) : UInt16(second) << 8 | UInt16(first), &out)
            index = 1
        }
        while index + 1 < input.count {
            let a = UInt16(input[index]), b = UInt16(input[index + 1])
            appendUnit(bigEndian ? a << 8 | b : b << 8 | a, &out)
            index += 2
        }
        if index < input.count {
            oddByte = input[index]
        }
    }

    private mutating func appendUnit(_ unit: UInt16, _ out: inout [UInt8]) {
        if let high = highSurrogate {
            highSurrogate = nil
            if unit & 0xFC00 == 0xDC00 {
                let scalar = 0x10000 + (UInt32(high - 0xD800) << 10) + UInt32(unit - 0xDC00)
                out.append(UInt8(0xF0 | (scalar >> 18)))
                out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
                out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
                out.append(UInt8(0x80 | (scalar & 0x3F)))
                return
            }
            out.append(contentsOf: [0xEF, 0xBF, 0xBD])  // unpaired high surrogate
        }
        switch unit {
        case 0..<0x80:
            out.append(UInt8(unit))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (unit >> 6)))
            out.append(UInt8(0x80 | (unit & 0x3F)))
        case 0xD800..<0xDC00:
            highSurrogate = unit
        case 0xDC00..<0xE000:
            out.append(contentsOf: [0xEF, 0xBF, 0xBD])  // unpaired low surrogate
        default:
            out.append(UInt8(0xE0 | (unit >> 12)))
            out.append(UInt8(0x80 | ((unit >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (unit & 0x3F)))
        }
    }

    // MARK: - Line splitting (UTF-8 bytes)

    private mutating func split(_ input: UnsafeRawBufferPointer, _ handle: (Line) throws -> Void) rethrows {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        let count = input.count
        var start = 0
        if afterCR {
            afterCR = false
            if base.load(as: UInt8.self) == 0x0A { start = 1 }
        }
        // Positions of the next LF and CR at or after `start`, found with memchr and reused until passed,
        // so CR-only or LF-only input stays linear.
        var nextLF = -1
        var nextCR = -1
        while start < count {
            if nextLF < start { nextLF = LineReader.find(0x0A, base, from: start, count: count) }
            if nextCR < start { nextCR = LineReader.find(0x0D, base, from: start, count: count) }
            let end = min(nextLF, nextCR)
            if end == count {
                appendPending(base + start, end - start)
                return
            }
            try emit(base, start, end, handle)
            if end == nextCR {
                if end + 1 < count {
                    start = base.load(fromByteOffset: end + 1, as: UInt8.self) == 0x0A ? end + 2 : end + 1
                } else {
                    afterCR = true
                    start = count
                }
            } else {
                start = end + 1
            }
        }
    }

    private static func find(_ byte: UInt8, _ base: UnsafeRawPointer, from start: Int, count: Int) -> Int {
        guard let hit = memchr(base + start, Int32(byte), count - start) else { return count }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    private mutating func emit(_ base: UnsafeRawPointer, _ start: Int, _ end: Int, _ handle: (Line) throws -> Void) rethrows {
        if pending.isEmpty && !overflowed {
            let length = end - start
            let truncated = length > cap
            let bytes = UnsafeBufferPointer(start: (base + start).assumingMemoryBound(to: UInt8.self), count: min(length, cap))
            let text = String(decoding: bytes, as: UTF8.self)
            if truncated { linesTruncated += 1 }
            lineNumber += 1
            try handle(Line(number: lineNumber, text: text, truncated: truncated))
        } else {
            appendPending(base + start, end - start)
            try emitPending(handle)
        }
    }

    private mutating func emitPending(_ handle: (Line) throws -> Void) rethrows {
        let text = String(decoding: pending, as: UTF8.self)
        let truncated = overflowed
        pending.removeAll(keepingCapacity: true)
        overflowed = false
        if truncated { linesTruncated += 1 }
        lineNumber += 1
        try handle(Line(number: lineNumber, text: text, truncated: truncated))
    }

    /// Keeps at most `cap` bytes of the current line; growth is capped so capacity stays about `cap`.
    private mutating func appendPending(_ start: UnsafeRawPointer, _ length: Int) {
        guard length > 0 else { return }
        let room = cap - pending.count
        if length > room { overflowed = true }
        let take = min(length, room)
        guard take > 0 else { return }
        let needed = pending.count + take
        if needed > pending.capacity {
            pending.reserveCapacity(min(cap, max(needed, pending.capacity * 2)))
        }
        pending.append(contentsOf: UnsafeRawBufferPointer(start: start, count: take))
    }
}
