import Dispatch
import Evtx
import ExTriageCore
import Foundation
import Sigma

/// Reads every collected `.evtx` member with the native reader (module `Evtx`) straight from the
/// streamed bytes and offers its records to the event checks whose selector names them; the
/// `EVTX` coverage row is its own.
///
/// Nothing is spooled: each member's bytes go to an `EvtxStream` as they arrive, which holds at
/// most two batches of 64 KiB chunks, and records wait for the checks in batches of `offerBatch`.
/// The pre-filter (event IDs, every event of a provider) runs before any field is formatted.
/// Failed records and bad chunks are counted; a member that is not EVTX is reported in coverage,
/// never fatal.
final class EventLogReader {
    static let id: CheckID = "EVTX"
    static let title = "Event logs (EVTX records, native reader)"
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

    /// The member being read: where it is, its stream, the provider checks for its channel.
    private struct Reading {
        var member: MemberInfo
        var source: EventSource
        var fileChannel: String
        var providers: [String: [Int]]
        /// The every-record checks that can apply to this log's channel.
        var everyRecord: [Int]
        var stream: EvtxStream
    }
    private var current: Reading?
    private(set) var members = 0
    private(set) var summary = EvtxReadSummary()
    /// Records offered, per position in `checks`.
    private var offered: [Int]
    /// Records decoded and not yet offered, and per position in `checks` the indices of those it reads.
    private var queued: [EventRecord] = []
    private var queuedFor: [[Int]]
    /// Per queued record, whether a Sigma check reads it (so it is screened for the rules' needles).
    private var queuedScreen: [Bool] = []
    /// Positions in `checks` of the Sigma checks, and the screen over their rules' needles.
    private var sigmaChecks: [Bool]
    private let screen: SigmaScreen?
    /// Records offered together: enough to keep both cores busy, few enough to stay small.
    static let offerBatch = 2048
    private var problems: [String] = []
    private var channelSpans: [String: (first: Timestamp?, last: Timestamp?)] = [:]
    /// The time each channel's logs cover (file-name channel, lower-cased).
    private var spanByChannel: [String: (first: Timestamp, last: Timestamp)] = [:]
    /// Channels read, from the file names (`Microsoft-Windows-Sysmon%4Operational.evtx`), lower-cased.
    private var channelsRead: Set<String> = []
    /// The host's name from the records' `Computer` field.
    let computerName = EventComputerName()

    init(checks: [any RunningCheck]) {
        self.checks = checks.enumerated().compactMap { index, check in
            guard case .events(let selector) = check.input else { return nil }
            return (index, check, selector)
        }
        sigmaChecks = self.checks.map(\.selector.sigma)
        screen = sigmaChecks.contains(true) ? SigmaScreen.current() : nil
        offered = Array(repeating: 0, count: self.checks.count)
        queuedFor = Array(repeating: [], count: self.checks.count)
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
        let logName = member.sourcePath.split(separator: "/").last.map(String.init) ?? ""
        let fileChannel = String(logName.dropLast(5)).replacingOccurrences(of: "%4", with: "/").lowercased()
        let providers = providerChecks(forFileChannel: fileChannel)
        let wanted = self.wanted
        let wideIDs = self.wideIDs
        let providerNames = Set(providers.keys)
        // A check bound to channels reads every record only of those logs (auto-backup archives: any).
        let everyRecordHere = everyRecord.filter { position in
            let channels = checks[position].selector.channels
            return channels.isEmpty || channels.contains(fileChannel) || fileChannel.hasPrefix("archive-")
        }
        let everything = !everyRecordHere.isEmpty
        let computerName = self.computerName
        let options = EvtxOptions(wantsProvider: !providerNames.isEmpty) { eventID, provider in
            everything || computerName.isLooking || (eventID < 65_536 ? wanted[Int(eventID)] : wideIDs.contains(eventID)) || providerNames.contains(provider)
        }
        current = Reading(member: member, source: EventSource(member: member.member, sourcePath: member.sourcePath),
                          fileChannel: fileChannel, providers: providers, everyRecord: everyRecordHere, stream: EvtxStream(options: options))
        return true
    }

    func consume(_ bytes: UnsafeRawBufferPointer) {
        guard let reading = current else { return }
        reading.stream.feed(bytes) { queue($0, reading) }
    }

