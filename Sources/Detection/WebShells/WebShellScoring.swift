import EvidenceBundle
import ExTriageCore

/// One finding per suspicious file, merging what is known about it: rule matches (names and
/// matched strings, truncated), location verdicts, the manifest's hashes and times, and the
/// requests to it in the IIS/HttpProxy logs (who, when, how often, with what answer).
///
/// Tiers: a `confirmed` rule (Chopper, OAB dump, compiled drop-zone shell) → `confirmed`; a
/// `likely` rule → `likely`, raised to `confirmed` when the file also sits in a drop zone and
/// POSTs to it were answered 2xx (C12); an `informational` rule or an unknown script in a drop
/// zone → `likely` together, each alone keeps its own tier; location oddities alone stay as the
/// location says. References: EXCHANGE-ARTIFACTS.md §3.0, C09–C12.
struct WebShellScoring {
    let requests: WebShellRequests?
    /// The time the collected request logs cover; nil when none was collected.
    let requestLogs: (first: Timestamp?, last: Timestamp?)?
    /// Time-stomped files (`HOST-TIMESTOMP`'s exhibit), noted on their findings.
    let stomps: TimeStomps?
    let facts: BundleFacts
    let locations: LocationVerdicts

    /// Matched strings shown per finding, and the characters kept of each.
    static let stringsShown = 6
    static let requestEvidenceShown = 20

    /// Scores files against `list` with the requests of `requests` (`EXT-C12`'s exhibit), the
    /// time the request logs cover (`requestLogs`) and the attack window the log findings show.
    init(list: WebShellLocationList, requests: WebShellRequests?, requestLogs: (first: Timestamp?, last: Timestamp?)?, facts: BundleFacts,
         logFindings: [Finding] = [], stomps: TimeStomps? = nil) {
        self.requests = requests
        self.requestLogs = requestLogs
        self.stomps = stomps
        self.facts = facts
        locations = LocationVerdicts(list: list, facts: facts, observed: LocationVerdicts.observedWindow(logFindings))
    }

    /// Scores files with what a finishing check sees: `EXT-C12`'s requests and the log spans.
    init(list: WebShellLocationList, context: FinishContext) {
        self.init(list: list, requests: context.exhibit(WebShellRequests.self), requestLogs: context.requestLogSpan, facts: context.facts,
                  logFindings: context.logFindings, stomps: context.exhibit(TimeStomps.self))
    }

    /// The `HOST-TIMESTOMP` findings of files whose web-shell finding here carries the note and is at least as sure.
    func stompSupersession(of findings: [Finding]) -> Supersession {
        let paths = findings.compactMap { finding -> String? in
            guard let path = finding.evidence.first?.originalPath, let stomp = stomps?.stomp(at: path), finding.verdict >= stomp.verdict else { return nil }
            return path
        }
        return Supersession(check: TimeStompCheck.checkID, pivot: .filePath, values: Set(paths))
    }

    /// Whether the file at `paths` was requested: from the requests logged to them, or the span
    /// of the request logs that show none.
    func usage(of requests: [WebShellRequestCheck.Requests]) -> ShellUsage {
        guard !requests.isEmpty else {
            guard let requestLogs else { return ShellUsage(status: .noRequestLogs) }
            return ShellUsage(status: .notRequested, logsFirst: requestLogs.first, logsLast: requestLogs.last)
        }
        return ShellUsage(status: .requested, requests: requests.reduce(0) { $0 + $1.evidence.total },
                          first: requests.compactMap(\.first).min(), last: requests.compactMap(\.last).max(),
                          clients: Set(requests.flatMap(\.ips)).sorted())
    }

    /// The URL paths whose request findings `findings` carry (every `shellPath` of a finding
    /// that merged requests): their `EXT-C12` findings are left out of the report.
    func supersession(of findings: [Finding]) -> Supersession {
        let paths = findings.flatMap { $0.pivots[.shellPath] ?? [] }.filter { requests?.requests(to: $0) != nil }
        return Supersession(check: WebShellRequestCheck.checkID, pivot: .shellPath, values: Set(paths.map { $0.lowercased() }))
    }

