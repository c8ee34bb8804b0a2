import EvidenceBundle
import ExTriageCore

/// Time-stomped web files and dropped binaries, from the `$STANDARD_INFORMATION` and
/// `$FILE_NAME` times an image collection records (`TimeStomp`).
///
/// Tiers: a server page (`.aspx`, `.ashx`, ...) under a web root (`inetpub/wwwroot`, Exchange's
/// `FrontEnd/HttpProxy` and `ClientAccess`) whose `$SI` creation was set back is `likely`: neither
/// IIS nor Exchange setup sets creation times, and backdating a page to match its neighbours is
/// how web shells are hidden (HAFNIUM, and the Exchange "ProxyShell" actors). Every other case
/// (a binary or script dropped outside the system and program folders, another web file, whole-
/// second `$SI` times alone) is `informational`: archive tools and copies set times too.
/// Web-shell findings for the same file carry the note and supersede the finding here when
/// they are at least as sure (`TimeStomps` exhibit).
/// References: EXCHANGE-ARTIFACTS.md C09 ("with $FN times"); MITRE ATT&CK T1070.006.
struct TimeStompCheck: Check {
    static let checkID: CheckID = "HOST-TIMESTOMP"
    let id = TimeStompCheck.checkID
    let title = "Time-stomped files ($STANDARD_INFORMATION before $FILE_NAME)"
    let input = CheckInput.manifest
    let locations: WebShellLocationList

    /// Which other files are compared, and the slack (`Profiles/rules/timestomp.yaml`).
    let rules: TimeStompRules

    func finish(_ state: inout Void, in context: FinishContext) -> CheckOutput {
        let selection = WebFileSelection(locations)
        let exchange = context.facts.exchangeInstallPath
        var stomps: [String: (stomp: TimeStomp, verdict: Verdict)] = [:]
        var findings: [Finding] = []
        var examined = 0
        for entry in context.facts.filesByFoldedPath.valuesByPath() where entry.stream == nil {
            guard entry.fileNameTimes != nil, let member = MemberInfo(member: entry.path) else { continue }
            let webFile = selection.wants(member)
            guard webFile || rules.isDroppedBinary(member) else { continue }
            examined += 1
            guard let stomp = TimeStomp(entry, slackSeconds: rules.slackSeconds) else { continue }
            let page = locations.scriptExtensions.contains(member.fileExtension)
                && !WebShellScoring.webPaths(of: entry.sourcePath, exchange: exchange).isEmpty
            let verdict: Verdict = page && stomp.backdated ? .likely : .informational
            stomps[entry.sourcePath.lowercased()] = (stomp, verdict)
            let name = entry.sourcePath.split(separator: "/").last.map(String.init) ?? entry.sourcePath
            findings.append(Finding(checkId: id, title: "Time-stomped file: \(name)", severity: verdict == .likely ? .high : .low,
                                    verdict: verdict, attack: ["T1070.006"], evidence: [stomp.evidence(for: entry)],
                                    explanation: stomp.text, pivots: [.filePath: [entry.sourcePath]], category: "anti-forensics"))
        }
        let coverage = CoverageNote(status: examined == 0 ? .notApplicable : .ran, reason: examined == 0
            ? "no web file or dropped binary with $FILE_NAME times (only image collections record them)"
            : "\(examined) web file(s) and dropped binaries with $FILE_NAME times compared", members: examined, records: examined)
        return CheckOutput(findings: findings, coverage: coverage, exhibits: [TimeStomps(byPath: stomps)])
    }
}
