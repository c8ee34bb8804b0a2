import Foundation
import Yams

/// Why a rule (or filter, or correlation) cannot be loaded: the reason names the construct.
struct SigmaUnsupported: Error, Sendable {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// How a value is compared when it is not a wildcard string.
enum SigmaComparison: String, Sendable {
    case lt, lte, gt, gte

    func holds(_ value: Double, _ bound: Double) -> Bool {
        switch self {
        case .lt: return value < bound
        case .lte: return value <= bound
        case .gt: return value > bound
        case .gte: return value >= bound
        }
    }
}

/// One value of a field test, compiled.
enum SigmaValueTest: Sendable {
    /// Any of these patterns (windash and base64offset give several per written value).
    case strings([StringPattern])
    case regex(SigmaRegex)
    case cidr(SigmaNetwork)
    case compare(SigmaComparison, Double)
    /// The field is missing or empty.
    case null
    /// Equal to (or starting with, ending with, containing) another field of the same event.
    case fieldref(String, FieldRefMode, cased: Bool)

    enum FieldRefMode: Sendable { case equal, prefix, suffix, contains }

    /// Whether `value` (nil: the field is missing) passes, in `event` (for field references).
    func test(_ value: String?, in event: some SigmaEvent) -> Bool {
        switch self {
        case .null:
            return value == nil || value == ""
        case .strings(let patterns):
            guard let value else { return false }
            for pattern in patterns where pattern.matches(value) { return true }
            return false
        case .regex(let regex):
            guard let value else { return false }
            return regex.matches(value)
        case .cidr(let network):
            guard let value else { return false }
            return network.contains(value)
        case .compare(let comparison, let bound):
            guard let value, let number = Double(value.trimmingSpaces) ?? Self.hexNumber(value) else { return false }
            return comparison.holds(number, bound)
        case .fieldref(let other, let mode, let cased):
            guard let value, let reference = event.value(other) else { return false }
            let (a, b) = cased ? (value, reference) : (value.lowercased(), reference.lowercased())
            switch mode {
            case .equal: return a == b
            case .prefix: return a.hasPrefix(b)
            case .suffix: return a.hasSuffix(b)
            case .contains: return b.isEmpty || a.contains(b)
            }
        }
    }

    /// `test` for a keyword text: string patterns directly (on `folded`, the text with ASCII
    /// letters lower-cased, where that gives the same answer), the rest as against an empty event.
    @inline(__always)
    func keywordTest(_ text: String, folded: String? = nil) -> Bool {
        if case .strings(let patterns) = self {
            for pattern in patterns {
                if let folded, pattern.matchesFolded { if pattern.matches(folded: folded) { return true } } else if pattern.matches(text) { return true }
            }
            return false
        }
        return test(text, in: SigmaFieldsEvent.empty)
    }

    private static func hexNumber(_ text: String) -> Double? {
        let trimmed = text.trimmingSpaces.lowercased()
        guard trimmed.hasPrefix("0x"), let number = UInt64(trimmed.dropFirst(2), radix: 16) else { return nil }
        return Double(number)
    }

    /// The value as the rule wrote it, for evidence.
    var display: String {
        switch self {
        case .strings(let patterns): return patterns.first?.display ?? ""
        case .regex(let regex): return "re:" + regex.source
        case .cidr(let network): return "cidr:\(network.address.count == 4 ? "v4" : "v6")/\(network.prefixLength)"
        case .compare(let comparison, let bound): return "\(comparison.rawValue) \(bound)"
        case .null: return "null"
        case .fieldref(let other, _, _): return "fieldref:" + other
        }
    }
}

/// One `Field|modifiers: values` entry of a selection, or a keyword list (field nil).
/// A class: evaluation reads it by reference, without retaining its parts.
final class SigmaItem: Sendable {
    enum Kind: Sendable {
        case values([SigmaValueTest], all: Bool)
        case exists(Bool)
    }

    /// The Sigma field name as written; nil for keywords.
    let field: String?
    let kind: Kind
    /// `|neq`: the item holds when the values do not.
    let negated: Bool

    init(field: String?, kind: Kind, negated: Bool) {
        self.field = field
        self.kind = kind
        self.negated = negated
    }

