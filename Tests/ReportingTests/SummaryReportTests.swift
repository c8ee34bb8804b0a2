import ExTriageCore
import Reporting
import Testing

/// The short view `make demo` prints: verdict, CVE states, the five most important findings.
@Suite struct SummaryReportTests {
    @Test func showsVerdictStatesAndAtMostFiveFindingsAboveInformational() {
        var report = SampleReports.compromised()
        let template = report.findings[1]
        report.findings = (0..<8).map { number in
            var finding = template
            finding.title = "finding \(number + 1)"
            finding.id = number + 1
            return finding
        } + [Finding(checkId: "EXT-C01", title: "quiet", severity: .info, verdict: .informational, evidence: [], explanation: "")]
        report.findings[8].id = 9
        report.cveStates = ["CVE-2021-26855": .exploited, "CVE-2021-26857": .noEvidence, "CVE-2022-41040": .notAssessable,
                            "CVE-2021-27065": .exploited]
        let text = SummaryReport.render([report])
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[1] == "VERDICT: " + report.verdict.text)
        #expect(text.contains("  exploited: CVE-2021-26855, CVE-2021-27065\n  no-evidence: CVE-2021-26857\n  not-assessable: CVE-2022-41040"))
        #expect(text.contains("Top findings (5 of 8 above informational, 9 in all):"))
        #expect(text.contains("#5 [confirmed] EXT-C10  finding 5"))
        #expect(!text.contains("finding 6") && !text.contains("quiet"))
        #expect(lines.count < 16, "a screenful, not the whole report")
        #expect(!text.contains("\u{1B}"), "hostile host names are escaped")
    }

    @Test func aCleanBundleSaysNothingAboveInformational() {
        let text = SummaryReport.render([SampleReports.clean()])
        #expect(text.contains("VERDICT: NO EVIDENCE FOUND"))
        #expect(text.contains("Findings: none above informational"))
    }
}
