/// A regular expression that is only literal text, alternations of it and optional characters
/// (`\\(cmd|pwsh)\.exe$`, `&(whoami|cd)&echo`), as byte patterns: what `SigmaRegex` tries before ICU.
///
/// Only ASCII literals, `\` before punctuation, `( | )` groups, `?` after one character, `^` first
/// and `$` last; anything else (classes, `.`, `\d`, `\b`, repeats, non-capturing groups) gives nil.
/// Exactness: `matches` answers only for ASCII values that do not end in a line terminator (where
/// ICU's case folding and `$` could differ from a byte test); for any other value it says nil.
struct SigmaRegexLiterals: Sendable {
    let patterns: [StringPattern]
    let anchoredEnd: Bool

    static let maximumAlternatives = 64

    init?(_ source: String, caseInsensitive: Bool, multiline: Bool) {
        var bytes = Array(source.utf8)
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        var anchoredStart = false
        var anchoredEnd = false
        if bytes.first == UInt8(ascii: "^") {
            anchoredStart = true
            bytes.removeFirst()
        }
        if bytes.last == UInt8(ascii: "$"), !Self.escaped(bytes, at: bytes.count - 1) {
            anchoredEnd = true
            bytes.removeLast()
        }
        if multiline, anchoredStart || anchoredEnd { return nil }
        var parser = Parser(bytes: bytes)
        guard let texts = parser.alternation(), parser.position == bytes.count, !texts.isEmpty else { return nil }
        // `^a|b` anchors only the first alternative: leave those to ICU.
        if anchoredStart || anchoredEnd, !parser.sawGroupOnly { return nil }
        self.anchoredEnd = anchoredEnd
        patterns = texts.map { text in
            var parts: [SigmaStringPart] = []
            if !anchoredStart { parts.append(.anyMany) }
            parts.append(.literal(String(decoding: text, as: UTF8.self)))
            if !anchoredEnd { parts.append(.anyMany) }
            return StringPattern(SigmaString(parts: parts), cased: !caseInsensitive)
        }
    }

    /// Whether the byte at `index` follows an odd run of backslashes.
    private static func escaped(_ bytes: [UInt8], at index: Int) -> Bool {
        var count = 0
        var position = index - 1
        while position >= 0, bytes[position] == UInt8(ascii: "\\") {
            count += 1
            position -= 1
        }
        return count % 2 == 1
    }

    /// The answer for `value`, or nil when only ICU can give it (non-ASCII, a final line terminator).
    func matches(_ value: String) -> Bool? {
        if let answer = value.utf8.withContiguousStorageIfAvailable({ answer($0) }) { return answer }
        var copy = value
        copy.makeContiguousUTF8()
        return copy.utf8.withContiguousStorageIfAvailable { answer($0) } ?? nil
    }

    private func answer(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard ByteScan.isASCII(buffer) else { return nil }
        if anchoredEnd, let last = buffer.last, last >= 0x0A && last <= 0x0D { return nil }
        for pattern in patterns where pattern.match(buffer) { return true }
        return false
    }

    /// A recursive-descent reader of the literal subset: each alternation expands to its texts.
    private struct Parser {
        let bytes: [UInt8]
        var position = 0
        /// Every `|` seen was inside a group (so anchors apply to the whole pattern).
        var sawGroupOnly = true
        var depth = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func alternation() -> [[UInt8]]? {
            var result: [[UInt8]] = []
            while true {
                guard let branch = sequence() else { return nil }
                result += branch
                guard position < bytes.count, bytes[position] == UInt8(ascii: "|") else { break }
                if depth == 0 { sawGroupOnly = false }
                position += 1
            }
            return result.count <= SigmaRegexLiterals.maximumAlternatives ? result : nil
        }

        mutating func sequence() -> [[UInt8]]? {
            var texts: [[UInt8]] = [[]]
            while position < bytes.count {
                let byte = bytes[position]
                var choices: [[UInt8]]
                switch byte {
                case UInt8(ascii: "|"), UInt8(ascii: ")"):
                    return texts
                case UInt8(ascii: "("):
                    position += 1
                    guard position < bytes.count, bytes[position] != UInt8(ascii: "?") else { return nil }
                    depth += 1
                    guard let inner = alternation(), position < bytes.count, bytes[position] == UInt8(ascii: ")") else { return nil }
                    depth -= 1
                    position += 1
                    choices = inner
                    if position < bytes.count, Self.isQuantifier(bytes[position]) { return nil }
                case UInt8(ascii: "\\"):
                    guard position + 1 < bytes.count, Self.isPunctuation(bytes[position + 1]) else { return nil }
                    choices = [[bytes[position + 1]]]
                    position += 2
                default:
                    guard !Self.isSpecial(byte) else { return nil }
                    choices = [[byte]]
                    position += 1
                }
                if choices.count == 1, choices[0].count == 1, position < bytes.count, bytes[position] == UInt8(ascii: "?") {
                    choices.append([])
                    position += 1
                    if position < bytes.count, Self.isQuantifier(bytes[position]) { return nil }
                } else if position < bytes.count, Self.isQuantifier(bytes[position]) {
                    return nil
                }
                guard texts.count * choices.count <= SigmaRegexLiterals.maximumAlternatives else { return nil }
                texts = texts.flatMap { prefix in choices.map { prefix + $0 } }
            }
            return texts
        }

        static func isQuantifier(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "?") || byte == UInt8(ascii: "*") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "{")
        }

        /// Characters with a meaning of their own outside a class (or that ICU may read as one).
        static func isSpecial(_ byte: UInt8) -> Bool {
            "\\^$.|?*+()[]{}".utf8.contains(byte)
        }

        /// An escape of this character stands for the character itself.
        static func isPunctuation(_ byte: UInt8) -> Bool {
            byte >= 0x20 && byte < 0x7F && !(byte >= 0x30 && byte <= 0x39) && !((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A)
                && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">")
        }
    }
}

/// Fast byte scans shared by the matchers.
enum ByteScan {
    /// Whether every byte is below 0x80 (eight at a time).
    @inline(__always)
    static func isASCII(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = buffer.baseAddress else { return true }
        let count = buffer.count
        var index = 0
        let raw = UnsafeRawPointer(base)
        while index + 8 <= count {
            if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < count {
            if base[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }
}
