/// How sure a finding is (EXCHANGE-ARTIFACTS.md §3.0), lowest to highest.
public enum Verdict: String, Codable, Sendable, CaseIterable, Comparable {
    /// Context: build, coverage, archives without exploit evidence, admin tools in use.
    case informational
    /// Exploit traffic with no sign it worked (serialised `attempt`).
    case attempt
    /// A strong sign of success that still needs a person.
    case likely
    /// The artifact can only exist if an attacker succeeded.
    case confirmed

    /// Position from least to most sure; orders verdicts.
    public var rank: Int {
        switch self {
        case .informational: return 0
        case .attempt: return 1
        case .likely: return 2
        case .confirmed: return 3
        }
    }

    public static func < (lhs: Verdict, rhs: Verdict) -> Bool {
        lhs.rank < rhs.rank
    }
}

/// How urgent a finding is, lowest to highest.
public enum Severity: String, Codable, Sendable, CaseIterable, Comparable {
    case info, low, medium, high, critical

    /// Position from least to most urgent; orders severities.
    public var rank: Int {
        switch self {
        case .info: return 0
        case .low: return 1
        case .medium: return 2
        case .high: return 3
        case .critical: return 4
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs.rank < rhs.rank
    }
}

/// Where a finding was seen: the exact member, line or record, time and text.
public struct Evidence: Codable, Sendable, Hashable {
    /// Bundle member name (`evidence/C/...`).
    public var member: String
    /// The path on the source volume.
    public var originalPath: String
    /// 1-based line number in the member, for text logs.
    public var line: Int?
    /// Record number, for event logs.
    public var record: Int?
    public var timestamp: Timestamp?
    /// The matched text, at most `Evidence.maximumExcerpt` characters, never interpreted.
    public var excerpt: String
    /// SHA-256 of the whole member as collected.
    public var sha256: String
    /// Named values behind the match, when there are several: an event's data fields that
    /// matched (`TargetImage`, `GrantedAccess`), a YARA rule's matched strings, the computer.
    public var details: [String: String]?
    /// The client this line came from (a log record's `c-ip` / `ClientIpAddress`): a finding that
    /// merges requests of several clients says whose each line is.
    public var clientIp: String?
    /// The request's URL as logged (path, and `?query` when there is one), for a web-log line.
    public var url: String?
    /// The HTTP status the server answered, for a web-log line.
    public var httpStatus: Int?

    public static let maximumExcerpt = 400

    public init(member: String, originalPath: String, line: Int? = nil, record: Int? = nil, timestamp: Timestamp?,
                excerpt: String, sha256: String, details: [String: String]? = nil) {
        self.member = member
        self.originalPath = originalPath
        self.line = line
        self.record = record
        self.timestamp = timestamp
        self.excerpt = excerpt.count > Evidence.maximumExcerpt ? String(excerpt.prefix(Evidence.maximumExcerpt)) + "…" : excerpt
        self.sha256 = sha256
        self.details = details
    }
}

/// One result of one check: what, how sure, why, and where.
public struct Finding: Codable, Sendable {
    /// The finding's number in its report (1-based, in report order); text, HTML and JSON show the same.
    public var id: Int?
    public var checkId: CheckID
    public var title: String
    public var severity: Severity
    public var verdict: Verdict
    public var cves: [String]
    /// MITRE ATT&CK technique ids.
    public var attack: [String]
    public var evidence: [Evidence]
    /// One line: why this matters.
    public var explanation: String
    /// Values an analyst pivots on: `clientIp`, `userAgent`, `shellPath`, `shellParameter`, ...
    public var pivots: [PivotKey: [String]]
    /// What kind of activity, machine-readable (`credential-access`, `lateral-movement`,
    /// `exchange`, `anti-forensics`, `staging`); absent for checks that do not set one.
    public var category: String?
    /// Evidence items found but not listed (a cap was reached); absent when every item is listed.
    public var omittedEvidence: Int?
    /// Web-shell findings: whether the request logs show the file was called; absent for other findings.
    public var usage: ShellUsage?
    /// What later analysis adds to the finding (exploited before a patch, time-stomped times); absent when nothing.
    public var notes: [String]?
    /// How many findings of one kind this one summarises (a check that made more than a few
    /// dozen alike, one per file); absent for a finding that stands alone.
    public var grouped: Int?

