import ExTriageCore
import Foundation

/// How web files are scanned for web shells in one run: the compiled rules (shared by every
/// bundle and worker), the per-file buffer cap, the per-file timeout and the worker count.
public struct WebShellScanOptions: Sendable {
    /// The compiled rules; nil when they could not be loaded (`rulesProblem` says why).
    public var rules: YaraRules?
    public var rulesProblem: String?
    /// Bytes of one member held for scanning; a longer member is scanned over its first `sizeCap`
    /// bytes and reported as scanned partially.
    public var sizeCap: Int
    /// Seconds one file may take in libyara before it is reported as timed out.
    public var timeoutSeconds: Int
    /// Scanning threads; buffers in flight never exceed twice this plus the one being read.
    public var workers: Int
    /// The location and allow-list data (Profiles/rules/webshell-locations.yaml).
    public var locations: WebShellLocationList

    public static let defaultSizeCap = 8 << 20
    public static let defaultTimeoutSeconds = 10

    public init(rules: YaraRules?, rulesProblem: String? = nil, locations: WebShellLocationList,
                sizeCap: Int = defaultSizeCap, timeoutSeconds: Int = defaultTimeoutSeconds, workers: Int = defaultWorkers) {
        self.rules = rules
        self.rulesProblem = rulesProblem
        self.locations = locations
        self.sizeCap = max(1, sizeCap)
        self.timeoutSeconds = max(1, timeoutSeconds)
        self.workers = max(1, workers)
    }

    /// One worker per core, at most 8.
    public static var defaultWorkers: Int {
        max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))
    }

    /// The built-in rule files under `Profiles/rules/yara`.
    public static func builtinRuleFiles(profiles: String) throws -> [String] {
        try YaraRules.ruleFiles(in: profiles + "/rules/yara")
    }
}
