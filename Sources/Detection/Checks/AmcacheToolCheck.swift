import ExTriageCore
import WindowsRegistry

/// Post-exploitation tools in Amcache.hve, with the SHA-1 Windows recorded for each program:
/// `Root\InventoryApplicationFile` (Windows 10, Server 2016 and later) and the older `Root\File`
/// layout (values 15 = path, 101 = SHA-1). Same tool lists and tiers as prefetch
/// (`Profiles/rules/host-execution.yaml`); evidence is the entry's key, path, SHA-1 and the key's
/// last-written time (about when Windows first saw the program). References: MITRE T1003.001,
/// T1569.002; ANSSI "Analysis of the AmCache".
struct AmcacheToolCheck: Check {
    let id: CheckID = "HOST-AMCACHE-TOOLS"
    let title = "Credential dumping, remote execution or staging tools in Amcache (with SHA-1)"
    let input = CheckInput.memberContent(HiveKind.selector([.amcache]))
    let rules: ExecutionRules

    struct State {
        var reading = HiveReading()
        var matches: [String: EventMatches] = [:]
        var attack: [String: Set<String>] = [:]
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .content(let content) = observation else { return }
        var found: [(Verdict, Evidence, String, String, String?)] = []
        state.reading.read(content) { hive, kind in
            var entries: [(RegistryKey, String, String?)] = []
            for entry in hive.key("Root\\InventoryApplicationFile")?.subkeys() ?? [] {
                guard let path = entry.value("LowerCaseLongPath")?.string else { continue }
                entries.append((entry, path, entry.value("FileId")?.string))
            }
            for volume in hive.key("Root\\File")?.subkeys() ?? [] {
                for entry in volume.subkeys() {
                    guard let path = entry.value("15")?.string else { continue }
                    entries.append((entry, path, entry.value("101")?.string))
                }
            }
            for (entry, path, fileId) in entries {
                let name = path.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last.map(String.init) ?? path
                guard let judged = rules.judge(executable: name, path: path) else { continue }
                // FileId is the SHA-1 behind four zeros.
                let sha1 = fileId.map { $0.count == 44 && $0.hasPrefix("0000") ? String($0.dropFirst(4)) : $0 }.map { $0.lowercased() }
                var values = [("Path", path)]
                if let sha1 { values.append(("SHA1", sha1)) }
                found.append((judged.verdict, HiveReading.evidence(content, kind: kind, key: entry, values: values, details: ["Tool": judged.kind]),
                              judged.category, judged.attack, sha1))
            }
        }
        for (verdict, evidence, category, attack, sha1) in found {
            state.matches[category, default: EventMatches()].add(verdict, evidence)
            state.matches[category, default: EventMatches()].pivot("sha1", sha1)
            state.attack[category, default: []].insert(attack)
        }
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        let findings = state.matches.keys.sorted().flatMap { category in
            (state.matches[category] ?? EventMatches()).findings(
                checkId: id, title: title, severity: .high, attack: (state.attack[category] ?? []).sorted(), category: category,
                explanation: "Amcache keeps a record, with the file's SHA-1, of programs Windows saw run or installed; the key's "
                    + "last-written time is about when it was first seen. Search the SHA-1 elsewhere (other hosts, threat intelligence): "
                    + "it finds the same tool under another name.")
        }
        return CheckOutput(findings: findings, coverage: state.reading.coverage("Amcache.hve"))
    }
}
