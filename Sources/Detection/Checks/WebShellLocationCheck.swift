import EvidenceBundle
import ExTriageCore

/// Web files in the wrong place, with a look-alike name, odd times or hidden attributes, from the
/// manifest alone (no content): anything in `aspnet_client`, `ecp/auth` except
/// `TimeoutLogoff.aspx`, `owa/auth` pages Exchange does not install, server pages among
/// `owa/auth` resources and in `OAB`. Files the content check (`EXT-C10`, its `WebFileScans`
/// exhibit) already reported carry these verdicts in that finding; this check reports the rest,
/// one finding per file, with the requests to it (`WebShellRequests`).
/// References: EXCHANGE-ARTIFACTS.md C09, C12; Profiles/rules/webshell-locations.yaml.
struct WebShellLocationCheck: Check {
    let id: CheckID = "EXT-C09"
    let title = "Web-shell locations and allow-lists"
    let input = CheckInput.manifest
    let locations: WebShellLocationList

    func finish(_ state: inout Void, in context: FinishContext) -> CheckOutput {
        let scans = context.exhibit(WebFileScans.self)?.byMember ?? [:]
        let scoring = WebShellScoring(list: locations, context: context)
        // Grouped as made: one finding per file, but a drop zone of 100,000 files holds about a thousand.
        var findings = FindingSink()
        var requested = scoring.supersession(of: []), stomped = scoring.stompSupersession(of: [])
        var examined = 0
        for entry in context.facts.filesByFoldedPath.valuesByPath() {
            guard let member = MemberInfo(member: entry.path) else { continue }
            examined += 1
            if let scan = scans[entry.path], !scan.outcome.matches.isEmpty { continue }
            let notes = scoring.locations.notes(for: entry)
            guard !notes.isEmpty else { continue }
            let finding = scoring.finding(checkId: id, member: member, scan: scans[entry.path], notes: notes)
            requested.values.formUnion(scoring.supersession(of: [finding]).values)
            stomped.values.formUnion(scoring.stompSupersession(of: [finding]).values)
            findings.append(finding)
        }
        let zones = locations.zones.count
        let coverage = zones > 0
            ? CoverageNote(status: .ran, reason: "\(examined) collected file(s) checked against \(zones) drop zones", members: examined, records: examined)
            : CoverageNote(status: .failed,
                           reason: "the location list (Profiles/rules/webshell-locations.yaml) was not found; only names and times were judged",
                           members: examined, records: 0)
        return CheckOutput(findings: findings.findings, coverage: coverage, supersedes: [requested, stomped])
    }
}
