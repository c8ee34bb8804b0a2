import EvidenceBundle
import ExTriageCore

/// Web files in the wrong place, with a look-alike name, odd times or hidden attributes, from the
/// manifest alone (no content): anything in `aspnet_client`, `ecp/auth` except
/// `TimeoutLogoff.aspx`, `owa/auth` pages Exchange does not install, server pages among
/// `owa/auth` resources and in `OAB`. Files the content check already reported carry these
/// verdicts in that finding; this check reports the rest, one finding per file.
/// References: EXCHANGE-ARTIFACTS.md C09, C12; Profiles/rules/webshell-locations.yaml.
final class WebShellLocationCheck: MemberCheck {
    let id = "EXT-C09"
    let title = "Web-shell locations and allow-lists"
    let board: WebShellScanBoard
    private var examined = 0

    init(board: WebShellScanBoard) { self.board = board }

    /// Reads no bytes: the manifest says everything this check needs.
    func wants(_ member: MemberInfo) -> Bool { false }
    func begin(_ member: MemberInfo) {}
    func consume(_ bytes: UnsafeRawBufferPointer) {}
    func end() {}

    func finish(_ facts: BundleFacts, logFindings: [Finding]) -> [Finding] {
        let scans = board.results()
        let scoring = WebShellScoring(board: board, facts: facts, logFindings: logFindings)
        var findings: [Finding] = []
        for entry in facts.filesByFoldedPath.values.sorted(by: { $0.path < $1.path }) {
            guard let member = MemberInfo(member: entry.path) else { continue }
            examined += 1
            if let scan = scans[entry.path], !scan.outcome.matches.isEmpty { continue }
            let notes = scoring.locations.notes(for: entry)
            guard !notes.isEmpty else { continue }
            findings.append(scoring.finding(checkId: id, member: member, scan: scans[entry.path], notes: notes))
        }
        return findings
    }

    func supersedes(_ logFinding: Finding) -> Bool {
        WebShellScoring.absorbs(logFinding, board: board)
    }

    func coverage() -> [CoverageRow] {
        let zones = board.options.locations.zones.count
        guard zones > 0 else {
            return [CoverageRow(checkId: id, title: title, status: .failed,
                                reason: "the location list (Profiles/rules/webshell-locations.yaml) was not found; only names and times were judged",
                                members: examined)]
        }
        return [CoverageRow(checkId: id, title: title, status: .ran, reason: "\(examined) collected file(s) checked against \(zones) drop zones",
                            members: examined, records: examined)]
    }
}
