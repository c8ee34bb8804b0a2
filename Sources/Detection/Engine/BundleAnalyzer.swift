import Crypto
import EvidenceBundle
import ExTriageCore

/// Options for one `analyze` run.
public struct AnalysisOptions: Sendable {
    /// Analyze a bundle even when it does not verify (the report says so loudly).
    public var allowUnverified = false
    public var trustedKeys: [SigningKeyPublic] = []
    /// Web-shell scanning (rules, size cap, timeout); nil: the built-in rules with defaults.
    public var webShells: WebShellScanOptions?

    public init(allowUnverified: Bool = false) { self.allowUnverified = allowUnverified }
}

/// A public key that can travel in `Sendable` options.
public struct SigningKeyPublic: @unchecked Sendable {
    public let key: Curve25519.Signing.PublicKey
    public init(_ key: Curve25519.Signing.PublicKey) { self.key = key }
}

/// Analyzes one bundle: verify it, stream its log members once through every check that reads
/// them (nothing is extracted to disk), then gather findings, coverage, spans and campaigns.
public final class BundleAnalyzer {
    let path: String
    let options: AnalysisOptions
    let checks: [any LogCheck]
    let memberChecks: [any MemberCheck]

    /// `rules` are the YAML log rules (`CheckRegistry.loadRules()`), `eventRules` the YAML event
    /// rules (`CheckRegistry.loadEventRules()`); checks are made fresh per bundle.
    public init(path: String, rules: [LogRule], builds: BuildTable, eventRules: [EventRule] = [], options: AnalysisOptions = AnalysisOptions()) {
        self.path = path
        self.options = options
        self.checks = CheckRegistry.makeLogChecks(rules: rules, builds: builds)
        self.memberChecks = CheckRegistry.makeMemberChecks(options: options, logChecks: checks, eventRules: eventRules)
    }

    /// One read of the bundle: verification hashes each member while the log checks read it.
    /// Nothing found is reported unless the bundle then verifies (or `allowUnverified`).
    public func run() throws -> AnalysisReport {
        let stream = LogStream(checks: checks)
        let fanOut = MemberFanOut(logs: stream, memberChecks: memberChecks)
        let verification = BundleVerifier(trustedKeys: options.trustedKeys.map(\.key), sha256Only: true)
            .verify(path: path, observer: fanOut)
        let intact = verification.verdict == .intactSigned || verification.verdict == .intactUnsigned
        let summary = VerificationSummary(status: verification.verdict.rawValue, text: verification.verdictText,
                                          problems: verification.problems.map(\.message), analyzedAnyway: !intact,
                                          digestsChecked: verification.digestsChecked)
        guard intact || options.allowUnverified else {
            let reasons = verification.problems.prefix(5).map(\.message).joined(separator: "; ")
            throw ExTriageError(.bundleRefused, "the bundle does not verify (\(verification.verdictText)): \(reasons); use --allow-unverified to analyze it anyway",
                                path: path)
        }
        guard let manifest = verification.manifest else {
            throw ExTriageError(.notABundle, "the bundle has no readable manifest; nothing can be analyzed", path: path)
        }
        let facts = BundleFacts(manifest: manifest)
        let logFindings = BundleAnalyzer.bindToManifest(checks.flatMap { $0.finish(facts) } + stream.spans.gapFindings, manifest)
        let memberFindings = BundleAnalyzer.bindToManifest(memberChecks.flatMap { $0.finish(facts, logFindings: logFindings) }, manifest)
        var findings = logFindings.filter { finding in !memberChecks.contains { $0.supersedes(finding) } } + memberFindings
        findings.sort { lhs, rhs in
            (lhs.verdict, lhs.severity, rhs.firstSeen ?? Timestamp(seconds: .max)) > (rhs.verdict, rhs.severity, lhs.firstSeen ?? Timestamp(seconds: .max))
        }
        let coverage = checks.map { check -> CoverageRow in
            let usage = stream.usage[check.id] ?? CheckUsage()
            guard usage.members > 0 else {
                return CoverageRow(checkId: check.id, title: check.title, status: .notApplicable,
                                   reason: "no log it reads is in the bundle")
            }
            return CoverageRow(checkId: check.id, title: check.title, status: .ran, members: usage.members,
                               records: usage.records, malformed: usage.malformed)
        } + memberChecks.flatMap { $0.coverage() }
        let campaigns = CampaignBuilder.campaigns(from: findings)
        let states = VerdictRules.cveStates(findings: findings, coverage: coverage, spans: stream.spans.spans)
        return AnalysisReport(
            bundle: .init(path: path, sha256: verification.bundleSha256, caseId: manifest.case.caseId,
                          examiner: manifest.case.examiner, host: stream.spans.serverName ?? manifest.collector.host,
                          collectedAt: manifest.finishedAt, exchangeInstallPath: manifest.exchangeInstallPath?.path),
            verification: summary,
            verdict: VerdictRules.hostVerdict(findings: findings, coverage: coverage, intact: intact),
            cveStates: states, findings: findings, coverage: coverage, logSpans: stream.spans.spans, campaigns: campaigns)
    }

