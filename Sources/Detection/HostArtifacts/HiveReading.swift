import ExTriageCore
import WindowsRegistry

/// Which registry hive a collected member is, from its path (RegBack copies left out: they are
/// older states of the same hive and would repeat every finding).
enum HiveKind: String, Sendable {
    case system = "SYSTEM", software = "SOFTWARE", sam = "SAM", security = "SECURITY", user = "NTUSER.DAT", amcache = "Amcache"

    init?(_ member: MemberInfo) {
        let path = member.sourcePath.lowercased()
        guard !path.contains("/regback/") else { return nil }
        if path.hasSuffix("/system32/config/system") { self = .system }
        else if path.hasSuffix("/system32/config/software") { self = .software }
        else if path.hasSuffix("/system32/config/sam") { self = .sam }
        else if path.hasSuffix("/system32/config/security") { self = .security }
        else if path.hasSuffix("/ntuser.dat") { self = .user }
        else if path.hasSuffix("/appcompat/programs/amcache.hve") { self = .amcache }
        else { return nil }
    }

    /// How a key of this hive is written in evidence (`HKLM\SYSTEM`, `HKU\<profile folder>`, `Amcache.hve`).
    func root(_ member: MemberInfo) -> String {
        switch self {
        case .user:
            let parts = member.sourcePath.split(separator: "/")
            return "HKU\\" + (parts.count >= 2 ? String(parts[parts.count - 2]) : "?")
        case .amcache: return "Amcache.hve"
        default: return "HKLM\\" + rawValue
        }
    }

    /// The member selector for the hives a check reads.
    static func selector(_ kinds: Set<HiveKind>) -> MemberSelector {
        MemberSelector(limit: HiveReading.headLimit) { member in HiveKind(member).map(kinds.contains) ?? false }
    }
}

/// Opening collected hives for the registry checks, with what went wrong kept per member.
struct HiveReading {
    /// Hives are read whole; a longer one is cut here, and libregf reports the missing bins.
    static let headLimit = 512 << 20

    /// Hive members offered, hives opened, and what could not be read (broken cells, cut or unreadable hives).
    private(set) var offered = 0
    private(set) var hives = 0
    private(set) var problems: [String] = []

    /// The hive in `content`, or nil with the reason recorded; `read` then runs over it and the
    /// problems it met while reading are recorded after. The hive is opened once per member and
    /// shared with every other registry check reading it (`MemberContent.shared`).
    mutating func read(_ content: MemberContent, _ read: (RegistryHive, HiveKind) -> Void) {
        guard let kind = HiveKind(content.member) else { return }
        offered += 1
        if content.isPartial { note(content.member, "read over its first \(ByteCount.format(UInt64(Self.headLimit))) only") }
        if content.head.count >= 12, content.head[4..<8] != content.head[8..<12] {
            note(content.member, "dirty hive (sequence numbers differ): changes still in its .LOG1/.LOG2 were not replayed")
        }
        let hive: RegistryHive
        switch Self.open(content) {
        case .success(let opened): hive = opened
        case .failure(let error):
            note(content.member, "unreadable: \(error.message)")
            return
        }
        hives += 1
        let known = hive.problems.count
        read(hive, kind)
        let met = hive.problems.dropFirst(known)
        for problem in met.prefix(10) { note(content.member, problem) }
        if met.count > 10 { note(content.member, "\(met.count - 10) more unreadable keys or values") }
    }

    /// The member's hive, opened by the first registry check that reads it and kept for the others.
    static func open(_ content: MemberContent) -> Result<RegistryHive, ExTriageError> {
        content.shared.value("regf:\(content.head.count)") { () -> Result<RegistryHive, ExTriageError> in
            do { return .success(try RegistryHive(bytes: content.head, name: content.member.sourcePath)) } catch let error as ExTriageError {
                return .failure(error)
            } catch {
                return .failure(ExTriageError(.sourceUnreadable, String(describing: error), path: content.member.sourcePath))
            }
        }
    }

    private mutating func note(_ member: MemberInfo, _ text: String) {
        if problems.count < 50 { problems.append("\(member.sourcePath): \(text)") }
    }

    /// The coverage note: `not-applicable` when no hive of `what` was collected, else problems as
    /// the reason and their count as malformed.
    func coverage(_ what: String) -> CoverageNote {
        if offered == 0 { return CoverageNote(status: .notApplicable, reason: "no \(what) in the bundle") }
        return problems.isEmpty ? CoverageNote()
            : CoverageNote(reason: problems.prefix(5).joined(separator: "; ") + (problems.count > 5 ? "; \(problems.count - 5) more" : ""),
                           malformed: problems.count)
    }

    /// Evidence for a key (and the value that matters): the key's path and last-written time.
    static func evidence(_ content: MemberContent, kind: HiveKind, key: RegistryKey, values: [(String, String)],
                         details: [String: String] = [:]) -> Evidence {
        let path = kind.root(content.member) + "\\" + key.path
        var details = details
        details["Key"] = path
        if let written = key.lastWritten { details["KeyLastWritten"] = written.description }
        for (name, value) in values { details[name] = value.count > 300 ? String(value.prefix(300)) + "…" : value }
        let shown = values.map { "\($0.0)=\($0.1)" }.joined(separator: "; ")
        return Evidence(member: content.member.member, originalPath: content.member.sourcePath, timestamp: key.lastWritten,
                        excerpt: path + (shown.isEmpty ? "" : ": " + shown), sha256: "", details: details)
    }
}
