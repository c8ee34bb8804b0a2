import ArgumentParser
import ArtifactCollection
import EvidenceBundle
import ExTriageCore
import Foundation

/// `extriage unpack`: write a verified bundle's evidence into a new directory for other tools.
struct Unpack: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify a bundle, then write its evidence files into a new, empty directory.",
        discussion: """
            Only regular files listed in the manifest are written (0644, original modification time); \
            links, devices, traversal and case-insensitive name collisions are refused and reported. \
            Exit codes: 0 written; 2 some members were skipped, or --only matched nothing; 3 not intact; \
            5 not a bundle; 1 fatal error.
            """)

    @Argument(help: ArgumentHelp("The bundle (.tar).", valueName: "bundle")) var bundle: String
    @Option(name: .long, help: ArgumentHelp("The new directory to write into.", valueName: "dir")) var to: String
    @Option(name: .long, help: ArgumentHelp("Only source paths matching this glob (case-insensitive, as in profiles).", valueName: "glob")) var only: String?
    @Flag(name: .long, help: "Write the evidence even if the bundle does not verify.") var allowUnverified = false

    func run() throws {
        let report = BundleVerifier().verify(path: bundle)
        let intact = report.verdict == .intactSigned || report.verdict == .intactUnsigned
        guard let manifest = report.manifest, intact || allowUnverified else {
            for problem in report.problems.prefix(10) { printError("problem: \(EscapedText.display(problem.message))") }
            printError("error: the bundle does not verify (\(report.verdictText)); nothing was written")
            throw ExitCode(report.verdict == .notABundle ? ExitStatus.notABundle.rawValue : ExitStatus.notIntact.rawValue)
        }
        let glob = try only.map { try GlobPattern(glob: $0) }
        if let glob, let only, !manifest.entries.contains(where: { glob.matches(EvidencePath(parsing: $0.sourcePath)) }) {
            printError("error: no evidence file in the bundle matches --only \(EscapedText.display(only)); nothing was written")
            throw ExitCode(ExitStatus.incomplete.rawValue)
        }
        let unpacker = BundleUnpacker(manifest: manifest, only: glob.map { pattern in { pattern.matches(EvidencePath(parsing: $0.sourcePath)) } })
        let result = try unpacker.unpack(bundle: bundle, to: to)
        for skipped in result.skipped { printError("skipped: \(skipped.member): \(skipped.reason)") }
        print("wrote \(result.written) files (\(ByteCount.format(result.bytes))) into \(EscapedText.display(to)); verification: \(report.verdictText)")
        if !result.skipped.isEmpty { throw ExitCode(ExitStatus.incomplete.rawValue) }
    }
}