    /// Evidence read during the single pass carries the manifest's view once it is known: each
    /// member's source path and whole-file SHA-256. Evidence from members the manifest does not
    /// list is dropped (ADVERSARIAL-CASES B5), and so is a finding left with none.
    static func bindToManifest(_ findings: [Finding], _ manifest: Manifest) -> [Finding] {
        var entries: [[UInt8]: Manifest.Entry] = [:]
        for entry in manifest.entries { entries[Array(entry.path.utf8)] = entry }
        return findings.compactMap { finding in
            guard !finding.evidence.isEmpty else { return finding }
            var bound = finding
            bound.evidence = finding.evidence.compactMap { item in
                guard let entry = entries[Array(item.member.utf8)] else { return nil }
                var copy = item
                copy.originalPath = entry.sourcePath
                copy.sha256 = entry.sha256
                return copy
            }
            return bound.evidence.isEmpty ? nil : bound
        }
    }

    struct CheckUsage {
        var members = 0
        var records = 0
        var malformed = 0
    }
}

/// Feeds each log member's lines, as verification streams it, to the checks that read its family.
final class LogStream: MemberObserver {
    let checks: [any LogCheck]
    private(set) var usage: [String: BundleAnalyzer.CheckUsage] = [:]
    private(set) var spans = LogSpanBuilder()
    private var scan: MemberScan?
    private var lines = LineReader()

    init(checks: [any LogCheck]) { self.checks = checks }

    func begin(member path: String) -> Bool {
        let parts = path.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "evidence", let family = LogFamily.classify(sourcePath: String(parts[2])) else { return false }
        let interested = checks.filter { $0.reads(family) }
        let context = MemberContext(member: path, sourcePath: String(parts[2]), sha256: "", family: family)
        scan = MemberScan(checks: interested, context: context)
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
        for check in current.checks {
            var row = usage[check.id] ?? BundleAnalyzer.CheckUsage()
            row.members += 1
            row.records += current.records[check.id] ?? 0
            row.malformed += current.malformed
            usage[check.id] = row
        }
        spans.add(family: current.context.family, sourcePath: current.context.sourcePath, first: current.firstTime,
                  last: current.lastTime, serverName: current.serverName, context: current.context,
                  truncatedStart: current.startsWithoutHeader)
    }
}

/// The per-member state of the line loop: parse headers always, data lines when a check may care.
struct MemberScan {
    let checks: [any LogCheck]
    let context: MemberContext
    let everyRecord: Bool
    /// Every check's needles in one set, searched once per line.
    let needles: NeedleSet
    /// For each check, its needles as a mask over `needles` (nil: every record).
    let owned: [NeedleMask?]
    /// Reused for each line: the checks that want it.
    var interested: [Int] = []
    var parser = W3CLogParser()
    var records: [String: Int] = [:]
    var malformed = 0
    var firstTime: Timestamp?
    var lastTime: Timestamp?
    var lastDataLine: Line?
    var serverName: String?
    var startsWithoutHeader = false
    var sawLine = false

