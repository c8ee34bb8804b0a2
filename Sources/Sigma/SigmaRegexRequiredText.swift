/// Literal text every match of a regular expression contains, where that can be told safely
/// (`\\\\127\.0\.0\.1\\admin\$\\__\d+` always contains `\\127.0.0.1\admin$\__`): an ASCII value
/// without it cannot match, so ICU need not be asked.
///
/// Only top-level text counts (not inside groups or classes, not a character a quantifier follows);
/// a top-level `|`, `(?`, `\Q` or an escape that takes an argument gives nil, as does a run shorter
/// than three characters.
struct SigmaRegexRequiredText: Sendable {
    let pattern: StringPattern

    static let minimumLength = 3
    /// Escapes (after `\`) that stand for one character class or position and take no argument.
    static let plainEscapes = Set("dDsSwWbBAzZGhHvVRXntrfea".utf8)

    init?(_ source: String, caseInsensitive: Bool) {
        let bytes = Array(source.utf8)
        guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        var runs: [[UInt8]] = []
        var run: [UInt8] = []
        func endRun() {
            if !run.isEmpty { runs.append(run) }
            run = []
        }
        var depth = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "["):
                endRun()
                guard let end = Self.classEnd(bytes, from: index) else { return nil }
                index = end + 1
                continue
            case UInt8(ascii: "("):
                guard index + 1 < bytes.count, bytes[index + 1] != UInt8(ascii: "?") else { return nil }
                endRun()
                depth += 1
            case UInt8(ascii: ")"):
                endRun()
                depth -= 1
                guard depth >= 0 else { return nil }
            case UInt8(ascii: "|"):
                guard depth > 0 else { return nil }
            case UInt8(ascii: "?"), UInt8(ascii: "*"), UInt8(ascii: "{"):
                // The character before is optional (or repeated any number of times): not required.
                if !run.isEmpty { run.removeLast() }
                endRun()
                if byte == UInt8(ascii: "{") {
                    guard let close = bytes[index...].firstIndex(of: UInt8(ascii: "}")) else { return nil }
                    index = close
                }
            case UInt8(ascii: "+"), UInt8(ascii: "^"), UInt8(ascii: "$"), UInt8(ascii: "."):
                endRun()
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                return nil
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { return nil }
                let next = bytes[index + 1]
                if Self.isPunctuation(next) {
                    if depth == 0 { run.append(next) }
                } else {
                    guard Self.plainEscapes.contains(next) else { return nil }
                    endRun()
                }
                index += 2
                continue
            default:
                if depth == 0 { run.append(byte) }
            }
            index += 1
        }
        endRun()
        guard let longest = runs.max(by: { $0.count < $1.count }), longest.count >= Self.minimumLength else { return nil }
        let text = String(decoding: longest, as: UTF8.self)
        pattern = StringPattern(SigmaString(parts: [.anyMany, .literal(text), .anyMany]), cased: !caseInsensitive)
    }

    /// Whether `value` certainly does not match: it is ASCII and lacks the required text.
    func excludes(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { bytes in ByteScan.isASCII(bytes) && !pattern.match(bytes) }
    }

    /// The index of the `]` closing the class opened at `start`; nil for a nested or unclosed class.
    private static func classEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start + 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "^") { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1 }
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "]"): return index
            case UInt8(ascii: "["): return nil
            case UInt8(ascii: "\\"): index += 2
            default: index += 1
            }
        }
        return nil
    }

    /// An escape of this character stands for the character itself.
    private static func isPunctuation(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte < 0x7F && !(byte >= 0x30 && byte <= 0x39) && !((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A)
            && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">")
    }
}
