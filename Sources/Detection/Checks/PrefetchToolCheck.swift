import ExTriageCore
import Prefetch

/// Post-exploitation tools that ran, from prefetch (`Windows/Prefetch/*.pf`, read with libscca):
/// credential dumpers (`likely`), dual-use dumpers such as ProcDump or SQLDumper and remote
/// execution clients (`attempt`, `likely` when run from a temp, web, ProgramData or public folder),
/// remote execution services (PSEXESVC: `likely`), rundll32 loading comsvcs.dll (the MiniDump
/// one-liner: `likely`) and archivers run from such folders (`likely`; from Program Files they stay
/// quiet). Evidence: the .pf member, run count, last run times and the program's own path.
/// A file libscca cannot read (cut short, unknown format) is recorded in the coverage row.
/// References: EXCHANGE-ARTIFACTS.md C13, C15; MITRE T1003.001, T1569.002, T1560.001; libyal
/// "Windows Prefetch File (PF) format".
struct PrefetchToolCheck: Check {
    let id: CheckID = "HOST-PREFETCH-TOOLS"
    let title = "Credential dumping, remote execution or staging tools executed (prefetch)"
    /// Prefetch files are small (tens of KiB); this leaves room for the largest.
    static let headLimit = 8 << 20
    let input = CheckInput.memberContent(MemberSelector(limit: PrefetchToolCheck.headLimit) { member in
        member.fileExtension == "pf" && member.sourcePath.lowercased().contains("/prefetch/")
    })
    let rules: ExecutionRules

    struct State {
        var matches: [String: EventMatches] = [:]
        var attack: [String: Set<String>] = [:]
        var read = 0
        var problems: [String] = []
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .content(let content) = observation else { return }
        let file: PrefetchFile
        do { file = try PrefetchFile(bytes: content.head, name: content.member.sourcePath) } catch {
            if state.problems.count < 50 {
                state.problems.append("\(content.member.sourcePath): \((error as? ExTriageError)?.message ?? String(describing: error))")
            }
            return
        }
        state.read += 1
        guard let (verdict, kind, attack, category) = judge(file) else { return }
        let path = ownPath(file)
        let runs = file.lastRuns.map(\.description)
        let excerpt = "\(file.executable) ran \(file.runCount) time(s), last \(runs.joined(separator: ", "))"
            + (path.map { " from \($0)" } ?? "")
        var details = ["Executable": file.executable, "RunCount": String(file.runCount), "LastRuns": runs.joined(separator: ", "),
                       "Tool": kind, "FormatVersion": String(file.formatVersion)]
        if let path { details["Path"] = path }
        let evidence = Evidence(member: content.member.member, originalPath: content.member.sourcePath, timestamp: file.lastRuns.first,
                                excerpt: excerpt, sha256: "", details: details)
        state.matches[category, default: EventMatches()].add(verdict, evidence)
        state.matches[category, default: EventMatches()].pivot("executable", file.executable.lowercased())
        state.attack[category, default: []].insert(attack)
    }

    /// The tier, tool kind, ATT&CK id and category for a program, or nil when it is not one of the tools.
    func judge(_ file: PrefetchFile) -> (Verdict, String, String, String)? {
        let name = file.executable.lowercased()
        if name == "rundll32.exe",
           file.loadedFiles.contains(where: { loaded in rules.rundll32DumpDlls.contains { loaded.lowercased().hasSuffix("\\" + $0) } }) {
            return (.likely, "rundll32 loading comsvcs.dll (MiniDump)", "T1003.001", FindingCategory.credentialAccess)
        }
        return rules.judge(executable: name, path: ownPath(file)).map { ($0.verdict, $0.kind, $0.attack, $0.category) }
    }

    /// The program's own path among the files it loaded, without the `\VOLUME{...}` prefix.
    func ownPath(_ file: PrefetchFile) -> String? {
        let suffix = "\\" + file.executable.lowercased()
        guard let own = file.loadedFiles.first(where: { $0.lowercased().hasSuffix(suffix) }) else { return nil }
        if own.hasPrefix("\\"), let end = own.dropFirst().firstIndex(of: "\\"), own.uppercased().hasPrefix("\\VOLUME{") || own.uppercased().hasPrefix("\\DEVICE\\") {
            let rest = own[end...]
            if own.uppercased().hasPrefix("\\DEVICE\\"), let next = rest.dropFirst().firstIndex(of: "\\") { return String(rest[next...]) }
            return String(rest)
        }
        return own
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        let findings = state.matches.keys.sorted().flatMap { category in
            (state.matches[category] ?? EventMatches()).findings(
                checkId: id, title: title, severity: .high, attack: (state.attack[category] ?? []).sorted(), category: category,
                explanation: "Windows wrote a prefetch file for this program, so it ran on this host, as often and as lately as the file "
                    + "says (up to eight run times). Dump tools and rundll32+comsvcs mean LSASS memory was likely taken; PSEXESVC means "
                    + "PsExec ran commands here from another host. Find the dump or archive it wrote around those times.")
        }
        if state.read == 0, state.problems.isEmpty {
            return CheckOutput(findings: [], coverage: CoverageNote(
                status: .notApplicable, reason: "no prefetch file in the bundle (Windows Server turns prefetch off by default)"))
        }
        let reason = state.problems.isEmpty ? nil
            : "\(state.problems.count) prefetch file(s) unreadable: " + state.problems.prefix(5).joined(separator: "; ")
        return CheckOutput(findings: findings, coverage: CoverageNote(reason: reason, records: state.read,
                                                                     malformed: state.problems.isEmpty ? nil : state.problems.count))
    }
}
