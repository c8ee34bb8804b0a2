import ExTriageCore

/// WinRM authentications (WinRM/Operational 169, logged by the receiving service) with an account
/// local to this machine (`<this computer>\user`, `.\user`) by NTLM, Negotiate or Basic
/// (T1021.006, T1550.002). An Exchange server is a domain member that admins reach with domain
/// accounts over Kerberos; a remote PowerShell session as a machine-local account is how a
/// stolen local administrator password or hash is used (evil-winrm, CrackMapExec `winrm`,
/// `Enter-PSSession -Credential host\admin`), so it is `attempt`. Domain accounts are context
/// only (EVT-LM-REMOTE-SESSION).
struct WinRMLocalAccountCheck: Check {
    let id: CheckID = "EVT-LM-WINRM-LOCAL-ACCOUNT"
    let title = "WinRM session authenticated with a machine-local account (169)"
    let input = CheckInput.events(EventSelector(eventIDs: [169], channels: ["microsoft-windows-winrm/operational"]))

    func makeState() -> EventMatches { EventMatches() }

    func observe(_ observation: Observation, into matches: inout EventMatches) {
        guard case .event(let record, let source) = observation, record.provider.lowercased() == "microsoft-windows-winrm",
              let user = record.value("username"), Self.isLocalAccount(user, computer: record.computer) else { return }
        let mechanism = (record.value("authenticationMechanism") ?? "").trimmedSpaces.lowercased()
        guard mechanism != "kerberos" else { return }
        var evidence = record.evidence(from: source, matched: ["username", "authenticationMechanism"])
        evidence.details?["Reason"] = "a WinRM session authenticated as an account of this machine, not of the domain"
        matches.add(.attempt, evidence)
        matches.pivot("account", user)
        matches.pivot(.computer, record.computer)
    }

    /// `EXCH01\admin` on `EXCH01.corp.local`, `.\admin`, `localhost\admin`: the account's domain is the machine.
    static func isLocalAccount(_ user: String, computer: String) -> Bool {
        let text = user.trimmedSpaces
        guard let slash = text.firstIndex(of: "\\") else { return false }
        let domain = text[..<slash].lowercased()
        let machine = computer.split(separator: ".").first.map { $0.lowercased() } ?? ""
        return domain == "." || domain == "localhost" || (!machine.isEmpty && domain == machine)
    }

    func finish(_ matches: inout EventMatches, in context: FinishContext) -> CheckOutput {
        CheckOutput(findings: matches.findings(
            checkId: id, title: title, severity: .high, attack: ["T1021.006", "T1550.002"], category: FindingCategory.lateralMovement,
            explanation: "Someone opened a WinRM (remote PowerShell) session on this server with one of its local accounts rather "
                + "than a domain account: the way a dumped local administrator password or hash is reused. Find the source in "
                + "Security 4624 (type 3, same account and time) and what ran under wsmprovhost.exe."))
    }
}
