import EvidenceBundle
import ExTriageCore

/// Archives staged for theft, scored (EXCHANGE-ARTIFACTS.md C14, T1560.001/T1074.001): found by
/// magic (ZIP, 7z, RAR, CAB, gzip) in the collected bytes or by extension in the manifest, then
/// scored by place (root-level ProgramData short names, ProgramData\pst, web folders), content
/// hints in the head (encrypted ZIP, .pst/.dmp/hive names, recon file names in a CAB), and minus
/// for deep vendor paths. Every archive is listed; the tier rises only beside exploitation.
struct StagingArchiveCheck: Check {
    let id: CheckID = "STAGING-ARCHIVES"
    let title = "Archives staged in ProgramData or web folders, scored"
    static let headLimit = 4096
    static let extensions: Set<String> = ["zip", "7z", "rar", "cab", "gz", "tgz", "tar"]
    let input = CheckInput.memberContent(MemberSelector(limit: StagingArchiveCheck.headLimit) { _ in true })

    /// An archive found by its magic bytes.
    struct Seen {
        var member: MemberInfo
        var kind: String
        var head: [UInt8]
    }

    /// Archives by lower-cased source path.
    func makeState() -> [String: Seen] { [:] }

    func observe(_ observation: Observation, into heads: inout [String: Seen]) {
        guard case .content(let content) = observation, let kind = Self.kind(content.head) else { return }
        heads[content.member.sourcePath.lowercased()] = Seen(member: content.member, kind: kind, head: content.head)
    }

    /// The archive format from its magic bytes.
    static func kind(_ head: [UInt8]) -> String? {
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "zip" }
        if head.starts(with: [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) { return "7z" }
        if head.starts(with: Array("Rar!\u{1A}\u{07}".utf8)) { return "rar" }
        if head.starts(with: Array("MSCF".utf8)) { return "cab" }
        if head.starts(with: [0x1F, 0x8B]) { return "gzip" }
        return nil
    }

    /// The C14 score and its reasons for one archive.
    static func score(path: String, kind: String, head: [UInt8], size: UInt64, exchange: String?) -> (Int, [String]) {
        var score = 0
        var reasons: [String] = []
        let lower = path.lowercased()
        let parts = lower.split(separator: "/")
        let name = String(parts.last ?? "")
        func add(_ points: Int, _ why: String) {
            score += points
            reasons.append("\(points > 0 ? "+" : "")\(points) \(why)")
        }
        if parts.count == 2, parts[0] == "programdata", let dot = name.lastIndex(of: "."),
           ["zip", "7z", "rar"].contains(String(name[name.index(after: dot)...])),
           (1...6).contains(name.distance(from: name.startIndex, to: dot)),
           name[..<dot].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            add(40, "short root-level ProgramData name")
        }
        if lower == "programdata/it.zip" || lower.hasPrefix("programdata/pst/") { add(60, "ProgramData\\it.zip or ProgramData\\pst") }
        let web = lower.hasPrefix("inetpub/wwwroot/") || lower.contains("/frontend/httpproxy/") || lower.contains("/clientaccess/")
            || (exchange.map { lower.hasPrefix($0.lowercased() + "/frontend/") || lower.hasPrefix($0.lowercased() + "/clientaccess/") } ?? false)
        if web { add(60, "in a web-reachable folder") }
        let text = String(decoding: head.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self).lowercased()
        if kind == "cab", ["ip.txt", "arp.txt", "system", "security"].contains(where: { String(text.prefix(200)).contains($0) }) {
            add(60, "CAB naming recon output or hives")
        }
        if kind == "zip", head.count > 8, head[6] & 1 != 0 { add(20, "encrypted ZIP") }
        if [".pst", ".dmp", "lsass", "ntds.dit", "/sam", "\\sam", "system.hiv", "security.hiv"].contains(where: { text.contains($0) }) {
            add(20, "contains mailbox exports, dumps or hives")
        }
        if size > 200 * 1024 * 1024 { add(20, "unusually large") }
        if lower.hasPrefix("programdata/"), parts.count >= 4 { add(-30, "deep vendor path") }
        return (score, reasons)
    }

    func finish(_ heads: inout [String: Seen], in context: FinishContext) -> CheckOutput {
        let facts = context.facts
        let exploited = context.logFindings.contains { $0.verdict >= .likely && !$0.cves.isEmpty }
        var byVerdict: [Verdict: [Evidence]] = [:]
        var archives: [(Manifest.Entry?, MemberInfo?, String, [UInt8])] = []
        for (folded, seen) in heads { archives.append((facts.filesByFoldedPath[folded], seen.member, seen.kind, seen.head)) }
        for (folded, entry) in facts.filesByFoldedPath where heads[folded] == nil {
            let name = entry.sourcePath.split(separator: "/").last.map(String.init) ?? ""
            guard let dot = name.lastIndex(of: "."), Self.extensions.contains(name[name.index(after: dot)...].lowercased()) else { continue }
            archives.append((entry, nil, name[name.index(after: dot)...].lowercased(), []))
        }
        for (entry, member, kind, head) in archives.sorted(by: { ($0.0?.sourcePath ?? $0.1?.sourcePath ?? "") < ($1.0?.sourcePath ?? $1.1?.sourcePath ?? "") }) {
            guard let path = entry?.sourcePath ?? member?.sourcePath, let memberName = entry?.path ?? member?.member else { continue }
            let (score, reasons) = Self.score(path: path, kind: kind, head: head, size: entry?.size ?? UInt64(head.count),
                                              exchange: facts.exchangeInstallPath)
            let verdict: Verdict = score >= 60 && exploited ? .likely : .informational
            byVerdict[verdict, default: []].append(Evidence(
                member: memberName, originalPath: path, timestamp: nil,
                excerpt: "\(kind) archive, score \(score)" + (reasons.isEmpty ? "" : ": " + reasons.joined(separator: ", ")),
                sha256: entry?.sha256 ?? "", details: ["Score": String(score), "Format": kind, "Size": String(entry?.size ?? 0)]))
        }
        let findings = byVerdict.keys.sorted(by: >).map { verdict in
            Finding(checkId: id, title: title, severity: verdict >= .likely ? .high : .info, verdict: verdict, attack: ["T1560.001", "T1074.001"],
                    evidence: byVerdict[verdict] ?? [],
                    explanation: "Archives found by magic or extension and scored by place and content (C14). High scores beside "
                        + "exploitation are likely staging for theft; vendor archives deep in ProgramData score low and stay listed.",
                    category: FindingCategory.staging)
        }
        return CheckOutput(findings: findings, coverage: CoverageNote(records: heads.count))
    }
}
