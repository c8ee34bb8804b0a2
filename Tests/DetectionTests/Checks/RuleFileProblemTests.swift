@testable import Detection
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Broken rule data is refused with every problem named by file and key, for both rule kinds.
@Suite struct RuleFileProblemTests {
    /// A folder with a valid rule twice (same id), one with an unknown key, one of wrong version.
    func brokenFolder(from kind: String, valid: String) throws -> TemporaryDirectory {
        let temp = try TemporaryDirectory()
        let text = try String(contentsOfFile: Repository.root + "/Profiles/rules/\(kind)/" + valid, encoding: .utf8)
        _ = try temp.write("a.yaml", text)
        _ = try temp.write("b.yaml", text)
        _ = try temp.write("c.yaml", text + "colour: blue\n")
        _ = try temp.write("d.yaml", text.replacingOccurrences(of: "version: 1", with: "version: 2"))
        return temp
    }

    func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test func logRuleProblemsAreNamedByFileAndKey() throws {
        let temp = try brokenFolder(from: "logs", valid: "ext-exploit-stems.yaml")
        let text = message { _ = try LogRuleLoader.load(directory: temp.path) }
        #expect(text.contains("invalid log rules"))
        #expect(text.contains("c.yaml: key 'colour': is not allowed"))
        #expect(text.contains("d.yaml: key 'version': must be 1"))
        #expect(text.contains("log rule id EXT-EXPLOIT-STEMS is used twice"))
    }

    @Test func eventRuleProblemsAreNamedByFileAndKey() throws {
        let temp = try brokenFolder(from: "events", valid: "lsass-procdump.yaml")
        let text = message { _ = try EventRuleLoader.load(directory: temp.path) }
        #expect(text.contains("invalid event rules"))
        #expect(text.contains("c.yaml: key 'colour': is not allowed"))
        #expect(text.contains("d.yaml: key 'version': must be 1"))
        #expect(text.contains("event rule id EVT-LSASS-PROCDUMP is used twice"))
    }
}