    init(checks: [any LogCheck], context: MemberContext) {
        self.checks = checks
        self.context = context
        everyRecord = checks.contains { $0.needles == nil }
        var all: [[UInt8]] = []
        var owned: [NeedleMask?] = []
        for check in checks {
            guard let needles = check.needles else {
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
        if line.text.hasPrefix("#") || line.text.isEmpty {
            _ = parser.parse(line)
            return
        }
        let matched = needles.matches(in: line.text)
        interested.removeAll(keepingCapacity: true)
        for index in checks.indices {
            if let mine = owned[index] {
                if mine.intersects(matched), checks[index].refine(line.text, found: { needles.index(of: $0).map(matched.contains) ?? false }) {
                    interested.append(index)
                }
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
            if serverName == nil { serverName = record.value("ServerHostName") ?? record.value("ServerName") ?? record.value("s-computername") }
            let header = LogHeader(software: parser.software, version: parser.version, logType: parser.logType)
            for index in interested {
                checks[index].inspect(record, header: header, in: context)
                records[checks[index].id, default: 0] += 1
            }
        case .malformed:
            malformed += 1
        case .header, .blank:
            break
        }
    }

    /// The last line was skipped by the pre-filter: parse it once for the span's end; then tell
    /// the checks the member's header.
    mutating func finish() {
        if let line = lastDataLine, case .record(let record) = parser.parse(line), let time = record.timestamp {
            lastTime = max(lastTime ?? time, time)
        }
        let header = LogHeader(software: parser.software, version: parser.version, logType: parser.logType)
        for check in checks { check.noteHeader(header, firstRecord: firstTime, in: context) }
    }
}

/// Lower-case ASCII needles found case-insensitively in one pass over a line: each byte is
/// looked up in a table of the needles that start with it, so the cost does not grow with the
/// number of checks (EXCHANGE-ARTIFACTS.md §5 R1: a byte pre-filter before parsing).
struct NeedleSet {
    let needles: [[UInt8]]
    /// For each lower-cased byte, the needles starting with it.
    private let byFirstByte: [[Int]]

    /// Where a needle sits in `needles`.
    func index(of needle: [UInt8]) -> Int? { needles.firstIndex(of: needle) }

    init(_ needles: [[UInt8]]) {
        self.needles = needles
        var table = Array(repeating: [Int](), count: 256)
        for (index, needle) in needles.enumerated() {
            if let first = needle.first { table[Int(first)].append(index) }
        }
        byFirstByte = table
    }

    /// The needles present in `text`, as a mask.
    func matches(in text: String) -> NeedleMask {
        guard !needles.isEmpty else { return NeedleMask() }
        var text = text
        return text.withUTF8 { bytes in
            var found = NeedleMask()
            let count = bytes.count
            var index = 0
            while index < count {
                let candidates = byFirstByte[Int(ByteSearch.lower(bytes[index]))]
                for candidate in candidates where !found.contains(candidate) {
                    let needle = needles[candidate]
                    guard index + needle.count <= count else { continue }
                    var matched = 1
                    while matched < needle.count, ByteSearch.lower(bytes[index + matched]) == needle[matched] { matched += 1 }
                    if matched == needle.count { found.insert(candidate) }
                }
                index += 1
            }
            return found
        }
    }
}

/// A set of up to 128 needle indexes without allocation; a check with a needle beyond that
/// is given every record instead (it then sees more lines, never fewer).
struct NeedleMask {
    static let capacity = 128

    var low: UInt64 = 0
    var high: UInt64 = 0

    mutating func insert(_ index: Int) {
        if index < 64 { low |= 1 << UInt64(index) } else if index < 128 { high |= 1 << UInt64(index - 64) }
    }

    func contains(_ index: Int) -> Bool {
        if index < 64 { return low & (1 << UInt64(index)) != 0 }
        if index < 128 { return high & (1 << UInt64(index - 64)) != 0 }
        return false
    }

    func intersects(_ other: NeedleMask) -> Bool {
        low & other.low != 0 || high & other.high != 0
    }
}

/// Case-insensitive ASCII substring search over UTF-8 text, for the line pre-filter.
enum ByteSearch {
    /// Where a lower-case needle first occurs at or after `start`, ignoring ASCII case.
    static func firstIndex(_ haystack: UnsafeBufferPointer<UInt8>, of needle: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        let last = haystack.count - needle.count
        var index = start
        while index <= last {
            if lower(haystack[index]) == first {
                var matched = 1
                while matched < needle.count, lower(haystack[index + matched]) == needle[matched] { matched += 1 }
                if matched == needle.count { return index }
            }
            index += 1
        }
        return nil
    }

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }

    static func needles(_ words: [String]) -> [[UInt8]] { words.map { Array($0.lowercased().utf8) } }
}
