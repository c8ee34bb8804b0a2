import Foundation

/// One part of a Sigma string value after wildcard and escape parsing.
enum SigmaStringPart: Equatable, Sendable {
    case literal(String)
    /// `*`: any run of characters, possibly empty.
    case anyMany
    /// `?`: exactly one character.
    case anyOne
}

/// A Sigma string value: literals and wildcards, with Sigma's escape rules applied.
///
/// `\` escapes `*`, `?` and `\` itself; a backslash before anything else is a plain backslash
/// (so `C:\Windows` and `C:\\Windows` mean the same, as in pySigma).
struct SigmaString: Equatable, Sendable {
    var parts: [SigmaStringPart]

    init(parts: [SigmaStringPart]) {
        var merged: [SigmaStringPart] = []
        for part in parts {
            if case .literal(let text) = part {
                if text.isEmpty { continue }
                if case .literal(let previous)? = merged.last {
                    merged[merged.count - 1] = .literal(previous + text)
                    continue
                }
            }
            if part == .anyMany, merged.last == .anyMany { continue }
            merged.append(part)
        }
        self.parts = merged
    }

    init(literal: String) { self.init(parts: [.literal(literal)]) }

    init(parsing raw: String) {
        var parts: [SigmaStringPart] = []
        var literal = ""
        var iterator = Array(raw).makeIterator()
        var pending: Character? = iterator.next()
        while let character = pending {
            pending = iterator.next()
            switch character {
            case "\\":
                if let next = pending, next == "*" || next == "?" || next == "\\" {
                    literal.append(next)
                    pending = iterator.next()
                } else {
                    literal.append("\\")
                }
            case "*", "?":
                if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
                parts.append(character == "*" ? .anyMany : .anyOne)
            default:
                literal.append(character)
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.init(parts: parts)
    }

    /// The text when the value has no wildcards.
    var plain: String? {
        if parts.isEmpty { return "" }
        if parts.count == 1, case .literal(let text) = parts[0] { return text }
        return nil
    }

    func wrapped(leading: Bool, trailing: Bool) -> SigmaString {
        var result = parts
        if leading, result.first != .anyMany { result.insert(.anyMany, at: 0) }
        if trailing, result.last != .anyMany { result.append(.anyMany) }
        return SigmaString(parts: result)
    }

    /// The value written back in Sigma notation (for evidence and descriptions).
    var sigmaNotation: String {
        parts.map { part -> String in
            switch part {
            case .anyMany: return "*"
            case .anyOne: return "?"
            case .literal(let text):
                return text.replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "*", with: "\\*")
                    .replacingOccurrences(of: "?", with: "\\?")
            }
        }.joined()
    }
}

/// A compiled string test: exact, prefix, suffix, substring, or a general wildcard pattern,
/// matched over UTF-8 bytes with ASCII case folding (no regular expressions, no allocation for
/// ASCII patterns). Patterns with non-ASCII letters compare against the lower-cased value.
struct StringPattern: Sendable, Equatable {
    enum Shape: Sendable, Equatable {
        case exact, prefix, suffix, contains
        /// Tokens: a byte, or `Self.star` / `Self.one`.
        case glob([Int16])
    }

    static let star: Int16 = -1
    static let one: Int16 = -2

    let shape: Shape
    /// The literal bytes (lower-cased unless `cased`); unused for `.glob`.
    let bytes: [UInt8]
    let cased: Bool
    /// The pattern has non-ASCII text and matching is case-insensitive: lower-case the value first.
    let unicodeFold: Bool
    /// The value as the rule wrote it, for evidence.
    let display: String

