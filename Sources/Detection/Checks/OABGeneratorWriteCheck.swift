import ExTriageCore

/// CVE-2021-26858: OAB downloads written outside `<exch>\ClientAccess\OAB\`.
///
/// Each `Download failed and temporary file '<path>' needs to be removed` message is compared,
/// case-insensitively and with the image's real install path, with the OAB folder. A path
/// outside it, a UNC path or a web-script extension is `likely`; `confirmed` when that file is in
/// the bundle under a web root or with a script extension. Random temp files inside
/// `ClientAccess\OAB\Temp` are normal (CSS-Exchange #320); non-default install paths are normal (#495).
/// References: EXCHANGE-ARTIFACTS.md C07; Test-ProxyLogon.
final class OABGeneratorWriteCheck: LogCheck {
    let id = "EXT-C07"
    let title = "CVE-2021-26858 file write by the OAB generator"
    let needles: [[UInt8]]? = ByteSearch.needles(["download failed and temporary file"])

    static let scriptExtensions = [".aspx", ".asmx", ".ashx", ".asax", ".js", ".php", ".jsp", ".cfm", ".shtml", ".asp"]
    static let webRoots = ["inetpub/wwwroot/", "/frontend/httpproxy/", "/clientaccess/"]

    private var writes: [(Evidence, String)] = []

    func reads(_ family: LogFamily) -> Bool { family == .oabGenerator }

    func inspect(_ record: LogRecord, header: LogHeader, in member: MemberContext) {
        guard let path = OABGeneratorMessage.downloadFailurePath(record.raw) else { return }
        writes.append((member.evidence(line: record.line, timestamp: record.timestamp, excerpt: record.raw), path))
    }

    func finish(_ facts: BundleFacts) -> [Finding] {
        let oabFolder = ((facts.exchangeInstallPath ?? "program files/microsoft/exchange server/v15") + "/ClientAccess/OAB/").lowercased()
        var confirmed: [Evidence] = [], likely: [Evidence] = []
        var targets: [String] = []
        for (evidence, path) in writes {
            let relative = WindowsPath.volumeRelative(path).lowercased()
            let unc = WindowsPath.isUNC(path)
            let script = OABGeneratorWriteCheck.scriptExtensions.contains { relative.hasSuffix($0) }
            guard unc || script || !relative.hasPrefix(oabFolder) else { continue }
            targets.append(path)
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
        let pivots = ["shellPath": targets, "stage": ["OAB file write"]]
        if !confirmed.isEmpty {
            findings.append(Finding(checkId: id, title: "OAB generator wrote a web file that is on the server", severity: .critical, verdict: .confirmed,
                                    cves: ["CVE-2021-26858"], attack: ["T1190", "T1505.003"], evidence: confirmed,
                                    explanation: "the OAB generator was made to write outside its folder, and the written file is in the bundle in a web-reachable place",
                                    pivots: pivots))
        }
        if !likely.isEmpty {
            findings.append(Finding(checkId: id, title: "OAB generator wrote outside the OAB folder", severity: .high, verdict: .likely,
                                    cves: ["CVE-2021-26858"], attack: ["T1190", "T1505.003"], evidence: likely,
                                    explanation: "download targets outside ClientAccess\\OAB, UNC paths or script files: the file may have been removed since",
                                    pivots: pivots))
        }
        return findings
    }
}
