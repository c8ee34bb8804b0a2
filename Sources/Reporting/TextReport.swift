import ExTriageCore

/// The terminal report: per bundle the verdict first, then why, then what was and was not covered.
///
/// Every string that came from a report goes through `EscapedText.display`, so hostile evidence
/// (terminal escapes, bidirectional overrides, newlines) can never drive the analyst's terminal.
/// With `color`, only the verdict and tier words get ANSI colours.
public struct TextReport: Sendable {
    public init() {}

    /// Evidence items shown per finding before `… N more`.
    public static let evidenceLimit = 10

    /// Renders one section per report, then a combined summary when there is more than one.
    public static func render(_ reports: [AnalysisReport], color: Bool = false) -> String {
        guard !reports.isEmpty else { return "No bundles analyzed.\n" }
        var writer = TextWriter(color: color)
        for (number, report) in reports.enumerated() {
            if number > 0 { writer.line() }
            writer.bundle(report)
        }
        if reports.count > 1 { writer.summary(CombinedSummary(reports)) }
        return writer.text
    }
}

/// Builds the terminal text line by line.
private struct TextWriter {
    let color: Bool
    var text = ""

    /// Appends one line (already escaped).
    mutating func line(_ value: String = "") { text += value + "\n" }

    /// A label padded to a fixed column, then the value.
    mutating func field(_ label: String, _ value: String) {
        line("  " + label.padding(15) + value)
    }

    mutating func bundle(_ report: AnalysisReport) {
        let rule = String(repeating: "=", count: 72)
        line(rule)
        line("VERDICT: " + paint(report.verdict.text, hostColor(report.verdict)))
        if let note = report.verdictNote { line("  " + safe(note)) }
        line(rule)
        let bundle = report.bundle
        field("Bundle", safe(bundle.path))
        field("SHA-256", safe(bundle.sha256 ?? "unknown"))
        field("Case", safe(bundle.caseId ?? "unknown") + (bundle.examiner.map { "  (examiner: " + safe($0) + ")" } ?? ""))
        field("Host", ReportFacts.host(bundle).map(safe).joined(separator: " "))
        field("Collected at", bundle.collectedAt?.iso8601 ?? "unknown")
        field("Exchange path", safe(bundle.exchangeInstallPath ?? "not found"))
        field("Tool", safe(report.tool.name) + " " + safe(report.tool.version))
        verification(report.verification)
        cveStates(report.cveStates, reasons: report.cveReasons ?? [:], patched: report.cvePatchedAt ?? [:])
        findings(report.findings)
        campaigns(report.campaigns, findings: report.findings)
        logSpans(report.logSpans)
        coverage(report.coverage)
    }

    mutating func verification(_ verification: VerificationSummary) {
        line()
        line("Verification: " + safe(verification.text) + "  [" + safe(verification.status) + "]")
        if let digests = verification.digestsChecked {
            line("  member digests recomputed: " + digests.map { safe($0) }.joined(separator: ", "))
        }
        for problem in verification.problems { line("  problem: " + safe(problem)) }
        if verification.analyzedAnyway {
            line("  " + paint("!!! ANALYZED ANYWAY:", "1;31")
                + " this bundle did not verify; every finding below comes from unverified evidence")
        }
    }

    mutating func cveStates(_ states: [String: CVEState], reasons: [String: String], patched: [String: Timestamp]) {
        line()
        line("CVE states:")
        if states.isEmpty { line("  (none reported)") }
        let width = states.keys.map { safe($0).count }.max() ?? 0
        for cve in states.keys.sorted() {
            let patch = patched[cve].map { " (patched " + $0.iso8601 + ")" } ?? ""
            let reason = reasons[cve].map { ": " + safe($0) } ?? ""
            line("  " + safe(cve).padding(width + 2) + (states[cve]?.rawValue ?? "") + patch + reason)
        }
    }

    mutating func findings(_ findings: [Finding]) {
        line()
        line("Findings (\(findings.count)):")
        if findings.isEmpty { line("  (none)") }
        for group in ReportFacts.findingsBySeverity(findings) {
            line()
            line("  " + group.severity.rawValue.uppercased() + " (\(group.findings.count))")
            for (index, finding) in group.findings { self.finding(finding, number: finding.id ?? index + 1) }
        }
    }

    mutating func finding(_ finding: Finding, number: Int) {
        line("  #\(number) [" + paint(finding.verdict.rawValue, tierColor(finding.verdict)) + "] "
            + safe(finding.checkId.rawValue) + "  " + safe(finding.title))
        var ids: [String] = []
        if !finding.cves.isEmpty { ids.append("CVE: " + finding.cves.map(safe).joined(separator: ", ")) }
        if !finding.attack.isEmpty { ids.append("ATT&CK: " + finding.attack.map(safe).joined(separator: ", ")) }
        if !ids.isEmpty { line("      " + ids.joined(separator: "  ")) }
        line("      Why: " + safe(finding.explanation))
        if let usage = finding.usage { line("      Requests: " + safe(usage.text)) }
        for note in finding.notes ?? [] { line("      Note: " + safe(note)) }
        pivots(finding.pivots, indent: "      ")
        let shown = finding.evidence.prefix(TextReport.evidenceLimit)
        for evidence in shown {
            line("      - " + safe(ReportFacts.location(evidence)) + "  " + (ReportFacts.when(evidence) ?? "(no timestamp)"))
            line("          " + safe(evidence.excerpt))
            for key in (evidence.details ?? [:]).keys.sorted() {
                line("          " + safe(key) + ": " + safe(evidence.details?[key] ?? ""))
            }
        }
        if finding.evidence.count > shown.count { line("      … \(finding.evidence.count - shown.count) more") }
        if let omitted = finding.omittedEvidence { line("      … \(omitted) more found, not kept (evidence cap)") }
    }

