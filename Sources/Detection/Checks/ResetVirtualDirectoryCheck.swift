import ExTriageCore

/// CVE-2021-27065 through SSRF: the reset call that writes a virtual directory's configuration,
/// script included, to a chosen path.
///
/// HttpProxy `Ecp` rows whose `AnchorMailbox` is `ServerInfo~*/*Reset*VirtualDirectory#` answered
/// 200 (Test-ProxyLogon's ResetVDir output), and IIS back-end (W3SVC2) `POST
/// /ecp/DDI/DDIService.svc/SetObject` with `schema=Reset…VirtualDirectory` by a machine account
/// (`HOST$`) answered 200: `confirmed`; the same with another status: `attempt`. A genuine reset from
/// the ECP UI comes from a named admin, never via `ServerInfo~`.
/// References: EXCHANGE-ARTIFACTS.md C06; Sigma web_cve_2021_26858_iis_rce; Test-ProxyLogon.
struct ResetVirtualDirectoryCheck: Check {
    let id: CheckID = "EXT-C06"
    let title = "CVE-2021-27065 virtual-directory reset via SSRF (HttpProxy Ecp, IIS back end)"
    let input = CheckInput.logRecords(LogSelector(needles: ["virtualdirectory"], families: ResetVirtualDirectoryCheck.reads))
    let assesses = Assessment(cves: ["CVE-2021-27065"])

    struct State {
        var confirmed = EvidenceList()
        var attempts = EvidenceList()
        var ips: Set<String> = []
    }

    @Sendable static func reads(_ family: LogFamily) -> Bool {
        switch family {
        case .httpProxy(let name): return name.lowercased() == "ecp"
        case .iis(let site): return site.uppercased() == "W3SVC2"
        default: return false
        }
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .logRecord(let record, _, let member) = observation else { return }
        let evidence = member.evidence(record)
        if case .httpProxy = member.family {
            let anchor = (record.value("AnchorMailbox") ?? "").lowercased()
            guard anchor.hasPrefix("serverinfo~"), anchor.contains("/"), anchor.contains("reset"), anchor.contains("virtualdirectory") else { return }
            if let ip = record.value("ClientIpAddress"), !ip.isEmpty, state.ips.count < 1000 { state.ips.insert(ip) }
            if record.value("HttpStatus") == "200" { state.confirmed.append(evidence) } else { state.attempts.append(evidence) }
            return
        }
        let stem = (record.value("cs-uri-stem") ?? "").lowercased()
        let query = (record.value("cs-uri-query") ?? "").lowercased()
        guard record.value("cs-method")?.uppercased() == "POST", stem == "/ecp/ddi/ddiservice.svc/setobject",
              query.contains("schema=reset"), query.contains("virtualdirectory") else { return }
        let machineAccount = (record.value("cs-username") ?? "").hasSuffix("$")
        if record.value("sc-status") == "200" && machineAccount { state.confirmed.append(evidence) } else { state.attempts.append(evidence) }
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        var findings: [Finding] = []
        let pivots: [PivotKey: [String]] = [.clientIp: state.ips.sorted(), .stage: [AttackStage.resetOABVirtualDirectory.rawValue]]
        if !state.confirmed.isEmpty {
            findings.append(Finding(checkId: id, title: "Virtual-directory reset through SSRF succeeded", severity: .critical, verdict: .confirmed,
                                    cves: ["CVE-2021-27065", "CVE-2021-26855"], attack: ["T1190", "T1505.003"], evidence: [],
                                    explanation: "the back end wrote the virtual directory's configuration (with the injected script) to a file as SYSTEM; look for that file even if it was deleted",
                                    pivots: pivots).listing(state.confirmed))
        }
        if !state.attempts.isEmpty {
            findings.append(Finding(checkId: id, title: "Virtual-directory reset through SSRF attempted", severity: .medium, verdict: .attempt,
                                    cves: ["CVE-2021-27065"], attack: ["T1190"], evidence: [],
                                    explanation: "reset requests that did not succeed or did not come from the machine account", pivots: pivots)
                .listing(state.attempts))
        }
        return CheckOutput(findings: findings)
    }
}
