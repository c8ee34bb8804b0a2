import ArgumentParser
import EvidenceBundle
import ExTriageCore
import Foundation

/// `extriage custody`: the bundle's hash-chained chain-of-custody log.
struct Custody: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add to and check a bundle's chain-of-custody log (BUNDLE.custody.jsonl).",
        subcommands: [Add.self, Show.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append a custody event (hash-chained, optionally signed).",
            discussion: "Exit codes: 0 appended; 1 fatal error (unknown action, unreadable key, unwritable log).")
        @Argument(help: ArgumentHelp("The bundle (.tar).", valueName: "bundle")) var bundle: String
        @Option(name: .long, help: "Who acts.") var actor: String
        @Option(name: .long, help: "transferred, received, verified, analyzed or note.") var action: String
        @Option(name: .long, help: "Free text (at most 4096 bytes).") var note: String?
        @Option(name: .long, help: ArgumentHelp("Sign the event with this key.", valueName: "name.key")) var signKey: String?

        func validate() throws {
            guard let parsed = CustodyEvent.Action(rawValue: action), parsed != .collected else {
                throw ValidationError("--action must be one of: transferred, received, verified, analyzed, note")
            }
        }

        func run() throws {
            guard let sha256 = try? TarReader.sha256(ofFile: bundle) else {
                throw ExTriageError(.io, "cannot read the bundle", path: bundle)
            }
            let event = try CustodyLog.append(bundle: bundle, actor: actor, action: CustodyEvent.Action(rawValue: action) ?? .note,
                                              note: note, bundleSha256: sha256,
                                              key: try signKey.map { try SigningKeys.loadPrivateKey(path: $0) })
            print("recorded event \(event.sequence): \(event.action.rawValue) by \(EscapedText.display(event.actor)) at \(event.time.iso8601)")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the custody log and check its hash chain and signatures.",
            discussion: """
                Prints the event count and the head hash (SHA-256 of the last line): record both when you \
                receive a bundle and give them later as --expect-events and --expect-head, so that events cut \
                from the end of the log are detected (the chain alone cannot show that). An empty log is NOT INTACT. \
                Exit codes: 0 the chain is intact (and holds the expected head and count); 1 fatal error (no custody \
                log, unreadable); 3 NOT INTACT: a line was edited, removed or reordered, the log is empty, or it is \
                shorter than or differs from --expect-head/--expect-events.
                """)
        @Argument(help: ArgumentHelp("The bundle (.tar).", valueName: "bundle")) var bundle: String
        @OptionGroup var expected: CustodyExpectationOptions

        func run() throws {
            let check = try CustodyLog.check(bundle: bundle)
            let current = try? TarReader.sha256(ofFile: bundle)
            for event in check.events {
                var line = "\(event.sequence). \(event.time.iso8601)  \(event.action.rawValue)  by \(EscapedText.display(event.actor))"
                line += "  bundle \(EscapedText.display(String(event.bundleSha256.prefix(16))))…"
                if let signature = event.signature { line += "  signed \(EscapedText.display(String(signature.fingerprint.prefix(16))))…" }
                print(line)
                if let note = event.note { print("   \(EscapedText.display(note))") }
            }
            let compared = expected.expectation.compare(with: check)
            var problems = check.problems + compared.problems
            if let current, let last = check.events.last, last.bundleSha256 != current {
                problems.append("the bundle now (\(current)) differs from the hash the last event recorded")
            }
            for problem in problems { print("problem: \(problem)") }
            if let current { print("bundle now: \(current)") }
            print("events: \(check.lineSha256.count), head \(check.headSha256 ?? "none") (record both; check later with --expect-events and --expect-head)")
            for note in compared.notes { print("note: \(note)") }
            if !check.lastEventSigned { print("note: the last event is unsigned; only a signature protects it from an edit") }
            print(problems.isEmpty
                  ? "chain: intact (\(check.events.count) events, the bundle matches the last one)"
                  : "chain: NOT INTACT (\(problems.count) problem\(problems.count == 1 ? "" : "s"))")
            if !problems.isEmpty { throw ExitCode(ExitStatus.notIntact.rawValue) }
        }
    }
}
