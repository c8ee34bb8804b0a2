import ExTriageCore
import Foundation
import Reporting
import Testing

@Suite struct TextReportTests {
    let text = TextReport.render([SampleReports.compromised()])

    @Test func verdictComesBeforeBundleDetailsAndFindings() throws {
        let verdict = try #require(text.offset(of: "VERDICT: COMPROMISED"))
        let bundle = try #require(text.offset(of: "/cases/EX01.tar"))
        let findings = try #require(text.offset(of: "Findings (4):"))
        #expect(verdict < bundle)
        #expect(bundle < findings)
        #expect(text.split(separator: "\n").dropFirst().first == "VERDICT: COMPROMISED")
    }

    @Test func showsBundleVerificationAndCVEStates() {
        #expect(text.contains(String(repeating: "e", count: 64)))
        #expect(text.contains("CASE-7"))
        #expect(text.contains("2021-03-05T01:00:00Z"))
        #expect(text.contains("C:\\Program Files\\Microsoft\\Exchange Server\\V15"))
        #expect(text.contains("NOT INTACT: 1 member hash mismatch"))
        #expect(text.contains("problem: evidence/C/inetpub/x.aspx: sha256 mismatch"))
        #expect(text.contains("!!! ANALYZED ANYWAY:"))
        #expect(text.contains("CVE-2021-26857  not-assessable"))
        #expect(!TextReport.render([SampleReports.clean()]).contains("ANALYZED ANYWAY"))
    }

    @Test func groupsFindingsBySeverityMostSevereFirst() throws {
        let critical = try #require(text.offset(of: "CRITICAL (1)"))
        let high = try #require(text.offset(of: "HIGH (1)"))
        let medium = try #require(text.offset(of: "MEDIUM (1)"))
        let low = try #require(text.offset(of: "LOW (1)"))
        #expect(critical < high && high < medium && medium < low)
        let shell = try #require(text.offset(of: "[confirmed] EXT-C10  China Chopper web shell"))
        let ssrf = try #require(text.offset(of: "[likely] EXT-C03  SSRF"))
        #expect(critical < shell && shell < high && high < ssrf)
        #expect(text.contains("CVE: CVE-2021-27065  ATT&CK: T1505.003"))
        #expect(text.contains("Why: Chopper eval(Request[...]) in a web-served folder"))
        #expect(text.contains("Pivot clientIp: 203.0.113.7"))
    }

    @Test func citesEvidenceWithPathLineRecordAndTime() {
        #expect(text.contains(SampleReports.shellPath + ":1  2021-03-03T01:30:00.123456Z"))
        #expect(text.contains(SampleReports.proxyLog + ":100  2021-03-03T01:00:00Z"))
        #expect(text.contains("Application.evtx record 4242  2021-03-03T01:05:00Z"))
        #expect(text.contains(SampleReports.proxyLog + ":7  (no timestamp)"))
        #expect(text.contains("POST /ecp/y.js X-BEResource=localhost~1942062522"))
    }

    @Test func capsEvidencePerFindingAtTen() {
        #expect(text.contains(SampleReports.proxyLog + ":109  "))
        #expect(!text.contains(SampleReports.proxyLog + ":110  "))
        #expect(text.contains("… 2 more"))
    }

    @Test func hostileTextCannotDriveTheTerminal() {
        #expect(!text.contains("\u{1B}"))
        #expect(!text.contains("\u{07}"))
        #expect(!text.contains("\u{202E}"))
        #expect(!text.contains(SampleReports.hostile))
        #expect(text.contains("<script>alert(1)</script>\\u{1b}[2J"))
        #expect(text.contains("EXCH01\\u{1b}]0;owned\\u{7}"))
        #expect(text.contains("\\u{202e}xpsa"))
    }

    @Test func colourTouchesOnlyVerdictAndTierWords() throws {
        let coloured = TextReport.render([SampleReports.compromised()], color: true)
        #expect(coloured.contains("VERDICT: \u{1B}[1;31mCOMPROMISED\u{1B}[0m"))
        #expect(coloured.contains("[\u{1B}[1;31mconfirmed\u{1B}[0m] EXT-C10"))
        let sgr = try Regex("\u{1B}\\[[0-9;]*m")
        let stripped = coloured.replacing(sgr, with: "")
        #expect(!stripped.contains("\u{1B}"))
        #expect(stripped == text)
    }

