import ArgumentParser
import Detection
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

    @Argument(help: ArgumentHelp("One or more bundles (.tar).", valueName: "bundle"))
    var bundles: [String]

    @Option(name: .long, help: ArgumentHelp("Report format: \(ReportRenderers.names.joined(separator: ", ")).", valueName: "format"))
    var format = "text"

    @Option(name: .long, help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("Also write a JSONL timeline (Timesketch import shape).", valueName: "file.jsonl"))
    var timeline: String?

    @Flag(name: .long, help: "Replace an existing --output or --timeline file.")
    var force = false

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

    @OptionGroup var sigma: SigmaOptions

    @Flag(name: .customLong("strict-rules"), help: "Stop when a rule file from --rules or --sigma cannot be used, instead of skipping it.")
    var strictRules = false

    @Option(name: .customLong("scan-size-cap"), help: ArgumentHelp("Bytes of one web file held for YARA scanning; longer files are scanned over their head and reported as partial (default 8MiB).", valueName: "size"))
    var scanSizeCap: String?

    @Option(name: .customLong("scan-timeout"), help: ArgumentHelp("Seconds one web file may take in YARA before it is reported as timed out (default 10).", valueName: "seconds"))
    var scanTimeout: Int?

    @Option(name: .customLong("check-time-budget"), help: ArgumentHelp("Seconds one check may spend on one bundle's records before it is stopped and its coverage row says so (default 900).", valueName: "seconds"))
    var checkTimeBudget: Double?

    func validate() throws {
        if let checkTimeBudget, !(checkTimeBudget > 0) {
            throw ValidationError("--check-time-budget takes a number of seconds above 0")
        }
        if ReportRenderers.named(format) == nil {
            throw ValidationError("--format takes one of: \(ReportRenderers.names.joined(separator: ", "))")
        }
        if noBuiltinRules && rules.isEmpty {
            throw ValidationError("--no-builtin-rules needs at least one --rules directory")
        }
        if let scanSizeCap, (ByteCount.parse(scanSizeCap) ?? 0) == 0 {
            throw ValidationError("--scan-size-cap takes a size such as 2MiB or 500000")
        }
        if let scanTimeout, scanTimeout < 1 {
            throw ValidationError("--scan-timeout takes a number of seconds, at least 1")
        }
        if let failOn, FindingThreshold(failOn) == nil {
            throw ValidationError("--fail-on takes a severity (\(Severity.allCases.map(\.rawValue).joined(separator: ", "))) or a verdict (\(Verdict.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
    }

    func run() throws {
        for path in [output, timeline].compactMap({ $0 }) where !force && FileManager.default.fileExists(atPath: path) {
            throw ExTriageError(.outputExists, "the output already exists; use --force to replace it", path: path)
        }
        let data = try DetectionData.load(yara: yaraRequest(), sigma: sigma.request(strict: strictRules))
        if let pack = data.sigma.pack {
            for skip in pack.rules.skipped.prefix(strictRules ? 0 : 20) {
                printError("warning: Sigma rule skipped: \(EscapedText.display(skip.file)): \(skip.reason)")
            }
            if pack.rules.skipped.count > 20 { printError("warning: \(pack.rules.skipped.count - 20) more Sigma rules skipped (extriage rules list shows them)") }
        }
        for warning in data.warnings { printError("warning: " + warning) }
        var options = AnalysisOptions(allowUnverified: allowUnverified,
                                      trustedKeys: try trustedKeys.map { try SigningKeys.loadPublicKey(path: $0) })
        if let checkTimeBudget { options.checkTimeBudget = checkTimeBudget }
        let outcomes = Analysis.run(bundles: bundles, data: data, options: options)
        var reports: [AnalysisReport] = []
        for outcome in outcomes {
            switch outcome.result {
            case .success(let report): reports.append(report)
            case .failure(let error): printError("error: \(EscapedText.display(outcome.bundle)): \(error)")
            }
        }
        if !reports.isEmpty, let renderer = ReportRenderers.named(format) {
            let rendered = try renderer.render(reports, options: RenderOptions(color: output == nil && isatty(STDOUT_FILENO) == 1))
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
        if let refusal = outcomes.compactMap(\.failureStatus).max(by: { $0.rawValue < $1.rawValue }) { throw ExitCode(refusal.rawValue) }
        if let threshold = failOn.flatMap(FindingThreshold.init), reports.contains(where: threshold.isReached) {
            throw ExitCode(ExitStatus.findingsAtThreshold.rawValue)
        }
    }

    /// The YARA packs and scan limits asked for on the command line.
    func yaraRequest() -> DetectionData.YaraRequest {
        var request = DetectionData.YaraRequest()
        request.externalFolders = rules
        request.includeBuiltin = !noBuiltinRules
        request.strict = strictRules
        if let cap = scanSizeCap.flatMap(ByteCount.parse) { request.sizeCap = Int(clamping: cap) }
        if let scanTimeout { request.timeoutSeconds = scanTimeout }
        return request
    }

    func write(_ bytes: [UInt8], to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw ExTriageError(.outputUnwritable, "cannot write the report", path: path)
        }
    }
}
