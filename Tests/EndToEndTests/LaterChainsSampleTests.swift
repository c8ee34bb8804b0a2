import ExTriageCore
import Foundation
import Testing
import TestSupport

/// `exchange2019-compromised` (Samples/README.md): ProxyShell with a PST-headed shell in 2021,
/// OWASSRF and a ProxyNotShell probe in 2022. Every planted trace of the later chains is found at
/// its tier, and none of the look-alikes (Outlook's autodiscover.json, an administrator's export
/// to a share, Exchange's probes, WinRM clients) is graded above informational.
@Suite(.serialized) struct LaterChainsSampleTests {
    struct Report {
        let findings: [[String: Any]]
        let cveStates: [String: String]
        let verdict: String?
        var verdictNote: String? = nil

        func findings(_ check: String) -> [[String: Any]] { findings.filter { $0["checkId"] as? String == check } }
        func verdicts(_ check: String) -> Set<String> { Set(findings(check).compactMap { $0["verdict"] as? String }) }
        static func excerpts(_ finding: [String: Any]) -> [String] {
            (finding["evidence"] as? [[String: Any]] ?? []).compactMap { $0["excerpt"] as? String }
        }
    }

    static func analyze(_ check: ((String) throws -> Void)? = nil) throws -> Report {
        let temp = try TemporaryDirectory()
        let bundle = try collectSample("exchange2019-compromised", into: temp)
        try check?(bundle)
        let run = try Run.extriage(["analyze", bundle, "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        return Report(findings: object["findings"] as? [[String: Any]] ?? [], cveStates: object["cveStates"] as? [String: String] ?? [:],
                      verdict: object["verdict"] as? String, verdictNote: object["verdictNote"] as? String)
    }

    @Test func everyPlantedTraceIsFoundAtItsTierAndNoLookAlikeIsFlagged() throws {
        let report = try Self.analyze { bundle in
            // The persistence evidence planted for the agent and module checks is collected, under the right artifact.
            let entries = try #require(BundleContents.read(bundle).manifest).entries
            func artifact(_ suffix: String) -> String? { entries.first { $0.sourcePath.hasSuffix(suffix) }?.artifact }
            #expect(artifact("TransportRoles/Shared/agents.config") == "exchange.transport.agents-config")
            #expect(artifact("inetsrv/config/applicationHost.config") == "iis.config.server-config")
            #expect(artifact("Http/Rps_Http_2022121309-1.LOG") == "exchange.logging.cmdlet-infra")
            #expect(artifact("winevt/Logs/Microsoft-IIS-Configuration%4Operational.evtx") == "windows.eventlogs.evtx")
        }
        #expect(report.verdict == "compromised")

        // ProxyShell, 2021-08-13: IIS and HttpProxy, the URL-decoded scanner probe an attempt.
        #expect(report.verdicts("EXT-PROXYSHELL") == ["likely", "attempt"])
        #expect(report.verdicts("EXT-PROXYSHELL-HTTPPROXY") == ["likely", "attempt"])
        // CVE-2021-34523 has its own rules: only the requests routed to /powershell (three X-Rps-CAT sessions).
        #expect(report.verdicts("EXT-PROXYSHELL-RPS") == ["likely"])
        #expect(report.verdicts("EXT-PROXYSHELL-RPS-HTTPPROXY") == ["likely"])
        let rps = try #require(report.findings("EXT-PROXYSHELL-RPS").first)
        #expect(Report.excerpts(rps).count == 3 && Report.excerpts(rps).allSatisfy { $0.contains("/powershell") })
        let proxyShell = try #require(report.findings("EXT-PROXYSHELL").first { $0["verdict"] as? String == "likely" })
        let clients = (proxyShell["evidence"] as? [[String: Any]] ?? []).map { $0["clientIp"] as? String }
        #expect(clients.count == 5 && clients.allSatisfy { $0 == "203.0.113.77" }, "\(clients)")

        // The export that wrote the shell, with its target as the pivot; the shell itself confirmed.
        let export = try #require(report.findings("EXT-MAILBOX-EXPORT").first { $0["verdict"] as? String == "likely" })
        let pivots = export["pivots"] as? [String: [String]] ?? [:]
        #expect(pivots["mailboxExportPath"] == ["\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\bzxrq.aspx"])
        #expect(Report.excerpts(export).count == 3)
        let shell = report.findings("EXT-C10").first { finding in
            (finding["evidence"] as? [[String: Any]] ?? []).contains { ($0["originalPath"] as? String)?.hasSuffix("aspnet_client/bzxrq.aspx") == true }
        }
        #expect(shell?["verdict"] as? String == "confirmed")
        #expect(report.verdicts("EVT-EXCH-MAILBOX-EXPORT") == ["confirmed", "likely", "informational"])
        #expect(report.findings("EVT-EXCH-CMDLET-AUDIT").isEmpty)

        // OWASSRF, 2022-12-13: IIS, HttpProxy Owa and Rps_Http; the shell it started.
        #expect(report.verdicts("EXT-OWASSRF") == ["likely"])
        #expect(report.verdicts("EXT-OWASSRF-HTTPPROXY") == ["likely"])
        let rpsHttp = try #require(report.findings("EXT-OWASSRF-RPSHTTP").first)
        #expect(rpsHttp["verdict"] as? String == "likely" && Report.excerpts(rpsHttp).count == 2)
        #expect(report.verdicts("EVT-EXCH-WEBSHELL-CHILD").contains("confirmed"))
        // The ProxyNotShell probe, matched only once '%50owershell' is decoded: an attempt, which AMSI blocked;
        // the Emergency Mitigation service's M1 is listed with its date.
        #expect(report.verdicts("EXT-PROXYNOTSHELL") == ["attempt"])
        let amsi = try #require(report.findings("EXT-AMSI-BLOCKS").first)
        #expect(amsi["verdict"] as? String == "attempt" && Report.excerpts(amsi).count == 1 && Report.excerpts(amsi)[0].contains("192.0.2.91"))
        #expect(report.verdicts("EVT-EXCH-MITIGATION-SERVICE") == ["informational"])

        // The rogue transport agent's installation over the ProxyShell session (cmdlet log and MSExchange Management),
        // and the rogue IIS module's addition (IIS-Configuration event 29); Microsoft's agent and URL Rewrite stay quiet.
        let agent = try #require(report.findings("EXT-TRANSPORT-AGENT-CMDLET").first)
        #expect(report.findings("EXT-TRANSPORT-AGENT-CMDLET").count == 1)
        #expect(agent["verdict"] as? String == "likely" && (agent["title"] as? String)?.hasSuffix("Transport Compliance Agent") == true)
        #expect(Report.excerpts(agent).count == 2)
        #expect(report.verdicts("EVT-EXCH-TRANSPORT-AGENT") == ["likely"])
        let module = try #require(report.findings("EVT-IIS-CONFIG-MODULE").first)
        #expect(report.verdicts("EVT-IIS-CONFIG-MODULE") == ["likely"] && Report.excerpts(module).count == 2)
        #expect(report.findings("EXT-PROTECTION-OFF").isEmpty && report.findings("EVT-EXCH-PROTECTION-OFF").isEmpty)

        for (cve, state) in ["CVE-2021-34473": "exploited", "CVE-2021-34523": "exploited", "CVE-2021-31207": "exploited",
                             "CVE-2022-41080": "exploited", "CVE-2022-41040": "attempted", "CVE-2021-28480": "not-assessable"] {
            #expect(report.cveStates[cve] == state, "\(cve): \(report.cveStates[cve] ?? "none")")
        }
        // The verdict note names as exploited only CVEs whose state says so.
        let note = try #require(report.verdictNote)
        #expect(note.contains("CVE-2021-34473") && note.contains("before the patch"))
        for cve in note.matches(of: /CVE-\d{4}-\d+/).map({ String($0.output) }) {
            #expect(["exploited", "attempted"].contains(report.cveStates[cve] ?? "none"), "\(cve) named in the verdict note: \(note)")
        }

        // Look-alikes: nothing above informational cites them.
        let graded = report.findings.filter { $0["verdict"] as? String != "informational" }
        for benign in ["Outlook-iOS", "leaver.pst", "mail-2021.req", "Microsoft WinRM Client", "Exchange BackEnd Probes",
                       "AMProbe", "HealthMailbox", "exadmin", "Content Filter Agent", "RewriteModule", "rewrite.dll"] {
            let hits = graded.filter { Report.excerpts($0).contains { $0.contains(benign) } }
            #expect(hits.isEmpty, "\(benign) flagged by \(hits.compactMap { $0["checkId"] as? String })")
        }
        let ordinaryExport = report.findings("EXT-MAILBOX-EXPORT").first { $0["verdict"] as? String == "informational" }
        #expect((ordinaryExport?["pivots"] as? [String: [String]])?["mailboxExportPath"] == ["\\\\fs01\\pst$\\leaver.pst"])
    }
}