    @Test func showsCampaignsAndCoverage() throws {
        #expect(text.contains("Campaigns (1):"))
        #expect(text.contains("[confirmed] highest stage: proxyLogon.ecp 241"))
        #expect(text.contains("IPs: 203.0.113.7, 198.51.100.9"))
        #expect(text.contains("Seen: 2021-03-03T01:00:00Z – 2021-03-03T01:30:00Z"))
        #expect(text.contains("Findings: #3, #2"))
        #expect(text.contains("HttpProxy/Ecp  24 files  2021-03-02T15:00:00Z – 2021-03-03T11:00:00Z  gaps: 2021-03-02T20:00:00Z/2021-03-02T22:00:00Z"))
        let lines = text.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("  CHECK") })
        #expect(header.split(separator: " ") == ["CHECK", "STATUS", "MEMBERS", "RECORDS", "MALFORMED", "REASON"])
        let ran = try #require(lines.first { $0.hasPrefix("  EXT-C03 ") })
        #expect(ran.split(separator: " ") == ["EXT-C03", "ran", "24", "51234", "3"])
        let skipped = try #require(lines.first { $0.hasPrefix("  EXT-C08 ") })
        #expect(skipped.contains("not-applicable") && skipped.hasSuffix("no Application.evtx in the bundle"))
        #expect(lines.contains { $0.hasPrefix("  EXT-C11 ") && $0.contains("failed") && $0.hasSuffix("minidump stream table past EOF") })
    }

    @Test func cleanReportSaysSoWithoutInventingFindings() throws {
        let clean = TextReport.render([SampleReports.clean()])
        #expect(clean.contains("VERDICT: NO EVIDENCE FOUND"))
        #expect(clean.contains("Findings (0):\n  (none)"))
        #expect(clean.contains("Campaigns (0):"))
        #expect(clean.contains("SHA-256        unknown"))
        #expect(!clean.contains("SUMMARY"))
    }

    @Test func severalReportsEndWithACombinedSummary() throws {
        let combined = TextReport.render([SampleReports.clean(), SampleReports.compromised()])
        let secondBundle = try #require(combined.offset(of: "VERDICT: COMPROMISED"))
        let summary = try #require(combined.offset(of: "SUMMARY (2 bundles)"))
        #expect(secondBundle < summary)
        #expect(combined.contains("NO EVIDENCE FOUND  /cases/EX02.tar  (0 confirmed, 0 likely, 0 attempt, 0 informational)"))
        #expect(combined.contains("COMPROMISED        /cases/EX01.tar  (1 confirmed, 1 likely, 1 attempt, 1 informational)"))
        #expect(combined.hasSuffix("Worst verdict: COMPROMISED\n"))
    }

    @Test func combinedVerdictNeverCallsMissingCoverageClean() {
        var unknown = SampleReports.clean(path: "/cases/EX03.tar")
        unknown.verdict = .couldNotAssess
        #expect(CombinedSummary([SampleReports.clean(), unknown]).worstVerdict == .couldNotAssess)
        var attempted = unknown
        attempted.verdict = .exploitationAttempted
        #expect(CombinedSummary([unknown, attempted, SampleReports.clean()]).worstVerdict == .exploitationAttempted)
        #expect(TextReport.render([]) == "No bundles analyzed.\n")
    }

    /// A pivot without values is not printed ("Pivot shellPath: " said nothing).
    @Test func emptyPivotsAreLeftOut() {
        var report = SampleReports.compromised()
        report.findings[0].pivots = ["emptyPivot": [], .clientIp: ["203.0.113.9"]]
        let text = TextReport.render([report])
        #expect(!text.contains("Pivot emptyPivot:"))
        #expect(text.contains("Pivot clientIp: 203.0.113.9"))
    }

    /// The number a finding carries is its report-wide id, the same in every format.
    @Test func findingNumbersAreTheReportIds() throws {
        var report = SampleReports.compromised()
        for index in report.findings.indices { report.findings[index].id = index + 1 }
        let text = TextReport.render([report])
        let html = HTMLReport.render([report])
        let json = String(decoding: try JSONReport.render([report]), as: UTF8.self)
        for (index, finding) in report.findings.enumerated() {
            #expect(text.contains("#\(index + 1) [\(finding.verdict.rawValue)] \(finding.checkId.rawValue)"))
            #expect(html.contains("id=\"b1-f\(index + 1)\"") && html.contains("<strong>#\(index + 1) \(finding.checkId.rawValue)"))
        }
        #expect(json.contains("\"id\" : 1,") && json.contains("\"id\" : \(report.findings.count),"))
    }

    /// A file has no event time, but its modified time says when it changed.
    @Test func fileEvidenceShowsItsModifiedTime() {
        var report = SampleReports.compromised()
        report.findings[0].evidence = [Evidence(member: "evidence/C/inetpub/wwwroot/aspnet_client/x.aspx", originalPath: "C:\\inetpub\\wwwroot\\aspnet_client\\x.aspx",
                                                timestamp: nil, excerpt: "<%@ Page %>", sha256: String(repeating: "f", count: 64),
                                                details: ["modified": "2021-03-03T07:01:02Z"])]
        let text = TextReport.render([report])
        #expect(text.contains("x.aspx  modified 2021-03-03T07:01:02Z"))
        #expect(!text.contains("x.aspx  (no timestamp)"))
        #expect(HTMLReport.render([report]).contains("<td>modified 2021-03-03T07:01:02Z</td>"))
    }

    /// A log family with no file says "none collected", not "0 files ? – ?".
    @Test func aFamilyWithNoFilesSaysNoneCollected() {
        var report = SampleReports.clean()
        report.logSpans = [LogSpan(family: "HttpProxy", files: 0, first: nil, last: nil, gaps: [])]
        let text = TextReport.render([report])
        #expect(text.contains("HttpProxy  none collected"))
        #expect(!text.contains("0 files"))
        #expect(HTMLReport.render([report]).contains("none collected"))
    }
}
