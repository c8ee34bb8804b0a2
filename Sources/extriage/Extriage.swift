import ArgumentParser
import ExTriageCore

/// The root command: a thin front over the library modules, one file per subcommand.
@main
struct Extriage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extriage",
        abstract: "Collect and analyze forensic artifacts of Microsoft Exchange servers.",
        discussion: """
            Exit codes: 0 success; 1 fatal error (bad arguments, unreadable source, unwritable output); \
            2 bundle written but some artifacts failed; 3 bundle or custody log not intact; \
            4 not signed by a trusted key; 5 not a bundle; 6 a finding reached analyze --fail-on.
            """,
        version: ToolInfo.version,
        subcommands: [Collect.self, Verify.self, Analyze.self, Case.self, Unpack.self, Custody.self, Keygen.self, Profiles.self, Rules.self]
    )

    /// Maps errors to the documented exit codes: usage errors and fatal errors exit 1.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as ExTriageError {
            printError("error: \(error)")
            Foundation.exit(ExitStatus.fatal.rawValue)
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            printError(fullMessage(for: error))
            Foundation.exit(ExitStatus.fatal.rawValue)
        }
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

import Foundation
