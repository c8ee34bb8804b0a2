import EvidenceBundle
import ExTriageCore

/// One detection check: what it reads, what it assesses, and how it turns what it saw into findings.
///
/// A check is a `Sendable` value with no mutable state of its own. The `CheckRunner` makes a
/// fresh `State` per bundle, offers it every observation the check's `input` declares, and asks
/// for the check's output once every member has streamed past. Coverage rows, evidence caps and
/// the binding of evidence to the manifest are the runner's, the same for every check.
///
/// Add a check: one file under `Checks/` conforming to `Check`, and one line in `CheckRegistry`
/// (a test fails if a check file is not registered). A YAML rule needs no Swift at all.
public protocol Check: Sendable {
    /// What the check keeps between observations; `Void` when it needs nothing.
    associatedtype State = Void

    var id: CheckID { get }
    var title: String { get }
    /// The one kind of evidence it reads.
    var input: CheckInput { get }
    /// The CVEs whose state its coverage decides: when it ran and found nothing, they are `no-evidence`.
    var assesses: Assessment { get }

    func makeState() -> State
    /// One thing its input declared: a log record, a log's header, an event, a member's content.
    func observe(_ observation: Observation, into state: inout State)
    /// Findings (and anything later checks build on) once every member was seen.
    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput
}

extension Check {
    public var assesses: Assessment { Assessment() }
}

extension Check where State == Void {
    public func makeState() {}
    /// A check without state has nothing to keep from an observation (`.manifest` checks).
    public func observe(_ observation: Observation, into state: inout Void) {}
}

/// What a check reads: exactly one of these.
public enum CheckInput: Sendable {
    /// Records of W3C-style logs (Exchange, IIS) of the families it names.
    case logRecords(LogSelector)
    /// Records of the collected event logs.
    case events(EventSelector)
    /// The first bytes of the members it picks by name.
    case memberContent(MemberSelector)
    /// No member bytes: the manifest (in `FinishContext.facts`) says all it needs.
    case manifest
}

/// Which log records a check wants, and the cheap pre-filter in front of the parser.
public struct LogSelector: Sendable {
    /// Whether a member of this family is read for it.
    public var families: @Sendable (LogFamily) -> Bool
    /// Lower-case needles: a line holding none of them is not parsed for this check; nil: every
    /// record; `[]`: no record at all (headers only).
    public var needles: [[UInt8]]?
    /// A second, cheap look at a line holding one of the needles, before it is parsed; `found`
    /// tells which of the needles the line holds.
    public var refine: (@Sendable (_ line: String, _ found: (_ needle: [UInt8]) -> Bool) -> Bool)?

    public init(needles: [String]?, families: @escaping @Sendable (LogFamily) -> Bool,
                refine: (@Sendable (_ line: String, _ found: (_ needle: [UInt8]) -> Bool) -> Bool)? = nil) {
        self.families = families
        self.needles = needles.map(ByteSearch.needles)
        self.refine = refine
    }
}

/// Which event records a check wants: the pre-filter that decides which records are decoded.
public struct EventSelector: Sendable {
    public var eventIDs: Set<UInt32>
    /// Providers (lower-cased) whose every event it reads, whatever the ID.
    public var everyEventOf: Set<String>
    /// Channels (lower-cased, `microsoft-windows-sysmon/operational`) it is bound to; empty: any.
    /// A bound check is `not-applicable` when none of its channels' logs was read.
    public var channels: Set<String>
    /// Every record is decoded for it (a Sigma rule that pins no event ID).
    public var allEvents: Bool
    /// It evaluates Sigma rules: its records are screened for the rules' needles first (`SigmaScreen`).
    public var sigma: Bool

    public init(eventIDs: Set<UInt32>, everyEventOf: Set<String> = [], channels: Set<String> = [], allEvents: Bool = false,
                sigma: Bool = false) {
        self.eventIDs = eventIDs
        self.everyEventOf = everyEventOf
        self.channels = channels
        self.allEvents = allEvents
        self.sigma = sigma
    }
}

/// Which members' bytes a check wants, and how many of them.
public struct MemberSelector: Sendable {
    /// Bytes of the member's head held for the check; the rest is counted, not kept.
    public var limit: Int
    /// When set, only members whose first bytes are these are offered (the `MDMP` of a minidump).
    public var leadingBytes: [UInt8]?
    /// Whether a member is wanted, from its name alone.
    public var matches: @Sendable (MemberInfo) -> Bool

    public init(limit: Int, leadingBytes: [UInt8]? = nil, matches: @escaping @Sendable (MemberInfo) -> Bool) {
        self.limit = limit
        self.leadingBytes = leadingBytes
        self.matches = matches
    }
}

/// One thing the runner offers a check.
public enum Observation {
    /// A parsed record of a log family the check reads (only lines that passed its pre-filter).
    case logRecord(LogRecord, LogHeader, MemberContext)
    /// A log member of a family it reads has been read: its header and first record's time.
    case logHeader(LogHeader, firstRecord: Timestamp?, MemberContext)
    /// An event record the check's selector names.
    case event(EventRecord, EventSource)
    /// A member's head (at most the selector's limit) and its full size.
    case content(MemberContent)
}

