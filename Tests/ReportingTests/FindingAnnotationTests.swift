import ExTriageCore
import Foundation
import Reporting
import Testing

/// What analysis adds to findings and CVEs (web-shell usage, notes, patch dates) shows in every format.
@Suite struct FindingAnnotationTests {
    static func report(_ finding: Finding, patched: [String: Timestamp] = [:]) -> AnalysisReport {
        AnalysisReport(bundle: .init(path: "b.tar", sha256: nil, caseId: nil, examiner: nil, host: nil, collectedAt: nil, exchangeInstallPath: nil),
                       verification: .init(status: "intact-unsigned", text: "intact", problems: [], analyzedAnyway: false),
                       verdict: .exploitationAttempted, cveStates: ["CVE-2021-26855": .exploited], cvePatchedAt: patched,
                       findings: [finding], coverage: [], logSpans: [], campaigns: [])
    }

    @Test func usageShowsInTextHTMLAndJSON() throws {
        var finding = Finding(checkId: "EXT-C09", title: "Unexpected web file: quiet.aspx", severity: .high, verdict: .likely,
                              evidence: [], explanation: "in aspnet_client")
        finding.usage = ShellUsage(status: .notRequested, logsFirst: Timestamp(seconds: 0), logsLast: Timestamp(seconds: 86_400))
        let report = Self.report(finding)
        let line = "no request in the logs that cover 1970-01-01T00:00:00Z–1970-01-02T00:00:00Z"
        #expect(TextReport.render([report]).contains("Requests: " + line))
        #expect(HTMLReport.render([report]).contains(line))
        let json = String(decoding: try JSONReport.render([report]), as: UTF8.self)
        #expect(json.contains("\"status\" : \"not-requested\""))
    }
}
