@testable import Sigma
import Testing

/// Condition forms: and/or/not, parentheses, `x of pattern`, `them`, precedence, errors.
struct SigmaConditionTests {
    static let searches = """
    selection_a:
        A: '1'
    selection_b:
        B: '1'
    filter_c:
        C: '1'
    """

    func rule(_ condition: String) throws -> SigmaRule {
        try Fixture.rule(Self.searches + "\ncondition: " + condition)
    }

    func truth(_ rule: SigmaRule) -> [String] {
        // Every combination of A, B, C, as the set of true letters.
        var result: [String] = []
        for mask in 0..<8 {
            var fields: [String: String] = [:]
            var name = ""
            for (bit, letter) in ["A", "B", "C"].enumerated() where mask & (1 << bit) != 0 {
                fields[letter] = "1"
                name += letter
            }
            if rule.hits(fields) { result.append(name.isEmpty ? "-" : name) }
        }
        return result
    }

    @Test func andOrNotAndPrecedence() throws {
        #expect(truth(try rule("selection_a and selection_b")) == ["AB", "ABC"])
        #expect(truth(try rule("selection_a or selection_b")) == ["A", "B", "AB", "AC", "BC", "ABC"])
        #expect(truth(try rule("not filter_c")) == ["-", "A", "B", "AB"])
        // not binds tighter than and, and tighter than or.
        #expect(truth(try rule("selection_a or selection_b and not filter_c")) == ["A", "B", "AB", "AC", "ABC"])
        #expect(truth(try rule("(selection_a or selection_b) and not filter_c")) == ["A", "B", "AB"])
        #expect(truth(try rule("not (selection_a or filter_c)")) == ["-", "B"])
        #expect(truth(try rule("selection_a AND NOT filter_c")) == ["A", "AB"])
    }

    @Test func ofForms() throws {
        #expect(truth(try rule("1 of selection_*")) == truth(try rule("selection_a or selection_b")))
        #expect(truth(try rule("all of selection_*")) == ["AB", "ABC"])
        #expect(truth(try rule("1 of them")) == ["A", "B", "AB", "C", "AC", "BC", "ABC"])
        #expect(truth(try rule("all of them")) == ["ABC"])
        #expect(truth(try rule("2 of them")) == ["AB", "AC", "BC", "ABC"])
        #expect(truth(try rule("all of selection_* and not 1 of filter_*")) == ["AB"])
        #expect(truth(try rule("1 of sel*_a")) == ["A", "AB", "AC", "ABC"])
    }

    @Test func conditionListIsOr() throws {
        let rule = try Fixture.rule(Self.searches + "\ncondition:\n    - selection_a\n    - filter_c")
        #expect(truth(rule) == ["A", "AB", "C", "AC", "BC", "ABC"])
    }

    @Test func compiledOnceIntoATree() throws {
        let compiled = try SigmaConditionParser.parse("a and (b or not c) and 1 of x*", names: ["a", "b", "c", "x1", "x2"])
        #expect(compiled == .and([.search(0), .or([.search(1), .not(.search(2))]), .or([.search(3), .search(4)])]))
    }

    @Test func badConditionsAreSkippedWithAReason() throws {
        func reason(_ condition: String) throws -> String? { try Fixture.skipReason(Self.searches + "\ncondition: " + condition) }
        #expect(try reason("selection_a and missing") == "condition names 'missing', which is not a search identifier")
        #expect(try reason("1 of nothing_*") == "'of nothing_*' matches no search identifier")
        #expect(try reason("(selection_a") == "condition has an unclosed '('")
        #expect(try reason("selection_a and") == "condition ends too early")
        #expect(try reason("selection_a | count() > 5")?.hasPrefix("aggregation in condition") == true)
        #expect(try Fixture.skipReason(Self.searches)?.contains("no condition") == true)
    }

    @Test func eventIDsPinnedByTheDetection() throws {
        let rule = try Fixture.rule("""
        selection:
            EventID:
                - 4624
                - 4625
            LogonType: 3
        other:
            EventID: 4648
        condition: selection or other
        """, logsource: "product: windows\n    service: security")
        #expect(rule.eventIDs(channel: "Security") == [4624, 4625, 4648])
        let open = try Fixture.rule("""
        selection:
            EventID: 4624
        filter:
            EventID: 1
        condition: selection or not filter
        """, logsource: "product: windows\n    service: security")
        #expect(open.eventIDs(channel: "security") == nil, "a negated search pins nothing")
    }
}
