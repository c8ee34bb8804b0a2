import ExTriageCore
import Foundation
import Reporting
import Testing

@Suite struct HTMLReportTests {
    let html = HTMLReport.render([SampleReports.compromised()])

    @Test func isOneSelfContainedPageWithTheVerdictFirst() throws {
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.hasSuffix("</html>\n"))
        let banner = try #require(html.offset(of: "<div class=\"banner v-compromised\"><div class=\"big\">COMPROMISED</div>"))
        let verification = try #require(html.offset(of: "<h2>Verification</h2>"))
        let cves = try #require(html.offset(of: "<h2>CVE states</h2>"))
        let timeline = try #require(html.offset(of: "<svg"))
        let findings = try #require(html.offset(of: "<h2>Findings (4)</h2>"))
        let campaigns = try #require(html.offset(of: "<h2>Campaigns (1)</h2>"))
        let logs = try #require(html.offset(of: "<h2>Log coverage</h2>"))
        let checks = try #require(html.offset(of: "<h2>Check coverage</h2>"))
        #expect([banner, verification, cves, timeline, findings, campaigns, logs, checks] == [banner, verification, cves, timeline, findings, campaigns, logs, checks].sorted())
        #expect(html.contains("<style>"))
        #expect(html.contains("ANALYZED ANYWAY"))
    }

    @Test func loadsNothingFromOutsideAndRunsNoScript() {
        let lower = html.lowercased()
        #expect(!lower.contains("src="))
        #expect(!lower.contains("href=\"http"))
        #expect(!lower.contains("href=http"))
        #expect(!lower.contains("<link"))
        #expect(!lower.contains("@import"))
        #expect(!lower.contains("url("))
        #expect(!lower.contains("<script"))
        #expect(html.contains("Content-Security-Policy"))
    }

    @Test func escapesEveryHostileString() {
        var report = SampleReports.compromised()
        report.findings[0].title = "x\" onmouseover='alert(2)' & <b>"
        report.cveStates["<img>"] = .notAssessable
        report.cveReasons = ["<img>": "<i>"]
        report.findings[0].evidence[0].details = ["<u>CommandLine": SampleReports.hostile]
        let page = HTMLReport.render([report])
        #expect(page.contains("<strong>&lt;u&gt;CommandLine</strong>: &lt;script&gt;"))
        #expect(!page.contains("<u>"))
        #expect(!page.contains(SampleReports.hostile))
        #expect(!page.contains("<script>"))
        #expect(!page.contains("\u{1B}"))
        #expect(!page.contains("\u{202E}"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;\\u{1b}[2J"))
        #expect(page.contains("EXCH01\\u{1b}]0;owned\\u{7}"))
        #expect(!page.contains("onmouseover='"))
        #expect(page.contains("x&quot; onmouseover=&#39;alert(2)&#39; &amp; &lt;b&gt;"))
        #expect(!page.contains("<img>") && !page.contains("<i>"))
    }

    @Test func timelineHasOneMarkPerTimeColouredByTierWithUTCTicks() throws {
        let start = try #require(html.range(of: "<svg"))
        let end = try #require(html.range(of: "</svg>"))
        let svg = String(html[start.lowerBound..<end.upperBound])
        // 15 timestamped items; the twelve SSRF minutes and the probe fall on distinct pixels of their lanes.
        #expect(svg.occurrences(of: "<circle") == 15)
        for colour in ["#b71c1c", "#e65100", "#b8860b", "#1565c0"] { #expect(svg.contains("fill=\"\(colour)\"")) }
        #expect(svg.contains(">2021-03-03</tspan>"))
        #expect(svg.contains("Z</tspan>"))
        #expect(svg.contains("1 × confirmed: EXT-C10 at 2021-03-03T01:30:00.123456Z"))
        #expect(svg.contains("from 2021-03-02T15:00:00Z to 2021-03-03T01:30:00.123456Z"))
    }

    @Test func manyEvidenceItemsOnOnePixelBecomeOneMark() {
        var report = SampleReports.clean()
        let evidence = (0..<1000).map { line in
            Evidence(member: SampleReports.proxyMember, originalPath: SampleReports.proxyLog, line: line + 1,
                     timestamp: Timestamp(seconds: SampleReports.base), excerpt: "x", sha256: "")
        }
        report.findings = [Finding(checkId: "EXT-C03", title: "SSRF", severity: .high, verdict: .likely, evidence: evidence, explanation: "e")]
        let page = HTMLReport.render([report])
        #expect(page.occurrences(of: "<circle") == 1)
        #expect(page.contains("1000 × likely: EXT-C03 at 2021-03-03T01:00:00Z"))
        #expect(page.contains("… 900 more evidence items in the JSON report."))
    }

    @Test func handlesZeroAndOneTimestamp() {
        let clean = HTMLReport.render([SampleReports.clean()])
        #expect(clean.contains("<svg"))
        #expect(clean.contains("No finding evidence carries a timestamp."))
        #expect(!clean.contains("<circle"))
        #expect(clean.contains("<h2>Findings (0)</h2>"))
        #expect(clean.contains("banner v-clean"))

        var untimed = SampleReports.clean()
        untimed.findings = [Finding(checkId: "EXT-C20", title: "Build", severity: .info, verdict: .informational,
                                    evidence: [Evidence(member: "m", originalPath: "p", timestamp: nil, excerpt: "", sha256: "")],
                                    explanation: "context")]
        #expect(HTMLReport.render([untimed]).contains("No finding evidence carries a timestamp."))

        var single = untimed
        single.findings[0].evidence[0].timestamp = Timestamp(seconds: SampleReports.base + 5)
        let one = HTMLReport.render([single])
        #expect(one.occurrences(of: "<circle") == 1)
        #expect(one.contains(">01:00:05Z</tspan>"))
        #expect(!one.contains("=\"nan") && !one.contains("=\"inf") && !one.contains("=\"-"))
    }

    @Test func findingsAreGroupedWithEvidenceTables() throws {
        let critical = try #require(html.offset(of: "<h3>CRITICAL (1)</h3>"))
        let high = try #require(html.offset(of: "<h3>HIGH (1)</h3>"))
        let medium = try #require(html.offset(of: "<h3>MEDIUM (1)</h3>"))
        let low = try #require(html.offset(of: "<h3>LOW (1)</h3>"))
        #expect(critical < high && high < medium && medium < low)
        #expect(html.contains(SampleReports.proxyLog + ":111</td>"))
        #expect(html.contains("Application.evtx record 4242</td>"))
        #expect(html.contains("<td>2021-03-03T01:05:00Z</td>"))
        #expect(html.contains("ATT&amp;CK: T1505.003"))
        #expect(html.contains("<a href=\"#b1-f3\">#3</a>"))
        #expect(html.contains("id=\"b1-f3\""))
        #expect(html.contains("<td>not-applicable</td><td>no Application.evtx in the bundle</td>"))
        #expect(html.contains("<td>HttpProxy/Ecp</td><td class=\"num\">24</td>"))
    }

    @Test func severalReportsStartWithTheCombinedSummary() throws {
        let page = HTMLReport.render([SampleReports.clean(), SampleReports.compromised()])
        let summary = try #require(page.offset(of: "<section class=\"summary\">"))
        let worst = try #require(page.offset(of: "<div class=\"big\">COMPROMISED</div><div class=\"sub\">Worst verdict over 2 bundles</div>"))
        let first = try #require(page.offset(of: "<section class=\"bundle\" id=\"b1\">"))
        let second = try #require(page.offset(of: "<section class=\"bundle\" id=\"b2\">"))
        #expect(summary < worst && worst < first && first < second)
        #expect(page.contains("<a href=\"#b2\">/cases/EX01.tar</a>"))
        #expect(page.occurrences(of: "<svg") == 2)
        #expect(page.contains("<a href=\"#b2-f3\">#3</a>"))
    }

    @Test(arguments: [(Int64(0), Int32(500_000_000)), (Int64(3 * 365 * 86_400), Int32(0)), (Int64(2 * 86_400), Int32(0))])
    func axisLabelsAnySpan(seconds: Int64, nanoseconds: Int32) {
        var report = SampleReports.clean()
        let times = [Timestamp(seconds: SampleReports.base), Timestamp(seconds: SampleReports.base + seconds, nanoseconds: nanoseconds)]
        report.findings = [Finding(checkId: "EXT-C03", title: "SSRF", severity: .high, verdict: .attempt,
                                   evidence: times.map { Evidence(member: "m", originalPath: "p", timestamp: $0, excerpt: "", sha256: "") },
                                   explanation: "e")]
        let page = HTMLReport.render([report])
        let labels = page.occurrences(of: "</tspan>")
        #expect(labels >= 2 && labels <= 24)
        #expect(page.occurrences(of: "<circle") == 2)
        if seconds == 2 * 86_400 { #expect(page.contains(">2021-03-04</tspan>")) }
    }

    /// The campaigns table keeps its columns at fixed shares so long agents wrap inside their cell.
    @Test func campaignsTableHasFixedColumns() {
        let page = HTMLReport.render([SampleReports.compromised()])
        #expect(page.contains("<table class=\"fixed\"><colgroup><col style=\"width:8%\">"))
        #expect(page.contains("table.fixed{table-layout:fixed}"))
    }
}
