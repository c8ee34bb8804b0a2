import ArgumentParser
import Detection
import ExTriageCore
import Foundation

/// `extriage rules list`: every detection rule, built-in and from packs, with its status.
struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the detection rules: log rules, Sigma rules (built-in and --sigma packs) and YARA files.",
        subcommands: [List.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every rule with its id, title, level, source file and status (loaded, or why not).",
            discussion: "Exit codes: 0 listed (rules that cannot load are listed with the reason); 1 a rule folder cannot be read.")

        @OptionGroup var sigma: SigmaOptions

        @Flag(name: .long, help: "JSON lines, one rule per line.")
        var json = false

        func run() throws {
            let data = try DetectionData.load(sigma: sigma.request(strict: false))
            let listing = data.ruleCatalog()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                for rule in listing { print(String(decoding: try encoder.encode(rule), as: UTF8.self)) }
            } else {
                for rule in listing {
                    print([rule.kind, rule.id ?? "-", rule.level ?? "-", rule.status, rule.title ?? "-", rule.file]
                        .map { EscapedText.display($0) }.joined(separator: "\t"))
                }
            }
            let loaded = listing.filter { $0.status.hasPrefix("loaded") }.count
            printError("\(listing.count) rules: \(loaded) loaded, \(listing.count - loaded) not")
        }
    }
}