/// The head of one member, as the runner held it for a check.
public struct MemberContent {
    public var member: MemberInfo
    /// The first bytes, at most `MemberSelector.limit`.
    public var head: [UInt8]
    /// The member's full size.
    public var size: Int

    /// What the checks offered this member share: a value parsed once for all of them (a
    /// registry hive opened once, however many registry checks read it).
    public var shared = MemberShared()

    /// Whether bytes past the head were not kept.
    public var isPartial: Bool { size > head.count }
}

/// Values made from one member's bytes once and handed to every check that reads the member
/// after the first. Lives while the member's checks observe it, on the analyzing thread.
public final class MemberShared {
    private var values: [String: Any] = [:]

    public init() {}

    /// The value kept under `key`, made by `make` the first time it is asked for.
    public func value<Value>(_ key: String, make: () -> Value) -> Value {
        if let value = values[key] as? Value { return value }
        let value = make()
        values[key] = value
        return value
    }
}

/// What a check can assess, so verdict rules read declarations rather than lists of ids.
public struct Assessment: Sendable {
    /// CVE ids whose state this check's coverage decides.
    public var cves: Set<String>
    /// CVEs no technique-based indicator exists for, with the reason: `not-assessable` unless a finding carries them.
    public var unassessable: [String: String]

    public init(cves: Set<String> = [], unassessable: [String: String] = [:]) {
        self.cves = cves
        self.unassessable = unassessable
    }
}

/// What a check hands back: findings, coverage detail, and what later checks may build on.
public struct CheckOutput: Sendable {
    public var findings: [Finding]
    /// Values the check adds to, or puts in place of, its coverage row.
    public var coverage = CoverageNote()
    /// Typed results a later check reads from `FinishContext.exhibit(_:)`.
    public var exhibits: [any Exhibit] = []
    /// Other checks' findings this check's findings already carry, dropped from the report.
    public var supersedes: [Supersession] = []

    public init(findings: [Finding], coverage: CoverageNote = CoverageNote(), exhibits: [any Exhibit] = [],
                supersedes: [Supersession] = []) {
        self.findings = findings
        self.coverage = coverage
        self.exhibits = exhibits
        self.supersedes = supersedes
    }
}

/// A check's word on its own coverage row; nil keeps what the runner counted.
public struct CoverageNote: Sendable {
    public var status: CoverageRow.Status?
    public var reason: String?
    public var members: Int?
    public var records: Int?
    public var malformed: Int?
    /// Rows beyond its own (a rule file that did not compile).
    public var extraRows: [CoverageRow] = []

    public init(status: CoverageRow.Status? = nil, reason: String? = nil, members: Int? = nil, records: Int? = nil,
                malformed: Int? = nil, extraRows: [CoverageRow] = []) {
        self.status = status
        self.reason = reason
        self.members = members
        self.records = records
        self.malformed = malformed
        self.extraRows = extraRows
    }
}

/// A typed result one check leaves for checks that finish after it (the web-shell request index).
public protocol Exhibit: Sendable {}

/// Findings of `check` whose `pivot` values are all in `values`: another finding carries them.
public struct Supersession: Sendable {
    public var check: CheckID
    public var pivot: PivotKey
    public var values: Set<String>

    public init(check: CheckID, pivot: PivotKey, values: Set<String>) {
        self.check = check
        self.pivot = pivot
        self.values = values
    }

    func covers(_ finding: Finding) -> Bool {
        guard finding.checkId == check, let own = finding.pivots[pivot], !own.isEmpty else { return false }
        return own.allSatisfy(values.contains)
    }
}

/// What a check may consult when it finishes: the manifest's facts, the log checks' findings
/// (the attack window), and the exhibits of checks registered before it.
public struct FinishContext: Sendable {
    public var facts: BundleFacts
    /// Findings of the log checks and the log-coverage findings, bound to the manifest.
    public var logFindings: [Finding]
    /// How far each log family reaches (empty for the log checks, which finish first).
    public var logSpans: [LogSpan]
    var exhibits: [any Exhibit]

    public init(facts: BundleFacts, logFindings: [Finding] = [], logSpans: [LogSpan] = [], exhibits: [any Exhibit] = []) {
        self.facts = facts
        self.logFindings = logFindings
        self.logSpans = logSpans
        self.exhibits = exhibits
    }

    /// The time the request logs (IIS, HttpProxy) cover, over every such family with a file;
    /// nil when none was collected.
    public var requestLogSpan: (first: Timestamp?, last: Timestamp?)? {
        let spans = logSpans.filter { $0.files > 0 && ($0.family.hasPrefix("IIS ") || $0.family.hasPrefix("HttpProxy/")) }
        guard !spans.isEmpty else { return nil }
        return (spans.compactMap(\.first).min(), spans.compactMap(\.last).max())
    }

    /// The exhibit of this type a check registered earlier left, if any.
    public func exhibit<E: Exhibit>(_ type: E.Type) -> E? {
        exhibits.lazy.compactMap { $0 as? E }.first
    }
}
