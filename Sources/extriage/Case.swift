import ArgumentParser
import CaseStore
import Detection
import EvidenceBundle
import ExTriageCore
import Foundation

/// `extriage case`: many bundles of one case in one store, and the fleet view over them.
struct Case: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store the bundles of a case in one database and report on the whole fleet.",
        subcommands: [Add.self, Report.self, Export.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify, analyze and store bundles in a case database.",
            discussion: """
                A bundle already in the case (same SHA-256) is left unchanged. A bundle that does not verify is recorded \
                with its verification status and not analyzed, unless --allow-unverified. \
                Exit codes: 0 done; 3 a bundle did not verify (recorded, not analyzed); 5 not a bundle; \
                1 fatal error (bad --db, a database that is not a case, a bundle that could not be stored).
                """)

        @Argument(help: ArgumentHelp("One or more bundles (.tar).", valueName: "bundle"))
        var bundles: [String]

        @Option(name: .long, help: ArgumentHelp("The case database: sqlite:PATH (default sqlite:case.sqlite) or postgresql://user@host:port/db.", valueName: "url"))
        var db: String?

        @Option(name: .customLong("trusted-key"), help: ArgumentHelp("A public key whose signatures are trusted (repeatable).", valueName: "key.pub"))
        var trustedKeys: [String] = []

        @Flag(name: .long, help: "Analyze a bundle even if it does not verify; the case records so.")
        var allowUnverified = false

        @Option(name: .long, help: ArgumentHelp("Bundles analyzed at once (default: the number of cores).", valueName: "n"))
        var jobs: Int?

        func validate() throws {
            if let jobs, jobs < 1 { throw ValidationError("--jobs takes a number of at least 1") }
        }

        func run() throws {
            let store = try CaseStore(url: try db.map(CaseDatabaseURL.init(parsing:)) ?? .defaultURL)
            let data = try DetectionData.load()
            for warning in data.warnings { printError("warning: " + warning) }
            let options = AnalysisOptions(allowUnverified: allowUnverified,
                                          trustedKeys: try trustedKeys.map { try SigningKeys.loadPublicKey(path: $0) })
            let ingest = CaseIngest(store: store, data: data, options: options, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
            let progress = CaseAddProgress(total: bundles.count, live: isatty(STDERR_FILENO) == 1) { text in
                FileHandle.standardError.write(Data(text.utf8))
            }
            let outcomes = ingest.run(bundles: bundles) { _, _, bundle, outcome in progress.finished(bundle, outcome) }
            progress.end()
            if let worst = outcomes.compactMap(\.failureStatus).max(by: { $0.rawValue < $1.rawValue }) { throw ExitCode(worst.rawValue) }
        }
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The fleet view of a case: hosts, clusters of hosts tied by rare shared indicators, first compromise over time.",
            discussion: "Exit codes: 0 written; 1 fatal error (bad --db, a database that is not a case, unwritable output).")

        @Option(name: .long, help: ArgumentHelp("The case database: sqlite:PATH (default sqlite:case.sqlite) or postgresql://user@host:port/db.", valueName: "url"))
        var db: String?

        @Option(name: .long, help: ArgumentHelp("Report format: \(FleetRenderers.names.joined(separator: ", ")).", valueName: "format"))
        var format = "text"

        @Option(name: .long, help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
        var output: String?

        @Flag(name: .long, help: "Replace an existing --output file.")
        var force = false

        func validate() throws {
            if FleetRenderers.named(format) == nil {
                throw ValidationError("--format takes one of: \(FleetRenderers.names.joined(separator: ", "))")
            }
        }

        func run() throws {
            if let output, !force, FileManager.default.fileExists(atPath: output) {
                throw ExTriageError(.outputExists, "the output already exists; use --force to replace it", path: output)
            }
            let report = try FleetReportBuilder().build(from: try openExistingCase(db))
            guard let renderer = FleetRenderers.named(format) else { return }
            let bytes = try renderer.render(report)
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: Data(bytes)) else {
                    throw ExTriageError(.outputUnwritable, "cannot write the report", path: output)
                }
            } else {
                FileHandle.standardOutput.write(Data(bytes))
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export every finding's evidence as NDJSON for bulk loading: Elastic Common Schema or Timesketch.",
            discussion: """
                ecs writes _bulk NDJSON (an action line, then the document) and, beside it, FILE.elasticsearch-template.json \
                and FILE.opensearch-template.json (composable index templates for the extriage-* indices). \
                Exit codes: 0 written; 1 fatal error (bad --db, a database that is not a case, unwritable output).
                """)

        @Option(name: .long, help: ArgumentHelp("The case database: sqlite:PATH (default sqlite:case.sqlite) or postgresql://user@host:port/db.", valueName: "url"))
        var db: String?

        @Option(name: .long, help: ArgumentHelp("Export format: \(CaseExport.Format.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "format"))
        var format: String

        @Option(name: .long, help: ArgumentHelp("The NDJSON file to write.", valueName: "file"))
        var output: String

        @Flag(name: .long, help: "Replace an existing --output file.")
        var force = false

        func validate() throws {
            if CaseExport.Format(rawValue: format) == nil {
                throw ValidationError("--format takes one of: \(CaseExport.Format.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() throws {
            if !force, FileManager.default.fileExists(atPath: output) {
                throw ExTriageError(.outputExists, "the output already exists; use --force to replace it", path: output)
            }
            guard let format = CaseExport.Format(rawValue: format) else { return }
            let written = try CaseExport(store: try openExistingCase(db), format: format).write(to: output)
            printError("\(written) events written to \(EscapedText.display(output))")
        }
    }
}

/// Opens the case `--db` names (default `sqlite:case.sqlite`); a SQLite file must already exist.
func openExistingCase(_ db: String?) throws -> CaseStore {
    let url = try db.map(CaseDatabaseURL.init(parsing:)) ?? .defaultURL
    if case .sqlite(let path) = url, !FileManager.default.fileExists(atPath: path) {
        throw ExTriageError(.invalidArgument, "no case database here; create it with extriage case add", path: path)
    }
    return try CaseStore(url: url)
}
