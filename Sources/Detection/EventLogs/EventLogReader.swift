import ExTriageCore
import Foundation

/// Reads every collected `.evtx` member with libevtx and offers its records to the event checks
/// whose selector names them; the `EVTX` coverage row is its own.
///
/// libevtx reads files, so each member is spooled, as it streams past, into one temporary file
/// (that member only, at most `maximumSpool` bytes), read, and deleted before the next member.
/// Failed records are counted; a member that is not EVTX is reported in coverage, never fatal.
final class EventLogReader {
    static let id: CheckID = "EVTX"
    static let title = "Event logs (EVTX records via libevtx)"
    /// The event checks: their index in the runner's list, the check and its selector.
    let checks: [(index: Int, check: any RunningCheck, selector: EventSelector)]
    /// Event IDs any check reads, as a bitmap over the 16-bit range (larger IDs go to `wideIDs`).
    private var wanted = [Bool](repeating: false, count: 65_536)
    private var wideIDs: Set<UInt32> = []
    private var byID: [UInt32: [Int]] = [:]
    /// Checks that read every event of a provider (lower-cased name).
    private var byProvider: [String: [Int]] = [:]
    /// Checks that read every record (Sigma rules that pin no event ID).
    private var everyRecord: [Int] = []
    static let maximumSpool: Int64 = 4 << 30

    private var current: MemberInfo?
    private var spool: Spool?
    private(set) var members = 0
    private(set) var summary = EvtxReadSummary()
    /// Records offered, per position in `checks`.
    private var offered: [Int]
    private var problems: [String] = []
    private var channelSpans: [String: (first: Timestamp?, last: Timestamp?)] = [:]
    /// The time each channel's logs cover (file-name channel, lower-cased).
    private var spanByChannel: [String: (first: Timestamp, last: Timestamp)] = [:]
    /// Channels read, from the file names (`Microsoft-Windows-Sysmon%4Operational.evtx`), lower-cased.
    private var channelsRead: Set<String> = []

    init(checks: [any RunningCheck]) {
        self.checks = checks.enumerated().compactMap { index, check in
            guard case .events(let selector) = check.input else { return nil }
            return (index, check, selector)
        }
        offered = Array(repeating: 0, count: self.checks.count)
        for (position, entry) in self.checks.enumerated() {
            for eventID in entry.selector.eventIDs {
                byID[eventID, default: []].append(position)
                if eventID < 65_536 { wanted[Int(eventID)] = true } else { wideIDs.insert(eventID) }
            }
            for provider in entry.selector.everyEventOf { byProvider[provider, default: []].append(position) }
            if entry.selector.allEvents { everyRecord.append(position) }
        }
    }

    /// Whether `path` is an event log; if so its bytes follow through `consume`.
    func begin(member path: String) -> Bool {
        guard let member = MemberInfo(member: path), member.fileExtension == "evtx" else { return false }
        current = member
        do {
            spool = try Spool(limit: Self.maximumSpool)
        } catch {
            problems.append("\(member.sourcePath): no temporary file for reading (\(error))")
            spool = nil
        }
        return true
    }

    func consume(_ bytes: UnsafeRawBufferPointer) { spool?.write(bytes) }

    func end() {
        guard let member = current else { return }
        current = nil
        guard let file = spool else { return }
        spool = nil
        defer { file.remove() }
        if let failure = file.failure {
            problems.append("\(member.sourcePath): \(failure)")
            return
        }
        file.close()
        let source = EventSource(member: member.member, sourcePath: member.sourcePath)
        let logName = member.sourcePath.split(separator: "/").last.map(String.init) ?? ""
        let fileChannel = String(logName.dropLast(5)).replacingOccurrences(of: "%4", with: "/").lowercased()
        let providers = providerChecks(forFileChannel: fileChannel)
        let read = EvtxReader.read(path: file.path, wants: { self.isWanted($0) },
                                   wantsProvider: providers.isEmpty ? nil : { providers[$0] != nil }) { decoded in
            var record = decoded
            record.searchText = Array(record.allData.utf8)
            var positions = self.byID[record.eventID] ?? []
            for position in self.everyRecord where !positions.contains(position) { positions.append(position) }
            if !providers.isEmpty, let more = providers[record.provider.lowercased()] {
                for position in more where !positions.contains(position) { positions.append(position) }
            }
            for position in positions {
                self.checks[position].check.observe(.event(record, source))
                self.offered[position] += 1
            }
        }
        if let problem = read.problem {
            problems.append("\(member.sourcePath): \(problem)")
            return
        }
        members += 1
        channelsRead.insert(fileChannel)
        if read.corrupted { problems.append("\(member.sourcePath): dirty or corrupted (records read: \(read.records), failed: \(read.failed))") }
        summary.records += read.records
        summary.recovered += read.recovered
        summary.failed += read.failed
        summary.recoveryFailed += read.recoveryFailed
        summary.recoveredDuplicates += read.recoveredDuplicates
        summary.namedByTemplate += read.namedByTemplate
        channelSpans[member.sourcePath] = (read.first, read.last)
        if let first = read.first, let last = read.last {
            let known = spanByChannel[fileChannel]
            spanByChannel[fileChannel] = (min(known?.first ?? first, first), max(known?.last ?? last, last))
        }
    }

