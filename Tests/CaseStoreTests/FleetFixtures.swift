import ExTriageCore

/// Analysis reports built in code: one synthetic organisation's servers.
enum FleetFixtures {
    static func time(_ text: String) -> Timestamp {
        Timestamp(iso8601: text) ?? Timestamp(seconds: 0)
    }

    static func sha(_ seed: Character) -> String { String(repeating: seed, count: 64) }

    /// A confirmed web shell (EXT-C10), used when `requestedAt` is given.
    static func webShell(path: String, sha256: String, requestedAt: String?, client: String) -> Finding {
        var evidence = [Evidence(member: "evidence/C/" + path, originalPath: path, timestamp: nil, excerpt: "eval(Request", sha256: sha256)]
        var usage = ShellUsage(status: .notRequested, logsFirst: time("2021-02-20T00:00:00Z"), logsLast: time("2021-03-10T00:00:00Z"))
        if let requestedAt {
            evidence.append(Evidence(member: "evidence/C/inetpub/logs/u_ex.log", originalPath: "inetpub/logs/u_ex.log", line: 4,
                                     timestamp: time(requestedAt), excerpt: "POST /aspnet_client/x.aspx", sha256: sha("9")))
            usage = ShellUsage(status: .requested, requests: 3, first: time(requestedAt), last: time(requestedAt), clients: [client])
        }
        var finding = Finding(checkId: "EXT-C10", title: "Web shell: \(path)", severity: .critical, verdict: .confirmed,
                              attack: ["T1505.003"], evidence: evidence, explanation: "matches a China Chopper rule",
                              pivots: [.shellPath: ["/" + path], .clientIp: requestedAt == nil ? [] : [client]])
        finding.usage = usage
        return finding
    }

    /// The ECP virtual-directory injection (EXT-C05) with the shell's password.
    static func injection(password: String, at moment: String) -> Finding {
        Finding(checkId: "EXT-C05", title: "OAB virtual directory set to a web shell", severity: .critical, verdict: .confirmed,
                cves: ["CVE-2021-27065"], evidence: [Evidence(member: "evidence/C/ecp.log", originalPath: "ecp.log", line: 2, timestamp: time(moment),
                                                               excerpt: "Set-OabVirtualDirectory", sha256: sha("8"))],
                explanation: "script in ExternalUrl", pivots: [.shellParameter: [password]])
    }

    /// SSRF traffic (EXT-C03) from one client.
    static func ssrf(client: String, agent: String, at moment: String, verdict: Verdict) -> Finding {
        var line = Evidence(member: "evidence/C/proxy.log", originalPath: "proxy.log", line: 3, timestamp: time(moment),
                            excerpt: "X-BEResource", sha256: sha("7"))
        line.url = "/ecp/y.js?x=1"
        line.httpStatus = verdict == .attempt ? 500 : 241
        return Finding(checkId: "EXT-C03", title: "CVE-2021-26855 SSRF", severity: .critical, verdict: verdict, cves: ["CVE-2021-26855"],
                       evidence: [line], explanation: "SSRF", pivots: [.clientIp: [client], .userAgent: [agent]])
    }

    static func campaign(clients: [String], agents: [String], at moment: String, verdict: Verdict) -> Campaign {
        Campaign(clientIps: clients, userAgents: agents, first: time(moment), last: time(moment), highestStage: "ssrf",
                 verdict: verdict, pivots: [:], findingIndexes: [0])
    }

    static func report(host: String, sha256: String, verdict: HostVerdict, findings: [Finding], campaigns: [Campaign] = [],
                       cveStates: [String: CVEState] = ["CVE-2021-26855": .noEvidence], patchedAt: [String: Timestamp] = [:]) -> AnalysisReport {
        var numbered = findings
        for index in numbered.indices { numbered[index].id = index + 1 }
        return AnalysisReport(
            bundle: .init(path: "/cases/\(host).tar", sha256: sha256, caseId: "ORG-1", examiner: "Tester", host: host,
                          hostSource: "HttpProxy log ServerHostName field", collectedAt: time("2021-03-12T00:00:00Z"), exchangeInstallPath: nil),
            verification: VerificationSummary(status: "intact-signed", text: "intact and signed", problems: [], analyzedAnyway: false),
            verdict: verdict, cveStates: cveStates, cvePatchedAt: patchedAt, findings: numbered, coverage: [],
            logSpans: [LogSpan(family: "IIS W3SVC1", files: 2, first: time("2021-02-20T00:00:00Z"), last: time("2021-03-10T00:00:00Z"), gaps: [])],
            campaigns: campaigns)
    }

