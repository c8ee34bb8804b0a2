import ExTriageCore

/// Patching is not cleaning: when the logs show the server taking a CVE's fix (a build without
/// it, then a build with it), what was done before that date stayed. Exploitation of the CVE
/// (a finding for it at `attempt` or above) or a web shell (its file time or first request)
/// from before the patch says so, on the finding, in the CVE's reason and in the verdict note.
struct PatchNotes {
    /// A fix the logs show being applied.
    struct Patch {
        var time: Timestamp
        var build: ExchangeBuild
        var fixName: String
    }

    /// Per CVE, when the logs first show a build with its fix after a build without it.
    let patches: [String: Patch]
    let facts: BundleFacts?

    init(builds: BuildHistory?, facts: BundleFacts? = nil) {
        var patches: [String: Patch] = [:]
        for fix in builds?.table.fixes ?? [] {
            for cve in fix.cves {
                guard let patched = builds?.patchedDuringLogs(cve) else { continue }
                patches[cve] = Patch(time: patched.time, build: patched.build, fixName: fix.name)
            }
        }
        self.patches = patches
        self.facts = facts
    }

    /// The patch date of every CVE the logs show being fixed.
    var patchedAt: [String: Timestamp] { patches.mapValues(\.time) }

    static func day(_ time: Timestamp) -> String { String(time.iso8601.prefix(10)) }

    static func text(_ patch: Patch) -> String {
        "exploited before the patch of \(day(patch.time)): patching did not remove what was left"
    }

    /// What predates a patch: the findings with their notes, per CVE the patch it was exploited
    /// before, and the patches web shells without a CVE predate.
    struct Result {
        var findings: [Finding]
        var exploitedBefore: [String: Patch] = [:]
        var webShellsBefore: [Patch] = []

        /// The sentence for the verdict note; nil when nothing predates a patch.
        var verdictSentence: String? { PatchNotes.verdictSentence(exploitedBefore, webShellPatches: webShellsBefore) }
    }

    /// `findings` with a note on each one whose action predates a patch it is judged against.
    func annotate(_ findings: [Finding]) -> Result {
        var result = Result(findings: findings)
        guard !patches.isEmpty else { return result }
        result.findings = findings.map { finding -> Finding in
            var out = finding
            for (cve, patch) in relevantPatches(finding) {
                guard let time = actionTime(finding), time < patch.time else { continue }
                if let cve { result.exploitedBefore[cve] = patch } else { result.webShellsBefore.append(patch) }
                out.addNote(PatchNotes.text(patch) + " (\(patch.fixName), build \(patch.build) first logged \(patch.time.iso8601))")
            }
            return out
        }
        return result
    }

    /// The patches a finding is judged against: its CVEs' for exploitation findings; for a web
    /// shell without a CVE, every patch (nil CVE), once per date.
    func relevantPatches(_ finding: Finding) -> [(String?, Patch)] {
        let ownCVEs = finding.cves.sorted().compactMap { cve in patches[cve].map { (Optional(cve), $0) } }
        if isWebShell(finding) {
            guard ownCVEs.isEmpty else { return ownCVEs }
            var seen: Set<String> = []
            return patches.values.sorted { ($0.time, $0.fixName) < ($1.time, $1.fixName) }
                .filter { seen.insert(PatchNotes.day($0.time)).inserted }.map { (nil, $0) }
        }
        return finding.verdict >= .attempt ? ownCVEs : []
    }

    func isWebShell(_ finding: Finding) -> Bool {
        finding.usage != nil && (finding.pivots[.stage] ?? []).contains(AttackStage.webShell.rawValue)
    }

    /// When the finding's action happened: a web shell's file time ($FILE_NAME creation where
    /// known, else its own creation or modification time) or first request, whichever is first;
    /// otherwise its first evidence time.
    func actionTime(_ finding: Finding) -> Timestamp? {
        guard isWebShell(finding) else { return finding.firstSeen }
        let entry = finding.evidence.first.flatMap { item in facts?.filesByFoldedPath[item.originalPath.lowercased()] }
        let fileTime = entry.flatMap { $0.fileNameTimes?.created ?? $0.created ?? $0.modified }
        return [fileTime, finding.usage?.first, finding.firstSeen].compactMap { $0 }.min()
    }

    /// The sentence the verdict note carries for CVEs (and web shells) that predate their patch.
    static func verdictSentence(_ exploited: [String: Patch], webShellPatches: [Patch]) -> String? {
        var byDay: [String: [String]] = [:]
        for (cve, patch) in exploited { byDay[day(patch.time), default: []].append(cve) }
        for patch in webShellPatches where byDay[day(patch.time)] == nil { byDay[day(patch.time)] = [] }
        guard !byDay.isEmpty else { return nil }
        return byDay.keys.sorted().map { date in
            let cves = (byDay[date] ?? []).sorted()
            return (cves.isEmpty ? "a web shell was left" : cves.joined(separator: ", ") + " exploited")
                + " before the patch of \(date): patching did not remove what was left"
        }.joined(separator: "; ")
    }
}
