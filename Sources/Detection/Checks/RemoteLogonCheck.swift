import ExTriageCore

/// Logons that carry lateral-movement traits (EXCHANGE-ARTIFACTS.md C18, T1550.002/T1021.001):
/// type 9 `seclogo` (credentials injected for outgoing use, as `sekurlsa::pth` does), type 3
/// NTLM with key length 0 from a named account (pass-the-hash), and type 10 (RDP), graded by
/// whether the source address is public.
struct RemoteLogonCheck: Check {
    let id: CheckID = "EVT-LM-LOGON"
    let title = "Logon with pass-the-hash or remote-interactive traits (4624)"
    let input = CheckInput.events(EventSelector(eventIDs: [4624]))

    func makeState() -> EventMatches { EventMatches() }

    func observe(_ observation: Observation, into matches: inout EventMatches) {
        guard case .event(let record, let source) = observation else { return }
        let type = record.value("LogonType") ?? ""
        let process = (record.value("LogonProcessName") ?? "").trimmedSpaces.lowercased()
        let user = record.value("TargetUserName") ?? ""
        let address = record.value("IpAddress") ?? ""
        var verdict: Verdict?
        var reason = ""
        switch type {
        case "9" where process == "seclogo":
            verdict = .likely
            reason = "type 9 seclogo: new credentials injected for outgoing connections (pass-the-hash tools)"
        case "3" where process == "ntlmssp" && record.value("KeyLength") == "0" && user.uppercased() != "ANONYMOUS LOGON" && !user.hasSuffix("$"):
            verdict = .informational
            reason = "type 3 NTLM with key length 0 (pass-the-hash trait; also legitimate NTLM)"
        case "10":
            verdict = Self.isPublic(address) ? .likely : .informational
            reason = Self.isPublic(address) ? "RDP logon from a public address" : "RDP logon"
        default:
            break
        }
        guard let verdict else { return }
        var evidence = record.evidence(from: source, matched: ["LogonType", "LogonProcessName", "AuthenticationPackageName", "KeyLength",
                                                               "TargetUserName", "TargetDomainName", "IpAddress", "WorkstationName",
                                                               "TargetOutboundUserName", "ProcessName"])
        evidence.details?["Reason"] = reason
        matches.add(verdict, evidence)
        matches.pivot("account", user)
        matches.pivot("sourceIp", address)
        matches.pivot("computer", record.computer)
    }

    /// A routable address: not private, loopback, link-local or empty.
    static func isPublic(_ address: String) -> Bool {
        let text = address.trimmedSpaces
        guard !text.isEmpty, text != "-" else { return false }
        if text.contains(":") {
            let lower = text.lowercased()
            return !(lower == "::1" || lower.hasPrefix("fe80") || lower.hasPrefix("fc") || lower.hasPrefix("fd") || lower.hasPrefix("::ffff:10.")
                     || lower.hasPrefix("::ffff:192.168.") || lower.hasPrefix("::ffff:127."))
        }
        let parts = text.split(separator: ".").compactMap { Int($0) }
        guard parts.count == 4 else { return false }
        switch (parts[0], parts[1]) {
        case (10, _), (127, _), (0, _), (169, 254), (192, 168): return false
        case (172, let second) where (16...31).contains(second): return false
        case (100, let second) where (64...127).contains(second): return false
        default: return true
        }
    }

    func finish(_ matches: inout EventMatches, in context: FinishContext) -> CheckOutput {
        CheckOutput(findings: matches.findings(checkId: id, title: title, severity: .high, attack: ["T1550.002", "T1021.001", "T1078"],
                         category: FindingCategory.lateralMovement,
                         explanation: "Logons with the traits of pass-the-hash or remote desktop use. Exchange makes many ordinary network "
                             + "logons, so weigh them by account, source and time next to other findings."))
    }
}
