import Crypto
import EvidenceBundle
import ExTriageCore

/// Options for one `analyze` run.
public struct AnalysisOptions: Sendable {
    /// Analyze a bundle even when it does not verify (the report says so loudly).
    public var allowUnverified = false
    public var trustedKeys: [SigningKeyPublic] = []
    /// Read size per chunk.
    public var chunkSize = 1 << 20

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

    /// `rules` are the YAML log rules (`CheckRegistry.loadRules()`); checks are made fresh per bundle.
    public init(path: String, rules: [LogRule], builds: BuildTable, options: AnalysisOptions = AnalysisOptions()) {
        self.path = path
        self.options = options
        self.checks = CheckRegistry.makeLogChecks(rules: rules, builds: builds)
    }

    public func run() throws -> AnalysisReport {
        let verification = BundleVerifier(trustedKeys: options.trustedKeys.map(\.key)).verify(path: path)
        let intact = verification.verdict == .intactSigned || verification.verdict == .intactUnsigned
        let summary = VerificationSummary(status: verification.verdict.rawValue, text: verification.verdictText,
                                          problems: verification.problems.map(\.message), analyzedAnyway: !intact)
        guard intact || options.allowUnverified else {
            let reasons = verification.problems.prefix(5).map(\.message).joined(separator: "; ")
            throw ExTriageError(.bundleRefused, "the bundle does not verify (\(verification.verdictText)): \(reasons); use --allow-unverified to analyze it anyway",
                                path: path)
        }
        guard let manifest = verification.manifest else {
            throw ExTriageError(.notABundle, "the bundle has no readable manifest; nothing can be analyzed", path: path)
        }
        let facts = BundleFacts(manifest: manifest)
        let stream = try streamMembers(manifest: manifest)
        var findings = checks.flatMap { $0.finish(facts) }
        findings += stream.spans.gapFindings
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
        }
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

    struct CheckUsage {
        var members = 0
        var records = 0
        var malformed = 0
    }

    struct StreamResult {
        var usage: [String: CheckUsage]
        var spans: LogSpanBuilder
    }

    /// One pass over the tar: each log member's lines go to the checks that read its family.
    func streamMembers(manifest: Manifest) throws -> StreamResult {
        var entries: [[UInt8]: Manifest.Entry] = [:]
        for entry in manifest.entries { entries[Array(entry.path.utf8)] = entry }
        var usage: [String: CheckUsage] = [:]
        var spans = LogSpanBuilder()
        let reader = try TarReader(path: path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: options.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while let header = try reader.next() {
            // Only listed regular files are read; anything else was reported by verification.
            guard header.kind == .file, let entry = entries[Array(header.path.utf8)],
                  let family = LogFamily.classify(sourcePath: entry.sourcePath) else { continue }
            let interested = checks.filter { $0.reads(family) }
            let context = MemberContext(member: entry.path, sourcePath: entry.sourcePath, sha256: entry.sha256, family: family)
            var scan = MemberScan(checks: interested, context: context)
            var lines = LineReader()
            while true {
                let count = try reader.read(into: buffer)
                if count == 0 { break }
                lines.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) { scan.take($0) }
            }
            lines.finish { scan.take($0) }
            scan.finish()
            for check in interested {
                var row = usage[check.id] ?? CheckUsage()
                row.members += 1
                row.records += scan.records[check.id] ?? 0
                row.malformed += scan.malformed
                usage[check.id] = row
            }
            spans.add(family: family, sourcePath: entry.sourcePath, first: scan.firstTime, last: scan.lastTime,
                      serverName: scan.serverName, context: context, truncatedStart: scan.startsWithoutHeader)
        }
        return StreamResult(usage: usage, spans: spans)
    }
}

/// The per-member state of the line loop: parse headers always, data lines when a check may care.
struct MemberScan {
    let checks: [any LogCheck]
    let context: MemberContext
    let everyRecord: Bool
    let needles: [[UInt8]]
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
        needles = checks.flatMap { $0.needles ?? [] }
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
        let wanted = everyRecord || firstTime == nil || ByteSearch.containsAny(line.text, needles)
        guard wanted else {
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
            for check in checks where check.needles == nil || ByteSearch.containsAny(line.text, check.needles ?? []) {
                check.inspect(record, header: header, in: context)
                records[check.id, default: 0] += 1
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

/// Case-insensitive ASCII substring search over UTF-8 text, for the line pre-filter.
enum ByteSearch {
    static func containsAny(_ text: String, _ needles: [[UInt8]]) -> Bool {
        guard !needles.isEmpty else { return false }
        var text = text
        return text.withUTF8 { bytes in
            needles.contains { contains(bytes, $0) }
        }
    }

    static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return needle.isEmpty }
        let last = haystack.count - needle.count
        var index = 0
        while index <= last {
            if lower(haystack[index]) == first {
                var matched = 1
                while matched < needle.count, lower(haystack[index + matched]) == needle[matched] { matched += 1 }
                if matched == needle.count { return true }
            }
            index += 1
        }
        return false
    }

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }

    static func needles(_ words: [String]) -> [[UInt8]] { words.map { Array($0.lowercased().utf8) } }
}
