import EvidenceBundle
import ExTriageCore

/// Web-shell content: every web file under the web roots (and compiled pages in `Temporary
/// ASP.NET Files`) is scanned with the YARA rules as it streams past, from memory, on worker
/// threads. One finding per file with a rule match, merging its matches, its location verdicts,
/// its hashes and times, and the requests to it in the logs (`WebShellScoring`).
///
/// A member is buffered up to the size cap; beyond it, the first cap bytes are scanned and the
/// file is reported as scanned partially. References: EXCHANGE-ARTIFACTS.md C10, C11, C12.
final class WebShellContentCheck: MemberCheck {
    let id = "EXT-C10"
    let title = "Web-shell content (YARA rules)"
    let board: WebShellScanBoard
    private var current: MemberInfo?
    private var buffer: [UInt8] = []
    private var memberBytes = 0
    private var wanted = 0
    /// Scanned members the collector stored only in part (head of a file over its size cap).
    private var collectedInPart: [String] = []

    init(board: WebShellScanBoard) { self.board = board }

    func wants(_ member: MemberInfo) -> Bool {
        guard board.selection.wants(member) else { return false }
        wanted += 1
        return board.pool != nil
    }

    func begin(_ member: MemberInfo) {
        current = member
        buffer = []
        buffer.reserveCapacity(min(board.options.sizeCap, 64 << 10))
        memberBytes = 0
    }

    func consume(_ bytes: UnsafeRawBufferPointer) {
        memberBytes += bytes.count
        let room = board.options.sizeCap - buffer.count
        guard room > 0, let base = bytes.baseAddress else { return }
        // A typed view copies with memcpy; appending raw bytes one by one costs more than the scan.
        buffer.append(contentsOf: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: min(room, bytes.count)))
    }

    func end() {
        guard let member = current, let pool = board.pool else { return }
        let externals = buffer.withUnsafeBytes { head in
            YaraExternals(volume: member.volume, sourcePath: member.sourcePath, head: UnsafeRawBufferPointer(rebasing: head.prefix(8)))
        }
        let file = ScannedWebFile(member: member, scannedBytes: buffer.count, memberBytes: memberBytes, outcome: .scanned([]))
        pool.submit(buffer, externals: externals, tag: file)
        buffer = []
        current = nil
    }

    func finish(_ facts: BundleFacts, logFindings: [Finding]) -> [Finding] {
        let scans = board.results()
        collectedInPart = scans.values.compactMap { scan in
            facts.filesByFoldedPath[scan.member.sourcePath.lowercased()]?.status == .partial ? scan.member.sourcePath : nil
        }.sorted()
        let files = scans.values.filter { !$0.outcome.matches.isEmpty }.sorted { $0.member.member < $1.member.member }
        let scoring = WebShellScoring(board: board, facts: facts, logFindings: logFindings)
        return files.map { scoring.finding(checkId: id, member: $0.member, scan: $0) }
    }

    func supersedes(_ logFinding: Finding) -> Bool {
        WebShellScoring.absorbs(logFinding, board: board)
    }

    func coverage() -> [CoverageRow] {
        guard let rules = board.options.rules, board.pool != nil else {
            return [CoverageRow(checkId: id, title: title, status: .failed,
                                reason: "not scanned: \(board.problem ?? "no rules"); \(wanted) web file(s) not scanned")]
        }
        let scans = board.results().values
        let partial = scans.filter(\.partial)
        let timedOut = scans.filter { if case .timedOut = $0.outcome { return true } else { return false } }
        let failed = scans.filter { if case .failed = $0.outcome { return true } else { return false } }
        var reason = "\(scans.count) web file(s) scanned with \(rules.ruleCount) rules from \(rules.files.count) file(s)"
        if !partial.isEmpty {
            reason += "; \(partial.count) scanned partially (first \(ByteCount.format(UInt64(board.options.sizeCap))) only): "
                + partial.prefix(5).map(\.member.sourcePath).joined(separator: ", ")
        }
        if !collectedInPart.isEmpty {
            reason += "; \(collectedInPart.count) collected only in part (head stored), scanned over what was stored: "
                + collectedInPart.prefix(5).joined(separator: ", ")
        }
        if !timedOut.isEmpty {
            reason += "; \(timedOut.count) timed out after \(board.options.timeoutSeconds) s (partial result): "
                + timedOut.prefix(5).map(\.member.sourcePath).joined(separator: ", ")
        }
        if !failed.isEmpty {
            reason += "; \(failed.count) not scanned (libyara error): " + failed.prefix(5).map(\.member.sourcePath).joined(separator: ", ")
        }
        var rows = [CoverageRow(checkId: id, title: title, status: .ran, reason: reason, members: scans.count,
                                records: scans.count - partial.count - failed.count, malformed: failed.count + timedOut.count)]
        for problem in rules.skipped {
            rows.append(CoverageRow(checkId: id, title: "YARA rule file skipped", status: .failed,
                                    reason: "does not compile, left out: \(problem)"))
        }
        return rows
    }
}