    /// The every-event-of-a-provider checks that can apply to a log, by its file name's channel: a
    /// check bound to channels (UM errors: Application) is left out of other logs, so their records
    /// need no provider look-up. Auto-backup archives (`Archive-*`) keep every such check.
    private func providerChecks(forFileChannel channel: String) -> [String: [Int]] {
        guard !channel.hasPrefix("archive-") else { return byProvider }
        var out: [String: [Int]] = [:]
        for (provider, positions) in byProvider {
            let kept = positions.filter { position in
                let channels = checks[position].selector.channels
                return channels.isEmpty || channels.contains(channel)
            }
            if !kept.isEmpty { out[provider] = kept }
        }
        return out
    }

    @inline(__always) private func isWanted(_ eventID: UInt32) -> Bool {
        !everyRecord.isEmpty || (eventID < 65_536 ? wanted[Int(eventID)] : wideIDs.contains(eventID))
    }

    /// The reader's own row: what was read, recovered, failed, and each log's span.
    func readerRow() -> CoverageRow {
        guard members > 0 || !problems.isEmpty else {
            return CoverageRow(checkId: Self.id, title: Self.title, status: .notApplicable, reason: "no .evtx event log in the bundle")
        }
        var reasons = problems.prefix(20).map { $0 }
        if summary.recovered > 0 { reasons.append("\(summary.recovered) records recovered from unallocated space") }
        if summary.recoveryFailed > 0 || summary.recoveredDuplicates > 0 {
            reasons.append("recovery candidates: \(summary.recoveredDuplicates) copies of live records skipped, \(summary.recoveryFailed) unreadable")
        }
        let spans = channelSpans.keys.sorted().compactMap { path -> String? in
            guard let span = channelSpans[path], let first = span.first, let last = span.last else { return nil }
            return "\(path.split(separator: "/").last ?? ""): \(first.iso8601)..\(last.iso8601)"
        }
        if !spans.isEmpty { reasons.append("spans: " + spans.prefix(30).joined(separator: ", ")) }
        return CoverageRow(checkId: Self.id, title: Self.title, status: members > 0 ? .ran : .failed,
                           reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "),
                           members: members, records: summary.records, malformed: summary.failed)
    }

    /// The time covered by the logs the event check at runner index `index` reads (its channels, or all).
    func span(forCheckAt index: Int) -> (first: Timestamp, last: Timestamp)? {
        guard let entry = checks.first(where: { $0.index == index }) else { return nil }
        let spans = spanByChannel.filter { entry.selector.channels.isEmpty || entry.selector.channels.contains($0.key) }.values
        guard let first = spans.map(\.first).min(), let last = spans.map(\.last).max() else { return nil }
        return (first, last)
    }

    /// The row of the event check at runner index `index`, before its own note.
    func row(forCheckAt index: Int) -> CoverageRow? {
        guard let position = checks.firstIndex(where: { $0.index == index }) else { return nil }
        let (_, check, selector) = checks[position]
        guard members > 0 || !problems.isEmpty else {
            return CoverageRow(checkId: check.id, title: check.title, status: .notApplicable, reason: "no event log in the bundle")
        }
        guard members > 0 else {
            return CoverageRow(checkId: check.id, title: check.title, status: .failed, reason: "no event log could be read")
        }
        // A check bound to channels ran only if one of those logs was read.
        if !selector.channels.isEmpty, selector.channels.isDisjoint(with: channelsRead) {
            return CoverageRow(checkId: check.id, title: check.title, status: .notApplicable,
                               reason: "no \(selector.channels.sorted().joined(separator: ", ")) log in the bundle")
        }
        return CoverageRow(checkId: check.id, title: check.title, status: .ran, members: members, records: offered[position])
    }
}

/// A temporary file one member is written to; bounded, removed by `remove()`.
final class Spool {
    let path: String
    private var descriptor: Int32
    private var written: Int64 = 0
    let limit: Int64
    private(set) var failure: String?

    init(limit: Int64) throws {
        var template = Array((NSTemporaryDirectory() + "/extriage-evtx-XXXXXX").utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else { throw ExTriageError(.io, "cannot create a temporary file: \(String(cString: strerror(errno)))") }
        self.descriptor = descriptor
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        self.limit = limit
    }

    func write(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil, descriptor >= 0, let base = bytes.baseAddress else { return }
        guard written + Int64(bytes.count) <= limit else {
            failure = "larger than \(limit) bytes; not read"
            return
        }
        var offset = 0
        while offset < bytes.count {
            let count = Foundation.write(descriptor, base + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                failure = "temporary file write failed: \(String(cString: strerror(errno)))"
                return
            }
            offset += count
        }
        written += Int64(bytes.count)
    }

    func close() {
        if descriptor >= 0 { Foundation.close(descriptor) }
        descriptor = -1
    }

    func remove() {
        close()
        unlink(path)
    }

    deinit { remove() }
}
