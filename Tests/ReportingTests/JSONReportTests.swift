import ExTriageCore
import Foundation
import Reporting
import Testing

@Suite struct JSONReportTests {
    @Test func oneReportIsTheAnalysisReportObjectAndRoundTrips() throws {
        let original = SampleReports.compromised()
        let bytes = try JSONReport.render([original])
        let decoded = try JSONDecoder().decode(AnalysisReport.self, from: Data(bytes))
        #expect(decoded.verdict == .compromised)
        #expect(decoded.bundle.path == original.bundle.path)
        #expect(decoded.bundle.host == original.bundle.host)
        #expect(decoded.verification.analyzedAnyway)
        #expect(decoded.cveStates == original.cveStates)
        #expect(decoded.findings.map(\.checkId) == original.findings.map(\.checkId))
        #expect(decoded.findings[1].evidence == original.findings[1].evidence)
        #expect(decoded.findings[1].evidence[0].excerpt == SampleReports.hostile)
        #expect(decoded.findings[3].evidence[0].record == 4242)
        #expect(decoded.campaigns.first?.findingIndexes == [2, 1])
        #expect(decoded.coverage.map(\.status) == [.ran, .notApplicable, .failed])
        #expect(decoded.logSpans.first?.gaps == original.logSpans.first?.gaps)

        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(Set(object.keys) == ["bundle", "verification", "verdict", "cveStates", "cveReasons", "findings", "coverage", "logSpans",
                                     "campaigns", "tool"])
        #expect((object["cveStates"] as? [String: String])?["CVE-2021-26857"] == "not-assessable")
        #expect(object["verdict"] as? String == "compromised")
    }

    @Test func outputIsSortedPrettyAndUnescapedSlashes() throws {
        let text = String(decoding: try JSONReport.render([SampleReports.compromised()]), as: UTF8.self)
        let topLevel = ["bundle", "campaigns", "coverage", "cveStates", "findings", "logSpans", "tool", "verdict", "verification"]
        let offsets = try topLevel.map { try #require(text.offset(of: "\n  \"\($0)\" : ")) }
        #expect(offsets == offsets.sorted())
        #expect(text.contains("\"path\" : \"/cases/EX01.tar\""))
        #expect(!text.contains("\\/"))
        #expect(!text.contains("\u{1B}"))
        #expect(text.contains("\\u001b[2J") || text.contains("\\u001B[2J"))
        #expect(text.hasSuffix("}\n"))
    }

    @Test func severalReportsCarryACombinedSummary() throws {
        let bytes = try JSONReport.render([SampleReports.compromised(), SampleReports.clean()])
        let document = try JSONDecoder().decode(MultiBundleDocument.self, from: Data(bytes))
        #expect(document.bundles.map(\.bundle.path) == ["/cases/EX01.tar", "/cases/EX02.tar"])
        #expect(document.summary.worstVerdict == .compromised)
        #expect(document.summary.bundles.map(\.verdict) == [.compromised, .noEvidenceFound])

        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(Set(object.keys) == ["bundles", "summary"])
        let summary = try #require(object["summary"] as? [String: Any])
        #expect(summary["worstVerdict"] as? String == "compromised")
        let rows = try #require(summary["bundles"] as? [[String: Any]])
        #expect(rows.first?["path"] as? String == "/cases/EX01.tar")
        #expect(rows.first?["verdict"] as? String == "compromised")
        let counts = try #require(rows.first?["findings"] as? [String: Int])
        #expect(counts == ["confirmed": 1, "likely": 1, "attempt": 1, "informational": 1])
        #expect(rows.last?["findings"] as? [String: Int] == ["confirmed": 0, "likely": 0, "attempt": 0, "informational": 0])
    }
}