    /// Whether the item holds for `event`; `evidence` receives the matched field and value.
    func holds(_ event: some SigmaEvent) -> Bool {
        guard let field else { return keywordHolds(event.keywordText, folded: event.keywordTextFolded) != nil }
        let value = event.value(field)
        switch kind {
        case .exists(let expected):
            return (value != nil) == expected
        case .values(let tests, let all):
            var result: Bool
            if all {
                result = true
                for test in tests where !test.test(value, in: event) { result = false; break }
            } else {
                result = false
                for test in tests where test.test(value, in: event) { result = true; break }
            }
            return result != negated
        }
    }

    /// For keywords: the first text that satisfies the item (nil: none).
    /// `folded`: the same texts with ASCII letters lower-cased, when the event has them.
    func keywordHolds(_ texts: [String], folded: [String]? = nil) -> String? {
        guard case .values(let tests, let all) = kind else { return nil }
        let folded = folded?.count == texts.count ? folded : nil
        var witness: String?
        if all {
            for test in tests {
                guard let index = texts.indices.first(where: { test.keywordTest(texts[$0], folded: folded?[$0]) }) else {
                    return negated ? "" : nil
                }
                witness = witness ?? texts[index]
            }
        } else {
            outer: for test in tests {
                for index in texts.indices where test.keywordTest(texts[index], folded: folded?[index]) { witness = texts[index]; break outer }
            }
        }
        if negated { return witness == nil ? "" : nil }
        return witness
    }
}

/// A search identifier: a list of maps (OR), each map a list of items (AND).
final class SigmaSearch: Sendable {
    let name: String
    let alternatives: [[SigmaItem]]

    init(name: String, alternatives: [[SigmaItem]]) {
        self.name = name
        self.alternatives = alternatives
    }

    func holds(_ event: some SigmaEvent) -> Bool {
        alternatives.contains { items in items.allSatisfy { $0.holds(event) } }
    }

    /// The items of the first alternative that holds (for evidence).
    func witness(_ event: some SigmaEvent) -> [SigmaItem]? {
        alternatives.first { items in items.allSatisfy { $0.holds(event) } }
    }
}

/// Options that change how values compile.
public struct SigmaCompileOptions: Sendable {
    /// Values for `|expand` placeholders (`%name%` → the name's values); a placeholder not here
    /// makes the rule unsupported.
    public var placeholders: [String: [String]]

    public init(placeholders: [String: [String]] = [:]) {
        self.placeholders = placeholders
    }
}

enum SigmaDetectionCompiler {
    static let knownModifiers: Set<String> = [
        "contains", "startswith", "endswith", "all", "re", "i", "m", "s", "base64", "base64offset",
        "utf16le", "utf16be", "utf16", "wide", "windash", "cidr", "lt", "lte", "gt", "gte", "exists",
        "fieldref", "expand", "cased", "neq",
    ]
    static let timeModifiers: Set<String> = ["minute", "hour", "day", "week", "month", "year"]

    /// Compiles every search identifier of a `detection:` mapping (all keys but `condition` and `timeframe`).
    static func searches(_ detection: Node.Mapping, options: SigmaCompileOptions) throws(SigmaUnsupported) -> [SigmaSearch] {
        var result: [SigmaSearch] = []
        for (keyNode, value) in detection {
            guard let name = keyNode.string else { throw SigmaUnsupported("a detection key is not text") }
            if name == "condition" || name == "timeframe" { continue }
            result.append(try search(name: name, value, options: options))
        }
        return result
    }

    static func search(name: String, _ node: Node, options: SigmaCompileOptions) throws(SigmaUnsupported) -> SigmaSearch {
        switch node {
        case .mapping(let mapping):
            return SigmaSearch(name: name, alternatives: [try map(mapping, options: options)])
        case .sequence(let sequence):
            let elements = Array(sequence)
            if elements.allSatisfy({ if case .mapping = $0 { return true } else { return false } }) {
                var alternatives: [[SigmaItem]] = []
                for element in elements {
                    if case .mapping(let mapping) = element { alternatives.append(try map(mapping, options: options)) }
                }
                return SigmaSearch(name: name, alternatives: alternatives)
            }
            if elements.allSatisfy({ if case .scalar = $0 { return true } else { return false } }) {
                let item = try item(field: nil, modifiers: [], node, options: options)
                return SigmaSearch(name: name, alternatives: [[item]])
            }
            throw SigmaUnsupported("search identifier '\(name)' mixes maps and values in one list")
        case .scalar:
            let item = try item(field: nil, modifiers: [], node, options: options)
            return SigmaSearch(name: name, alternatives: [[item]])
        }
    }

