import Foundation
import ExTriageCore

/// Reports built in code for the renderer tests: a compromised server, a clean one, and hostile text.
enum SampleReports {
    /// Attacker-controlled text: markup plus a terminal "clear screen" escape.
    static let hostile = "<script>alert(1)</script>\u{1B}[2J"
    /// 2021-03-03T01:00:00Z.
    static let base: Int64 = 1_614_733_200

    static func time(minutes: Int64, nanoseconds: Int32 = 0) -> Timestamp {
        Timestamp(seconds: base + minutes * 60, nanoseconds: nanoseconds)
    }

    static let proxyLog = "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Logging\\HttpProxy\\Ecp\\HttpProxy_2021030301-1.LOG"
    static let proxyMember = "evidence/C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030301-1.LOG"
    static let shellPath = "C:\\inetpub\\wwwroot\\aspnet_client\\shell.aspx"

    /// Findings deliberately not in severity order, so the renderers' grouping is what is tested.
    static func compromised(path: String = "/cases/EX01.tar") -> AnalysisReport {
        let coverageFinding = Finding(
            checkId: "EXT-C01", title: "Log coverage gap", severity: .low, verdict: .informational,
            attack: ["T1070.001"],
            evidence: [Evidence(member: proxyMember, originalPath: proxyLog, line: 1, timestamp: time(minutes: -600),
                                excerpt: "#Date: 2021-03-02T15:00:00Z", sha256: String(repeating: "a", count: 64))],
            explanation: "HttpProxy/Ecp hours missing inside the exposure window")
        let shell = Finding(
            checkId: "EXT-C10", title: "China Chopper web shell", severity: .critical, verdict: .confirmed,
            cves: ["CVE-2021-27065"], attack: ["T1505.003"],
            evidence: [Evidence(member: "evidence/C/inetpub/wwwroot/aspnet_client/shell.aspx", originalPath: shellPath, line: 1,
                                timestamp: time(minutes: 30, nanoseconds: 123_456_000), excerpt: hostile,
                                sha256: String(repeating: "b", count: 64))],
            explanation: "Chopper eval(Request[...]) in a web-served folder",
            pivots: ["shellPath": [shellPath], "shellParameter": ["\u{202E}xpsa"]])
        let ssrf = Finding(
            checkId: "EXT-C03", title: "SSRF", severity: .high, verdict: .likely,
            cves: ["CVE-2021-26855"], attack: ["T1190"],
            evidence: (0..<12).map { offset in
                Evidence(member: proxyMember, originalPath: proxyLog, line: 100 + offset, timestamp: time(minutes: Int64(offset)),
                         excerpt: "POST /ecp/y.js X-BEResource=localhost~1942062522", sha256: String(repeating: "c", count: 64))
            },
            explanation: "X-BEResource cookie routed a request to the back end, answered 200",
            pivots: ["clientIp": ["203.0.113.7"]])
        let probe = Finding(
            checkId: "EXT-C04", title: "Localhost probe", severity: .medium, verdict: .attempt,
            cves: ["CVE-2021-26855"], attack: ["T1190"],
            evidence: [
                Evidence(member: "evidence/C/Windows/System32/winevt/Logs/Application.evtx",
                         originalPath: "C:\\Windows\\System32\\winevt\\Logs\\Application.evtx", record: 4242,
                         timestamp: time(minutes: 5), excerpt: "MSExchange Unified Messaging", sha256: String(repeating: "d", count: 64)),
                Evidence(member: proxyMember, originalPath: proxyLog, line: 7, timestamp: nil, excerpt: "GET /owa/auth/x.js",
                         sha256: String(repeating: "c", count: 64)),
            ],
            explanation: "Probe answered 404")
        return AnalysisReport(
            bundle: .init(path: path, sha256: String(repeating: "e", count: 64), caseId: "CASE-7", examiner: "A. Analyst",
                          host: "EXCH01\u{1B}]0;owned\u{07}", collectedAt: Timestamp(seconds: base + 86_400 * 2),
                          exchangeInstallPath: "C:\\Program Files\\Microsoft\\Exchange Server\\V15"),
            verification: .init(status: "not-intact", text: "NOT INTACT: 1 member hash mismatch",
                                problems: ["evidence/C/inetpub/x.aspx: sha256 mismatch"], analyzedAnyway: true),
            verdict: .compromised,
            cveStates: ["CVE-2021-26855": .exploited, "CVE-2021-27065": .exploited, "CVE-2021-26857": .notAssessable],
            cveReasons: ["CVE-2021-26857": "no check that assesses it could run (EVT-EXCH-UM-INVALID-CAST: no application log in the bundle)"],
            findings: [coverageFinding, shell, ssrf, probe],
            coverage: [
                CoverageRow(checkId: "EXT-C03", title: "ProxyLogon SSRF", status: .ran, members: 24, records: 51_234, malformed: 3),
                CoverageRow(checkId: "EXT-C08", title: "UM crashes", status: .notApplicable, reason: "no Application.evtx in the bundle"),
                CoverageRow(checkId: "EXT-C11", title: "LSASS dumps", status: .failed, reason: "minidump stream table past EOF", members: 1),
            ],
            logSpans: [LogSpan(family: "HttpProxy/Ecp", files: 24, first: time(minutes: -600), last: time(minutes: 600),
                               gaps: ["2021-03-02T20:00:00Z/2021-03-02T22:00:00Z"])],
            campaigns: [Campaign(clientIps: ["203.0.113.7", "198.51.100.9"], userAgents: ["ExchangeServicesClient/0.0.0.0", hostile],
                                 first: time(minutes: 0), last: time(minutes: 30), highestStage: "proxyLogon.ecp 241",
                                 verdict: .confirmed, pivots: ["shellPath": [shellPath]], findingIndexes: [2, 1])])
    }

    /// A verified server with full coverage and nothing found.
    static func clean(path: String = "/cases/EX02.tar") -> AnalysisReport {
        AnalysisReport(
            bundle: .init(path: path, sha256: nil, caseId: "CASE-7", examiner: nil, host: "EXCH02", collectedAt: nil,
                          exchangeInstallPath: nil),
            verification: .init(status: "intact-signed", text: "intact and signed by 4f:2a (trusted)", problems: [], analyzedAnyway: false),
            verdict: .noEvidenceFound,
            cveStates: ["CVE-2021-26855": .noEvidence],
            findings: [],
            coverage: [CoverageRow(checkId: "EXT-C03", title: "ProxyLogon SSRF", status: .ran, members: 10, records: 900)],
            logSpans: [],
            campaigns: [])
    }

    /// How many evidence items across the reports carry a timestamp.
    static func timestampedEvidence(_ reports: [AnalysisReport]) -> Int {
        reports.flatMap(\.findings).flatMap(\.evidence).filter { $0.timestamp != nil }.count
    }
}

extension String {
    /// The offset of the first occurrence of `needle`, or nil.
    func offset(of needle: String) -> Int? {
        guard let range = range(of: needle) else { return nil }
        return distance(from: startIndex, to: range.lowerBound)
    }

    /// How many times `needle` occurs (non-overlapping).
    func occurrences(of needle: String) -> Int {
        components(separatedBy: needle).count - 1
    }
}
