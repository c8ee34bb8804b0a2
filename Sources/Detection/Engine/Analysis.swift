import Dispatch
import ExTriageCore
import Synchronization

/// `analyze` as a library call: every bundle verified and analyzed with the same detection
/// data, in parallel, each on its own; results in the bundles' order.
public enum Analysis {
    /// One bundle's outcome: its report, or why it could not be analyzed.
    public struct Outcome: Sendable {
        public var bundle: String
        public var result: Result<AnalysisReport, any Error>

        /// The exit status this outcome alone calls for (`notABundle` or `notIntact` when refused).
        public var failureStatus: ExitStatus? {
            guard case .failure(let error) = result else { return nil }
            return (error as? ExTriageError)?.code == .notABundle ? .notABundle : .notIntact
        }
    }

    public static func run(bundles: [String], data: DetectionData, options: AnalysisOptions) -> [Outcome] {
        let checks = data.checks
        let slots = Mutex<[Result<AnalysisReport, any Error>?]>(Array(repeating: nil, count: bundles.count))
        DispatchQueue.concurrentPerform(iterations: bundles.count) { index in
            let result = Result<AnalysisReport, any Error> { try BundleAnalyzer(path: bundles[index], checks: checks, options: options).run() }
            slots.withLock { $0[index] = result }
        }
        let results = slots.withLock { $0 }
        return zip(bundles, results).map { bundle, result in
            Outcome(bundle: bundle, result: result ?? .failure(ExTriageError(.io, "not analyzed", path: bundle)))
        }
    }
}

/// A `--fail-on` level: a severity or a verdict a finding may reach.
public enum FindingThreshold: Sendable, Equatable {
    case severity(Severity)
    case verdict(Verdict)

    /// `high`, `likely`, ...; nil for anything else.
    public init?(_ text: String) {
        if let severity = Severity(rawValue: text) {
            self = .severity(severity)
        } else if let verdict = Verdict(rawValue: text) {
            self = .verdict(verdict)
        } else {
            return nil
        }
    }

    /// Whether any finding of `report` reaches this level.
    public func isReached(by report: AnalysisReport) -> Bool {
        switch self {
        case .severity(let severity): return report.findings.contains { $0.severity >= severity }
        case .verdict(let verdict): return report.findings.contains { $0.verdict >= verdict }
        }
    }
}
