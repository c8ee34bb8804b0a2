import ExTriageCore

/// The event log a record came from.
public struct EventSource: Sendable {
    /// Bundle member name (`evidence/C/Windows/System32/winevt/Logs/Security.evtx`).
    public var member: String
    /// Path on the source volume.
    public var sourcePath: String

    public init(member: String, sourcePath: String) {
        self.member = member
        self.sourcePath = sourcePath
    }
}

/// A check over event-log records. Every collected `.evtx` member is read once (`EventLogScan`)
/// and each record whose event ID a check names is offered to it.
public protocol EventCheck: AnyObject {
    var id: String { get }
    var title: String { get }
    /// The event IDs it reads: the pre-filter that decides which records are fully decoded.
    var eventIDs: Set<UInt32> { get }
    /// Providers (lower-cased) whose every event it reads, whatever the ID; usually empty.
    var everyEventOf: Set<String> { get }
    func inspect(_ record: EventRecord, from source: EventSource)
    /// Findings once every member was seen; `logFindings` are the log checks' results.
    func finish(_ facts: BundleFacts, logFindings: [Finding]) -> [Finding]
}

extension EventCheck {
    public var everyEventOf: Set<String> { [] }
}

/// Machine-readable finding categories for event and dump evidence (`Finding.category`).
public enum FindingCategory {
    public static let credentialAccess = "credential-access"
    public static let lateralMovement = "lateral-movement"
    public static let exchange = "exchange"
    public static let antiForensics = "anti-forensics"
    public static let staging = "staging"
    public static let execution = "execution"
    public static let all: Set<String> = [credentialAccess, lateralMovement, exchange, antiForensics, staging, execution]
}

extension EventRecord {
    /// Evidence for this record: record number, time, computer and the fields that matched.
    func evidence(from source: EventSource, matched: [String]) -> Evidence {
        var details: [String: String] = ["EventID": String(eventID), "Provider": provider, "Channel": channel, "Computer": computer]
        if recovered { details["Recovered"] = "true" }
        var parts: [String] = []
        for name in matched {
            guard let value = value(name) else { continue }
            let short = value.count > 300 ? String(value.prefix(300)) + "…" : value
            details[name] = short
            parts.append("\(name)=\(short)")
        }
        let excerpt = "\(provider) \(eventID) #\(recordNumber) on \(computer): " + parts.joined(separator: "; ")
        return Evidence(member: source.member, originalPath: source.sourcePath, record: Int(clamping: recordNumber), timestamp: time,
                        excerpt: excerpt, sha256: "", details: details)
    }
}

/// Evidence of one check grouped by tier, capped, with pivot values: the common state of event checks.
struct EventMatches {
    static let maximumEvidence = 1000
    private(set) var byVerdict: [Verdict: [Evidence]] = [:]
    private(set) var pivots: [String: Set<String>] = [:]
    private(set) var total: [Verdict: Int] = [:]

    mutating func add(_ verdict: Verdict, _ evidence: Evidence) {
        total[verdict, default: 0] += 1
        if byVerdict[verdict, default: []].count < Self.maximumEvidence { byVerdict[verdict, default: []].append(evidence) }
    }

    mutating func pivot(_ name: String, _ value: String?) {
        guard let value, !value.isEmpty, value != "-", pivots[name, default: []].count < 100 else { return }
        pivots[name, default: []].insert(value)
    }

    /// One finding per tier, most certain first.
    func findings(checkId: String, title: String, severity: Severity, cves: [String] = [], attack: [String], category: String,
                  explanation: String) -> [Finding] {
        byVerdict.keys.sorted(by: >).map { verdict in
            let level: Severity = verdict >= .likely ? severity : verdict == .attempt ? min(severity, .medium) : .info
            let count = total[verdict] ?? 0
            let shown = byVerdict[verdict]?.count ?? 0
            let note = count > shown ? " (\(count) events, first \(shown) shown)" : ""
            var finding = Finding(checkId: checkId, title: title, severity: level, verdict: verdict, cves: cves, attack: attack,
                                  evidence: byVerdict[verdict] ?? [], explanation: explanation + note,
                                  pivots: pivots.mapValues { $0.sorted() })
            finding.category = category
            return finding
        }
    }
}

/// Windows paths as event logs write them (`C:\Windows\System32\cmd.exe`, maybe quoted).
enum ImagePath {
    /// The last `\`- or `/`-separated part, without quotes, lower-cased.
    static func fileName(_ path: String) -> String {
        let last = path.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last.map(String.init) ?? path
        return String(last.filter { $0 != "\"" }).trimmedSpaces.lowercased()
    }
}

extension String {
    /// Without leading and trailing spaces.
    var trimmedSpaces: String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
