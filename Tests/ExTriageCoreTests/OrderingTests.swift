import ExTriageCore
import Testing

/// Verdicts and severities order by their explicit rank, lowest first, as declared.
@Suite struct OrderingTests {
    @Test func verdictsOrderFromInformationalToConfirmed() {
        #expect(Verdict.allCases.map(\.rank) == Array(0..<Verdict.allCases.count))
        #expect(Verdict.allCases.shuffled().sorted() == [.informational, .attempt, .likely, .confirmed])
        #expect([Verdict.likely, .confirmed, .attempt].max() == .confirmed)
    }

    @Test func severitiesOrderFromInfoToCritical() {
        #expect(Severity.allCases.map(\.rank) == Array(0..<Severity.allCases.count))
        #expect(Severity.allCases.shuffled().sorted() == [.info, .low, .medium, .high, .critical])
        #expect(Severity.medium < .high && !(Severity.high < .high))
    }
}
