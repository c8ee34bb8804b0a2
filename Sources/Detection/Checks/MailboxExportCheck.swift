import ExTriageCore
import Foundation

/// Mailbox exports and certificate requests written as web pages, from the cmdlet logs.
///
/// ProxyShell's last step (CVE-2021-31207) and its imitators write a web shell with Exchange's
/// own file writers: `New-MailboxExportRequest -FilePath` (the PST's encoded attachment becomes
/// script) or `New-ExchangeCertificate -GenerateRequest -RequestFile` (the subject carries it),
/// aimed at a server page or a web folder, usually through the admin share
/// (`\\127.0.0.1\c$\...`). Read from `Rps_Cmdlet` and `LocalPowerShell` cmdlet logs:
/// - such a write that succeeded: `likely` (the file itself, `!BDN` or `30 82` bytes with
///   script, is confirmed by the YARA rules); one that failed: `attempt`;
/// - `New-ManagementRoleAssignment -Role "Mailbox Import Export"` and `Remove-MailboxExportRequest`
///   are the steps around it: evidence of that finding when there is one, else `informational`;
/// - an export to an ordinary share (`.pst`): `informational`, listed for the analyst.
/// The export target is the `mailboxExportPath` pivot. References: EXCHANGE-ARTIFACTS.md §4.1;
/// Peterjson, "Reproducing the ProxyShell Pwn2Own exploit"; Sigma
/// win_exchange_proxyshell_mailbox_export.yml, win_exchange_proxyshell_certificate_request_export.yml.
struct MailboxExportCheck: Check {
    let id: CheckID = "EXT-MAILBOX-EXPORT"
    let title = "Mailbox export or certificate request written as a web page (cmdlet logs)"
    let input = CheckInput.logRecords(LogSelector(
        needles: ["mailboxexportrequest", "managementroleassignment", "exchangecertificate"], families: MailboxExportCheck.reads))
    let assesses = Assessment(cves: ["CVE-2021-31207"])

    /// Extensions IIS would run as server code.
    static let pageExtensions = [".aspx", ".ashx", ".asmx", ".asp", ".asax", ".cshtml", ".svc", ".soap"]
    /// Folders IIS serves on an Exchange server (lower case, `\` separators).
    static let webFolders = ["\\inetpub\\", "\\frontend\\httpproxy\\", "\\clientaccess\\", "\\aspnet_client\\"]

    struct State {
        var webWrites = EvidenceList()
        var failedWrites = EvidenceList()
        var steps = EvidenceList()
        var ordinary = EvidenceList()
        var webPaths: Set<String> = []
        var otherPaths: Set<String> = []
    }

