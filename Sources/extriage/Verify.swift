import ArgumentParser
import EvidenceBundle
import ExTriageCore
import Foundation

/// `extriage verify`: prove a bundle is complete, untouched, and who signed it.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a bundle's members, order, seal, signature and sidecar hash.",
        discussion: """
            Prints the custody log's event count and head hash (SHA-256 of its last line): record both when \
            you receive a bundle and give them later as --expect-events and --expect-head, so that events \
            cut from the end of the log are detected. \
            Exit codes: 0 intact (and signed by a trusted key when --trusted-key is given); 3 NOT INTACT \
            (including a custody log shorter than, or different from, --expect-head/--expect-events); \
            4 intact but not signed by a trusted key; 5 not a bundle.
            """)

    @Argument(help: ArgumentHelp("The bundle (.tar).", valueName: "bundle"))
    var bundle: String

    @Option(name: .customLong("trusted-key"), help: ArgumentHelp("A public key (.pub) whose signatures are trusted (repeatable).", valueName: "key.pub"))
    var trustedKeys: [String] = []

    @Flag(name: .long, help: "Print the result as JSON (every problem listed).")
    var json = false

    @Flag(name: .long, help: "List every problem; without it, more than \(Verify.groupLimit) problems of one kind are summarised in one line.")
    var verbose = false

    @Flag(name: .customLong("sha256-only"), help: "Recompute only each member's SHA-256, as `analyze` does (equal SHA-256 means equal bytes; SHA-1 and MD5 are sealed in the manifest): about half the hashing. The report lists the digests checked.")
    var sha256Only = false

    /// Problems of one kind listed one by one before they are summarised.
    static let groupLimit = 3

    @OptionGroup var expected: CustodyExpectationOptions

    @Flag(name: .long, help: "Append a `verified` event to the bundle's custody log.")
    var record = false

    @Option(name: .long, help: ArgumentHelp("Who verifies (with --record; default: the current user).", valueName: "name"))
    var actor: String?

    @Option(name: .long, help: ArgumentHelp("Sign the custody event with this key (with --record).", valueName: "name.key"))
    var signKey: String?

    func run() throws {
        let keys = try trustedKeys.map { try SigningKeys.loadPublicKey(path: $0) }
        var verifier = BundleVerifier(trustedKeys: keys, sha256Only: sha256Only)
        verifier.custodyExpectation = expected.expectation
        // Only the case fields and times are printed, never the entries: they need not be kept.
        verifier.keepsManifestEntries = false
        let report = verifier.verify(path: bundle)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            var shown = report
            shown.manifest = nil
            print(String(decoding: try encoder.encode(VerifyOutput(report: shown, verdictText: report.verdictText)), as: UTF8.self))
        } else {
            for group in report.problemGroups {
                if verbose || group.problems.count <= Verify.groupLimit {
                    for problem in group.problems { print("problem: " + Verify.describe(problem)) }
                } else if let first = group.problems.first {
                    print("problem: \(group.problems.count) \(group.kind.summaryPhrase) (\(group.kind.rawValue)); first: "
                          + Verify.describe(first) + "; --verbose or --json lists all")
                }
            }
            if report.signature.trustRequired, !report.signature.trusted {
                print(report.signature.present
                      ? "problem: signer \(EscapedText.display(report.signature.fingerprint ?? "?")) is not one of the trusted keys"
                      : "problem: the bundle is not signed, but a trusted signer was required")
            }
            for warning in report.warnings { print("warning: \(EscapedText.display(warning))") }
            print("bundle:   \(EscapedText.display(bundle))")
            if let sha = report.bundleSha256 { print("sha256:   \(sha) (sidecar: \(report.sidecar))") }
            print("members:  \(report.members) evidence members" + (sha256Only ? " (SHA-256 only checked)" : ""))
            if let events = report.custodyEvents {
                print("custody:  \(events) events, head \(report.custodyHeadSha256 ?? "none")")
            }
            if let manifest = report.manifest {
                print("case:     \(EscapedText.display(manifest.case.caseId)), examiner \(EscapedText.display(manifest.case.examiner)), collected \(manifest.finishedAt.iso8601)")
            }
            print("verdict:  \(EscapedText.display(report.verdictText))")
        }
        if record {
            let event = try CustodyLog.append(bundle: bundle, actor: actor ?? ProcessInfo.processInfo.userName, action: .verified,
                                              note: report.verdictText, bundleSha256: report.bundleSha256 ?? "unknown",
                                              key: try signKey.map { try SigningKeys.loadPrivateKey(path: $0) })
            if !json, let head = try? CustodyLog.check(bundle: bundle).headSha256 {
                print("recorded: event \(event.sequence) (verified); custody now \(event.sequence) events, head \(head)")
            }
        }
        if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
    }
}

extension Verify {
    /// One problem on one line: the message, then what was expected and found.
    static func describe(_ problem: VerificationReport.Problem) -> String {
        var line = EscapedText.display(problem.message)
        if let expected = problem.expected { line += "; expected \(EscapedText.display(expected))" }
        if let found = problem.found { line += ", found \(EscapedText.display(found))" }
        return line
    }
}

/// `verify --json` output: the report plus the one-line verdict.
struct VerifyOutput: Encodable {
    var report: VerificationReport
    var verdictText: String
}
