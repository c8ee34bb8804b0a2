/// A compiled condition: a tree over search identifiers (by index), evaluated with short-circuits.
indirect enum SigmaCondition: Sendable, Equatable {
    case search(Int)
    case not(SigmaCondition)
    case and([SigmaCondition])
    case or([SigmaCondition])
    /// At least `count` of the searches hold (`x of pattern`).
    case atLeast(Int, [Int])
    case constant(Bool)

    func evaluate(_ holds: (Int) -> Bool) -> Bool {
        switch self {
        case .search(let index): return holds(index)
        case .not(let inner): return !inner.evaluate(holds)
        case .and(let children):
            for child in children where !child.evaluate(holds) { return false }
            return true
        case .or(let children):
            for child in children where child.evaluate(holds) { return true }
            return false
        case .atLeast(let count, let indices):
            var found = 0
            for index in indices where holds(index) {
                found += 1
                if found >= count { return true }
            }
            return false
        case .constant(let value): return value
        }
    }

    /// The searches in positive position (not under `not`) whose truth made this node true, for evidence.
    func positiveSearches(_ holds: (Int) -> Bool, into result: inout [Int]) {
        switch self {
        case .search(let index): if holds(index) { result.append(index) }
        case .not, .constant: break
        case .and(let children), .or(let children):
            for child in children where child.evaluate(holds) { child.positiveSearches(holds, into: &result) }
        case .atLeast(_, let indices):
            for index in indices where holds(index) { result.append(index) }
        }
    }

    /// The event IDs every match must have, when the condition pins them (nil: any event ID).
    func requiredEventIDs(_ searchIDs: (Int) -> Set<Int>?) -> Set<Int>? {
        switch self {
        case .search(let index): return searchIDs(index)
        case .not, .constant: return nil
        case .and(let children):
            var result: Set<Int>?
            for child in children {
                guard let ids = child.requiredEventIDs(searchIDs) else { continue }
                result = result.map { $0.intersection(ids) } ?? ids
            }
            return result
        case .or(let children):
            var result = Set<Int>()
            for child in children {
                guard let ids = child.requiredEventIDs(searchIDs) else { return nil }
                result.formUnion(ids)
            }
            return result
        case .atLeast(let count, let indices):
            if count == indices.count {
                return SigmaCondition.and(indices.map(SigmaCondition.search)).requiredEventIDs(searchIDs)
            }
            return SigmaCondition.or(indices.map(SigmaCondition.search)).requiredEventIDs(searchIDs)
        }
    }
}

/// Parses Sigma condition text: `and`, `or`, `not`, parentheses, `1 of x*`, `all of x*`,
/// `N of x*`, `1 of them`, `all of them`; precedence `or` < `and` < `not`.
struct SigmaConditionParser {
    private var tokens: [String]
    private var position = 0
    private let names: [String]

    /// `names` are the search identifiers, in the order their indices refer to.
    init(_ text: String, names: [String]) {
        self.names = names
        var tokens: [String] = []
        var current = ""
        for character in text {
            if character == "(" || character == ")" || character.isWhitespace {
                if !current.isEmpty { tokens.append(current); current = "" }
                if !character.isWhitespace { tokens.append(String(character)) }
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        self.tokens = tokens
    }

    static func parse(_ text: String, names: [String]) throws(SigmaUnsupported) -> SigmaCondition {
        if text.contains("|") { throw SigmaUnsupported("aggregation in condition ('\(text)'); use a correlation rule") }
        var parser = SigmaConditionParser(text, names: names)
        guard !parser.tokens.isEmpty else { throw SigmaUnsupported("empty condition") }
        let result = try parser.expression()
        guard parser.position == parser.tokens.count else {
            throw SigmaUnsupported("condition has unexpected '\(parser.tokens[parser.position])' ('\(text)')")
        }
        return result
    }

    private var peek: String? { position < tokens.count ? tokens[position] : nil }

    private mutating func next() -> String? {
        defer { position += 1 }
        return peek
    }

    private mutating func expression() throws(SigmaUnsupported) -> SigmaCondition {
        var children = [try conjunction()]
        while peek?.lowercased() == "or" {
            position += 1
            children.append(try conjunction())
        }
        return children.count == 1 ? children[0] : .or(children)
    }

    private mutating func conjunction() throws(SigmaUnsupported) -> SigmaCondition {
        var children = [try factor()]
        while peek?.lowercased() == "and" {
            position += 1
            children.append(try factor())
        }
        return children.count == 1 ? children[0] : .and(children)
    }

    private mutating func factor() throws(SigmaUnsupported) -> SigmaCondition {
        guard let token = next() else { throw SigmaUnsupported("condition ends too early") }
        let lowered = token.lowercased()
        if lowered == "not" { return .not(try factor()) }
        if token == "(" {
            let inner = try expression()
            guard next() == ")" else { throw SigmaUnsupported("condition has an unclosed '('") }
            return inner
        }
        if token == ")" || ["and", "or", "of"].contains(lowered) {
            throw SigmaUnsupported("condition has '\(token)' where a search identifier was expected")
        }
        if peek?.lowercased() == "of" {
            position += 1
            guard let target = next() else { throw SigmaUnsupported("condition ends after 'of'") }
            let indices = try matching(target)
            if lowered == "all" { return indices.count == 1 ? .search(indices[0]) : .and(indices.map(SigmaCondition.search)) }
            guard let count = Int(token), count >= 1 else { throw SigmaUnsupported("'\(token) of' is not a count") }
            if count == 1 { return indices.count == 1 ? .search(indices[0]) : .or(indices.map(SigmaCondition.search)) }
            return .atLeast(count, indices)
        }
        guard let index = names.firstIndex(of: token) else {
            throw SigmaUnsupported("condition names '\(token)', which is not a search identifier")
        }
        return .search(index)
    }

    private func matching(_ target: String) throws(SigmaUnsupported) -> [Int] {
        let indices: [Int]
        if target.lowercased() == "them" {
            indices = names.indices.filter { !names[$0].hasPrefix("_") }
        } else {
            let pattern = StringPattern(SigmaString(parts: target.split(separator: "*", omittingEmptySubsequences: false)
                .enumerated().flatMap { offset, piece -> [SigmaStringPart] in
                    offset == 0 ? [.literal(String(piece))] : [.anyMany, .literal(String(piece))]
                }), cased: true)
            indices = names.indices.filter { pattern.matches(names[$0]) }
        }
        guard !indices.isEmpty else { throw SigmaUnsupported("'of \(target)' matches no search identifier") }
        return indices
    }
}
