import ExTriageCore

/// CVE-2021-26858: OAB downloads written outside `<exch>\ClientAccess\OAB\`.
///
/// Each `Download failed and temporary file '<path>' needs to be removed` message is compared,
/// case-insensitively and with the image's real install path, with the OAB folder. A path
/// outside it, a UNC path or a web-script extension is `likely`; `confirmed` when that file is in
/// the bundle under a web root or with a script extension. Random temp files inside
/// `ClientAccess\OAB\Temp` are normal (CSS-Exchange #320); non-default install paths are normal (#495).
/// References: EXCHANGE-ARTIFACTS.md C07; Test-ProxyLogon.
struct OABGeneratorWriteCheck: Check {
    let id: CheckID = "EXT-C07"
    let title = "CVE-2021-26858 file write by the OAB generator"
    let input = CheckInput.logRecords(LogSelector(needles: ["download failed and temporary file"], families: { $0 == .oabGenerator }))
    let assesses = Assessment(cves: ["CVE-2021-26858"])
    /// Download failures kept; a server with a broken OAB logs one every few minutes for months.
    static let maximumWrites = 100_000

    static let scriptExtensions = [".aspx", ".asmx", ".ashx", ".asax", ".js", ".php", ".jsp", ".cfm", ".shtml", ".asp"]
    static let webRoots = ["inetpub/wwwroot/", "/frontend/httpproxy/", "/clientaccess/"]

    struct State {
        var writes: [(Evidence, String)] = []
        var omitted = 0
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .logRecord(let record, _, let member) = observation,
              let path = OABGeneratorMessage.downloadFailurePath(record.raw) else { return }
        guard state.writes.count < Self.maximumWrites else {
            state.omitted += 1
            return
        }
        state.writes.append((member.evidence(record), path))
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        let facts = context.facts
        let oabFolder = ((facts.exchangeInstallPath ?? "program files/microsoft/exchange server/v15") + "/ClientAccess/OAB/").lowercased()
        var confirmed = EvidenceList(), likely = EvidenceList()
        var targets: [String] = []
        for (evidence, path) in state.writes {
            let relative = WindowsPath.volumeRelative(path).lowercased()
            let unc = WindowsPath.isUNC(path)
            let script = OABGeneratorWriteCheck.scriptExtensions.contains { relative.hasSuffix($0) }
            guard unc || script || !relative.hasPrefix(oabFolder) else { continue }
            if targets.count < 100 { targets.append(path) }
            let inWebRoot = OABGeneratorWriteCheck.webRoots.contains { relative.contains($0) } || relative.hasPrefix("inetpub/")
            if let entry = facts.entry(forWindowsPath: path), inWebRoot || script {
                var linked = evidence
                linked.excerpt += " | in the bundle: \(entry.path) (sha256 \(entry.sha256))"
                confirmed.append(linked)
            } else {
                likely.append(evidence)
            }
        }
        var findings: [Finding] = []
        let pivots: [PivotKey: [String]] = [.shellPath: targets, .stage: [AttackStage.oabFileWrite.rawValue]]
        if !confirmed.isEmpty {
            findings.append(Finding(checkId: id, title: "OAB generator wrote a web file that is on the server", severity: .critical, verdict: .confirmed,
                                    cves: ["CVE-2021-26858"], attack: ["T1190", "T1505.003"], evidence: [],
                                    explanation: "the OAB generator was made to write outside its folder, and the written file is in the bundle in a web-reachable place",
                                    pivots: pivots).listing(confirmed))
        }
        if !likely.isEmpty {
            findings.append(Finding(checkId: id, title: "OAB generator wrote outside the OAB folder", severity: .high, verdict: .likely,
                                    cves: ["CVE-2021-26858"], attack: ["T1190", "T1505.003"], evidence: [],
                                    explanation: "download targets outside ClientAccess\\OAB, UNC paths or script files: the file may have been removed since"
                                        + (state.omitted > 0 ? "; \(state.omitted) more download failures not examined" : ""),
                                    pivots: pivots).listing(likely))
        }
        return CheckOutput(findings: findings)
    }
}
