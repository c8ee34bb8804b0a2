import EvidenceBundle
import ExTriageCore

/// Runs every check over one bundle in one read: each member, as verification streams it, goes
/// to the log checks line by line, to the event checks record by record, and to the content
/// checks as a bounded head. Then every check finishes, the same way for all:
///
/// 1. the log checks, in registry order; their findings, with the log-coverage findings
///    (`EXT-C01`: gaps, missing families, files cut at the start), bound to the manifest, are
///    the `logFindings` every later check sees;
/// 2. the other checks, in registry order, each seeing the exhibits of those before it;
/// 3. findings another check's findings carry (`Supersession`) are dropped; evidence lists are
///    capped at `EvidenceList.defaultCap` with the rest counted;
/// 4. one coverage row per check (plus the event-log reader's), from what the runner offered
///    it and what the check noted; a check that used up its time budget (`timeBudget` seconds
///    of observing per bundle) was offered nothing more, and its row is `failed` saying so.
public final class CheckRunner: MemberObserver {
    /// Seconds one check may spend observing one bundle's members.
    public static let defaultTimeBudget = 900.0

    let checks: [any RunningCheck]
    let logs: LogStream
    let events: EventLogReader
    let content: ContentFeed
    private var logsActive = false
    private var eventsActive = false
    private var contentActive = false

    init(checks: [any Check], timeBudget: Double = CheckRunner.defaultTimeBudget) {
        self.checks = checks.map { instantiate($0, budget: timeBudget) }
        logs = LogStream(checks: self.checks)
        events = EventLogReader(checks: self.checks)
        content = ContentFeed(checks: self.checks)
    }

    public func begin(member path: String) -> Bool {
        logsActive = logs.begin(member: path)
        eventsActive = events.begin(member: path)
        contentActive = content.begin(member: path)
        return logsActive || eventsActive || contentActive
    }

    public func consume(_ bytes: UnsafeRawBufferPointer) {
        if logsActive { logs.consume(bytes) }
        if eventsActive { events.consume(bytes) }
        if contentActive { content.consume(bytes) }
    }

    public func end() {
        if logsActive { logs.end() }
        if eventsActive { events.end() }
        if contentActive { content.end() }
        logsActive = false
        eventsActive = false
        contentActive = false
    }

    /// What the checks found in one bundle, and what they could see.
    struct Result {
        var findings: [Finding]
        var coverage: [CoverageRow]
        var spans: LogSpanBuilder
        /// What each check assesses, with its coverage row.
        var assessments: [CheckAssessment]
        /// Every exhibit the checks left (the build history, the web-shell requests).
        var exhibits: [any Exhibit]
        /// The host's name from the event logs' `Computer` field, if any record had one.
        var eventComputer: String? = nil
        /// The manifest's facts the checks saw (built once: it indexes every entry).
        var facts: BundleFacts? = nil

        /// The first exhibit of a type.
        func exhibit<E: Exhibit>(_ type: E.Type) -> E? { exhibits.lazy.compactMap { $0 as? E }.first }
    }

    /// Finishes every check once the manifest is known (see the type's steps).
    func finish(manifest: Manifest) -> Result {
        let facts = BundleFacts(manifest: manifest)
        let binding = ManifestBinding(manifest)
        var outputs: [CheckOutput?] = Array(repeating: nil, count: checks.count)
        var exhibits: [any Exhibit] = []
        let logIndexes = checks.indices.filter { if case .logRecords = checks[$0].input { return true } else { return false } }
        let otherIndexes = checks.indices.filter { !logIndexes.contains($0) }

        for index in logIndexes {
            var output = checks[index].finish(in: FinishContext(facts: facts))
            binding.bind(&output.findings)
            exhibits += output.exhibits
            outputs[index] = output
        }
        // What the logs could not show is said when some check reads logs.
        let gapFindings = logIndexes.isEmpty ? [] : binding.bind(logs.spans.gapFindings)
        let logFindings = logIndexes.flatMap { outputs[$0]?.findings ?? [] } + gapFindings
        let spans = logs.spans.spans
        for index in otherIndexes {
            var output = checks[index].finish(in: FinishContext(facts: facts, logFindings: logFindings, logSpans: spans, exhibits: exhibits))
            binding.bind(&output.findings)
            exhibits += output.exhibits
            outputs[index] = output
        }

        let supersessions = outputs.flatMap { $0?.supersedes ?? [] }
        func kept(_ index: Int) -> [Finding] {
            (outputs[index]?.findings ?? []).filter { finding in !supersessions.contains { $0.covers(finding) } }
                .map { $0.capped(at: EvidenceList.defaultCap) }
        }
        let findings = logIndexes.flatMap(kept) + gapFindings + otherIndexes.flatMap(kept)

        var coverage: [CoverageRow] = []
        var assessments: [CheckAssessment] = []
        var readerRowAdded = false
        for index in checks.indices {
            if case .events = checks[index].input, !readerRowAdded {
                coverage.append(events.readerRow())
                readerRowAdded = true
            }
            let note = outputs[index]?.coverage ?? CoverageNote()
            var row = Self.apply(note, to: runnerRow(forCheckAt: index))
            if let spent = checks[index].stoppedAfter {
                row.status = .failed
                row.reason = "stopped after about \(Int(spent.rounded())) s of its time budget; its findings cover the records before"
                    + (row.reason.map { "; " + $0 } ?? "")
            }
            coverage.append(row)
            coverage += note.extraRows
            let usage = logs.usage[index]
            let eventSpan = events.span(forCheckAt: index)
            assessments.append(CheckAssessment(assessment: checks[index].assesses, row: row, first: usage?.first ?? eventSpan?.first,
                                               last: usage?.last ?? eventSpan?.last))
        }
        return Result(findings: findings, coverage: coverage, spans: logs.spans, assessments: assessments, exhibits: exhibits,
                      eventComputer: events.computerName.name, facts: facts)
    }

