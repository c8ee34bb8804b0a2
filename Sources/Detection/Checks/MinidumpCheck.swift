import EvidenceBundle
import ExTriageCore

/// LSASS dumps without event logs (EXCHANGE-ARTIFACTS.md C13, T1003.001): any member whose
/// bytes start with `MDMP`, whatever its name, parsed far enough to name the dumped process from
/// the module list (dumps are collected head-only, so the list may be cut); plus manifest names
/// of LSASS dumps, archives of dumps and ProcDump binaries, collected or not.
struct MinidumpCheck: Check {
    let id: CheckID = "DUMP-LSASS"
    let title = "LSASS memory dumps, dump archives and ProcDump binaries on disk"
    /// Enough for the header, the directory and a module list of a few hundred modules.
    static let headLimit = 256 * 1024
    /// Every member is offered; only those starting `MDMP` are held, up to `headLimit`.
    let input = CheckInput.memberContent(MemberSelector(limit: MinidumpCheck.headLimit, leadingBytes: MinidumpHeader.signature) { _ in true })

    /// The minidumps parsed, with the member each came from.
    func makeState() -> [(MemberInfo, MinidumpHeader)] { [] }

    func observe(_ observation: Observation, into parsed: inout [(MemberInfo, MinidumpHeader)]) {
        guard case .content(let content) = observation, let header = MinidumpHeader.parse(content.head) else { return }
        parsed.append((content.member, header))
    }

    func finish(_ parsed: inout [(MemberInfo, MinidumpHeader)], in context: FinishContext) -> CheckOutput {
        let facts = context.facts
        var byVerdict: [Verdict: [Evidence]] = [:]
        var processes: Set<String> = []
        var seen: Set<String> = []
        for (member, header) in parsed {
            seen.insert(member.sourcePath.lowercased())
            let name = String(member.sourcePath.split(separator: "/").last ?? "")
            let process = header.processName
            let verdict: Verdict
            var reason: String
            if process == "lsass.exe" {
                verdict = .confirmed
                reason = "minidump of lsass.exe (first module)"
            } else if process == nil, DumpNames.isLsassDumpName(name) || DumpNames.isDropPlace(member.sourcePath) {
                verdict = .likely
                reason = "minidump whose module list is not in the collected head, named or placed like an LSASS dump"
            } else {
                verdict = .informational
                reason = process.map { "minidump of \($0)" } ?? "minidump; the dumped process is not in the collected head"
            }
            if let process { processes.insert(process) }
            var details = ["Reason": reason, "Streams": String(header.streams), "Flags": "0x" + String(header.flags, radix: 16)]
            if let first = header.modules.first { details["FirstModule"] = first }
            details["Modules"] = String(header.modules.count)
            if let os = header.osVersion { details["OSVersion"] = os }
            if header.moduleListCut { details["ModuleListCut"] = "true" }
            reason += header.modules.isEmpty ? "" : "; \(header.modules.count) modules: " + header.modules.prefix(4).map(ImagePath.fileName).joined(separator: ", ")
            byVerdict[verdict, default: []].append(Evidence(member: member.member, originalPath: member.sourcePath, timestamp: header.time,
                                                            excerpt: "MDMP " + reason, sha256: "", details: details))
        }
        // Names alone: LSASS dump names (no MDMP head seen), archives of dumps, ProcDump binaries.
        // Only the few named like dumps are sorted: sorting every file would hold each folded path at once.
        let named = facts.filesByFoldedPath.filter { folded, entry in
            let name = String(entry.sourcePath.split(separator: "/").last ?? "")
            return !seen.contains(folded)
                && (DumpNames.isLsassDumpName(name) || entry.flags?.contains("minidump") == true || DumpNames.isProcdump(name))
        }
        for (_, entry) in named.sorted(by: { $0.key < $1.key }) {
            let name = String(entry.sourcePath.split(separator: "/").last ?? "")
            let minidumpFlag = entry.flags?.contains("minidump") == true
            let reason: String
            let verdict: Verdict
            if DumpNames.isLsassDumpName(name) {
                (verdict, reason) = (.likely, "file named like an LSASS dump or an archive of one")
            } else if minidumpFlag {
                (verdict, reason) = (DumpNames.isDropPlace(entry.sourcePath) ? .likely : .informational, "minidump (MDMP) noted at collection, head not stored")
            } else if DumpNames.isProcdump(name) {
                (verdict, reason) = (DumpNames.isDropPlace(entry.sourcePath) ? .likely : .informational, "ProcDump binary")
            } else {
                continue
            }
            byVerdict[verdict, default: []].append(Evidence(member: entry.path, originalPath: entry.sourcePath, timestamp: nil,
                                                            excerpt: "\(name): \(reason) (\(entry.size) bytes)", sha256: entry.sha256,
                                                            details: ["Reason": reason, "Size": String(entry.size)]))
        }
        let findings = byVerdict.keys.sorted(by: >).map { verdict in
            Finding(checkId: id, title: title, severity: verdict >= .likely ? .critical : .info, verdict: verdict, attack: ["T1003.001"],
                    evidence: byVerdict[verdict] ?? [],
                    explanation: "Memory dumps on disk: a dump whose first module is lsass.exe holds the credentials of every logged-on "
                        + "user. Find who wrote it (the web-shell requests just before its TimeDateStamp) and whether it was downloaded.",
                    pivots: processes.isEmpty ? [:] : [.dumpedProcess: processes.sorted()], category: FindingCategory.credentialAccess)
        }
        return CheckOutput(findings: findings, coverage: CoverageNote(records: parsed.count))
    }
}
