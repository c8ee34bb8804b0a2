import ExTriageCore

/// Exchange's own defences switched off through its cmdlets, from the `Rps_Cmdlet` and
/// `LocalPowerShell` cmdlet logs:
/// - AMSI integration: `New-SettingOverride -Component Cobalt -Section HttpRequestFiltering
///   -Parameters ("Enabled=False")` stops Exchange handing request bodies to the antimalware
///   scanner (what EXT-AMSI-BLOCKS shows at work);
/// - the Emergency Mitigation service: `Set-OrganizationConfig -MitigationsEnabled $false` (or
///   `Set-ExchangeServer -MitigationsEnabled $false` for one server) stops it applying
///   Microsoft's URL-rewrite mitigations.
/// Both are documented for troubleshooting, so a successful change is an `attempt` (defence
/// evasion until shown otherwise) and a failed one `informational`; turning them back on
/// (`Remove-SettingOverride`, `-MitigationsEnabled $true`) is listed as evidence of that finding.
/// References: Microsoft, "Exchange Server AMSI integration" (disable with New-SettingOverride),
/// "Exchange Emergency Mitigation (EM) service"; MITRE T1562.001.
struct ProtectionOffCmdletCheck: Check {
    let id: CheckID = "EXT-PROTECTION-OFF"
    let title = "Exchange AMSI integration or Emergency Mitigation service switched off (cmdlet logs)"
    let input = CheckInput.logRecords(LogSelector(needles: ["settingoverride", "mitigationsenabled"], families: MailboxExportCheck.reads))

    struct State {
        var amsiOff = EvidenceList(cap: 100)
        var amsiOffFailed = EvidenceList(cap: 100)
        var amsiOther = EvidenceList(cap: 100)
        var mitigationOff = EvidenceList(cap: 100)
        var mitigationOffFailed = EvidenceList(cap: 100)
        var mitigationOn = EvidenceList(cap: 100)
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .logRecord(let record, _, let member) = observation else { return }
        let cmdlet = (record.value("Cmdlet") ?? "").lowercased()
        let parameters = record.value("Parameters") ?? ""
        let folded = parameters.lowercased().filter { $0 != " " && $0 != "\"" && $0 != "'" }
        let succeeded = (record.value("ExecutionResult") ?? "Success").lowercased().hasPrefix("success")
        let evidence = member.evidence(record)
        switch cmdlet {
        case "new-settingoverride", "set-settingoverride":
            guard folded.contains("httprequestfiltering") else { return }
            if folded.contains("enabled=false") || folded.contains("enabled=0") {
                if succeeded { state.amsiOff.append(evidence) } else { state.amsiOffFailed.append(evidence) }
            } else {
                state.amsiOther.append(evidence)
            }
        case "remove-settingoverride":
            state.amsiOther.append(evidence)
        case "set-organizationconfig", "set-exchangeserver":
            guard let value = MailboxExportCheck.argument("-MitigationsEnabled", in: parameters)?.lowercased() else { return }
            if ["$false", "false", "0"].contains(value) {
                if succeeded { state.mitigationOff.append(evidence) } else { state.mitigationOffFailed.append(evidence) }
            } else {
                state.mitigationOn.append(evidence)
            }
        default:
            return
        }
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        var findings: [Finding] = []
        if let finding = switchedOff("AMSI integration", off: state.amsiOff, failed: state.amsiOffFailed, other: state.amsiOther,
                                     why: "Exchange stops handing request bodies to the antimalware scanner (AMSI), so the exploit payloads "
                                         + "it would have blocked (EXT-AMSI-BLOCKS) pass") {
            findings.append(finding)
        }
        if let finding = switchedOff("Emergency Mitigation service", off: state.mitigationOff, failed: state.mitigationOffFailed, other: state.mitigationOn,
                                     why: "Exchange stops applying Microsoft's emergency URL-rewrite mitigations (such as the ProxyNotShell one), "
                                         + "so requests they block reach the vulnerable code") {
            findings.append(finding)
        }
        return CheckOutput(findings: findings)
    }

    /// One finding per defence: `attempt` when it was switched off, `informational` when only a
    /// failed attempt is logged; changes that turn it back on are listed after.
    func switchedOff(_ what: String, off: EvidenceList, failed: EvidenceList, other: EvidenceList, why: String) -> Finding? {
        guard !off.isEmpty || !failed.isEmpty else { return nil }
        var listed = off.isEmpty ? failed : off
        if !off.isEmpty { for item in failed.items { listed.append(item) } }
        for item in other.items { listed.append(item) }
        let done = !off.isEmpty
        return Finding(checkId: id, title: done ? "Exchange \(what) switched off" : "Exchange \(what): a failed attempt to switch it off",
                       severity: done ? .medium : .info, verdict: done ? .attempt : .informational, attack: ["T1562.001"], evidence: [],
                       explanation: why + ". Administrators do this while troubleshooting, intruders before exploiting: check who ran it "
                           + "(AuthenticatedUser), when, and whether it was turned back on (listed after, if logged)",
                       category: FindingCategory.exchange).listing(listed)
    }
}
