import ArgumentParser
import ArtifactCollection
import ExTriageCore
import Foundation

/// `extriage profiles`: list, show and validate collection profiles.
struct Profiles: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show and validate collection profiles and artifact definitions.",
        subcommands: [List.self, Show.self, Validate.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the available profiles.",
                                                        discussion: "Exit codes: 0 listed; 1 the profile data does not load.")
        @OptionGroup var profileOptions: ProfileOptions

        func run() throws {
            let library = try profileOptions.library()
            for loaded in library.profiles.values.sorted(by: { $0.value.name < $1.value.name }) {
                print("\(loaded.value.name)\t\(loaded.value.artifacts.count) artifacts\t\(loaded.origin)\t\(loaded.value.description)")
            }
            printError("profiles from: \(library.directories.joined(separator: ", "))")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a profile's artifacts and their paths.",
                                                        discussion: "Exit codes: 0 shown; 1 no such profile, or the data does not load.")
        @OptionGroup var profileOptions: ProfileOptions
        @Argument(help: "Profile name.") var name: String

        func run() throws {
            let resolved = try profileOptions.library().resolve(profile: name)
            print("profile \(resolved.profile.value.name) (sha256 \(resolved.sha256))")
            print(resolved.profile.value.description)
            for loaded in resolved.definitions {
                let definition = loaded.value
                print("")
                print("\(definition.name)  [\(definition.mode.rawValue), cap \(ByteCount.format(definition.sizeCap))]\(loaded.origin == "built-in" ? "" : "  (override: \(loaded.file))")")
                print("  \(definition.description)")
                for path in definition.paths { print("  - \(path)") }
            }
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check profile data: unknown keys, bad values, missing definitions.",
            discussion: """
                With DIR, checks that directory (artifacts/ and profiles/) on top of the built-in data; without, the built-in data. \
                Exit codes: 0 valid; 1 a problem (each named with file, line and key).
                """)
        @Argument(help: "A profiles directory to check.") var directory: String?

        func run() throws {
            let library = try ProfileLibrary.load(builtIn: nil, overrides: directory.map { [$0] } ?? [])
            for name in library.profiles.keys.sorted() { _ = try library.resolve(profile: name) }
            print("valid: \(library.profiles.count) profiles, \(library.definitions.count) artifact definitions (\(library.directories.joined(separator: ", ")))")
        }
    }
}