    /// The row as the runner saw the check: members and records offered to it.
    func runnerRow(forCheckAt index: Int) -> CoverageRow {
        let check = checks[index]
        switch check.input {
        case .logRecords:
            guard let usage = logs.usage[index], usage.members > 0 else {
                return CoverageRow(checkId: check.id, title: check.title, status: .notApplicable, reason: "no log it reads is in the bundle")
            }
            return CoverageRow(checkId: check.id, title: check.title, status: .ran, members: usage.members, records: usage.records,
                               malformed: usage.malformed)
        case .events:
            return events.row(forCheckAt: index)
                ?? CoverageRow(checkId: check.id, title: check.title, status: .notApplicable, reason: "no event log in the bundle")
        case .memberContent:
            let selected = content.checks.firstIndex { $0.index == index }.map { content.selected[$0] } ?? 0
            return CoverageRow(checkId: check.id, title: check.title, status: .ran, members: selected, records: selected)
        case .manifest:
            return CoverageRow(checkId: check.id, title: check.title, status: .ran)
        }
    }

    static func apply(_ note: CoverageNote, to row: CoverageRow) -> CoverageRow {
        var out = row
        if let status = note.status { out.status = status }
        if let reason = note.reason { out.reason = reason }
        if let members = note.members { out.members = members }
        if let records = note.records { out.records = records }
        if let malformed = note.malformed { out.malformed = malformed }
        return out
    }
}

/// What one check assesses, whether it ran, and the time its logs cover (for log checks).
struct CheckAssessment {
    var assessment: Assessment
    var row: CoverageRow
    var first: Timestamp?
    var last: Timestamp?
}

/// Evidence read during the single pass carries the manifest's view once it is known: each
/// member's source path and whole-file SHA-256. Evidence from members the manifest does not
/// list is dropped (ADVERSARIAL-CASES B5), and so is a finding left with none.
struct ManifestBinding {
    /// Entry indexes by path; keys share the entries' path strings: nothing is copied per entry.
    private var indexes: [PathKey: Int] = [:]
    private let entries: [Manifest.Entry]

    init(_ manifest: Manifest) {
        entries = manifest.entries
        indexes.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() { indexes[PathKey(entry.path)] = index }
    }

    func bind(_ findings: [Finding]) -> [Finding] {
        var bound = findings
        bind(&bound)
        return bound
    }

    /// Binds in place: a check's many findings are not held twice while they are bound.
    func bind(_ findings: inout [Finding]) {
        var emptied: Set<Int> = []
        for index in findings.indices where !findings[index].evidence.isEmpty {
            findings[index].evidence = findings[index].evidence.compactMap { item in
                guard let entry = indexes[PathKey(item.member)].map({ entries[$0] }) else { return nil }
                var copy = item
                copy.originalPath = entry.sourcePath
                copy.sha256 = entry.sha256
                return copy
            }
            if findings[index].evidence.isEmpty { emptied.insert(index) }
        }
        guard !emptied.isEmpty else { return }
        findings = findings.indices.filter { !emptied.contains($0) }.map { findings[$0] }
    }
}
