import Foundation
@testable import Sigma

/// Small inline rules and events for the Sigma tests.
enum Fixture {
    /// A rule set from one inline YAML text (strict: a rule that cannot load throws).
    static func ruleSet(_ yaml: String, strict: Bool = true, options: SigmaCompileOptions = SigmaCompileOptions()) throws -> SigmaRuleSet {
        try SigmaRuleSet.load(texts: [(file: "inline.yml", text: yaml)], strict: strict, options: options)
    }

    /// A process_creation rule whose `detection:` body is `detection` (indented by four spaces per level below it).
    static func rule(_ detection: String, logsource: String = "category: process_creation\n    product: windows",
                     options: SigmaCompileOptions = SigmaCompileOptions()) throws -> SigmaRule {
        let body = detection.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
        let yaml = """
        title: Inline test rule
        id: 00000000-0000-4000-8000-000000000001
        status: test
        level: high
        logsource:
            \(logsource)
        detection:
        \(body)
        """
        let set = try ruleSet(yaml, options: options)
        guard let rule = set.rules.first else { throw FixtureError.noRule }
        return rule
    }

    /// The reason an inline rule is skipped (nil when it loads).
    static func skipReason(_ detection: String, options: SigmaCompileOptions = SigmaCompileOptions()) throws -> String? {
        let body = detection.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
        let yaml = """
        title: Inline test rule
        logsource:
            category: process_creation
            product: windows
        detection:
        \(body)
        """
        return try ruleSet(yaml, strict: false, options: options).skipped.first?.reason
    }

    static func event(_ fields: [String: String], keywords: [String]? = nil) -> SigmaFieldsEvent {
        SigmaFieldsEvent(fields, keywordText: keywords)
    }

    enum FixtureError: Error { case noRule }
}

extension SigmaRule {
    func hits(_ fields: [String: String]) -> Bool { matches(Fixture.event(fields)) != nil }
}
