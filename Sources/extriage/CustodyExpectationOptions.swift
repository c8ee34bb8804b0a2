import ArgumentParser
import EvidenceBundle

/// `--expect-head` and `--expect-events`, shared by `verify` and `custody show`: what the
/// receiving analyst recorded of the custody log, so lines cut from its end are detected.
struct CustodyExpectationOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The custody log's head hash as recorded earlier (SHA-256 of its last line, as printed); NOT INTACT (exit 3) when no line of the log has it.",
        valueName: "sha256"))
    var expectHead: String?

    @Option(name: .long, help: ArgumentHelp(
        "The custody log's event count as recorded earlier; NOT INTACT (exit 3) when the log has fewer.",
        valueName: "n"))
    var expectEvents: Int?

    func validate() throws {
        if let expectHead, !CustodyExpectation.isHeadHash(expectHead) {
            throw ValidationError("--expect-head takes the 64 hexadecimal digits of a head hash, as printed by verify or custody show")
        }
        if let expectEvents, expectEvents < 1 {
            throw ValidationError("--expect-events takes a count of at least 1")
        }
    }

    var expectation: CustodyExpectation { CustodyExpectation(headSha256: expectHead, events: expectEvents) }
}
