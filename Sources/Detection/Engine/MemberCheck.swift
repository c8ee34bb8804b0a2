import EvidenceBundle
import ExTriageCore

/// The bundle member a `MemberCheck` is offered, known from its name alone (the manifest, with
/// hashes and times, comes last in the bundle; use `BundleFacts` in `finish` for those).
public struct MemberInfo: Sendable, Hashable {
    /// Bundle member name (`evidence/C/inetpub/wwwroot/x.aspx`).
    public var member: String
    /// The volume name (`C`, `vol2`).
    public var volume: String
    /// The path on the source volume, `/`-separated.
    public var sourcePath: String

    public init(member: String, volume: String, sourcePath: String) {
        self.member = member
        self.volume = volume
        self.sourcePath = sourcePath
    }

    /// `evidence/<volume>/<path>`, or nil for the manifest and anything else.
    public init?(member: String) {
        let parts = member.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "evidence", !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
        self.init(member: member, volume: String(parts[1]), sourcePath: String(parts[2]))
    }

    /// The file name's extension, lower-cased, without the dot (`aspx`), or "".
    public var fileExtension: String {
        let bytes = sourcePath.utf8
        let nameStart = bytes.lastIndex(of: UInt8(ascii: "/")).map { bytes.index(after: $0) } ?? bytes.startIndex
        guard let dot = bytes[nameStart...].lastIndex(of: UInt8(ascii: ".")), dot != nameStart else { return "" }
        return String(decoding: bytes[bytes.index(after: dot)...].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }
}

/// A check over whole members' bytes rather than log lines: web files (YARA, shapes), event
/// logs, dumps. Members stream past once, as verification reads them; a check keeps only what it
/// needs, bounded (a size cap, a temporary file), never a whole large member in memory.
public protocol MemberCheck: AnyObject {
    var id: String { get }
    var title: String { get }
    /// Whether this member's bytes are wanted.
    func wants(_ member: MemberInfo) -> Bool
    /// A wanted member starts; its bytes follow through `consume`, then `end`.
    func begin(_ member: MemberInfo)
    /// The next chunk, valid only during the call.
    func consume(_ bytes: UnsafeRawBufferPointer)
    func end()
    /// Findings once every member was seen and the manifest is known; `logFindings` are the
    /// log checks' results (requests to a file, the attack window).
    func finish(_ facts: BundleFacts, logFindings: [Finding]) -> [Finding]
    /// What it read, or why it could not run: one row or more, never none.
    func coverage() -> [CoverageRow]
    /// Whether a log finding says nothing this check's findings do not already carry (it merged
    /// it into one finding per file); asked after `finish`, such log findings are dropped.
    func supersedes(_ logFinding: Finding) -> Bool
}

extension MemberCheck {
    public func supersedes(_ logFinding: Finding) -> Bool { false }
}

/// Streams each member to the log checks (line by line) and to the member checks that want it.
final class MemberFanOut: MemberObserver {
    let logs: LogStream
    let memberChecks: [any MemberCheck]
    private var logsActive = false
    private var active: [any MemberCheck] = []

    init(logs: LogStream, memberChecks: [any MemberCheck]) {
        self.logs = logs
        self.memberChecks = memberChecks
    }

    func begin(member path: String) -> Bool {
        logsActive = logs.begin(member: path)
        active.removeAll(keepingCapacity: true)
        if let info = MemberInfo(member: path) {
            for check in memberChecks where check.wants(info) {
                check.begin(info)
                active.append(check)
            }
        }
        return logsActive || !active.isEmpty
    }

    func consume(_ bytes: UnsafeRawBufferPointer) {
        if logsActive { logs.consume(bytes) }
        for check in active { check.consume(bytes) }
    }

    func end() {
        if logsActive { logs.end() }
        for check in active { check.end() }
        logsActive = false
        active.removeAll(keepingCapacity: true)
    }
}