    static func map(_ mapping: Node.Mapping, options: SigmaCompileOptions) throws(SigmaUnsupported) -> [SigmaItem] {
        var items: [SigmaItem] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { throw SigmaUnsupported("a field key is not text") }
            var pieces = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            let field = pieces.removeFirst()
            items.append(try item(field: field.isEmpty ? nil : field, modifiers: pieces, value, options: options))
        }
        return items
    }

    static func item(field: String?, modifiers: [String], _ node: Node, options: SigmaCompileOptions) throws(SigmaUnsupported) -> SigmaItem {
        let label = field.map { "field '\($0)'" } ?? "keywords"
        for modifier in modifiers where !knownModifiers.contains(modifier) {
            if timeModifiers.contains(modifier) { throw SigmaUnsupported("time modifier '\(modifier)' on \(label)") }
            throw SigmaUnsupported("unknown modifier '\(modifier)' on \(label)")
        }
        let set = Set(modifiers)
        let negated = set.contains("neq")
        if set.contains("exists") {
            guard field != nil, case .scalar(let scalar) = node, let flag = Node.scalar(scalar).bool else {
                throw SigmaUnsupported("'exists' on \(label) needs one true/false value")
            }
            return SigmaItem(field: field, kind: .exists(flag), negated: false)
        }
        var nodes: [Node]
        switch node {
        case .scalar: nodes = [node]
        case .sequence(let sequence): nodes = Array(sequence)
        case .mapping: throw SigmaUnsupported("\(label) has a map as its value")
        }
        if nodes.isEmpty { throw SigmaUnsupported("\(label) has an empty value list") }
        var tests: [SigmaValueTest] = []
        for value in nodes {
            guard case .scalar(let scalar) = value else { throw SigmaUnsupported("\(label) has a nested list or map as a value") }
            tests += try self.tests(scalar, modifiers: modifiers, set: set, field: field, label: label, options: options)
        }
        return SigmaItem(field: field, kind: .values(tests, all: set.contains("all")), negated: negated)
    }

    static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    static func tests(_ scalar: Node.Scalar, modifiers: [String], set: Set<String>, field: String?, label: String,
                      options: SigmaCompileOptions) throws(SigmaUnsupported) -> [SigmaValueTest] {
        if isNull(scalar) {
            if field == nil { throw SigmaUnsupported("keywords contain null") }
            return [.null]
        }
        let raw = scalar.string
        let cased = set.contains("cased")
        if set.contains("re") {
            do {
                return [.regex(try SigmaRegex(raw, caseInsensitive: set.contains("i"), multiline: set.contains("m"), dotAll: set.contains("s")))]
            } catch {
                throw SigmaUnsupported("regular expression on \(label) does not compile: \(raw)")
            }
        }
        if set.contains("cidr") {
            guard let network = SigmaNetwork(raw) else { throw SigmaUnsupported("'\(raw)' on \(label) is not a CIDR network") }
            return [.cidr(network)]
        }
        for comparison in [SigmaComparison.lt, .lte, .gt, .gte] where set.contains(comparison.rawValue) {
            guard let bound = Double(raw) else { throw SigmaUnsupported("'\(raw)' on \(label) is not a number for '\(comparison.rawValue)'") }
            return [.compare(comparison, bound)]
        }
        if set.contains("fieldref") {
            guard field != nil else { throw SigmaUnsupported("'fieldref' on keywords") }
            let mode: SigmaValueTest.FieldRefMode = set.contains("contains") ? .contains
                : set.contains("startswith") ? .prefix : set.contains("endswith") ? .suffix : .equal
            return [.fieldref(raw, mode, cased: cased)]
        }
        var written = [raw]
        if set.contains("expand") { written = try expand(raw, label: label, options: options) }
        var result: [SigmaValueTest] = []
        for text in written {
            result.append(.strings(try patterns(text, modifiers: modifiers, set: set, cased: cased, label: label, keyword: field == nil)))
        }
        return result
    }

    static func expand(_ raw: String, label: String, options: SigmaCompileOptions) throws(SigmaUnsupported) -> [String] {
        guard let open = raw.firstIndex(of: "%") else { return [raw] }
        let rest = raw[raw.index(after: open)...]
        guard let close = rest.firstIndex(of: "%") else { return [raw] }
        let name = String(rest[..<close])
        guard let values = options.placeholders[name], !values.isEmpty else {
            throw SigmaUnsupported("placeholder %\(name)% on \(label) ('expand') has no configured values")
        }
        let prefix = raw[..<open]
        let suffix = raw[raw.index(after: close)...]
        var result: [String] = []
        for value in values {
            result += try expand(String(prefix) + value + String(suffix), label: label, options: options)
        }
        return result
    }

