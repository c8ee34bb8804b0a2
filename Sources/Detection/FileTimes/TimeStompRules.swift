import DataDocuments
import ExTriageCore

/// Which files HOST-TIMESTOMP compares and its slack: data from `Profiles/rules/timestomp.yaml`.
public struct TimeStompRules: Sendable {
    /// `$SI` creation may precede `$FN` creation by this much before it counts as set back.
    public var slackSeconds: Int64
    /// Lower-cased extensions of dropped tools and scripts.
    public var droppedExtensions: Set<String>
    /// Lower-cased volume-relative folder prefixes (ending in `/`) left out for binaries.
    public var systemFolders: [String]

    static let allowedKeys: Set<String> = ["version", "slackSeconds", "droppedExtensions", "systemFolders"]

    /// Loads and checks the file; throws one error listing every problem (file, line, key).
    public static func load(file: String) throws -> TimeStompRules {
        try DataDocument.load(file: file, allowedKeys: allowedKeys, versions: [1], build: build)
            .value(or: "invalid time-stomping rules")
    }

    static func build(_ document: DataDocument) -> TimeStompRules? {
        let slack = document.int("slackSeconds", in: 0...86_400)
        let extensions = document.strings("droppedExtensions").map { $0.lowercased() }
        let folders = document.strings("systemFolders").map { $0.lowercased() }
        for folder in folders where !folder.hasSuffix("/") { document.problem("systemFolders", "'\(folder)' must end with '/'") }
        guard let slack else { return nil }
        return TimeStompRules(slackSeconds: Int64(slack), droppedExtensions: Set(extensions), systemFolders: folders)
    }

    /// Whether a member is a dropped binary or script outside the system and program folders.
    func isDroppedBinary(_ member: MemberInfo) -> Bool {
        guard droppedExtensions.contains(member.fileExtension) else { return false }
        let path = member.sourcePath.lowercased()
        return !systemFolders.contains { path.hasPrefix($0) }
    }
}