    @Sendable static func reads(_ family: LogFamily) -> Bool {
        switch family {
        case .rpsCmdlet, .localCmdlet: return true
        default: return false
        }
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .logRecord(let record, _, let member) = observation else { return }
        let cmdlet = (record.value("Cmdlet") ?? "").lowercased()
        let parameters = record.value("Parameters") ?? ""
        let evidence = member.evidence(record)
        switch cmdlet {
        case "new-mailboxexportrequest", "new-exchangecertificate":
            let option = cmdlet == "new-mailboxexportrequest" ? "-FilePath" : "-RequestFile"
            guard let path = Self.argument(option, in: parameters) else { return }
            let succeeded = (record.value("ExecutionResult") ?? "Success").lowercased().hasPrefix("success")
            if Self.isWebTarget(path) {
                if succeeded { state.webWrites.append(evidence) } else { state.failedWrites.append(evidence) }
                if state.webPaths.count < 100 { state.webPaths.insert(path) }
            } else if cmdlet == "new-mailboxexportrequest" {
                state.ordinary.append(evidence)
                if state.otherPaths.count < 100 { state.otherPaths.insert(path) }
            }
        case "new-managementroleassignment":
            if parameters.lowercased().contains("mailbox import export") { state.steps.append(evidence) }
        case "remove-mailboxexportrequest":
            state.steps.append(evidence)
        default:
            return
        }
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        var findings: [Finding] = []
        let webPaths = state.webPaths.sorted()
        let collected = webPaths.filter { context.facts.entry(forWindowsPath: Self.localPath($0)) != nil }
        let fileNote = collected.isEmpty
            ? "the written file is not in the bundle (deleted, or outside what was collected)"
            : "the written file is in the bundle (" + collected.joined(separator: ", ") + "): its content scan shows whether it carries script"
        if !state.webWrites.isEmpty || !state.failedWrites.isEmpty {
            var listed = state.webWrites.isEmpty ? state.failedWrites : state.webWrites
            for item in state.steps.items { listed.append(item) }
            if !state.webWrites.isEmpty { for item in state.failedWrites.items { listed.append(item) } }
            let wrote = !state.webWrites.isEmpty
            findings.append(Finding(
                checkId: id, title: wrote ? "Mailbox export or certificate request written as a web page" : "Mailbox export or certificate request to a web page failed",
                severity: wrote ? .critical : .medium, verdict: wrote ? .likely : .attempt,
                cves: ["CVE-2021-31207"], attack: ["T1505.003", "T1114.002"], evidence: [],
                explanation: "Exchange was told to write a mailbox export (PST) or certificate request to a server page or web folder, the "
                    + "ProxyShell way of planting a web shell with Exchange's own file writer; " + fileNote
                    + ". Check who ran it (AuthenticatedUser), the Mailbox Import Export role grant before it and the clean-up after it.",
                pivots: [.mailboxExportPath: webPaths, .stage: ["web shell"]]).listing(listed))
        } else if !state.steps.isEmpty {
            findings.append(Finding(
                checkId: id, title: "Mailbox Import Export role granted or export requests removed", severity: .info, verdict: .informational,
                cves: [], attack: ["T1098", "T1114.002"], evidence: [],
                explanation: "the steps around a mailbox export, without an export to a web page in these logs; confirm the administrator meant them",
                pivots: [:]).listing(state.steps))
        }
        if !state.ordinary.isEmpty {
            findings.append(Finding(
                checkId: id, title: "Mailbox exported to a file", severity: .info, verdict: .informational, cves: [], attack: ["T1114.002"],
                evidence: [], explanation: "mailbox exports to an ordinary path (not a web page): data leaves the mailbox; confirm they were wanted",
                pivots: [.mailboxExportPath: state.otherPaths.sorted()]).listing(state.ordinary))
        }
        return CheckOutput(findings: findings)
    }

    /// The value after `option` in a cmdlet's logged parameters (`-FilePath "\\x\y.aspx"`,
    /// `-FilePath:'...'` or unquoted), or nil.
    static func argument(_ option: String, in parameters: String) -> String? {
        guard let range = parameters.range(of: option, options: .caseInsensitive) else { return nil }
        var rest = parameters[range.upperBound...]
        guard rest.first.map({ $0 == " " || $0 == ":" || $0 == "=" }) ?? false else { return nil }
        while let first = rest.first, first == " " || first == ":" || first == "=" { rest.removeFirst() }
        guard let first = rest.first else { return nil }
        if first == "\"" || first == "'" {
            let body = rest.dropFirst()
            let end = body.firstIndex(of: first) ?? body.endIndex
            let value = String(body[..<end])
            return value.isEmpty ? nil : value
        }
        let end = rest.firstIndex(of: " ") ?? rest.endIndex
        return String(rest[..<end])
    }

    /// Whether a written path is a server page or lies in a folder IIS serves.
    static func isWebTarget(_ path: String) -> Bool {
        let folded = path.lowercased().replacingOccurrences(of: "/", with: "\\")
        return pageExtensions.contains { folded.hasSuffix($0) } || webFolders.contains { folded.contains($0) }
    }

    /// `\\127.0.0.1\c$\x` or `\\localhost\c$\x` → `c:\x`; other paths unchanged.
    static func localPath(_ path: String) -> String {
        let folded = path.replacingOccurrences(of: "/", with: "\\")
        for host in ["\\\\127.0.0.1\\", "\\\\localhost\\", "\\\\::1\\"] where folded.lowercased().hasPrefix(host) {
            let rest = folded.dropFirst(host.count)
            if let dollar = rest.firstIndex(of: "$"), rest.distance(from: rest.startIndex, to: dollar) == 1 {
                return String(rest[rest.startIndex]) + ":" + rest[rest.index(after: dollar)...]
            }
        }
        return path
    }
}