    /// The URL paths a collected file answers to (web root, front end or back end), in the
    /// file's own spelling; IIS ignores case, so look them up lower-cased.
    static func webPaths(of sourcePath: String, exchange: String?) -> [String] {
        let path = sourcePath.lowercased()
        var roots = ["inetpub/wwwroot/"]
        if let exchange = exchange?.lowercased(), !exchange.isEmpty {
            roots += [exchange + "/frontend/httpproxy/", exchange + "/clientaccess/"]
        }
        return roots.compactMap { root in
            guard path.hasPrefix(root) else { return nil }
            let original = sourcePath.dropFirst(root.count)
            return "/" + (original.lowercased() == path.dropFirst(root.count) ? String(original) : String(path.dropFirst(root.count)))
        }
    }

    /// The finding for one file; `scan` is nil for location-only files.
    func finding(checkId: CheckID, member: MemberInfo, scan: ScannedWebFile?, notes known: [LocationNote]? = nil) -> Finding {
        let entry = facts.filesByFoldedPath[member.sourcePath.lowercased()]
        let notes = known ?? entry.map(locations.notes(for:)) ?? []
        // Strongest first: confirmed rules, then by score, so the report leads with the best reason.
        let matches = (scan?.outcome.matches ?? []).sorted { lhs, rhs in
            (WebShellScoring.tier(lhs), Int(lhs.meta["score"] ?? "") ?? 0) > (WebShellScoring.tier(rhs), Int(rhs.meta["score"] ?? "") ?? 0)
        }
        let ruleTier = matches.map(WebShellScoring.tier).max()
        let locationTier = notes.map(\.verdict).max()
        let paths = WebShellScoring.webPaths(of: member.sourcePath, exchange: facts.exchangeInstallPath)
        let requests = paths.compactMap { path in self.requests?.requests(to: path).map { (path, $0) } }
        let postSuccesses = requests.reduce(0) { $0 + $1.1.postSuccesses }
        let inZone = notes.contains { $0.verdict >= .likely }

        var verdict: Verdict
        switch ruleTier {
        case .confirmed?: verdict = .confirmed
        case .likely?: verdict = inZone && postSuccesses > 0 ? .confirmed : .likely
        case .informational?, .attempt?: verdict = inZone ? .likely : .informational
        case nil: verdict = locationTier ?? .informational
        }
        if locationTier == .confirmed { verdict = .confirmed }
        let severity: Severity = verdict == .confirmed ? .critical : verdict == .likely ? .high : .low

        var details: [String: String] = [:]
        if !matches.isEmpty {
            details["rules"] = matches.map { "\($0.rule) (\($0.meta["verdict"] ?? "likely"))" }.joined(separator: "; ")
            details["matchedStrings"] = matches.flatMap { match in
                match.strings.prefix(3).map { "\(match.rule) \($0.identifier)@\($0.offset): \($0.text)" }
            }.prefix(WebShellScoring.stringsShown).joined(separator: " | ")
            details["descriptions"] = matches.compactMap { $0.meta["description"] }.joined(separator: " | ")
        }
        if !notes.isEmpty { details["location"] = notes.map { "\($0.text) (\($0.verdict.rawValue))" }.joined(separator: "; ") }
        if let scan {
            details["scan"] = scan.partial ? "scanned partially: first \(scan.scannedBytes) of \(scan.memberBytes) bytes"
                : (scan.outcome.isTimeout ? "timed out; matches before the timeout shown" : "scanned whole (\(scan.scannedBytes) bytes)")
            if entry?.status == .partial { details["scan", default: ""] += "; the bundle holds only the file's head (collection size cap)" }
        } else {
            details["scan"] = "not content-scanned (location only)"
        }
        if let entry {
            details["size"] = String(entry.size)
            details["sha1"] = entry.sha1
            details["md5"] = entry.md5
            for (key, time) in [("modified", entry.modified), ("created", entry.created), ("changed", entry.changed), ("accessed", entry.accessed),
                                ("fileNameCreated", entry.fileNameTimes?.created), ("fileNameModified", entry.fileNameTimes?.modified)] {
                if let time { details[key] = time.iso8601 }
            }
        }
        if !requests.isEmpty {
            let all = requests.map(\.1)
            let count = all.reduce(0) { $0 + $1.evidence.total }
            let first = all.compactMap(\.first).min()
            let last = all.compactMap(\.last).max()
            details["requests"] = "\(count) logged (\(all.reduce(0) { $0 + $1.posts }) POST, \(postSuccesses) POST answered 2xx, \(all.reduce(0) { $0 + $1.notFound }) answered 404)"
                + (first.map { ", \($0.iso8601)" } ?? "") + (last.map { " to \($0.iso8601)" } ?? "")
            details["clients"] = Set(all.flatMap(\.ips)).sorted().joined(separator: ", ")
        }

        // The excerpt: the longest string the strongest rule matched (the most telling part).
        let firstMatch = matches.first?.strings.max { $0.text.count < $1.text.count }?.text
            ?? matches.first?.rule ?? notes.first?.text ?? member.sourcePath
        // The file's own times go in the details, not the evidence time: a copied or restored
        // tree carries copy times, which must not pose as the attack's (the requests carry those).
        var evidence = [Evidence(member: member.member, originalPath: member.sourcePath, timestamp: nil,
                                 excerpt: firstMatch, sha256: entry?.sha256 ?? "", details: details)]
        let stomp = stomps?.stomp(at: member.sourcePath)?.stomp
        // A stomped file's $FILE_NAME creation is NTFS's own record of when it appeared: a timeline point.
        if let stomp, let entry { evidence.append(stomp.evidence(for: entry)) }
        evidence += requests.flatMap { $0.1.evidence.items }.prefix(WebShellScoring.requestEvidenceShown)

        var why: [String] = []
        if !matches.isEmpty { why.append("matches \(matches.map(\.rule).joined(separator: ", "))") }
        if let note = notes.first { why.append(note.text) }
        // Only a file served at a URL can be requested (a compiled page in Temporary ASP.NET Files is not).
        let usage = paths.isEmpty ? nil : usage(of: requests.map(\.1))
        if let usage { why.append(requests.isEmpty ? usage.text : details["requests"].map { "requests: \($0)" } ?? "") }
        if scan?.partial == true { why.append("content scanned partially") }
        let cveLists: [String] = matches.compactMap { $0.meta["cve"] }
        let cves = Set(cveLists.flatMap { list in list.split(separator: ",").map { String($0).trimmingWhitespace() } })
        var pivots: [PivotKey: [String]] = [.shellPath: paths, .stage: [(verdict >= .likely ? AttackStage.webShell : .webFile).rawValue]]
        if !matches.isEmpty { pivots[.yaraRule] = matches.map(\.rule) }
        if let fuzzy = scan?.fuzzyHash { pivots[.shellFuzzy] = [fuzzy] }
        let ips = Set(requests.flatMap { $0.1.ips }).sorted()
        let agents = Set(requests.flatMap { $0.1.agents }).sorted()
        if !ips.isEmpty { pivots[.clientIp] = ips }
        if !agents.isEmpty { pivots[.userAgent] = agents }
        let name = member.sourcePath.split(separator: "/").last.map(String.init) ?? member.sourcePath
        let title = matches.isEmpty ? "Unexpected web file: \(name)" : "Web shell: \(name)"
        var finding = Finding(checkId: checkId, title: title, severity: severity, verdict: verdict, cves: cves.sorted(),
                              attack: ["T1505.003"], evidence: evidence, explanation: why.joined(separator: "; "), pivots: pivots)
        finding.usage = usage
        if let stomp { finding.addNote("time-stomped: " + stomp.text) }
        return finding
    }

    /// The tier a rule claims (`meta.verdict`); rules from external packs without one count as `likely`.
    static func tier(_ match: YaraMatch) -> Verdict {
        match.meta["verdict"].flatMap { Verdict(rawValue: $0) } ?? .likely
    }
}

extension YaraScanOutcome {
    var isTimeout: Bool { if case .timedOut = self { return true } else { return false } }
}