    init(_ string: SigmaString, cased: Bool) {
        self.cased = cased
        self.display = string.sigmaNotation
        let fold: (String) -> String = { cased ? $0 : $0.lowercased() }
        var unicode = false
        var parts = string.parts
        for index in parts.indices {
            if case .literal(let text) = parts[index] {
                if !cased, text.utf8.contains(where: { $0 >= 0x80 }) { unicode = true }
                parts[index] = .literal(fold(text))
            }
        }
        self.unicodeFold = unicode
        let leadingStar = parts.first == .anyMany
        let trailingStar = parts.count > 1 && parts.last == .anyMany
        let inner = parts.dropFirst(leadingStar ? 1 : 0).dropLast(trailingStar ? 1 : 0)
        if inner.isEmpty {
            // "" or "*": exact empty, or anything.
            self.shape = leadingStar ? .contains : .exact
            self.bytes = []
        } else if inner.count == 1, case .literal(let text) = inner.first {
            self.bytes = Array(text.utf8)
            switch (leadingStar, trailingStar) {
            case (false, false): self.shape = .exact
            case (false, true): self.shape = .prefix
            case (true, false): self.shape = .suffix
            case (true, true): self.shape = .contains
            }
        } else {
            var tokens: [Int16] = []
            for part in parts {
                switch part {
                case .anyMany: tokens.append(Self.star)
                case .anyOne: tokens.append(Self.one)
                case .literal(let text): tokens.append(contentsOf: text.utf8.map { Int16($0) })
                }
            }
            self.shape = .glob(tokens)
            self.bytes = []
        }
    }

    func matches(_ value: String) -> Bool {
        if unicodeFold {
            let lowered = value.lowercased()
            return lowered.utf8.withContiguousStorageIfAvailable { match($0) } ?? Array(lowered.utf8).withUnsafeBufferPointer { match($0) }
        }
        return value.utf8.withContiguousStorageIfAvailable { match($0) } ?? Array(value.utf8).withUnsafeBufferPointer { match($0) }
    }

    /// Whether `matches(folded:)` may be used: case-insensitive with ASCII-only text.
    var matchesFolded: Bool { !cased && !unicodeFold }

    /// `matches` on a value whose ASCII letters are already lower-cased (only when `matchesFolded`):
    /// the pattern's bytes are lower-case too, so a substring search compares bytes as they are.
    func matches(folded value: String) -> Bool {
        let answer = value.utf8.withContiguousStorageIfAvailable { buffer -> Bool in
            guard case .contains = shape, !bytes.isEmpty else { return match(buffer) }
            return buffer.count >= bytes.count && containsBytes(buffer, folded: true)
        }
        return answer ?? matches(value)
    }

    @inline(__always)
    private func same(_ patternByte: UInt8, _ valueByte: UInt8) -> Bool {
        if cased { return patternByte == valueByte }
        return patternByte == ((valueByte &- 65) < 26 ? valueByte | 0x20 : valueByte)
    }

    @inline(__always)
    private func equal(_ value: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        var index = start
        for byte in bytes {
            if !same(byte, value[index]) { return false }
            index += 1
        }
        return true
    }

    func match(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = value.count
        switch shape {
        case .exact:
            return count == bytes.count && equal(value, from: 0)
        case .prefix:
            return count >= bytes.count && equal(value, from: 0)
        case .suffix:
            return count >= bytes.count && equal(value, from: count - bytes.count)
        case .contains:
            if bytes.isEmpty { return true }
            guard count >= bytes.count else { return false }
            return containsBytes(value, folded: false)
        case .glob(let tokens):
            return glob(tokens, value)
        }
    }

    /// Substring search: eight candidate starts at a time are kept only where both the first and
    /// the last byte of the pattern (in either case, unless the value is `folded`) are in place,
    /// then compared in full.
    private func containsBytes(_ value: UnsafeBufferPointer<UInt8>, folded: Bool) -> Bool {
        guard let base = value.baseAddress else { return false }
        let count = value.count
        let span = bytes.count - 1
        let last = count - bytes.count
        let raw = UnsafeRawPointer(base)
        let (first, firstOther) = folded ? (bytes[0], bytes[0]) : variants(bytes[0])
        let (end, endOther) = folded ? (bytes[span], bytes[span]) : variants(bytes[span])
        let firstWords = (UInt64(first) &* Self.ones, UInt64(firstOther) &* Self.ones)
        let endWords = (UInt64(end) &* Self.ones, UInt64(endOther) &* Self.ones)
        let twoCases = first != firstOther || end != endOther
        var start = 0
        while start + span + 8 <= count {
            let head = raw.loadUnaligned(fromByteOffset: start, as: UInt64.self)
            let tail = raw.loadUnaligned(fromByteOffset: start + span, as: UInt64.self)
            var candidates = Self.zeroBytes(head ^ firstWords.0) & Self.zeroBytes(tail ^ endWords.0)
            if twoCases {
                candidates = (Self.zeroBytes(head ^ firstWords.0) | Self.zeroBytes(head ^ firstWords.1))
                    & (Self.zeroBytes(tail ^ endWords.0) | Self.zeroBytes(tail ^ endWords.1))
            }
            while candidates != 0 {
                let offset = start + candidates.trailingZeroBitCount / 8
                if equal(value, from: offset) { return true }
                candidates &= candidates - 1
            }
            start += 8
        }
        while start <= last {
            let byte = value[start]
            if byte == first || byte == firstOther, equal(value, from: start) { return true }
            start += 1
        }
        return false
    }

