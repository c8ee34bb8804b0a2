import ExTriageCore

/// The Exchange build from `Bin\ExSetup.exe`'s version resource (its file version carries the
/// installed security update), compared with the fixed builds in `exchange-builds.yaml`: the
/// build posture when the logs' headers are missing or aged out. Always `informational`: a build
/// never proves compromise. A version resource that does not name Microsoft Corporation is said in
/// the explanation (a replaced binary). References: EXCHANGE-ARTIFACTS.md C02; Microsoft,
/// "Exchange Server build numbers and release dates" (Get-Command ExSetup.exe | ForEach
/// {$_.FileVersionInfo}).
struct ExSetupVersionCheck: Check {
    let id: CheckID = "EXT-EXSETUP-VERSION"
    let title = "Exchange build from Bin\\ExSetup.exe's version resource"
    static let headLimit = 64 << 20
    let input = CheckInput.memberContent(MemberSelector(limit: ExSetupVersionCheck.headLimit) { member in
        member.sourcePath.lowercased().hasSuffix("/bin/exsetup.exe")
    })
    let builds: BuildTable

    struct State {
        var read: [(member: MemberInfo, version: PEVersionInfo)] = []
        var unreadable: [String] = []
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .content(let content) = observation else { return }
        if let version = PEVersionInfo(content.head) {
            state.read.append((content.member, version))
        } else if state.unreadable.count < 10 {
            state.unreadable.append(content.member.sourcePath + (content.isPartial ? " (read in part)" : ""))
        }
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        let findings = state.read.compactMap { member, version -> Finding? in
            guard let build = ExchangeBuild(version.fileVersion), build.major > 0 else { return nil }
            let status = builds.status(of: build)
            let vulnerable = status.filter { !$0.patched }
            let company = version.strings["CompanyName"] ?? ""
            let excerpt = "FileVersion \(version.fileVersion)" + (company.isEmpty ? "" : ", CompanyName \(company)")
            let evidence = Evidence(member: member.member, originalPath: member.sourcePath, timestamp: nil, excerpt: excerpt, sha256: "",
                                    details: version.strings.filter { ["CompanyName", "FileVersion", "ProductVersion", "OriginalFilename"].contains($0.key) })
            let explanation = (vulnerable.isEmpty
                ? "build \(build) has the fixes for: \(status.map(\.name).joined(separator: ", "))"
                : "build \(build) lacks: " + vulnerable.map { "\($0.name) (\($0.cves.joined(separator: ", ")))" }.joined(separator: "; "))
                + (version.namesMicrosoft ? "" : "; the version resource does not name Microsoft Corporation: compare the file's hash and signature with Microsoft's")
            return Finding(checkId: id, title: "Exchange build \(build) from ExSetup.exe \(vulnerable.isEmpty ? "patched" : "vulnerable")", severity: .info,
                           verdict: .informational, cves: vulnerable.flatMap(\.cves), evidence: [evidence], explanation: explanation,
                           pivots: [.build: [build.description]])
        }
        let reason = state.unreadable.isEmpty ? nil : "no readable version resource in " + state.unreadable.joined(separator: ", ")
        return CheckOutput(findings: findings, coverage: CoverageNote(reason: reason, malformed: state.unreadable.isEmpty ? nil : state.unreadable.count))
    }
}
