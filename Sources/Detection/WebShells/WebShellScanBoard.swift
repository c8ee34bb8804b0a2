import EvidenceBundle
import ExTriageCore

/// One web file the content scan read.
struct ScannedWebFile: Sendable {
    var member: MemberInfo
    /// Bytes scanned (at most the cap) and bytes the member held.
    var scannedBytes: Int
    var memberBytes: Int
    var outcome: YaraScanOutcome

    var partial: Bool { memberBytes > scannedBytes }
}

/// What the web-shell checks share in one analysis: the scan pool the content check feeds
/// and, once drained, every scanned file's outcome by member name. The location check reads it
/// so that each suspicious file gets exactly one finding.
final class WebShellScanBoard: @unchecked Sendable {
    let options: WebShellScanOptions
    let selection: WebFileSelection
    let pool: YaraScanPool?
    /// Why nothing is scanned, when `pool` is nil.
    let problem: String?
    /// The log check whose request index the findings merge (who called a file, when, how often).
    let requests: WebShellRequestCheck?
    private var drained: [String: ScannedWebFile]?
    /// URL paths whose requests a web-shell finding carries (their `EXT-C12` findings are dropped).
    private var absorbed: Set<String> = []
    /// Members a content finding already reported (the location check skips them).
    var reported: Set<String> = []

    func absorb(_ paths: [String]) { absorbed.formUnion(paths.map { $0.lowercased() }) }
    func isAbsorbed(_ path: String) -> Bool { absorbed.contains(path.lowercased()) }

    init(options: WebShellScanOptions, requests: WebShellRequestCheck?) {
        self.options = options
        self.requests = requests
        selection = WebFileSelection(options.locations)
        if let rules = options.rules {
            do {
                pool = try YaraScanPool(rules: rules, workers: options.workers, timeoutSeconds: options.timeoutSeconds)
                problem = nil
            } catch {
                pool = nil
                problem = "\(error)"
            }
        } else {
            pool = nil
            problem = options.rulesProblem ?? "no YARA rules were loaded"
        }
    }

    /// Every scan's result, waiting for the workers the first time.
    func results() -> [String: ScannedWebFile] {
        if let drained { return drained }
        var byMember: [String: ScannedWebFile] = [:]
        for result in pool?.drain(ScannedWebFile.self) ?? [] {
            var file = result.tag
            file.outcome = result.outcome
            byMember[file.member.member] = file
        }
        drained = byMember
        return byMember
    }
}
