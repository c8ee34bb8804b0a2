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

/// Machine-readable finding categories for event and dump evidence (`Finding.category`).
public enum FindingCategory {
    public static let credentialAccess = "credential-access"
    public static let lateralMovement = "lateral-movement"
    public static let exchange = "exchange"
    public static let antiForensics = "anti-forensics"
    public static let staging = "staging"
    public static let execution = "execution"
    public static let persistence = "persistence"
    public static let all: Set<String> = [credentialAccess, lateralMovement, exchange, antiForensics, staging, execution, persistence]
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
    private(set) var byVerdict: [Verdict: EvidenceList] = [:]
    /// Pivot values per tier: a tier's finding names only its own records' values.
    private(set) var pivots: [Verdict: [PivotKey: Set<String>]] = [:]
    /// The tier of the record being added, which `pivot` files its values under.
    private var current: Verdict = .informational

    mutating func add(_ verdict: Verdict, _ evidence: Evidence) {
        byVerdict[verdict, default: EvidenceList()].append(evidence)
        current = verdict
    }

    /// A pivot value of the record last added.
    mutating func pivot(_ name: PivotKey, _ value: String?) {
        guard let value, !value.isEmpty, value != "-", pivots[current, default: [:]][name, default: []].count < 100 else { return }
        pivots[current, default: [:]][name, default: []].insert(value)
    }

    /// One finding per tier, most certain first.
    func findings(checkId: CheckID, title: String, severity: Severity, cves: [String] = [], attack: [String], category: String?,
                  explanation: String) -> [Finding] {
        byVerdict.keys.sorted(by: >).map { verdict in
            let level: Severity = verdict >= .likely ? severity : verdict == .attempt ? min(severity, .medium) : .info
            return Finding(checkId: checkId, title: title, severity: level, verdict: verdict, cves: cves, attack: attack,
                           evidence: [], explanation: explanation, pivots: (pivots[verdict] ?? [:]).mapValues { $0.sorted() }, category: category)
                .listing(byVerdict[verdict] ?? EvidenceList())
        }
    }
}

/// Windows paths as event logs write them (`C:\Windows\System32\cmd.exe`, maybe quoted).
enum ImagePath {
    /// The last `\`- or `/`-separated part, without quotes, lower-cased.
    static func fileName(_ path: String) -> String {
        if let ascii = asciiFileName(path) { return ascii }
        let last = path.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last.map(String.init) ?? path
        return String(last.filter { $0 != "\"" }).trimmedSpaces.lowercased()
    }

    /// The same for ASCII text, over its bytes without splitting the whole path (nil: not ASCII).
    private static func asciiFileName(_ path: String) -> String? {
        let result = path.utf8.withContiguousStorageIfAvailable { bytes -> String? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            let isSeparator: (UInt8) -> Bool = { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "/") }
            var end = bytes.count
            while end > 0, isSeparator(bytes[end - 1]) { end -= 1 }
            var start = end
            while start > 0, !isSeparator(bytes[start - 1]) { start -= 1 }
            // Nothing but separators: the whole text, as `split` leaves it.
            if end == 0 { (start, end) = (0, bytes.count) }
            var kept: [UInt8] = []
            kept.reserveCapacity(end - start)
            for byte in bytes[start..<end] where byte != UInt8(ascii: "\"") { kept.append(byte) }
            var first = 0
            var last = kept.count
            while first < last, kept[first] == UInt8(ascii: " ") { first += 1 }
            while last > first, kept[last - 1] == UInt8(ascii: " ") { last -= 1 }
            return String(decoding: kept[first..<last].lazy.map { ($0 &- 65) < 26 ? $0 | 0x20 : $0 }, as: UTF8.self)
        }
        return result ?? nil
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
