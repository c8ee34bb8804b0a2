import EvidenceBundle
import ExTriageCore

/// Requests to web shells in the IIS and HttpProxy logs: who called which drop-zone file, when,
/// how often, and with what answer.
///
/// A request to a script file in a web-shell location (a zone of `Profiles/rules/webshell-locations.yaml`
/// with a `url`: `aspnet_client`, `owa/auth` outside its allow-list, `ecp/auth` but its own page, `OAB`) answered 200 is `likely` — by
/// POST, or by GET with an otherwise empty query; `confirmed` when the same file is in the bundle
/// and was written by the exploit chain (C07 links it) is decided by the campaign view. Requests
/// answered 404 are `attempt` (in 2021 the whole internet probed for other actors' shells).
/// Paths are matched on `cs-uri-stem`, never on the query (Sigma's portability trap).
/// When the requested file is in the bundle and a web-shell finding (EXT-C10 content, EXT-C09
/// location) reports it, that finding carries these requests and this one is left out of the
/// report (a `Supersession`): one finding per file. The request index is left for them as a
/// `WebShellRequests` exhibit.
/// References: EXCHANGE-ARTIFACTS.md C09, C12.
struct WebShellRequestCheck: Check {
    static let checkID: CheckID = "EXT-C12"
    let id = WebShellRequestCheck.checkID
    let title = "Requests to web-shell locations (IIS, HttpProxy)"
    /// The drop zones, their URLs and Exchange's own pages there.
    let locations: WebShellLocationList
    let input = CheckInput.logRecords(LogSelector(needles: ["/aspnet_client/", "/owa/auth/", "/ecp/auth/", "/oab/"],
                                                  families: WebShellRequestCheck.reads))

    /// The requests logged to one URL path.
    struct Requests: Sendable {
        /// The first 500 requests as evidence; `total` counts them all.
        var evidence = EvidenceList(cap: 500)
        var successes = 0
        var posts = 0
        var notFound = 0
        /// POSTs answered 2xx: the shell ran (C12: `confirmed` when its content is a shell).
        var postSuccesses = 0
        var first: Timestamp?
        var last: Timestamp?
        var ips: Set<String> = []
        var agents: Set<String> = []
    }

    @Sendable static func reads(_ family: LogFamily) -> Bool {
        switch family {
        case .iis: return true
        case .httpProxy: return true
        default: return false
        }
    }

    func makeState() -> [String: Requests] { [:] }

    func observe(_ observation: Observation, into byPath: inout [String: Requests]) {
        guard case .logRecord(let record, _, let member) = observation else { return }
        let stem = record.value("cs-uri-stem") ?? record.value("UrlStem") ?? ""
        guard locations.isSuspiciousRequest(stem: stem) else { return }
        let method = (record.value("cs-method") ?? record.value("Method") ?? "").uppercased()
        let status = Int(record.value("sc-status") ?? record.value("HttpStatus") ?? "") ?? 0
        var entry = byPath[stem.lowercased()] ?? Requests()
        entry.evidence.append(member.evidence(record))
        if (200..<300).contains(status) { entry.successes += 1 }
        if method == "POST" { entry.posts += 1 }
        if status == 404 { entry.notFound += 1 }
        if method == "POST", (200..<300).contains(status) { entry.postSuccesses += 1 }
        if let time = record.timestamp {
            entry.first = min(entry.first ?? time, time)
            entry.last = max(entry.last ?? time, time)
        }
        if let ip = record.value("c-ip") ?? record.value("ClientIpAddress"), !ip.isEmpty, entry.ips.count < 1000 { entry.ips.insert(ip) }
        if let agent = record.value("cs(User-Agent)") ?? record.value("UserAgent"), !agent.isEmpty, entry.agents.count < 1000 { entry.agents.insert(agent) }
        byPath[stem.lowercased()] = entry
    }

    func finish(_ byPath: inout [String: Requests], in context: FinishContext) -> CheckOutput {
        let facts = context.facts
        let findings = byPath.keys.sorted().compactMap { path -> Finding? in
            guard let requests = byPath[path] else { return nil }
            let onServer = facts.entry(forWebPath: path)
            let verdict: Verdict = requests.successes > 0 ? .likely : .attempt
            let severity: Severity = verdict == .likely ? (requests.posts > 0 ? .critical : .high) : .low
            var explanation = "\(requests.evidence.total) request(s) to \(path): \(requests.posts) POST, \(requests.successes) answered 2xx, \(requests.notFound) answered 404"
            if let onServer { explanation += "; the file is in the bundle (\(onServer.path))" } else if requests.successes > 0 { explanation += "; the file is not in the bundle (deleted?)" }
            return Finding(checkId: id, title: "Requests to \(path)", severity: severity, verdict: verdict,
                           attack: ["T1505.003"], evidence: [], explanation: explanation,
                           pivots: [.clientIp: requests.ips.sorted(), .userAgent: requests.agents.sorted(), .shellPath: [path],
                                    .stage: verdict == .likely ? [AttackStage.webShellRequest.rawValue] : []])
                .listing(requests.evidence)
        }
        return CheckOutput(findings: findings, exhibits: [WebShellRequests(byPath: byPath)])
    }
}

/// The requests to each drop-zone URL path (lower-cased), for the web-shell findings.
struct WebShellRequests: Exhibit {
    let byPath: [String: WebShellRequestCheck.Requests]

    func requests(to path: String) -> WebShellRequestCheck.Requests? { byPath[path.lowercased()] }
}

extension BundleFacts {
    /// The bundle entry a requested URL path maps to, looking in the web roots.
    func entry(forWebPath path: String) -> Manifest.Entry? {
        let relative = path.lowercased().split(separator: "/").joined(separator: "/")
        if let entry = filesByFoldedPath["inetpub/wwwroot/" + relative] { return entry }
        if let exchange = exchangeInstallPath?.lowercased() {
            if let entry = filesByFoldedPath["\(exchange)/frontend/httpproxy/\(relative)"] { return entry }
            if let entry = filesByFoldedPath["\(exchange)/clientaccess/\(relative)"] { return entry }
        }
        return nil
    }
}
