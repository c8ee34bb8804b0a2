import ExTriageCore

/// The short terminal view: per bundle the verdict, the CVE states and the most important findings,
/// in a screenful. The full report (`--format text`) is one command away and says so.
public struct SummaryReport: Sendable {
    public init() {}

    /// Findings listed per bundle (report order puts the highest tier and severity first).
    public static let findingLimit = 5

    public static func render(_ reports: [AnalysisReport]) -> String {
        guard !reports.isEmpty else { return "No bundles analyzed.\n" }
        var lines: [String] = []
        for report in reports {
            let host = report.bundle.host.map(EscapedText.display) ?? "unknown host"
            lines.append("== " + host + " (" + EscapedText.display(report.bundle.path) + ")")
            lines.append("VERDICT: " + report.verdict.text)
            if let note = report.verdictNote { lines.append("  " + EscapedText.display(note)) }
            lines.append(contentsOf: cveLines(report.cveStates))
            lines.append(contentsOf: findingLines(report.findings))
            lines.append("")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The CVEs grouped by state, worst state first: `exploited: CVE-…, CVE-…`.
    static func cveLines(_ states: [String: CVEState]) -> [String] {
        guard !states.isEmpty else { return ["CVE states: none reported"] }
        let grouped = Dictionary(grouping: states.keys.sorted()) { states[$0] ?? .notAssessable }
        // CaseIterable order is worst first: exploited, attempted, exposed, no-evidence, not-assessable.
        return ["CVE states:"] + CVEState.allCases.filter { grouped[$0] != nil }.map { state in
            "  " + state.rawValue + ": " + (grouped[state] ?? []).map(EscapedText.display).joined(separator: ", ")
        }
    }

    /// The first findings above informational, each on one line with its id, tier, check and where.
    static func findingLines(_ findings: [Finding]) -> [String] {
        let notable = findings.enumerated().filter { $0.element.verdict > .informational }
        guard !notable.isEmpty else {
            return ["Findings: none above informational (\(findings.count) informational)"]
        }
        var lines = ["Top findings (\(min(notable.count, findingLimit)) of \(notable.count) above informational, \(findings.count) in all):"]
        for (index, finding) in notable.prefix(findingLimit) {
            var line = "  #\(finding.id ?? index + 1) [\(finding.verdict.rawValue)] " + EscapedText.display(finding.checkId.rawValue)
                + "  " + EscapedText.display(finding.title)
            if let first = finding.evidence.first { line += "  (" + EscapedText.display(ReportFacts.location(first)) + ")" }
            lines.append(line)
        }
        return lines
    }
}

extension SummaryReport: ReportRenderer {
    public var name: String { "summary" }
    public func render(_ reports: [AnalysisReport], options: RenderOptions) -> [UInt8] { Array(SummaryReport.render(reports).utf8) }
}
