import ExTriageCore

/// IIS request logging switched off: `<httpLogging dontLog="true">` (server-wide, in a
/// `<location>` for a site or virtual directory, or in a `web.config`) or `<logFile
/// enabled="false">` on a site or the site defaults, in `applicationHost.config` or any collected
/// `web.config`. An intruder does this so that a web shell's requests leave no W3SVC line; an
/// administrator rarely does on an Exchange server. Only the configuration says so, hence
/// `attempt`, naming the scope so the analyst knows which logs are silent. References:
/// EXCHANGE-ARTIFACTS.md §1.3; MITRE T1562.002.
struct IISLoggingDisabledCheck: Check {
    let id: CheckID = "HOST-IIS-LOGGING-OFF"
    let title = "IIS request logging switched off (httpLogging dontLog, logFile enabled=false)"
    static let headLimit = 16 << 20
    let input = CheckInput.memberContent(MemberSelector(limit: IISLoggingDisabledCheck.headLimit) { member in
        let path = member.sourcePath.lowercased()
        return path.hasSuffix("inetsrv/config/applicationhost.config") || path.hasSuffix("/web.config")
    })

    func makeState() -> ConfigEntries { ConfigEntries() }

    func observe(_ observation: Observation, into state: inout ConfigEntries) {
        guard case .content(let content) = observation else { return }
        state.read(content) { element in
            (element.name == "httplogging" && element["dontlog"]?.lowercased() == "true")
                || (element.name == "logfile" && element["enabled"]?.lowercased() == "false")
        }
    }

    func finish(_ state: inout ConfigEntries, in context: FinishContext) -> CheckOutput {
        let findings = state.kept.map { kept -> Finding in
            let element = kept.element
            let file = kept.member.sourcePath.lowercased().hasSuffix("applicationhost.config") ? "applicationHost.config" : "web.config"
            let scope: String
            if let location = element.location, !location.isEmpty {
                scope = location
            } else if let site = element.site {
                scope = site
            } else if element.isInside("sitedefaults") {
                scope = "every site (site defaults)"
            } else if file == "web.config" {
                scope = kept.member.sourcePath.split(separator: "/").dropLast().joined(separator: "/")
            } else {
                scope = "every site"
            }
            let what = element.name == "httplogging" ? "httpLogging dontLog=\"true\"" : "logFile enabled=\"false\""
            return Finding(checkId: id, title: "IIS logging off: \(scope)", severity: Verdict.attempt.persistenceSeverity, verdict: .attempt,
                           attack: ["T1562.002"],
                           evidence: [ConfigEntries.evidence(kept, facts: context.facts, details: ["scope": scope, "setting": what, "file": file])],
                           explanation: "\(what) in \(file) for \(scope): requests there leave no IIS log line, so a web shell used there "
                               + "is invisible to the request checks; find when the file changed and who changed it",
                           category: FindingCategory.antiForensics)
        }
        return CheckOutput(findings: findings, coverage: state.coverage(of: "applicationHost.config or web.config", limit: Self.headLimit))
    }
}
