import ArgumentParser
import Detection
import Dispatch
import EvidenceBundle
import ExTriageCore
import Foundation
import Reporting

/// `extriage analyze`: offline checks over bundles; findings for people and programs.
struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyze bundles for Exchange exploitation, web-shell use and their context.",
        discussion: """
            Each bundle is verified first and refused if it does not verify (unless --allow-unverified). \
            Members are streamed from the tar; nothing is extracted. Exit codes: 0 done; 3 a bundle was refused \
            (not intact); 5 not a bundle; 6 a finding reached --fail-on; 1 fatal error.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, html }

    @Argument(help: ArgumentHelp("One or more bundles (.tar).", valueName: "bundle"))
    var bundles: [String]

    @Option(name: .long, help: "Report format: text, json or html.")
    var format: Format = .text

    @Option(name: .long, help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("Also write a JSONL timeline (Timesketch import shape).", valueName: "file.jsonl"))
    var timeline: String?

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit 6 when a finding reaches this severity (info..critical) or verdict (informational..confirmed).", valueName: "level"))
    var failOn: String?

    @Flag(name: .long, help: "Analyze a bundle even if it does not verify; the report says so.")
    var allowUnverified = false

    @Option(name: .customLong("trusted-key"), help: ArgumentHelp("A public key whose signatures are trusted (repeatable).", valueName: "key.pub"))
    var trustedKeys: [String] = []

    @Flag(name: .long, help: "Append an `analyzed` event to each bundle's custody log.")
    var record = false

    @Option(name: .long, help: ArgumentHelp("Who analyzes (with --record; default: the current user).", valueName: "name"))
    var actor: String?

    @Option(name: .long, help: ArgumentHelp("Also load every .yar/.yara file under this directory, searched recursively (repeatable); a file that does not compile is reported and skipped.", valueName: "dir"))
    var rules: [String] = []

    @Flag(name: .customLong("no-builtin-rules"), help: "Scan web files with the --rules packs only, not the built-in rules.")
    var noBuiltinRules = false

    @Flag(name: .customLong("strict-rules"), help: "Stop when a rule file from --rules does not compile, instead of skipping it.")
    var strictRules = false

    @Option(name: .customLong("scan-size-cap"), help: ArgumentHelp("Bytes of one web file held for YARA scanning; longer files are scanned over their head and reported as partial (default 8MiB).", valueName: "size"))
    var scanSizeCap: String?

    @Option(name: .customLong("scan-timeout"), help: ArgumentHelp("Seconds one web file may take in YARA before it is reported as timed out (default 10).", valueName: "seconds"))
    var scanTimeout: Int?

    func validate() throws {
        if noBuiltinRules && rules.isEmpty {
            throw ValidationError("--no-builtin-rules needs at least one --rules directory")
        }
        if let scanSizeCap, (ByteCount.parse(scanSizeCap) ?? 0) == 0 {
            throw ValidationError("--scan-size-cap takes a size such as 2MiB or 500000")
        }
        if let scanTimeout, scanTimeout < 1 {
            throw ValidationError("--scan-timeout takes a number of seconds, at least 1")
        }
        if let failOn, Severity(rawValue: failOn) == nil, Verdict(rawValue: failOn) == nil {
            throw ValidationError("--fail-on takes a severity (\(Severity.allCases.map(\.rawValue).joined(separator: ", "))) or a verdict (\(Verdict.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
    }

    func run() throws {
        let data = try CheckRegistry.loadData()
        var options = AnalysisOptions(allowUnverified: allowUnverified)
        options.trustedKeys = try trustedKeys.map { SigningKeyPublic(try SigningKeys.loadPublicKey(path: $0)) }
        options.webShells = try webShellOptions()
        let eventRules = try CheckRegistry.loadEventRules()
        let results = Analyze.analyzeAll(bundles, rules: data.rules, builds: data.builds, eventRules: eventRules, options: options)
        var reports: [AnalysisReport] = []
        var refusal: Int32?
        for (bundle, result) in zip(bundles, results) {
            switch result {
            case .success(let report): reports.append(report)
            case .failure(let error):
                printError("error: \(EscapedText.display(bundle)): \(error)")
                let code = (error as? ExTriageError)?.code == .notABundle ? ExitStatus.notABundle : ExitStatus.notIntact
                refusal = max(refusal ?? 0, code.rawValue)
            }
        }
        if !reports.isEmpty {
            let rendered: [UInt8]
            switch format {
            case .text: rendered = Array(TextReport.render(reports, color: output == nil && isatty(STDOUT_FILENO) == 1).utf8)
            case .json: rendered = try JSONReport.render(reports)
            case .html: rendered = Array(HTMLReport.render(reports).utf8)
            }
            if let output { try write(rendered, to: output) } else { FileHandle.standardOutput.write(Data(rendered)) }
            if let timeline { try write(try TimelineJSONL.render(reports), to: timeline) }
        }
        if record {
            for report in reports {
                try CustodyLog.append(bundle: report.bundle.path, actor: actor ?? ProcessInfo.processInfo.userName, action: .analyzed,
                                      note: "extriage \(ToolInfo.version) analyze: \(report.verdict.text), \(report.findings.count) findings",
                                      bundleSha256: report.bundle.sha256 ?? "unknown")
            }
        }
        if let refusal { throw ExitCode(refusal) }
        if let failOn, reports.contains(where: { Analyze.reaches($0, failOn) }) { throw ExitCode(6) }
    }

    /// Bundles are analyzed in parallel, each on its own; results keep the bundles' order.
    static func analyzeAll(_ bundles: [String], rules: [LogRule], builds: BuildTable, eventRules: [EventRule] = [],
                           options: AnalysisOptions) -> [Result<AnalysisReport, Error>] {
        let results = ResultSlots(count: bundles.count)
        DispatchQueue.concurrentPerform(iterations: bundles.count) { index in
            let result = Result { try BundleAnalyzer(path: bundles[index], rules: rules, builds: builds, eventRules: eventRules, options: options).run() }
            results.set(index, result)
        }
        return results.values
    }

    /// The YARA rules compiled once for every bundle of this run, and the scan limits.
    func webShellOptions() throws -> WebShellScanOptions {
        guard let profiles = DataDirectory.locateProfiles() else {
            throw ExTriageError(.invalidProfile, "cannot find the Profiles directory with the detection rules")
        }
        let locations = try WebShellLocationList.load(file: profiles + "/rules/webshell-locations.yaml")
        let builtin = noBuiltinRules ? [] : try WebShellScanOptions.builtinRuleFiles(profiles: profiles)
        var external: [String] = []
        for directory in rules {
            let files = try YaraRules.ruleFiles(in: directory)
            if files.isEmpty { printError("warning: no .yar or .yara file under \(EscapedText.display(directory))") }
            external += files
        }
        let compiled = try YaraRules.compile(builtin: builtin, external: external, strict: strictRules)
        for problem in compiled.skipped {
            printError("warning: YARA rule file skipped (use --strict-rules to stop instead): \(EscapedText.display(problem.description))")
        }
        return WebShellScanOptions(rules: compiled, locations: locations,
                                   sizeCap: scanSizeCap.flatMap(ByteCount.parse).map { Int(clamping: $0) } ?? WebShellScanOptions.defaultSizeCap,
                                   timeoutSeconds: scanTimeout ?? WebShellScanOptions.defaultTimeoutSeconds)
    }

    static func reaches(_ report: AnalysisReport, _ level: String) -> Bool {
        if let severity = Severity(rawValue: level) { return report.findings.contains { $0.severity >= severity } }
        if let verdict = Verdict(rawValue: level) { return report.findings.contains { $0.verdict >= verdict } }
        return false
    }

    func write(_ bytes: [UInt8], to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw ExTriageError(.outputUnwritable, "cannot write the report", path: path)
        }
    }
}

/// Results written from concurrent workers, one slot each.
final class ResultSlots: @unchecked Sendable {
    private var slots: [Result<AnalysisReport, Error>?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Result<AnalysisReport, Error>) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    var values: [Result<AnalysisReport, Error>] {
        slots.map { $0 ?? .failure(ExTriageError(.io, "not analyzed")) }
    }
}
