import ExTriageCore

/// CVE-2021-27065: a virtual-directory URL set to script in the ECP Server log.
///
/// `S:CMD` runs `Set-*VirtualDirectory` and some `*Url` parameter holds script (`<script`,
/// `runat=`, `Page_Load`, `eval(`, `Request[`, `Request.Item`, `unsafe`, `<%`) or is not an absolute
/// http(s) URI: `confirmed`. `S:URL` with `schema=Reset*VirtualDirectory`: `likely`. The Chopper
/// password (`Request["klk123456"]`) is extracted as a pivot, and a later clean-up
/// (`ExternalUrl` set empty) is noted. Admins set normal URLs every day: only script counts.
/// References: EXCHANGE-ARTIFACTS.md C05; signature-base apt_hafnium_log_sigs.yar; Test-ProxyLogon.
struct ECPVirtualDirectoryInjectionCheck: Check {
    let id: CheckID = "EXT-C05"
    let title = "CVE-2021-27065 script in a virtual-directory URL (ECP Server log)"
    let input = CheckInput.logRecords(LogSelector(needles: ["virtualdirectory"], families: { $0 == .ecpServer }))
    let assesses = Assessment(cves: ["CVE-2021-27065"])

    static let scriptMarkers = ["<script", "runat=", "page_load", "eval(", "request[", "request.item", "unsafe", "<%"]

    struct State {
        var injections = EvidenceList()
        /// What each kept injection set, and the shell passwords in it.
        var injected: [String] = []
        var passwords: Set<String> = []
        var resets = EvidenceList()
        var cleanups = 0
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .logRecord(let record, _, let member) = observation else { return }
        let data = ECPEventData.parse(record.value("EventData") ?? "")
        let evidence = member.evidence(record)
        if let url = data["URL"], url.lowercased().contains("schema=reset"), url.lowercased().contains("virtualdirectory") {
            state.resets.append(evidence)
        }
        guard let command = data["CMD"], let (name, parameters) = ECPEventData.cmdlet(command),
              name.lowercased().hasPrefix("set-"), name.lowercased().hasSuffix("virtualdirectory") else { return }
        var bad: [String] = []
        var passwords: [String] = []
        for (parameter, value) in parameters.sorted(by: { $0.key < $1.key }) where parameter.lowercased().hasSuffix("url") {
            let lowered = value.lowercased()
            if value.isEmpty || lowered == "$null" {
                state.cleanups += 1
                continue
            }
            if ECPVirtualDirectoryInjectionCheck.scriptMarkers.contains(where: lowered.contains) || !ECPVirtualDirectoryInjectionCheck.isAbsoluteHTTPURI(value) {
                bad.append(parameter)
                passwords += ShellParameter.names(in: value)
            }
        }
        guard !bad.isEmpty else { return }
        if state.injections.items.count < state.injections.cap { state.injected.append("\(name) \(bad.joined(separator: ", "))") }
        state.injections.append(evidence)
        if state.passwords.count < 100 { state.passwords.formUnion(passwords) }
    }

    /// `http(s)://host[:port]/...` with a host of more than one character and no spaces or angle brackets.
    static func isAbsoluteHTTPURI(_ value: String) -> Bool {
        let lowered = value.lowercased()
        let rest: Substring
        if lowered.hasPrefix("https://") { rest = Substring(value).dropFirst(8) } else if lowered.hasPrefix("http://") { rest = Substring(value).dropFirst(7) } else { return false }
        let host = rest.prefix { $0 != "/" && $0 != ":" && $0 != "?" && $0 != "#" }
        guard host.count > 1 else { return false }
        return !value.contains { $0 == " " || $0 == "<" || $0 == ">" || $0 == "\"" || $0 == "'" }
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        var findings: [Finding] = []
        if !state.injections.isEmpty {
            findings.append(Finding(
                checkId: id, title: "CVE-2021-27065 script written into a virtual-directory URL", severity: .critical, verdict: .confirmed,
                cves: ["CVE-2021-27065"], attack: ["T1190", "T1505.003"], evidence: [],
                explanation: "\(state.injected.joined(separator: "; ")) set to script or a non-URI: the web shell the OAB reset writes" + (state.cleanups == 0 ? "" : "; the URL was later cleared (clean-up)"),
                pivots: [.shellParameter: state.passwords.sorted(), .stage: [AttackStage.ddiSetObject.rawValue]]).listing(state.injections))
        }
        if !state.resets.isEmpty {
            findings.append(Finding(
                checkId: id, title: "Virtual-directory reset through ECP (file write)", severity: .high, verdict: .likely,
                cves: ["CVE-2021-27065"], attack: ["T1190", "T1505.003"], evidence: [],
                explanation: "a Reset*VirtualDirectory call writes the directory's configuration, script included, to a path the caller chose",
                pivots: [.stage: [AttackStage.resetOABVirtualDirectory.rawValue]]).listing(state.resets))
        }
        return CheckOutput(findings: findings)
    }
}

/// Names of request parameters a shell evaluates: `Request["klk123456"]`, `Request.Item["x"]`,
/// `Request.Form("x")`: the password an analyst searches the IIS logs for.
enum ShellParameter {
    static func names(in text: String) -> [String] {
        var names: [String] = []
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            if String(characters[index..<min(index + 7, characters.count)]).lowercased() == "request" {
                var cursor = index + 7
                for suffix in [".item", ".form", ".querystring"] where String(characters[cursor..<min(cursor + suffix.count, characters.count)]).lowercased() == suffix {
                    cursor += suffix.count
                }
                while cursor < characters.count, characters[cursor] == " " { cursor += 1 }
                if cursor < characters.count, characters[cursor] == "[" || characters[cursor] == "(" {
                    cursor += 1
                    while cursor < characters.count, characters[cursor] == " " { cursor += 1 }
                    if cursor < characters.count, characters[cursor] == "\"" || characters[cursor] == "'" {
                        let quote = characters[cursor]
                        let start = cursor + 1
                        var end = start
                        while end < characters.count, characters[end] != quote, end - start < 64 { end += 1 }
                        if end < characters.count, end > start, characters[end] == quote { names.append(String(characters[start..<end])) }
                    }
                }
            }
            index += 1
        }
        return names
    }
}
