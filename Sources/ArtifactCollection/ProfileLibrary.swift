import Crypto
import DataDocuments
import EvidenceBundle
import ExTriageCore
import Foundation

/// All artifact definitions and profiles available to a run: the built-in ones, then any
/// `--profiles DIR` overrides (a definition or profile with the same name replaces the built-in).
public struct ProfileLibrary: Sendable {
    public private(set) var definitions: [String: Loaded<ArtifactDefinition>] = [:]
    public private(set) var profiles: [String: Loaded<Profile>] = [:]
    /// Directories read, in order.
    public private(set) var directories: [String] = []

    public init() {}

    /// Loads the built-in profiles and then each override directory. Throws one error listing
    /// every problem found.
    public static func load(builtIn: String?, overrides: [String]) throws -> ProfileLibrary {
        var library = ProfileLibrary()
        var problems: [ProfileProblem] = []
        guard let builtIn = builtIn ?? BuiltInProfiles.locate() else {
            throw ExTriageError(.invalidProfile, "cannot find the built-in Profiles directory; set EXTRIAGE_PROFILES or reinstall")
        }
        problems += library.add(directory: builtIn, origin: "built-in")
        for directory in overrides {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ExTriageError(.invalidProfile, "the profiles directory does not exist", path: directory)
            }
            problems += library.add(directory: directory, origin: "override")
        }
        problems += library.crossCheck()
        guard problems.isEmpty else {
            throw ExTriageError(.invalidProfile, "invalid profile data:\n  " + problems.map(\.description).joined(separator: "\n  "))
        }
        return library
    }

    /// Reads `artifacts/**/*.yaml` and `profiles/*.yaml` under a directory. Both folders must
    /// exist in the built-in directory; an override directory needs at least one of them.
    mutating func add(directory: String, origin: String) -> [ProfileProblem] {
        directories.append(directory)
        var problems: [ProfileProblem] = []
        var missing: [DataProblem] = []
        do {
            let artifacts = try DataFolder.load(directory: directory + "/artifacts", recursive: true,
                                                allowedKeys: ProfileParser.definitionKeys, versions: [ProfileParser.supportedVersion],
                                                idKey: nil) { document, relative in
                ProfileParser.definition(document, expectedName: ProfileLibrary.definitionName(relative))
            }
            for loaded in artifacts.files {
                definitions[loaded.value.name] = Loaded(value: loaded.value, file: loaded.file, origin: origin,
                                                        text: loaded.bytes, sha256: sha256Hex(loaded.bytes))
            }
            problems += artifacts.problems
        } catch {
            missing += error.problems
        }
        do {
            let loadedProfiles = try DataFolder.load(directory: directory + "/profiles", recursive: true,
                                                     allowedKeys: ProfileParser.profileKeys, versions: [ProfileParser.supportedVersion],
                                                     idKey: nil) { document, relative -> Profile? in
                guard !relative.contains("/") else {
                    document.problem(nil, "profiles must sit directly in profiles/")
                    return nil
                }
                return ProfileParser.profile(document, expectedName: String(relative.dropLast(5)))
            }
            for loaded in loadedProfiles.files {
                profiles[loaded.value.name] = Loaded(value: loaded.value, file: loaded.file, origin: origin,
                                                     text: loaded.bytes, sha256: sha256Hex(loaded.bytes))
            }
            problems += loadedProfiles.problems
        } catch {
            missing += error.problems
        }
        if origin == "built-in" || missing.count == 2 {
            problems += missing
        }
        return problems
    }

    /// `artifacts/exchange/logging/http-proxy.yaml` is `exchange.logging.http-proxy`.
    static func definitionName(_ relative: String) -> String {
        String(relative.dropLast(5)).replacingOccurrences(of: "/", with: ".")
    }

    /// Every profile must name existing definitions.
    func crossCheck() -> [ProfileProblem] {
        var problems: [ProfileProblem] = []
        for loaded in profiles.values.sorted(by: { $0.value.name < $1.value.name }) {
            for artifact in loaded.value.artifacts where definitions[artifact] == nil {
                problems.append(ProfileProblem(file: loaded.file, key: "artifacts", message: "names '\(artifact)', which no definition provides"))
            }
        }
        return problems
    }

    /// The profile with its definitions in order, ready to collect.
    public func resolve(profile name: String) throws -> ResolvedProfile {
        guard let profile = profiles[name] else {
            let known = profiles.keys.sorted().joined(separator: ", ")
            throw ExTriageError(.invalidArgument, "no profile named '\(name)' (available: \(known))")
        }
        let definitions = profile.value.artifacts.compactMap { self.definitions[$0] }
        var digestInput: [UInt8] = Array("profile \(name)\n".utf8) + profile.text
        for definition in definitions {
            digestInput += Array("\n--- \(definition.value.name)\n".utf8) + definition.text
        }
        return ResolvedProfile(profile: profile, definitions: definitions, sha256: sha256Hex(digestInput))
    }
}

/// A profile with its definitions, in profile order, and the digest of all their texts.
public struct ResolvedProfile: Sendable {
    public var profile: Loaded<Profile>
    public var definitions: [Loaded<ArtifactDefinition>]
    /// SHA-256 over `profile <name>\n<profile text>` then `\n--- <artifact>\n<definition text>` for each.
    public var sha256: String
}

/// Finds the built-in `Profiles` directory wherever the tool runs from (see `DataDirectory`).
public enum BuiltInProfiles {
    public static func locate(executable: String? = nil) -> String? {
        DataDirectory.locateProfiles(executable: executable)
    }
}