    static let scannerAgent = "python-requests/2.25.1"
    static let scannerIp = "192.0.2.99"
    static let actorA = (ip: "203.0.113.10", password: "orange", shell: sha("a"), agent: "Mozilla/5.0 (A-kit)")
    static let actorB = (ip: "198.51.100.7", password: "Ab1q", shell: sha("b"), agent: "Mozilla/5.0 (B-kit)")

    /// Six servers: mail1 and mail2 hit by actor A, mail3 by A and B, mail4 by B (patched after),
    /// mail5 only scanned, mail6 clean. The scanner's agent and address reach every exposed server.
    static func organisation() -> [AnalysisReport] {
        func scan(_ moment: String) -> Campaign { campaign(clients: [scannerIp], agents: [scannerAgent], at: moment, verdict: .attempt) }
        func actorAHit(_ host: String, _ seed: Character, day: String, used: Bool) -> AnalysisReport {
            report(host: host, sha256: sha(seed), verdict: .compromised,
                   findings: [webShell(path: "inetpub/wwwroot/aspnet_client/system_web/help.aspx", sha256: actorA.shell,
                                       requestedAt: used ? "2021-03-0\(day)T10:00:00Z" : nil, client: actorA.ip),
                              injection(password: actorA.password, at: "2021-03-0\(day)T09:00:00Z"),
                              ssrf(client: actorA.ip, agent: actorA.agent, at: "2021-03-0\(day)T08:00:00Z", verdict: .confirmed)],
                   campaigns: [campaign(clients: [actorA.ip], agents: [actorA.agent], at: "2021-03-0\(day)T08:00:00Z", verdict: .confirmed),
                               scan("2021-02-27T03:00:00Z")],
                   cveStates: ["CVE-2021-26855": .exploited, "CVE-2021-27065": .exploited])
        }
        let mail3 = report(
            host: "mail3", sha256: sha("3"), verdict: .compromised,
            findings: [webShell(path: "inetpub/wwwroot/aspnet_client/system_web/help.aspx", sha256: actorA.shell,
                                requestedAt: "2021-03-02T10:00:00Z", client: actorA.ip),
                       webShell(path: "Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/errorEE.aspx", sha256: actorB.shell,
                                requestedAt: "2021-03-03T12:00:00Z", client: actorB.ip),
                       injection(password: actorA.password, at: "2021-03-02T09:00:00Z"),
                       injection(password: actorB.password, at: "2021-03-03T11:00:00Z")],
            campaigns: [campaign(clients: [actorA.ip], agents: [actorA.agent], at: "2021-03-02T08:00:00Z", verdict: .confirmed),
                        campaign(clients: [actorB.ip], agents: [actorB.agent], at: "2021-03-03T11:00:00Z", verdict: .confirmed),
                        scan("2021-02-27T04:00:00Z")],
            cveStates: ["CVE-2021-26855": .exploited, "CVE-2021-27065": .exploited])
        let mail4 = report(
            host: "mail4", sha256: sha("4"), verdict: .compromised,
            findings: [webShell(path: "Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/errorEE.aspx", sha256: actorB.shell,
                                requestedAt: "2021-03-03T13:00:00Z", client: actorB.ip),
                       injection(password: actorB.password, at: "2021-03-03T12:30:00Z")],
            campaigns: [campaign(clients: [actorB.ip], agents: [actorB.agent], at: "2021-03-03T12:00:00Z", verdict: .confirmed),
                        scan("2021-02-27T05:00:00Z")],
            cveStates: ["CVE-2021-26855": .exploited, "CVE-2021-27065": .exploited],
            patchedAt: ["CVE-2021-26855": time("2021-03-05T00:00:00Z"), "CVE-2021-27065": time("2021-03-05T00:00:00Z")])
        let mail5 = report(host: "mail5", sha256: sha("5"), verdict: .exploitationAttempted,
                           findings: [ssrf(client: scannerIp, agent: scannerAgent, at: "2021-02-27T06:00:00Z", verdict: .attempt)],
                           campaigns: [scan("2021-02-27T06:00:00Z")], cveStates: ["CVE-2021-26855": .attempted, "CVE-2021-26858": .notAssessable])
        let mail6 = report(host: "mail6", sha256: sha("6"), verdict: .noEvidenceFound, findings: [])
        return [actorAHit("mail1", "1", day: "1", used: true), actorAHit("mail2", "2", day: "1", used: false), mail3, mail4, mail5, mail6]
    }
}
