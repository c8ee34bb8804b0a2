import ExTriageCore
import WindowsRegistry

/// Post-exploitation tools in the ShimCache (SYSTEM `AppCompatCache`): the same tool lists and
/// tiers as prefetch (`Profiles/rules/host-execution.yaml`), which matters on servers where
/// prefetch is off. An entry says Windows looked at the file (on Windows 10 not proof it ran);
/// evidence is the entry's position (the cache is most recent first), path and the file's
/// last-modified time. References: MITRE T1003.001, T1569.002; Mandiant "Leveraging the
/// Application Compatibility Cache in Forensic Investigations".
struct ShimCacheToolCheck: Check {
    let id: CheckID = "HOST-SHIMCACHE-TOOLS"
    let title = "Credential dumping, remote execution or staging tools in the ShimCache (SYSTEM hive)"
    let input = CheckInput.memberContent(HiveKind.selector([.system]))
    let rules: ExecutionRules

    struct State {
        var reading = HiveReading()
        var matches: [String: EventMatches] = [:]
        var attack: [String: Set<String>] = [:]
        var problems: [String] = []
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .content(let content) = observation else { return }
        var found: [(Verdict, Evidence, String, String)] = []
        var problems: [String] = []
        state.reading.read(content) { hive, kind in
            // The current control set only: the others hold older copies of the same cache.
            guard let key = hive.controlSets().first?.subkey("Control")?.subkey("Session Manager")?.subkey("AppCompatCache"),
                  let value = key.value("AppCompatCache") else { return }
            let cache = AppCompatCache(value.data)
            if let problem = cache.problem { problems.append("\(content.member.sourcePath): AppCompatCache: \(problem)") }
            for entry in cache.entries {
                let name = entry.path.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last.map(String.init) ?? entry.path
                guard let judged = rules.judge(executable: name, path: entry.path) else { continue }
                var evidence = HiveReading.evidence(content, kind: kind, key: key, values: [("Path", entry.path)],
                                                    details: ["Position": String(entry.position), "Tool": judged.kind])
                evidence.record = entry.position
                evidence.timestamp = entry.modified
                if let modified = entry.modified { evidence.details?["FileModified"] = modified.description }
                evidence.excerpt = "AppCompatCache entry \(entry.position): \(entry.path)"
                    + (entry.modified.map { " (file modified \($0))" } ?? "")
                found.append((judged.verdict, evidence, judged.category, judged.attack))
            }
        }
        state.problems += problems
        for (verdict, evidence, category, attack) in found {
            state.matches[category, default: EventMatches()].add(verdict, evidence)
            state.matches[category, default: EventMatches()].pivot(.filePath, evidence.details?["Path"])
            state.attack[category, default: []].insert(attack)
        }
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        let findings = state.matches.keys.sorted().flatMap { category in
            (state.matches[category] ?? EventMatches()).findings(
                checkId: id, title: title, severity: .high, attack: (state.attack[category] ?? []).sorted(), category: category,
                explanation: "Windows recorded this program in its application compatibility cache, so the file was on this host "
                    + "(and on Windows 8 and earlier, ran); the time is the file's own last-modified time, not when it ran. "
                    + "Dump tools and PsExec's service binary mean credential theft or remote execution here.")
        }
        var coverage = state.reading.coverage("SYSTEM hive")
        if !state.problems.isEmpty {
            coverage.reason = ([coverage.reason].compactMap { $0 } + state.problems.prefix(5)).joined(separator: "; ")
            coverage.malformed = (coverage.malformed ?? 0) + state.problems.count
        }
        return CheckOutput(findings: findings, coverage: coverage)
    }
}
