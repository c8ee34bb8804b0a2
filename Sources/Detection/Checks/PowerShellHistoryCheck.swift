import ExTriageCore

/// Attacker commands in PowerShell's PSReadLine history (`ConsoleHost_history.txt`, one file per
/// user and host), which survives event-log clearing: LSASS and hive dumping (comsvcs
/// `MiniDump`, ProcDump on lsass, Mimikatz, `reg save` of SAM/SECURITY, `ntdsutil ... ifm`) and
/// a mailbox export written to a web page (ProxyShell's web-shell drop) are `likely`; clearing
/// event logs is `informational` (administrators do it too). The file has no times: each line
/// is evidence by number. An administrator's Exchange and Get-* commands stay quiet.
/// References: EXCHANGE-ARTIFACTS.md C13; MITRE T1003.001, T1003.002, T1505.003, T1070.001.
struct PowerShellHistoryCheck: Check {
    let id: CheckID = "HOST-PS-HISTORY"
    let title = "Credential dumping, web-page mailbox exports and log clearing in PowerShell history"
    /// History files are small; a longer one is read over its head and said to be partial.
    static let headLimit = 4 << 20
    let input = CheckInput.memberContent(MemberSelector(limit: PowerShellHistoryCheck.headLimit) { member in
        member.sourcePath.lowercased().hasSuffix("/psreadline/consolehost_history.txt")
    })

    /// One technique: every `all` substring on one line (lower-cased) makes it match.
    struct Technique {
        var all: [String]
        var verdict: Verdict
        var name: String
        var attack: String
        var category: String
    }

    static let techniques: [Technique] = [
        Technique(all: ["comsvcs", "minidump"], verdict: .likely, name: "comsvcs.dll MiniDump", attack: "T1003.001",
                  category: FindingCategory.credentialAccess),
        Technique(all: ["procdump", "lsass"], verdict: .likely, name: "ProcDump of LSASS", attack: "T1003.001",
                  category: FindingCategory.credentialAccess),
        Technique(all: ["sekurlsa::"], verdict: .likely, name: "Mimikatz", attack: "T1003.001", category: FindingCategory.credentialAccess),
        Technique(all: ["invoke-mimikatz"], verdict: .likely, name: "Mimikatz", attack: "T1003.001", category: FindingCategory.credentialAccess),
        Technique(all: ["reg", "save", "hklm\\sam"], verdict: .likely, name: "SAM hive saved", attack: "T1003.002",
                  category: FindingCategory.credentialAccess),
        Technique(all: ["reg", "save", "hklm\\security"], verdict: .likely, name: "SECURITY hive saved", attack: "T1003.002",
                  category: FindingCategory.credentialAccess),
        Technique(all: ["ntdsutil", "ifm"], verdict: .likely, name: "NTDS.dit copied with ntdsutil", attack: "T1003.003",
                  category: FindingCategory.credentialAccess),
        Technique(all: ["new-mailboxexportrequest", ".aspx"], verdict: .likely, name: "mailbox exported to a web page (ProxyShell drop)",
                  attack: "T1505.003", category: FindingCategory.exchange),
        Technique(all: ["wevtutil", " cl "], verdict: .informational, name: "event log cleared", attack: "T1070.001",
                  category: FindingCategory.antiForensics),
        Technique(all: ["clear-eventlog"], verdict: .informational, name: "event log cleared", attack: "T1070.001",
                  category: FindingCategory.antiForensics),
    ]

    /// Matching lines per technique index; files read in part.
    struct State {
        var matches: [Int: EvidenceList] = [:]
        var partial: [String] = []
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .content(let content) = observation else { return }
        if content.isPartial { state.partial.append(content.member.sourcePath) }
        // Bytes, not Characters: "\r\n" is one Character and would hide the line ends.
        for (number, bytes) in content.head.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let line = String(decoding: bytes.last == 0x0D ? bytes.dropLast() : bytes, as: UTF8.self)
            let folded = " " + line.lowercased() + " "
            guard let index = Self.techniques.firstIndex(where: { $0.all.allSatisfy(folded.contains) }) else { continue }
            let evidence = Evidence(member: content.member.member, originalPath: content.member.sourcePath, line: number + 1, timestamp: nil,
                                    excerpt: line, sha256: "",
                                    details: ["Technique": Self.techniques[index].name])
            state.matches[index, default: EvidenceList()].append(evidence)
        }
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        var grouped: [Verdict: (evidence: EvidenceList, attack: Set<String>, category: String, names: Set<String>)] = [:]
        for (index, list) in state.matches.sorted(by: { $0.key < $1.key }) {
            let technique = Self.techniques[index]
            var group = grouped[technique.verdict] ?? (EvidenceList(), [], technique.category, [])
            for item in list.items { group.evidence.append(item) }
            group.attack.insert(technique.attack)
            group.names.insert(technique.name)
            grouped[technique.verdict] = group
        }
        let findings = grouped.keys.sorted(by: >).compactMap { verdict -> Finding? in
            guard let group = grouped[verdict] else { return nil }
            let names = group.names.sorted().joined(separator: ", ")
            return Finding(checkId: id, title: title, severity: verdict >= .likely ? .high : .info, verdict: verdict,
                           attack: group.attack.sorted(), evidence: [],
                           explanation: "PowerShell history holds \(names): commands typed on this host, in order, without times; "
                               + "find who ran them (the file's user folder) and when (the event logs, the dump or archive written)",
                           category: group.category)
                .listing(group.evidence)
        }
        let partial = state.partial.isEmpty ? nil
            : "\(state.partial.count) history file(s) read over their first \(ByteCount.format(UInt64(Self.headLimit))) only: "
                + state.partial.prefix(5).joined(separator: ", ")
        return CheckOutput(findings: findings, coverage: CoverageNote(reason: partial))
    }
}
