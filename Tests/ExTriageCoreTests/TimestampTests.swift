import Testing
@testable import ExTriageCore

@Test func placeholder() { #expect(Timestamp(seconds: 0).iso8601 == "1970-01-01T00:00:00Z") }
