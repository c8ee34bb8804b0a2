import EvidenceBundle
import ExTriageCore

/// Web-shell content: every web file under the web roots (and compiled pages in `Temporary
/// ASP.NET Files`) is scanned with the YARA rules as it streams past, from memory, on worker
/// threads. One finding per file with a rule match, merging its matches, its location verdicts,
/// its hashes and times, and the requests to it in the logs (`WebShellScoring`, with the
/// `WebShellRequests` exhibit of `EXT-C12`, whose findings for those files it supersedes).
///
/// A member is held up to the size cap; beyond it, the first cap bytes are scanned and the
/// file is reported as scanned partially. References: EXCHANGE-ARTIFACTS.md C10, C11, C12.
struct WebShellContentCheck: Check {
    let id: CheckID = "EXT-C10"
    let title = "Web-shell content (YARA rules)"
    let options: WebShellScanOptions
    let input: CheckInput

    init(options: WebShellScanOptions) {
        self.options = options
        let selection = WebFileSelection(options.locations)
        // Without rules nothing is scanned: the files are counted, their bytes not held.
        input = .memberContent(MemberSelector(limit: options.rules == nil ? 0 : options.sizeCap) { selection.wants($0) })
    }

    struct State {
        let pool: YaraScanPool?
        /// Why nothing is scanned, when `pool` is nil.
        let problem: String?
        var wanted = 0
    }

    func makeState() -> State {
        guard let rules = options.rules else {
            return State(pool: nil, problem: options.rulesProblem ?? "no YARA rules were loaded")
        }
        do {
            return State(pool: try YaraScanPool(rules: rules, workers: options.workers, timeoutSeconds: options.timeoutSeconds), problem: nil)
        } catch {
            return State(pool: nil, problem: "\(error)")
        }
    }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .content(let content) = observation else { return }
        state.wanted += 1
        guard let pool = state.pool else { return }
        let externals = content.head.withUnsafeBytes { head in
            YaraExternals(volume: content.member.volume, sourcePath: content.member.sourcePath, head: UnsafeRawBufferPointer(rebasing: head.prefix(8)))
        }
        let file = ScannedWebFile(member: content.member, scannedBytes: content.head.count, memberBytes: content.size, outcome: .scanned([]))
        pool.submit(content.head, externals: externals, tag: file, fuzzyHashMatches: true)
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        guard let rules = options.rules, let pool = state.pool else {
            return CheckOutput(findings: [], coverage: CoverageNote(
                status: .failed, reason: "not scanned: \(state.problem ?? "no rules"); \(state.wanted) web file(s) not scanned",
                members: 0, records: 0))
        }
        var scans: [String: ScannedWebFile] = [:]
        for result in pool.drain(ScannedWebFile.self) {
            var file = result.tag
            file.outcome = result.outcome
            file.fuzzyHash = result.fuzzyHash
            scans[file.member.member] = file
        }
        let facts = context.facts
        let scoring = WebShellScoring(list: options.locations, context: context)
        let files = scans.values.filter { !$0.outcome.matches.isEmpty }.sorted { $0.member.member < $1.member.member }
        // Grouped as made (`FindingSink`): thousands of matching files hold about a thousand findings.
        var findings = FindingSink()
        var requested = scoring.supersession(of: []), stomped = scoring.stompSupersession(of: [])
        for file in files {
            let finding = scoring.finding(checkId: id, member: file.member, scan: file)
            requested.values.formUnion(scoring.supersession(of: [finding]).values)
            stomped.values.formUnion(scoring.stompSupersession(of: [finding]).values)
            findings.append(finding)
        }
        let collectedInPart = scans.values.compactMap { scan in
            facts.filesByFoldedPath[scan.member.sourcePath.lowercased()]?.status == .partial ? scan.member.sourcePath : nil
        }.sorted()
        return CheckOutput(findings: findings.findings, coverage: coverage(Array(scans.values), rules: rules, collectedInPart: collectedInPart),
                           exhibits: [WebFileScans(byMember: scans)], supersedes: [requested, stomped])
    }

    func coverage(_ scans: [ScannedWebFile], rules: YaraRules, collectedInPart: [String]) -> CoverageNote {
        let partial = scans.filter(\.partial)
        let timedOut = scans.filter { if case .timedOut = $0.outcome { return true } else { return false } }
        let failed = scans.filter { if case .failed = $0.outcome { return true } else { return false } }
        var reason = "\(scans.count) web file(s) scanned with \(rules.ruleCount) rules from \(rules.files.count) file(s)"
        if !partial.isEmpty {
            reason += "; \(partial.count) scanned partially (first \(ByteCount.format(UInt64(options.sizeCap))) only): "
                + partial.prefix(5).map(\.member.sourcePath).joined(separator: ", ")
        }
        if !collectedInPart.isEmpty {
            reason += "; \(collectedInPart.count) collected only in part (head stored), scanned over what was stored: "
                + collectedInPart.prefix(5).joined(separator: ", ")
        }
        if !timedOut.isEmpty {
            reason += "; \(timedOut.count) timed out after \(options.timeoutSeconds) s (partial result): "
                + timedOut.prefix(5).map(\.member.sourcePath).joined(separator: ", ")
        }
        if !failed.isEmpty {
            reason += "; \(failed.count) not scanned (libyara error): " + failed.prefix(5).map(\.member.sourcePath).joined(separator: ", ")
        }
        let skipped = rules.skipped.map { problem in
            CoverageRow(checkId: id, title: "YARA rule file skipped", status: .failed, reason: "does not compile, left out: \(problem)")
        }
        return CoverageNote(status: .ran, reason: reason, members: scans.count, records: scans.count - partial.count - failed.count,
                            malformed: failed.count + timedOut.count, extraRows: skipped)
    }
}
