import ExTriageCore
import Yams

/// One thing wrong with a profile or definition file, named by file, line and key.
public struct ProfileProblem: Sendable, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    public var key: String?
    public var message: String

    public init(file: String, line: Int? = nil, key: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let key { text += ": key '\(key)'" }
        return text + ": " + message
    }
}

/// Parses artifact definitions and profiles from YAML, rejecting unknown keys and bad values.
///
/// Works on Yams' node tree rather than `Decodable` so every problem can name its file, line
/// and key (the approach of swift-format's Configuration, with positions).
public enum ProfileParser {
    public static let supportedVersion = 1
    static let definitionKeys: Set<String> = ["version", "name", "description", "paths", "sizeCap", "mode", "references"]
    static let profileKeys: Set<String> = ["version", "name", "description", "artifacts"]
    public static let placeholders = ["%ExchangeInstallPath%", "%SystemRoot%", "%ProgramData%"]

    /// Parses an artifact definition; `expectedName` comes from the file's path.
    public static func definition(text: String, file: String, expectedName: String) -> Result<ArtifactDefinition, ProblemList> {
        var problems = ProblemCollector(file: file)
        guard let mapping = problems.topMapping(text, allowed: definitionKeys) else { return .failure(problems.list) }
        problems.checkVersion(mapping)
        let name = problems.requiredString(mapping, "name")
        if let name, name != expectedName {
            problems.add(mapping.line("name"), "name", "is '\(name)' but the file's path says '\(expectedName)'")
        }
        let description = problems.requiredString(mapping, "description")
        let paths = problems.stringList(mapping, "paths", required: true)
        for path in paths { problems.checkPattern(path, line: mapping.line("paths")) }
        var sizeCap: UInt64?
        if let text = problems.requiredString(mapping, "sizeCap") {
            sizeCap = ByteCount.parse(text)
            if sizeCap == nil || sizeCap == 0 {
                problems.add(mapping.line("sizeCap"), "sizeCap", "'\(text)' is not a size (e.g. 2 GiB, 512 MiB, 1048576)")
            }
        }
        var mode = ArtifactMode.content
        if let text = problems.optionalString(mapping, "mode") {
            if let parsed = ArtifactMode(rawValue: text) {
                mode = parsed
            } else {
                problems.add(mapping.line("mode"), "mode", "'\(text)' is not one of: content, trace")
            }
        }
        let references = problems.stringList(mapping, "references", required: false)
        guard problems.problems.isEmpty, let name, let description, let sizeCap else { return .failure(problems.list) }
        return .success(ArtifactDefinition(name: name, description: description, paths: paths, sizeCap: sizeCap,
                                           mode: mode, references: references))
    }

    /// Parses a profile; `expectedName` is the file name without `.yaml`.
    public static func profile(text: String, file: String, expectedName: String) -> Result<Profile, ProblemList> {
        var problems = ProblemCollector(file: file)
        guard let mapping = problems.topMapping(text, allowed: profileKeys) else { return .failure(problems.list) }
        problems.checkVersion(mapping)
        let name = problems.requiredString(mapping, "name")
        if let name, name != expectedName {
            problems.add(mapping.line("name"), "name", "is '\(name)' but the file is named '\(expectedName).yaml'")
        }
        let description = problems.requiredString(mapping, "description")
        let artifacts = problems.stringList(mapping, "artifacts", required: true)
        var seen = Set<String>()
        for artifact in artifacts where !seen.insert(artifact).inserted {
            problems.add(mapping.line("artifacts"), "artifacts", "lists '\(artifact)' twice")
        }
        guard problems.problems.isEmpty, let name, let description else { return .failure(problems.list) }
        return .success(Profile(name: name, description: description, artifacts: artifacts))
    }
}

/// A non-empty list of problems, usable as a `Result` failure.
public struct ProblemList: Error, Sendable {
    public var problems: [ProfileProblem]
}

/// The top-level mapping of a YAML document, by key.
struct KeyedMapping {
    var values: [String: Node] = [:]
    var lines: [String: Int] = [:]
    func line(_ key: String) -> Int? { lines[key] }
}

struct ProblemCollector {
    let file: String
    var problems: [ProfileProblem] = []
    var list: ProblemList { ProblemList(problems: problems) }

