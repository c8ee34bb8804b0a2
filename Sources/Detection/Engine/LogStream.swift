import EvidenceBundle
import ExTriageCore

/// Feeds each log member's lines, as verification streams it, to the checks that read its
/// family, and learns the log spans on the way.
final class LogStream {
    /// The log checks: their index in the runner's list and their selector.
    let checks: [(index: Int, check: any RunningCheck, selector: LogSelector)]
    /// Per runner index: members read, records offered, malformed lines in those members.
    private(set) var usage: [Int: LogUsage] = [:]
    private(set) var spans = LogSpanBuilder()
    private var scan: MemberScan?
    private var lines = LineReader()

    struct LogUsage {
        var members = 0
        var records = 0
        var malformed = 0
        /// The first and last record time over the members read for the check.
        var first: Timestamp?
        var last: Timestamp?
    }

    init(checks: [any RunningCheck]) {
        self.checks = checks.enumerated().compactMap { index, check in
            guard case .logRecords(let selector) = check.input else { return nil }
            return (index, check, selector)
        }
    }

    /// Whether `path` is a log member; if so its lines follow through `consume`.
    func begin(member path: String) -> Bool {
        guard let info = MemberInfo(member: path), let family = LogFamily.classify(sourcePath: info.sourcePath) else { return false }
        let interested = checks.filter { $0.selector.families(family) }
        let context = MemberContext(member: path, sourcePath: info.sourcePath, sha256: "", family: family)
        scan = MemberScan(checks: interested.map { ($0.check, $0.selector) }, context: context)
        lines = LineReader()
        return true
    }

    func consume(_ bytes: UnsafeRawBufferPointer) {
        guard var current = scan else { return }
        scan = nil
        lines.feed(bytes) { current.take($0) }
        scan = current
    }

    func end() {
        guard var current = scan else { return }
        scan = nil
        lines.finish { current.take($0) }
        current.finish()
        let interested = checks.filter { $0.selector.families(current.context.family) }
        for (position, entry) in interested.enumerated() {
            var row = usage[entry.index] ?? LogUsage()
            row.members += 1
            row.records += current.records[position]
            row.malformed += current.malformed
            if let first = current.firstTime { row.first = min(row.first ?? first, first) }
            if let last = current.lastTime { row.last = max(row.last ?? last, last) }
            usage[entry.index] = row
        }
        spans.add(family: current.context.family, sourcePath: current.context.sourcePath, first: current.firstTime,
                  last: current.lastTime, serverName: current.serverName.map { ($0.name, $0.field) }, context: current.context,
                  truncatedStart: current.startsWithoutHeader)
        spans.noteCutLines(current.cutLines, count: current.cutLineCount, context: current.context)
        spans.noteServerAddresses(current.serverAddresses)
    }
}

/// The per-member state of the line loop: parse headers always, data lines when a check may care.
struct MemberScan {
    let checks: [(check: any RunningCheck, selector: LogSelector)]
    let context: MemberContext
    /// Every check's needles in one set, searched once per line.
    let needles: NeedleSet
    /// For each check, its needles as a mask over `needles` (nil: every record).
    let owned: [NeedleMask?]
    /// Reused for each line: the checks that want it.
    var interested: [Int] = []
    var parser = W3CLogParser()
    /// Records offered, per check (same order as `checks`).
    var records: [Int]
    var malformed = 0
    var firstTime: Timestamp?
    var lastTime: Timestamp?
    var lastDataLine: Line?
    /// The server's own name as this log gives it, and the column it came from.
    var serverName: (name: String, field: String)?
    /// The server's own addresses as its logs give them (IIS `s-ip`), at most a few.
    var serverAddresses: Set<String> = []
    var startsWithoutHeader = false
    var sawLine = false
    /// Lines cut at the line-length cap (their first part was still parsed and matched).
    var cutLines: [Line] = []
    var cutLineCount = 0

    init(checks: [(check: any RunningCheck, selector: LogSelector)], context: MemberContext) {
        self.checks = checks
        self.context = context
        records = Array(repeating: 0, count: checks.count)
        var all: [[UInt8]] = []
        var owned: [NeedleMask?] = []
        for (_, selector) in checks {
            guard let needles = selector.needles else {
                owned.append(nil)
                continue
            }
            var mask = NeedleMask()
            var beyond = false
            for needle in needles {
                let index = all.firstIndex(of: needle) ?? { all.append(needle); return all.count - 1 }()
                if index < NeedleMask.capacity { mask.insert(index) } else { beyond = true }
            }
            owned.append(beyond ? nil : mask)
        }
        needles = NeedleSet(all)
        self.owned = owned
    }

    mutating func take(_ line: Line) {
        if !sawLine {
            sawLine = true
            startsWithoutHeader = !line.text.hasPrefix("#")
        }
        if line.truncated {
            cutLineCount += 1
            if cutLines.count < 3 { cutLines.append(Line(number: line.number, text: String(line.text.prefix(200)), truncated: true)) }
        }
        if line.text.hasPrefix("#") || line.text.isEmpty {
            _ = parser.parse(line)
            return
        }
        let matched = needles.matches(in: line.text)
        interested.removeAll(keepingCapacity: true)
        for index in checks.indices {
            if let mine = owned[index] {
                guard mine.intersects(matched) else { continue }
                let needles = self.needles
                if let refine = checks[index].selector.refine,
                   !refine(line.text, { needles.index(of: $0).map(matched.contains) ?? false }) {
                    continue
                }
                interested.append(index)
            } else {
                interested.append(index)
            }
        }
        guard !interested.isEmpty || firstTime == nil else {
            lastDataLine = line
            return
        }
        lastDataLine = nil
        switch parser.parse(line) {
        case .record(let record):
            if let time = record.timestamp {
                if firstTime == nil { firstTime = time }
                lastTime = time
            }
            if serverName == nil { serverName = MemberScan.serverName(record) }
            if serverAddresses.count < 16, let address = record.value("s-ip"), !address.isEmpty, address != "-" { serverAddresses.insert(address) }
            guard !interested.isEmpty else { return }
            let header = LogHeader(software: parser.software, version: parser.version, logType: parser.logType)
            for index in interested {
                checks[index].check.observe(.logRecord(record, header, context))
                records[index] += 1
            }
        case .malformed:
            malformed += 1
        case .header, .blank:
            break
        }
    }

    /// Columns that name the logging server itself: Exchange `ServerHostName` (HttpProxy) or
    /// `ServerName` (ECP, OAB), IIS `s-computername`.
    static let serverNameFields = ["ServerHostName", "ServerName", "s-computername"]

    static func serverName(_ record: LogRecord) -> (name: String, field: String)? {
        for field in serverNameFields {
            guard let value = record.value(field)?.trimmedSpaces, !value.isEmpty, value != "-" else { continue }
            return (value, field)
        }
        return nil
    }

    /// The last line was skipped by the pre-filter: parse it once for the span's end; then tell
    /// the checks the member's header.
    mutating func finish() {
        if let line = lastDataLine, case .record(let record) = parser.parse(line), let time = record.timestamp {
            lastTime = max(lastTime ?? time, time)
        }
        let header = LogHeader(software: parser.software, version: parser.version, logType: parser.logType)
        for (check, _) in checks { check.observe(.logHeader(header, firstRecord: firstTime, context)) }
    }
}