    /// An intermediate value while modifiers apply: Sigma text, or encoded bytes.
    private enum Stage {
        case text(SigmaString)
        case bytes([UInt8])
    }

    static func patterns(_ raw: String, modifiers: [String], set: Set<String>, cased: Bool, label: String,
                         keyword: Bool) throws(SigmaUnsupported) -> [StringPattern] {
        var stages: [Stage] = [.text(SigmaString(parsing: raw))]
        func plainBytes(_ stage: Stage, _ modifier: String) throws(SigmaUnsupported) -> [UInt8] {
            switch stage {
            case .bytes(let bytes): return bytes
            case .text(let string):
                guard let plain = string.plain else { throw SigmaUnsupported("'\(modifier)' on \(label) with a wildcard value") }
                return Array(plain.utf8)
            }
        }
        for modifier in modifiers {
            switch modifier {
            case "utf16le", "wide", "utf16be", "utf16":
                var next: [Stage] = []
                for stage in stages {
                    guard case .text(let string) = stage, let plain = string.plain else {
                        throw SigmaUnsupported("'\(modifier)' on \(label) with a wildcard or encoded value")
                    }
                    var bytes: [UInt8] = modifier == "utf16" ? [0xFF, 0xFE] : []
                    for unit in plain.utf16 {
                        let low = UInt8(unit & 0xFF), high = UInt8(unit >> 8)
                        bytes += modifier == "utf16be" ? [high, low] : [low, high]
                    }
                    next.append(.bytes(bytes))
                }
                stages = next
            case "base64":
                var next: [Stage] = []
                for stage in stages {
                    next.append(.text(SigmaString(literal: Data(try plainBytes(stage, modifier)).base64EncodedString())))
                }
                stages = next
            case "base64offset":
                var next: [Stage] = []
                for stage in stages {
                    let bytes = try plainBytes(stage, modifier)
                    for variant in base64Offsets(bytes) { next.append(.text(SigmaString(literal: variant))) }
                }
                stages = next
            case "windash":
                var next: [Stage] = []
                for stage in stages {
                    guard case .text(let string) = stage else { throw SigmaUnsupported("'windash' on \(label) after an encoding") }
                    next += windash(string).map(Stage.text)
                }
                stages = next
            default:
                continue
            }
        }
        let contains = set.contains("contains") || keyword && !set.contains("startswith") && !set.contains("endswith")
        let leading = contains || set.contains("endswith")
        let trailing = contains || set.contains("startswith")
        return stages.map { stage in
            let string: SigmaString
            switch stage {
            case .text(let text): string = text
            case .bytes(let bytes): string = SigmaString(literal: String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) })))
            }
            return StringPattern(string.wrapped(leading: leading, trailing: trailing), cased: cased)
        }
    }

    /// The three base64 forms of `bytes` at offsets 0, 1 and 2 of an encoded stream, trimmed to
    /// the characters that do not depend on the neighbouring bytes.
    static func base64Offsets(_ bytes: [UInt8]) -> [String] {
        let startTrim = [0, 2, 3]
        let endTrim = [0, 3, 2]
        var result: [String] = []
        for shift in 0..<3 {
            let encoded = Array(Data([UInt8](repeating: 0x20, count: shift) + bytes).base64EncodedString().utf8)
            let end = encoded.count - endTrim[(bytes.count + shift) % 3]
            let start = startTrim[shift]
            guard start < end else { continue }
            result.append(String(decoding: encoded[start..<end], as: UTF8.self))
        }
        return result
    }

    static let dashes: [Character] = ["-", "/", "\u{2013}", "\u{2014}", "\u{2015}"]

    /// Every variant of `string` with each dash-like character replaced by each of the others.
    static func windash(_ string: SigmaString) -> [SigmaString] {
        var variants: [[SigmaStringPart]] = [[]]
        for part in string.parts {
            guard case .literal(let text) = part, text.contains(where: { dashes.contains($0) }) else {
                variants = variants.map { $0 + [part] }
                continue
            }
            var texts = [""]
            for character in text {
                if dashes.contains(character), texts.count * dashes.count <= 3125 {
                    texts = texts.flatMap { prefix in dashes.map { prefix + String($0) } }
                } else {
                    texts = texts.map { $0 + String(character) }
                }
            }
            variants = variants.flatMap { prefix in texts.map { prefix + [.literal($0)] } }
        }
        return variants.map(SigmaString.init(parts:))
    }
}