    /// One record for the checks that read its event ID or every event of its provider; they
    /// see it with the rest of its batch (`offerQueued`).
    private func queue(_ decoded: EvtxRecord, _ reading: Reading) {
        computerName.offer(decoded.computer)
        let record = EventRecord(decoded)
        let index = queued.count
        var any = false
        var sigma = false
        func add(_ position: Int) {
            guard queuedFor[position].last != index else { return }
            queuedFor[position].append(index)
            any = true
            sigma = sigma || sigmaChecks[position]
        }
        byID[record.eventID]?.forEach(add)
        reading.everyRecord.forEach(add)
        if !reading.providers.isEmpty, let more = reading.providers[record.provider.lowercased()] { more.forEach(add) }
        // Only records a check reads get their keyword text (a record decoded just for its
        // `Computer` name does not).
        guard any else { return }
        queued.append(record)
        queuedScreen.append(sigma)
        if queued.count >= Self.offerBatch { offerQueued(reading.source) }
    }

    /// Offers the queued records, each check on one thread of its own (checks keep their own
    /// state), every check seeing its records in log order.
    private func offerQueued(_ source: EventSource) {
        guard !queued.isEmpty else { return }
        prepareQueued()
        let active = queuedFor.indices.filter { !queuedFor[$0].isEmpty }
        let observations = queued.map { Observation.event($0, source) }
        let work = UncheckedSendable((observations: observations, indices: queuedFor, checks: checks, active: active))
        DispatchQueue.concurrentPerform(iterations: active.count) { item in
            let position = work.value.active[item]
            let check = work.value.checks[position].check
            work.value.observations.withUnsafeBufferPointer { observations in
                for index in work.value.indices[position] { check.observe(observations[index]) }
            }
        }
        for position in active {
            offered[position] += queuedFor[position].count
            queuedFor[position].removeAll(keepingCapacity: true)
        }
        queued.removeAll(keepingCapacity: true)
        queuedScreen.removeAll(keepingCapacity: true)
    }

    /// Gives every queued record its keyword text and, where a Sigma check reads it, its screen
    /// hits: on all cores, slices of the batch each on one thread.
    private func prepareQueued() {
        let slices = min(8, queued.count)
        let screen = self.screen
        let flags = queuedScreen
        queued.withUnsafeMutableBufferPointer { records in
            let work = UncheckedSendable(records)
            DispatchQueue.concurrentPerform(iterations: slices) { slice in
                let records = work.value
                let range = slice * records.count / slices..<(slice + 1) * records.count / slices
                for index in range {
                    records[index].prepareKeywordText()
                    if flags[index], let screen { records[index].screen(with: screen) }
                }
            }
        }
    }

    func end() {
        guard let reading = current else { return }
        current = nil
        let member = reading.member
        let read = reading.stream.finish { queue($0, reading) }
        offerQueued(reading.source)
        if let problem = read.problem {
            problems.append("\(member.sourcePath): \(problem)")
            return
        }
        members += 1
        channelsRead.insert(reading.fileChannel)
        if read.corrupted {
            let why = read.chunkProblems.prefix(3).joined(separator: ", ")
            problems.append("\(member.sourcePath): corrupted (records read: \(read.records), failed: \(read.failed), bad chunks: \(read.badChunks)\(why.isEmpty ? "" : "; " + why))")
        } else if read.records == 0 {
            problems.append("\(member.sourcePath): 0 records")
        }
        summary.records += read.records
        summary.recovered += read.recovered
        summary.failed += read.failed
        summary.recoveryFailed += read.recoveryFailed
        summary.recoveredDuplicates += read.recoveredDuplicates
        channelSpans[member.sourcePath] = (read.first, read.last)
        if let first = read.first, let last = read.last {
            let known = spanByChannel[reading.fileChannel]
            spanByChannel[reading.fileChannel] = (min(known?.first ?? first, first), max(known?.last ?? last, last))
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

extension EventRecord {
    /// The detection view of a natively decoded record.
    init(_ record: EvtxRecord) {
        self.init(recordNumber: record.recordNumber, eventID: record.eventID, provider: record.provider, channel: record.channel,
                  computer: record.computer, level: record.level, time: record.time, fields: record.fields, recovered: record.recovered)
    }
}