    public init(checkId: CheckID, title: String, severity: Severity, verdict: Verdict, cves: [String] = [],
                attack: [String] = [], evidence: [Evidence], explanation: String, pivots: [PivotKey: [String]] = [:],
                category: String? = nil) {
        self.checkId = checkId
        self.title = title
        self.severity = severity
        self.verdict = verdict
        self.cves = cves
        self.attack = attack
        self.evidence = evidence
        self.explanation = explanation
        self.pivots = pivots
        self.category = category
    }

    /// Adds a note once.
    public mutating func addNote(_ note: String) {
        if notes?.contains(note) == true { return }
        notes = (notes ?? []) + [note]
    }

    /// The earliest evidence time, for ordering and timelines.
    public var firstSeen: Timestamp? { evidence.compactMap(\.timestamp).min() }
}

/// Whether a check could run on a bundle, and how much it read: every report shows this.
public struct CoverageRow: Codable, Sendable {
    public enum Status: String, Codable, Sendable {
        case ran
        /// Nothing it reads is in the bundle; `reason` says what was missing.
        case notApplicable = "not-applicable"
        /// It tried and could not finish; `reason` says why.
        case failed
    }

    public var checkId: CheckID
    public var title: String
    public var status: Status
    public var reason: String?
    /// Members read.
    public var members: Int
    /// Lines or records examined.
    public var records: Int
    /// Lines or records that could not be parsed (counted and skipped, never fatal).
    public var malformed: Int

    public init(checkId: CheckID, title: String, status: Status, reason: String? = nil, members: Int = 0, records: Int = 0, malformed: Int = 0) {
        self.checkId = checkId
        self.title = title
        self.status = status
        self.reason = reason
        self.members = members
        self.records = records
        self.malformed = malformed
    }
}

/// How far one log family reaches, from the content, and where it has holes.
public struct LogSpan: Codable, Sendable {
    /// e.g. `HttpProxy/Ecp`, `ECP Server`, `IIS W3SVC1`.
    public var family: String
    public var files: Int
    public var first: Timestamp?
    public var last: Timestamp?
    /// Hours (hourly logs) or days (daily logs) missing between neighbours, as `start/end` ranges.
    public var gaps: [String]

    public init(family: String, files: Int, first: Timestamp?, last: Timestamp?, gaps: [String]) {
        self.family = family
        self.files = files
        self.first = first
        self.last = last
        self.gaps = gaps
    }
}

/// Hits of one actor grouped by client and time: how far they got.
public struct Campaign: Codable, Sendable {
    public var clientIps: [String]
    public var userAgents: [String]
    public var first: Timestamp?
    public var last: Timestamp?
    /// The highest attack-chain stage reached, e.g. `proxyLogon.ecp 241`.
    public var highestStage: String
    public var verdict: Verdict
    /// Shell paths, shell parameter names, canaries.
    public var pivots: [PivotKey: [String]]
    /// Indexes into the report's findings, in time order.
    public var findingIndexes: [Int]

    public init(clientIps: [String], userAgents: [String], first: Timestamp?, last: Timestamp?, highestStage: String,
                verdict: Verdict, pivots: [PivotKey: [String]], findingIndexes: [Int]) {
        self.clientIps = clientIps
        self.userAgents = userAgents
        self.first = first
        self.last = last
        self.highestStage = highestStage
        self.verdict = verdict
        self.pivots = pivots
        self.findingIndexes = findingIndexes
    }
}

/// The answer for one bundle: was this server exploited?
public enum HostVerdict: String, Codable, Sendable {
    case compromised
    case exploitationAttempted = "exploitation-attempted"
    case noEvidenceFound = "no-evidence-found"
    case couldNotAssess = "could-not-assess"