    init(file: String) { self.file = file }

    mutating func add(_ line: Int?, _ key: String?, _ message: String) {
        problems.append(ProfileProblem(file: file, line: line, key: key, message: message))
    }

    mutating func topMapping(_ text: String, allowed: Set<String>) -> KeyedMapping? {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            add(nil, nil, "is not valid YAML: \(error)")
            return nil
        }
        guard let node, case .mapping(let mapping) = node else {
            add(nil, nil, "must be a YAML mapping of keys to values")
            return nil
        }
        var keyed = KeyedMapping()
        for (keyNode, value) in mapping {
            let line = keyNode.mark.map { $0.line }
            guard let key = keyNode.string else {
                add(line, nil, "has a key that is not a string")
                continue
            }
            guard allowed.contains(key) else {
                add(line, key, "is not allowed here (allowed: \(allowed.sorted().joined(separator: ", ")))")
                continue
            }
            guard keyed.values[key] == nil else {
                add(line, key, "appears twice")
                continue
            }
            keyed.values[key] = value
            keyed.lines[key] = line
        }
        return keyed
    }

    mutating func checkVersion(_ mapping: KeyedMapping) {
        guard let node = mapping.values["version"] else {
            add(nil, "version", "is required (version: \(ProfileParser.supportedVersion))")
            return
        }
        guard let text = node.scalar?.string, Int(text) == ProfileParser.supportedVersion else {
            add(mapping.line("version"), "version", "must be \(ProfileParser.supportedVersion)")
            return
        }
    }

    mutating func requiredString(_ mapping: KeyedMapping, _ key: String) -> String? {
        guard mapping.values[key] != nil else {
            add(nil, key, "is required")
            return nil
        }
        return optionalString(mapping, key)
    }

    mutating func optionalString(_ mapping: KeyedMapping, _ key: String) -> String? {
        guard let node = mapping.values[key] else { return nil }
        guard let text = node.scalar?.string, !text.trimmingWhitespace().isEmpty else {
            add(mapping.line(key), key, "must be a non-empty text value")
            return nil
        }
        return text.trimmingWhitespace()
    }

    mutating func stringList(_ mapping: KeyedMapping, _ key: String, required: Bool) -> [String] {
        guard let node = mapping.values[key] else {
            if required { add(nil, key, "is required (a list)") }
            return []
        }
        guard case .sequence(let sequence) = node, !(required && sequence.isEmpty) else {
            add(mapping.line(key), key, required ? "must be a non-empty list" : "must be a list")
            return []
        }
        var out: [String] = []
        for item in sequence {
            guard let text = item.scalar?.string, !text.isEmpty else {
                add(item.mark.map { $0.line }, key, "has an item that is not a text value")
                continue
            }
            out.append(text)
        }
        return out
    }

    mutating func checkPattern(_ pattern: String, line: Int?) {
        if pattern.hasPrefix("/") || pattern.contains("\\") || pattern.contains(":") {
            add(line, "paths", "'\(pattern)' must be relative to the volume root with '/' separators")
            return
        }
        let segments = pattern.split(separator: "/")
        if segments.contains(where: { $0 == ".." || $0 == "." }) {
            add(line, "paths", "'\(pattern)' must not contain '.' or '..' segments")
        }
        for (index, segment) in segments.enumerated() where segment.contains("%") {
            let isPlaceholder = ProfileParser.placeholders.contains(String(segment))
            if !isPlaceholder || index != 0 {
                add(line, "paths", "'\(pattern)': '\(segment)' is not a known placeholder in leading position (known: \(ProfileParser.placeholders.joined(separator: ", ")))")
            }
        }
        if segments.contains(where: { $0.contains("**") && $0 != "**" }) {
            add(line, "paths", "'\(pattern)': '**' must be a whole segment")
        }
        do {
            _ = try GlobPattern(glob: pattern.replacingPlaceholders())
        } catch {
            add(line, "paths", "'\(pattern)': \(error)")
        }
    }
}

extension String {
    /// The pattern with placeholder segments replaced by a plain name, for syntax checks only.
    func replacingPlaceholders() -> String {
        split(separator: "/").map { ProfileParser.placeholders.contains(String($0)) ? "placeholder" : String($0) }
            .joined(separator: "/")
    }
}
