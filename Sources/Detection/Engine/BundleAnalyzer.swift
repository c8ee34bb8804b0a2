import Crypto
import EvidenceBundle
import ExTriageCore

/// Options for one `analyze` run.
public struct AnalysisOptions: Sendable {
    /// Analyze a bundle even when it does not verify (the report says so loudly).
    public var allowUnverified = false
    /// Public keys whose signatures are trusted, as their 32 raw bytes (a value that can cross threads).
    public var trustedKeys: [[UInt8]] = []
    /// Seconds one check may spend on one bundle's records before it is stopped (and said to be).
    public var checkTimeBudget = CheckRunner.defaultTimeBudget

    public init(allowUnverified: Bool = false, trustedKeys: [Curve25519.Signing.PublicKey] = []) {
        self.allowUnverified = allowUnverified
        self.trustedKeys = trustedKeys.map { Array($0.rawRepresentation) }
    }
}

/// Analyzes one bundle: verify it while the checks read its members (one read, nothing
/// extracted to disk), then gather findings, coverage, spans, campaigns and CVE states.
public struct BundleAnalyzer: Sendable {
    public let path: String
    public let checks: [any Check]
    public let options: AnalysisOptions

    public init(path: String, checks: [any Check], options: AnalysisOptions = AnalysisOptions()) {
        self.path = path
        self.checks = checks
        self.options = options
    }

    /// Nothing found is reported unless the bundle verifies (or `allowUnverified`).
    public func run() throws -> AnalysisReport {
        try runKeepingManifest().report
    }

    /// `run()`, also handing back the manifest the one read verified (for callers that store its
    /// summary, such as a case), so nobody reads the bundle twice.
    public func runKeepingManifest() throws -> (report: AnalysisReport, manifest: Manifest) {
        let runner = CheckRunner(checks: checks, timeBudget: options.checkTimeBudget)
        let keys = options.trustedKeys.compactMap { try? Curve25519.Signing.PublicKey(rawRepresentation: $0) }
        let verification = BundleVerifier(trustedKeys: keys, sha256Only: true).verify(path: path, observer: runner)
        let intact = verification.verdict == .intactSigned || verification.verdict == .intactUnsigned
        let summary = VerificationSummary(status: verification.verdict.rawValue, text: verification.verdictText,
                                          problems: verification.problems.map(\.message), analyzedAnyway: !intact,
                                          digestsChecked: verification.digestsChecked)
        // Something that is not a bundle at all (missing, random bytes, text) is said so, with no
        // suggestion to analyze it anyway: there is nothing to analyze.
        guard verification.verdict != .notABundle else {
            let reasons = verification.problems.prefix(3).map(\.message).joined(separator: "; ")
            throw ExTriageError(.notABundle, "not an extriage bundle: \(reasons)", path: path)
        }
        guard intact || options.allowUnverified else {
            let reasons = verification.problems.prefix(5).map(\.message).joined(separator: "; ")
            throw ExTriageError(.bundleRefused, "the bundle does not verify (\(verification.verdictText)): \(reasons); use --allow-unverified to analyze it anyway",
                                path: path)
        }
        guard let manifest = verification.manifest else {
            throw ExTriageError(.notABundle, "the bundle has no readable manifest; nothing can be analyzed", path: path)
        }
        let result = runner.finish(manifest: manifest)
        let builds = result.exhibit(BuildHistory.self)
        let patchNotes = PatchNotes(builds: builds, facts: result.facts)
        let patched = patchNotes.annotate(result.findings)
        let corroborated = Corroboration.apply(patched.findings, rules: result.exhibits.compactMap { $0 as? NeedsCorroboration })
        var findings = FindingGroups.summarise(corroborated.sorted { lhs, rhs in
            (lhs.verdict, lhs.severity, rhs.firstSeen ?? Timestamp(seconds: .max)) > (rhs.verdict, rhs.severity, lhs.firstSeen ?? Timestamp(seconds: .max))
        })
        for index in findings.indices {
            findings[index].id = index + 1
            if let agents = findings[index].pivots[.userAgent] { findings[index].pivots[.userAgent] = UserAgents.distinct(agents) }
        }
        let spans = result.spans.spans
        let states = VerdictRules.cveStates(findings: findings, assessments: result.assessments, builds: builds)
        var reasons = states.compactMapValues(\.reason)
        // Only CVEs whose state says exploited or attempted are named as exploited before their patch:
        // the verdict note and the CVE states tell the same story.
        let exploitedBeforePatch = patched.exploitedBefore.filter { states[$0.key]?.state == .exploited || states[$0.key]?.state == .attempted }
        for (cve, patch) in exploitedBeforePatch { reasons[cve] = PatchNotes.text(patch) }
        let verdict = VerdictRules.hostVerdict(findings: findings, coverage: result.coverage, intact: intact)
        let host = HostIdentity.from(logs: result.spans, eventComputer: result.eventComputer)
        let report = AnalysisReport(
            bundle: .init(path: path, sha256: verification.bundleSha256, caseId: manifest.case.caseId,
                          examiner: manifest.case.examiner, host: host.name, hostSource: host.source,
                          collectedAt: manifest.finishedAt, exchangeInstallPath: manifest.exchangeInstallPath?.path),
            verification: summary,
            verdict: verdict, verdictNote: VerdictRules.verdictNote(verdict, states: states.mapValues(\.state), patched: PatchNotes.verdictSentence(exploitedBeforePatch, webShellPatches: patched.webShellsBefore)),
            cveStates: states.mapValues(\.state), cveReasons: reasons, cvePatchedAt: patchNotes.patchedAt,
            findings: findings, coverage: result.coverage, logSpans: spans,
            campaigns: CampaignBuilder.campaigns(from: findings, hostAddresses: result.spans.serverAddresses))
        return (report, manifest)
    }
}
