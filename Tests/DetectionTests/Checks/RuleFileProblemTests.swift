@testable import Detection
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Broken rule data is refused with every problem named by file, line and key, for both rule
/// kinds; a missing rules folder is an error, not "no rules".
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
        #expect(text.contains("c.yaml:63: key 'colour': is not allowed"))
        #expect(text.contains("d.yaml:1: key 'version': must be 1"))
        #expect(text.contains("b.yaml:2: key 'id': 'EXT-EXPLOIT-STEMS' is already the id of \(temp.path)/a.yaml"))
    }

    @Test func aMissingRulesFolderIsAnError() {
        #expect(message { _ = try LogRuleLoader.load(directory: "/nonexistent/rules/logs") }
            .contains("/nonexistent/rules/logs: is not a folder"))
        #expect(throws: ExTriageError.self) { _ = try DetectionData.load(profiles: "/nonexistent") }
    }

    /// The problem lines of an error, with the file name only.
    func problemLines(_ body: () throws -> Void) -> [String] {
        message(body).split(separator: "\n").dropFirst().map {
            String($0.trimmingCharacters(in: .whitespaces).split(separator: "/").last ?? "")
        }
    }

    @Test func everyProblemInALogRuleIsReportedWithFileLineAndKey() {
        let text = """
            version: 3
            id: EXT-BAD
            title: t
            families: iis
            needles: [x]
            where: {cs-uri-stem: '(unclosed'}
            verdicts: [{verdict: maybe}]
            severity: high
            attack: [T1190]
            explanation: e
            samples: {fields: "a b", positive: [{line: "x y", verdict: likely}], negative: ["z"], extra: 1}
            colour: red
            """
        let lines = problemLines { _ = try LogRuleLoader.parse(text, file: "/r/bad.yaml") }
        #expect(lines == [
            "bad.yaml:1: key 'version': must be 1 (found '3')",
            "bad.yaml:1: key 'description': is required",
            "bad.yaml:4: key 'families': must be a non-empty list",
            "bad.yaml:6: key 'where.cs-uri-stem': '(unclosed' is not a valid regular expression",
            "bad.yaml:7: key 'verdicts.verdict': 'maybe' is not one of: informational, attempt, likely, confirmed",
            "bad.yaml:11: key 'samples.extra': is not allowed here (allowed: fields, negative, positive)",
            "bad.yaml:12: key 'colour': is not allowed here (allowed: assesses, attack, cves, description, explanation, families, id, needles, pivots, samples, severity, title, unless, verdicts, version, where)",
        ], "\(lines)")
    }

    @Test func everyProblemInASigmaRulesExtriageBlockIsReportedWithFileLineAndKey() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("bad.yml", """
            title: t
            id: 11111111-2222-3333-4444-555555555555
            logsource: {product: windows, service: sysmon}
            detection:
              selection: {EventID: 1}
              condition: selection
            level: high
            extriage:
              version: 2
              category: stuff
              verdicts: [{verdict: maybe}]
              colour: red
              samples:
                negative: [{id: 1, colour: red}]
            """)
        let lines = problemLines { _ = try SigmaRuleExtras.load(file: file) }
        #expect(lines == [
            "bad.yml:9: key 'extriage.version': must be 1 (found '2')",
            "bad.yml:9: key 'extriage.id': is required",
            "bad.yml:10: key 'extriage.category': must be one of \(FindingCategory.all.sorted().joined(separator: ", "))",
            "bad.yml:11: key 'extriage.verdicts.verdict': 'maybe' is not one of: informational, attempt, likely, confirmed",
            "bad.yml:12: key 'extriage.colour': is not allowed here (allowed: alone, assesses, category, cves, explanation, id, pivots, samples, verdicts, version)",
            "bad.yml:14: key 'extriage.samples.positive': is required (a list)",
            "bad.yml:14: key 'extriage.samples.negative.colour': is not allowed here (allowed: channel, data, id, level, provider, userData)",
            "bad.yml:14: key 'extriage.samples.negative.provider': is required",
            "bad.yml:14: key 'extriage.samples.negative.channel': is required",
        ], "\(lines)")
    }
}
