import ExTriageCore

/// Log coverage from the content (EXCHANGE-ARTIFACTS.md C01): first and last timestamp per log
/// family, hours or days missing between neighbouring files, files cut at the start.
///
/// An analyst must know what could not be seen; retention of about 30 days is normal, so gaps are
/// `informational`.
struct LogSpanBuilder {
    struct Family {
        var files = 0
        var first: Timestamp?
        var last: Timestamp?
        /// Hour or day numbers taken from file names (`HttpProxy_2021030305-1.LOG`, `u_ex210303.log`).
        var periods: Set<Int64> = []
        var hourly = true
    }

    private(set) var families: [String: Family] = [:]
    /// The server's name from the first log that gives one, and which log and column said it.
    private(set) var serverName: String?
    private(set) var serverNameSource: String?
    /// The server's own addresses from its logs (IIS `s-ip`): never an attacker in a campaign.
    private(set) var serverAddresses: Set<String> = []
    private var cutFiles: [Evidence] = []
    /// Lines longer than the line-length cap: a few per file as evidence, and how many in all.
    private var cutLines: [Evidence] = []
    private var cutLineCount = 0

    mutating func add(family: LogFamily, sourcePath: String, first: Timestamp?, last: Timestamp?, serverName: (name: String, field: String)?,
                      context: MemberContext, truncatedStart: Bool) {
        var entry = families[family.description] ?? Family()
        entry.files += 1
        if let first { entry.first = min(entry.first ?? first, first) }
        if let last { entry.last = max(entry.last ?? last, last) }
        if let (period, hourly) = LogSpanBuilder.period(fromFileName: sourcePath) {
            entry.periods.insert(period)
            entry.hourly = hourly
        }
        families[family.description] = entry
        if self.serverName == nil, let serverName, !serverName.name.isEmpty {
            self.serverName = serverName.name
            serverNameSource = "\(family) log \(serverName.field) field"
        }
        if truncatedStart {
            cutFiles.append(context.evidence(line: 1, timestamp: first, excerpt: "log does not start with a # header line"))
        }
    }

    mutating func noteCutLines(_ lines: [Line], count: Int, context: MemberContext) {
        cutLineCount += count
        for line in lines where cutLines.count < 50 {
            cutLines.append(context.evidence(line: line.number, timestamp: nil, excerpt: line.text))
        }
    }

    mutating func noteServerAddresses(_ addresses: Set<String>) {
        for address in addresses where serverAddresses.count < 64 { serverAddresses.insert(address) }
    }

    /// Log families an Exchange server always has; a bundle without them cannot show what they would.
    static let expected = ["HttpProxy", "ECP Server", "OAB Generator", "IIS W3SVC1"]

    /// Expected families with no file in the bundle.
    var missingFamilies: [String] {
        LogSpanBuilder.expected.filter { name in !families.keys.contains { $0.hasPrefix(name) } }
    }

    /// One span per family present, then a zero-file span per expected family that is missing.
    var spans: [LogSpan] {
        families.keys.sorted().compactMap { name in
            guard let family = families[name] else { return nil }
            return LogSpan(family: name, files: family.files, first: family.first, last: family.last, gaps: gaps(family))
        } + missingFamilies.map { LogSpan(family: $0, files: 0, first: nil, last: nil, gaps: []) }
    }

    /// Missing periods between the first and last file of each family, as `start/end` ranges (UTC).
    func gaps(_ family: Family) -> [String] {
        guard let low = family.periods.min(), let high = family.periods.max(), high > low else { return [] }
        var ranges: [String] = []
        var start: Int64?
        let unit: Int64 = family.hourly ? 3600 : 86_400
        for period in low...high {
            if family.periods.contains(period) {
                if let open = start {
                    ranges.append("\(Timestamp(seconds: open * unit).iso8601)/\(Timestamp(seconds: period * unit).iso8601)")
                    start = nil
                }
            } else if start == nil {
                start = period
            }
        }
        return ranges
    }

    var gapFindings: [Finding] {
        var out: [Finding] = []
        for span in spans where !span.gaps.isEmpty {
            // No ATT&CK id: a gap is retention or quiet hours until deletion is evidenced.
            out.append(Finding(checkId: "EXT-C01", title: "Log coverage gap: \(span.family)", severity: .info, verdict: .informational,
                               evidence: [],
                               explanation: "\(span.gaps.count) period(s) without a log file between \(span.first?.iso8601 ?? "?") and \(span.last?.iso8601 ?? "?"): \(span.gaps.prefix(5).joined(separator: ", ")); quiet hours or deletion",
                               pivots: ["gaps": span.gaps]))
        }
        if !missingFamilies.isEmpty {
            out.append(Finding(checkId: "EXT-C01", title: "Logs missing from the bundle", severity: .low, verdict: .informational,
                               evidence: [],
                               explanation: "no \(missingFamilies.joined(separator: ", ")) logs were collected: what they would show cannot be assessed (retention, a non-Exchange source, or deletion)",
                               pivots: ["missing": missingFamilies]))
        }
        if !cutFiles.isEmpty {
            out.append(Finding(checkId: "EXT-C01", title: "Log files cut at the start", severity: .low, verdict: .informational,
                               attack: ["T1070.004"], evidence: cutFiles,
                               explanation: "these logs do not begin with their # header block: truncated or edited"))
        }
        if cutLineCount > 0 {
            out.append(Finding(checkId: "EXT-C01", title: "Log lines cut at the line-length cap", severity: .low, verdict: .informational,
                               attack: [], evidence: cutLines,
                               explanation: "\(cutLineCount) log line(s) ran past the line-length cap without a line break: each was parsed and matched on its first part, the rest was not read; a request padded this way may be hiding from tools that skip long lines"))
        }
        return out
    }

    /// `HttpProxy_2021030305-1.LOG` → hour number; `u_ex210303.log` or `ECPServer20210303-1.LOG` → day number.
    static func period(fromFileName path: String) -> (Int64, Bool)? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let digits = Array(name.utf8).split { $0 < 48 || $0 > 57 }.map { String(decoding: $0, as: UTF8.self) }
        for run in digits {
            if run.count == 10, let time = Timestamp(iso8601: "\(run.prefix(4))-\(run.dropFirst(4).prefix(2))-\(run.dropFirst(6).prefix(2))T\(run.suffix(2)):00:00Z") {
                return (time.seconds / 3600, true)
            }
            if run.count == 8, let time = Timestamp(iso8601: "\(run.prefix(4))-\(run.dropFirst(4).prefix(2))-\(run.suffix(2))T00:00:00Z") {
                return (time.seconds / 86_400, false)
            }
            if run.count == 6, name.lowercased().hasPrefix("u_ex") || name.lowercased().hasPrefix("ex"),
               let time = Timestamp(iso8601: "20\(run.prefix(2))-\(run.dropFirst(2).prefix(2))-\(run.suffix(2))T00:00:00Z") {
                return (time.seconds / 86_400, false)
            }
        }
        return nil
    }
}
