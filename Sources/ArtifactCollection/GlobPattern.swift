import ExTriageCore

/// A path glob relative to a volume root, matched case-insensitively as NTFS does.
///
/// Syntax: `*` within one segment, `?` one character, `[abc]`/`[a-z]`/`[!a]` a class, `{a,b}`
/// alternatives inside a segment, `**` as a whole segment for any depth (zero or more segments).
/// A trailing `**` means every file below. Placeholder segments are substituted by the caller as
/// literal names, never parsed as glob syntax.
public struct GlobPattern: Sendable, CustomStringConvertible {
    enum Segment: Sendable {
        case anyDepth
        case name([[Token]])
    }

    enum Token: Sendable, Equatable {
        case literal(Character)
        case anyRun
        case anyOne
        case set([ClosedRange<Character>], negated: Bool)
    }

    /// The pattern as written, after placeholder substitution.
    public let text: String
    let segments: [Segment]

    /// Compiles literal leading components followed by the glob text.
    public init(literalPrefix: [PathComponent] = [], glob: String) throws {
        var compiled: [Segment] = literalPrefix.map { .name([$0.folded.map { Token.literal($0) }]) }
        let parts = glob.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        for part in parts {
            if part == "**" {
                if case .anyDepth = compiled.last { continue }
                compiled.append(.anyDepth)
            } else {
                compiled.append(.name(try GlobPattern.expandBraces(part).map(GlobPattern.tokens)))
            }
        }
        if case .anyDepth = compiled.last { compiled.append(.name([[.anyRun]])) }
        guard !compiled.isEmpty else {
            throw ExTriageError(.invalidProfile, "empty path pattern")
        }
        let prefixText = literalPrefix.map(\.escaped).joined(separator: "/")
        text = [prefixText, glob].filter { !$0.isEmpty }.joined(separator: "/")
        segments = compiled
    }

    public var description: String { text }

    var segmentCount: Int { segments.count }

    /// The leading segments that are plain names (no wildcard), lowercased.
    var literalPrefix: [String] {
        var out: [String] = []
        for segment in segments {
            guard case .name(let alternatives) = segment, alternatives.count == 1 else { break }
            var name = ""
            for token in alternatives[0] {
                guard case .literal(let character) = token else { return out }
                name.append(character)
            }
            out.append(name)
        }
        return out
    }

    func isAnyDepth(_ index: Int) -> Bool {
        if case .anyDepth = segments[index] { return true }
        return false
    }

    /// Whether segment `index` (not `**`) matches a folded name.
    func segment(_ index: Int, matches folded: String) -> Bool {
        guard case .name(let alternatives) = segments[index] else { return true }
        let characters = Array(folded)
        return alternatives.contains { GlobPattern.match($0[...], characters[...]) }
    }

    /// Whether a whole `/`-separated path matches (used by tests and single-path checks).
    public func matches(_ path: EvidencePath) -> Bool {
        matches(path.components.map(\.folded)[...], from: 0)
    }

    private func matches(_ names: ArraySlice<String>, from index: Int) -> Bool {
        if index == segments.count { return names.isEmpty }
        if isAnyDepth(index) {
            var rest = names
            while true {
                if matches(rest, from: index + 1) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        }
        guard let first = names.first, segment(index, matches: first) else { return false }
        return matches(names.dropFirst(), from: index + 1)
    }

    static func match(_ tokens: ArraySlice<Token>, _ name: ArraySlice<Character>) -> Bool {
        var tokenIndex = tokens.startIndex
        var nameIndex = name.startIndex
        var starToken: Int?
        var starName = name.startIndex
        while nameIndex < name.endIndex {
            if tokenIndex < tokens.endIndex {
                switch tokens[tokenIndex] {
                case .anyRun:
                    starToken = tokenIndex
                    starName = nameIndex
                    tokenIndex += 1
                    continue
                case .anyOne:
                    tokenIndex += 1
                    nameIndex += 1
                    continue
                case .literal(let character) where character == name[nameIndex]:
                    tokenIndex += 1
                    nameIndex += 1
                    continue
                case .set(let ranges, let negated)
                    where ranges.contains(where: { $0.contains(name[nameIndex]) }) != negated:
                    tokenIndex += 1
                    nameIndex += 1
                    continue
                default:
                    break
                }
            }
            guard let star = starToken else { return false }
            tokenIndex = star + 1
            starName += 1
            nameIndex = starName
        }
        while tokenIndex < tokens.endIndex, tokens[tokenIndex] == .anyRun { tokenIndex += 1 }
        return tokenIndex == tokens.endIndex
    }

    /// `a{b,c}d` → `abd`, `acd`; nested braces are expanded too.
    static func expandBraces(_ text: String) throws -> [String] {
        let characters = Array(text)
        guard let open = characters.firstIndex(of: "{") else {
            if characters.contains("}") { throw ExTriageError(.invalidProfile, "unbalanced '}' in pattern segment '\(text)'") }
            return [text]
        }
        var depth = 0
        var close: Int?
        var splits: [Int] = []
        for index in open..<characters.count {
            switch characters[index] {
            case "{": depth += 1
            case "}":
                depth -= 1
                if depth == 0 { close = index }
            case "," where depth == 1: splits.append(index)
            default: break
            }
            if close != nil { break }
        }
        guard let end = close else { throw ExTriageError(.invalidProfile, "unbalanced '{' in pattern segment '\(text)'") }
        let head = String(characters[..<open])
        let tail = String(characters[(end + 1)...])
        var bounds = [open] + splits + [end]
        var results: [String] = []
        for pair in 0..<(bounds.count - 1) {
            let alternative = String(characters[(bounds[pair] + 1)..<bounds[pair + 1]])
            results.append(contentsOf: try expandBraces(head + alternative + tail))
        }
        bounds.removeAll()
        return results
    }

    static func tokens(_ text: String) throws -> [Token] {
        let characters = Array(text.lowercased())
        var out: [Token] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "*":
                if out.last != .anyRun { out.append(.anyRun) }
            case "?":
                out.append(.anyOne)
            case "[":
                var cursor = index + 1
                var negated = false
                if cursor < characters.count, characters[cursor] == "!" || characters[cursor] == "^" {
                    negated = true
                    cursor += 1
                }
                var ranges: [ClosedRange<Character>] = []
                var first = true
                while cursor < characters.count, characters[cursor] != "]" || first {
                    first = false
                    let low = characters[cursor]
                    if cursor + 2 < characters.count, characters[cursor + 1] == "-", characters[cursor + 2] != "]" {
                        let high = characters[cursor + 2]
                        guard low <= high else { throw ExTriageError(.invalidProfile, "bad range \(low)-\(high) in '\(text)'") }
                        ranges.append(low...high)
                        cursor += 3
                    } else {
                        ranges.append(low...low)
                        cursor += 1
                    }
                }
                guard cursor < characters.count else { throw ExTriageError(.invalidProfile, "unclosed '[' in pattern segment '\(text)'") }
                out.append(.set(ranges, negated: negated))
                index = cursor
            default:
                out.append(.literal(character))
            }
            index += 1
        }
        return out
    }
}