    mutating func pivots(_ pivots: [PivotKey: [String]], indent: String) {
        for key in pivots.keys.sorted() where !(pivots[key] ?? []).isEmpty {
            line(indent + "Pivot " + safe(key.rawValue) + ": " + ReportFacts.capped((pivots[key] ?? []).map(safe), limit: 20))
        }
    }

    mutating func campaigns(_ campaigns: [Campaign], findings: [Finding]) {
        line()
        line("Campaigns (\(campaigns.count)):")
        if campaigns.isEmpty { line("  (none)") }
        for (number, campaign) in campaigns.enumerated() {
            line("  \(number + 1). [" + paint(campaign.verdict.rawValue, tierColor(campaign.verdict)) + "] highest stage: "
                + safe(campaign.highestStage))
            line("      IPs: " + (campaign.clientIps.isEmpty ? "(on the host: events, dumps, files)" : ReportFacts.capped(campaign.clientIps.map(safe), limit: 20)))
            line("      User agents: " + ReportFacts.capped(campaign.userAgents.map(safe), limit: 10))
            line("      Seen: " + ReportFacts.span(campaign.first, campaign.last))
            pivots(campaign.pivots, indent: "      ")
            let ids = campaign.findingIndexes.filter { findings.indices.contains($0) }.map { "#\($0 + 1)" }
            if !ids.isEmpty { line("      Findings: " + ReportFacts.capped(ids, limit: 30)) }
        }
    }

    mutating func logSpans(_ spans: [LogSpan]) {
        line()
        line("Log coverage:")
        if spans.isEmpty { line("  (no log families found)") }
        let width = spans.map { safe($0.family).count }.max() ?? 0
        for span in spans {
            let gaps = span.gaps.isEmpty ? "no gaps" : "gaps: " + ReportFacts.capped(span.gaps.map(safe), limit: 10)
            guard span.files > 0 else {
                line("  " + safe(span.family).padding(width + 2) + "none collected")
                continue
            }
            line("  " + safe(span.family).padding(width + 2) + "\(span.files) files  "
                + ReportFacts.span(span.first, span.last) + "  " + gaps)
        }
    }

    mutating func coverage(_ rows: [CoverageRow]) {
        line()
        line("Check coverage:")
        if rows.isEmpty { line("  (no checks recorded)"); return }
        let header = ["CHECK", "STATUS", "MEMBERS", "RECORDS", "MALFORMED", "REASON"]
        let cells = rows.map { row in
            [safe(row.checkId.rawValue), row.status.rawValue, String(row.members), String(row.records), String(row.malformed),
             safe(row.reason ?? "")]
        }
        let widths = header.indices.map { column in ([header] + cells).map { $0[column].count }.max() ?? 0 }
        for cellsOfRow in [header] + cells {
            let padded = cellsOfRow.enumerated().map { column, cell in
                column == cellsOfRow.count - 1 ? cell : cell.padding(widths[column] + 2)
            }
            line("  " + padded.joined().trimmingTrailingSpaces())
        }
    }

    mutating func summary(_ summary: CombinedSummary) {
        line()
        line(String(repeating: "=", count: 72))
        line("SUMMARY (\(summary.bundles.count) bundles)")
        line(String(repeating: "=", count: 72))
        let width = summary.bundles.map { $0.verdict.text.count }.max() ?? 0
        for row in summary.bundles {
            let counts = Verdict.allCases.reversed().map { "\(row.findings[$0]) \($0.rawValue)" }.joined(separator: ", ")
            line("  " + paint(row.verdict.text, hostColor(row.verdict)) + String(repeating: " ", count: width - row.verdict.text.count + 2)
                + safe(row.path) + "  (" + counts + ")")
        }
        line("Worst verdict: " + paint(summary.worstVerdict.text, hostColor(summary.worstVerdict)))
    }

    /// Escapes report text for the terminal.
    func safe(_ value: String) -> String { EscapedText.display(value) }

    /// Wraps a fixed word (never report text) in an ANSI colour when colour is on.
    func paint(_ word: String, _ code: String) -> String {
        color ? "\u{1B}[" + code + "m" + word + "\u{1B}[0m" : word
    }

    func hostColor(_ verdict: HostVerdict) -> String {
        switch verdict {
        case .compromised: return "1;31"
        case .exploitationAttempted: return "1;33"
        case .noEvidenceFound: return "1;32"
        case .couldNotAssess: return "1;35"
        }
    }

    func tierColor(_ verdict: Verdict) -> String {
        switch verdict {
        case .confirmed: return "1;31"
        case .likely: return "31"
        case .attempt: return "33"
        case .informational: return "36"
        }
    }
}

private extension String {
    /// Pads with spaces on the right to `width` characters.
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
