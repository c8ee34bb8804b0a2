import DataDocuments
import ExTriageCore

/// One thing wrong with a profile or definition file, named by file, line and key.
public typealias ProfileProblem = DataProblem

/// A non-empty list of problems, usable as a `Result` failure.
public typealias ProblemList = DataDocumentProblems

/// Parses artifact definitions and profiles from YAML, rejecting unknown keys and bad values.
///
/// Reads through `DataDocument` (the one loader for every YAML data kind) so every problem names
/// its file, line and key, and all of them are reported at once.
public enum ProfileParser {
    public static let supportedVersion = 1
    static let definitionKeys: Set<String> = ["version", "name", "description", "paths", "sizeCap", "mode", "references"]
    static let profileKeys: Set<String> = ["version", "name", "description", "artifacts"]
    public static let placeholders = ["%ExchangeInstallPath%", "%SystemRoot%", "%ProgramData%"]

    /// Parses an artifact definition; `expectedName` comes from the file's path.
    public static func definition(text: String, file: String, expectedName: String) -> Result<ArtifactDefinition, ProblemList> {
        DataDocument.parse(text: text, file: file, allowedKeys: definitionKeys, versions: [supportedVersion]) {
            definition($0, expectedName: expectedName)
        }
    }

    /// Parses a profile; `expectedName` is the file name without `.yaml`.
    public static func profile(text: String, file: String, expectedName: String) -> Result<Profile, ProblemList> {
        DataDocument.parse(text: text, file: file, allowedKeys: profileKeys, versions: [supportedVersion]) {
            profile($0, expectedName: expectedName)
        }
    }

    static func definition(_ document: DataDocument, expectedName: String) -> ArtifactDefinition? {
        let name = document.string("name")
        if let name, name != expectedName {
            document.problem("name", "is '\(name)' but the file's path says '\(expectedName)'")
        }
        let description = document.string("description")
        var paths: [String] = []
        for item in document.items("paths", nonEmpty: true) {
            guard let path = item.text() else { continue }
            checkPattern(path, item)
            paths.append(path)
        }
        var sizeCap: UInt64?
        if let text = document.string("sizeCap") {
            sizeCap = ByteCount.parse(text)
            if sizeCap == nil || sizeCap == 0 {
                document.problem("sizeCap", "'\(text)' is not a size (e.g. 2 GiB, 512 MiB, 1048576)")
            }
        }
        let mode = document.value("mode", as: ArtifactMode.self, required: false) ?? .content
        let references = document.strings("references", required: false)
        guard let name, let description, let sizeCap else { return nil }
        return ArtifactDefinition(name: name, description: description, paths: paths, sizeCap: sizeCap, mode: mode, references: references)
    }

    static func profile(_ document: DataDocument, expectedName: String) -> Profile? {
        let name = document.string("name")
        if let name, name != expectedName {
            document.problem("name", "is '\(name)' but the file is named '\(expectedName).yaml'")
        }
        let description = document.string("description")
        var artifacts: [String] = []
        var seen = Set<String>()
        for item in document.items("artifacts", nonEmpty: true) {
            guard let artifact = item.text() else { continue }
            if !seen.insert(artifact).inserted { item.problem("lists '\(artifact)' twice") }
            artifacts.append(artifact)
        }
        guard let name, let description else { return nil }
        return Profile(name: name, description: description, artifacts: artifacts)
    }

    /// A path glob must be volume-relative, with known placeholders only in front, and compile.
    /// Its last segment may name an NTFS stream, `<file>:<stream>` (`$Extend/$UsnJrnl:$J`).
    static func checkPattern(_ pattern: String, _ value: DataValue) {
        let segments = pattern.split(separator: "/")
        let streamSegment = segments.count > 1 && segments.last.map { last in
            last.filter { $0 == ":" }.count == 1 && !last.hasPrefix(":") && !last.hasSuffix(":")
        } ?? false
        let colons = pattern.filter { $0 == ":" }.count
        if pattern.hasPrefix("/") || pattern.contains("\\") || (colons > 0 && !(colons == 1 && streamSegment)) {
            value.problem("'\(pattern)' must be relative to the volume root with '/' separators")
            return
        }
        if segments.contains(where: { $0 == ".." || $0 == "." }) {
            value.problem("'\(pattern)' must not contain '.' or '..' segments")
        }
        // `%` inside a name is a literal (`$UsnJrnl%3A$J`, as collectors escape a stream's colon).
        for (index, segment) in segments.enumerated() where segment.hasPrefix("%") {
            let isPlaceholder = placeholders.contains(String(segment))
            if !isPlaceholder || index != 0 {
                value.problem("'\(pattern)': '\(segment)' is not a known placeholder in leading position (known: \(placeholders.joined(separator: ", ")))")
            }
        }
        if segments.contains(where: { $0.contains("**") && $0 != "**" }) {
            value.problem("'\(pattern)': '**' must be a whole segment")
        }
        do {
            _ = try GlobPattern(glob: pattern.replacingPlaceholders())
        } catch {
            value.problem("'\(pattern)': \(error)")
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