    /// The byte and, for case-insensitive letters, its upper-case form.
    @inline(__always)
    private func variants(_ byte: UInt8) -> (UInt8, UInt8) {
        (byte, cased ? byte : ((byte &- 97) < 26 ? byte & 0xDF : byte))
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101

    /// 0x80 in each byte of `word` that is zero, nothing elsewhere (exact, no carries between bytes).
    @inline(__always)
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((word & low) &+ low) | word | low)
    }

    private func glob(_ tokens: [Int16], _ value: UnsafeBufferPointer<UInt8>) -> Bool {
        let end = value.endIndex
        var t = 0
        var v = value.startIndex
        var starToken = -1
        var starValue = v
        while v < end {
            if t < tokens.count {
                let token = tokens[t]
                if token == Self.star {
                    starToken = t
                    starValue = v
                    t += 1
                    continue
                }
                if token == Self.one {
                    v = Self.nextScalar(value, v)
                    t += 1
                    continue
                }
                if same(UInt8(token), value[v]) {
                    t += 1
                    v += 1
                    continue
                }
            }
            guard starToken >= 0 else { return false }
            starValue = Self.nextScalar(value, starValue)
            v = starValue
            t = starToken + 1
        }
        while t < tokens.count, tokens[t] == Self.star { t += 1 }
        return t == tokens.count
    }

    /// The index after the UTF-8 scalar starting at `index`.
    @inline(__always)
    private static func nextScalar(_ value: UnsafeBufferPointer<UInt8>, _ index: Int) -> Int {
        var next = index + 1
        while next < value.endIndex, value[next] & 0xC0 == 0x80 { next += 1 }
        return next
    }
}

/// A regular expression from `|re` (ICU, close to the PCRE subset Sigma allows). One that is only
/// literal alternatives is answered by byte patterns where that gives ICU's answer; for others, an
/// ASCII value without the literal text every match needs is refused before ICU is asked.
///
/// `NSRegularExpression` is immutable and documented as safe to use from several threads.
final class SigmaRegex: @unchecked Sendable {
    let regex: NSRegularExpression
    let source: String
    let literals: SigmaRegexLiterals?
    let required: SigmaRegexRequiredText?

    init(_ source: String, caseInsensitive: Bool, multiline: Bool, dotAll: Bool) throws {
        var options: NSRegularExpression.Options = []
        if caseInsensitive { options.insert(.caseInsensitive) }
        if multiline { options.insert(.anchorsMatchLines) }
        if dotAll { options.insert(.dotMatchesLineSeparators) }
        self.regex = try NSRegularExpression(pattern: source, options: options)
        self.source = source
        self.literals = SigmaRegexLiterals(source, caseInsensitive: caseInsensitive, multiline: multiline)
        self.required = literals == nil ? SigmaRegexRequiredText(source, caseInsensitive: caseInsensitive) : nil
    }

    func matches(_ value: String) -> Bool {
        if let answer = literals?.matches(value) { return answer }
        if let required, required.excludes(value) { return false }
        return regex.firstMatch(in: value, options: [], range: NSRange(value.startIndex..<value.endIndex, in: value)) != nil
    }
}