    public var text: String {
        switch self {
        case .compromised: return "COMPROMISED"
        case .exploitationAttempted: return "EXPLOITATION ATTEMPTED"
        case .noEvidenceFound: return "NO EVIDENCE FOUND"
        case .couldNotAssess: return "COULD NOT ASSESS"
        }
    }
}

/// What verification said about a bundle before it was analyzed.
public struct VerificationSummary: Codable, Sendable {
    /// `intact-signed`, `intact-unsigned`, `not-intact`, `not-a-bundle`.
    public var status: String
    /// The one-line verdict, e.g. `intact and signed by … (trusted)`.
    public var text: String
    public var problems: [String]
    /// True when the analysis went ahead on a bundle that did not verify (`--allow-unverified`).
    public var analyzedAnyway: Bool
    /// The member digests recomputed (`analyze` checks SHA-256; `verify` all three).
    public var digestsChecked: [String]?

    public init(status: String, text: String, problems: [String], analyzedAnyway: Bool, digestsChecked: [String]? = nil) {
        self.status = status
        self.text = text
        self.problems = problems
        self.analyzedAnyway = analyzedAnyway
        self.digestsChecked = digestsChecked
    }
}

/// Everything `analyze` found for one bundle, in the stable shape every renderer reads.
public struct AnalysisReport: Codable, Sendable {
    public struct BundleInfo: Codable, Sendable {
        public var path: String
        public var sha256: String?
        public var caseId: String?
        public var examiner: String?
        /// The analysed server's name as the evidence gives it (never the collecting machine); nil when no
        /// artifact names it.
        public var host: String?
        /// Where `host` comes from (`HttpProxy log ServerHostName field`, `event logs Computer field`), or
        /// `not in the evidence`.
        public var hostSource: String?
        public var collectedAt: Timestamp?
        public var exchangeInstallPath: String?
        public init(path: String, sha256: String?, caseId: String?, examiner: String?, host: String?, hostSource: String? = nil,
                    collectedAt: Timestamp?, exchangeInstallPath: String?) {
            self.path = path
            self.sha256 = sha256
            self.caseId = caseId
            self.examiner = examiner
            self.host = host
            self.hostSource = hostSource
            self.collectedAt = collectedAt
            self.exchangeInstallPath = exchangeInstallPath
        }
    }

    public struct ToolInfoRecord: Codable, Sendable {
        public var name: String
        public var version: String
        public init(name: String = ToolInfo.name, version: String = ToolInfo.version) {
            self.name = name
            self.version = version
        }
    }

    public var bundle: BundleInfo
    public var verification: VerificationSummary
    public var verdict: HostVerdict
    /// What the verdict leaves unsaid (CVEs that could not be assessed); absent when nothing.
    public var verdictNote: String?
    /// Per-CVE state: `exploited`, `attempted`, `exposed`, `no-evidence`, `not-assessable`.
    public var cveStates: [String: CVEState]
    /// Why a CVE has its state, where that needs saying (every `not-assessable` one); absent when empty.
    public var cveReasons: [String: String]?
    /// When the logs show the server taking each CVE's fix (the first log of a fixed build after one
    /// without it); absent when the logs show no such change.
    public var cvePatchedAt: [String: Timestamp]?
    /// Most severe first.
    public var findings: [Finding]
    public var coverage: [CoverageRow]
    public var logSpans: [LogSpan]
    public var campaigns: [Campaign]
    public var tool: ToolInfoRecord

    public init(bundle: BundleInfo, verification: VerificationSummary, verdict: HostVerdict, verdictNote: String? = nil,
                cveStates: [String: CVEState], cveReasons: [String: String] = [:], cvePatchedAt: [String: Timestamp] = [:], findings: [Finding], coverage: [CoverageRow], logSpans: [LogSpan],
                campaigns: [Campaign], tool: ToolInfoRecord = .init()) {
        self.bundle = bundle
        self.verification = verification
        self.verdict = verdict
        self.verdictNote = verdictNote
        self.cveStates = cveStates
        self.cveReasons = cveReasons.isEmpty ? nil : cveReasons
        self.cvePatchedAt = cvePatchedAt.isEmpty ? nil : cvePatchedAt
        self.findings = findings
        self.coverage = coverage
        self.logSpans = logSpans
        self.campaigns = campaigns
        self.tool = tool
    }
}
