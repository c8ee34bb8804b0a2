import Crypto
import Detection
import Dispatch
import EvidenceBundle
import ExTriageCore
import Synchronization

/// `case add` as a library call: each bundle verified, analyzed and stored by one of `jobs`
/// workers; a worker holds one bundle at a time, so memory does not grow with the bundle count.
public struct CaseIngest: Sendable {
    /// What became of one bundle.
    public enum Outcome: Sendable {
        case added(HostVerdict)
        /// Its SHA-256 was already in the case.
        case alreadyPresent
        /// It did not verify: recorded with its verification status, not analyzed.
        case recordedUnverified(String)
        /// Not an extriage bundle: nothing recorded.
        case notABundle(String)
        /// It could not be read or stored.
        case failed(String)

        /// The exit status this outcome alone calls for, as `analyze` has it.
        public var failureStatus: ExitStatus? {
            switch self {
            case .added, .alreadyPresent: return nil
            case .recordedUnverified: return .notIntact
            case .notABundle: return .notABundle
            case .failed: return .fatal
            }
        }

        public var text: String {
            switch self {
            case .added(let verdict): return "added: \(verdict.text)"
            case .alreadyPresent: return "already in the case (same SHA-256): unchanged"
            case .recordedUnverified(let status): return "recorded as \(status), not analyzed (does not verify; --allow-unverified analyzes it)"
            case .notABundle(let why): return "not recorded: \(why)"
            case .failed(let why): return "not recorded: \(why)"
            }
        }
    }

    public var store: CaseStore
    public var data: DetectionData
    public var options: AnalysisOptions
    public var jobs: Int

    public init(store: CaseStore, data: DetectionData, options: AnalysisOptions, jobs: Int) {
        self.store = store
        self.data = data
        self.options = options
        self.jobs = max(1, jobs)
    }

    /// Adds every bundle; `progress` hears (bundles done, total, the bundle just done, its outcome).
    public func run(bundles: [String], progress: @Sendable (Int, Int, String, Outcome) -> Void = { _, _, _, _ in }) -> [Outcome] {
        let next = Mutex(0)
        let outcomes = Mutex<[Outcome?]>(Array(repeating: nil, count: bundles.count))
        let done = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: min(jobs, bundles.count)) { _ in
            while true {
                let index = next.withLock { value -> Int in
                    defer { value += 1 }
                    return value
                }
                guard index < bundles.count else { return }
                let outcome = add(bundles[index])
                outcomes.withLock { $0[index] = outcome }
                let count = done.withLock { value -> Int in
                    value += 1
                    return value
                }
                progress(count, bundles.count, bundles[index], outcome)
            }
        }
        return outcomes.withLock { $0 }.map { $0 ?? .failed("not processed") }
    }

    /// Verifies, analyzes and stores one bundle.
    public func add(_ path: String) -> Outcome {
        do {
            let (report, manifest) = try BundleAnalyzer(path: path, checks: data.checks, options: options).runKeepingManifest()
            guard let sha256 = report.bundle.sha256 else { return .failed("the bundle's SHA-256 could not be computed") }
            let entry = CaseEntry(report: report, source: Self.sourceText(manifest), evidenceId: manifest.case.evidenceId, sha256: sha256)
            return try store.add(entry) == .added ? .added(report.verdict) : .alreadyPresent
        } catch let error as ExTriageError where error.code == .notABundle {
            return .notABundle(error.message)
        } catch let error as ExTriageError where error.code == .bundleRefused {
            return recordUnverified(path)
        } catch {
            return .failed("\(error)")
        }
    }

    /// What a bundle was collected from, in one line: `directory /mnt/srv`, `image srv.E01`.
    static func sourceText(_ manifest: Manifest) -> String {
        "\(manifest.source.kind) \(manifest.source.path)"
    }

    /// Records a bundle that did not verify: its identity and verification, no findings.
    func recordUnverified(_ path: String) -> Outcome {
        let keys = options.trustedKeys.compactMap { try? Curve25519.Signing.PublicKey(rawRepresentation: $0) }
        let verification = BundleVerifier(trustedKeys: keys, sha256Only: true).verify(path: path)
        guard let sha256 = verification.bundleSha256 ?? (try? TarReader.sha256(ofFile: path)) else {
            return .failed("cannot read the bundle to hash it")
        }
        let manifest = verification.manifest
        let summary = VerificationSummary(status: verification.verdict.rawValue, text: verification.verdictText,
                                          problems: verification.problems.map(\.message), analyzedAnyway: false,
                                          digestsChecked: verification.digestsChecked)
        let record = CaseEntry.BundleRecord(
            sha256: sha256, path: path, caseId: manifest?.case.caseId, evidenceId: manifest?.case.evidenceId,
            examiner: manifest?.case.examiner, collectedAt: manifest?.finishedAt,
            source: manifest.map(Self.sourceText), verification: summary)
        do {
            // Recorded once; refused every time, so the exit status says so whether or not it was new.
            try store.add(CaseEntry(unanalyzed: record))
            return .recordedUnverified(verification.verdict.rawValue)
        } catch {
            return .failed("\(error)")
        }
    }
}
