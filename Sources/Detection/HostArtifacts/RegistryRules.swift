import DataDocuments
import ExTriageCore

/// What the registry checks (HOST-REG-*) count as suspicious and as Windows' own: data from
/// `Profiles/rules/host-registry.yaml`. Every text is lower-cased; paths use `\`.
public struct RegistryRules: Sendable {
    public var remoteExecutionServices: Set<String>
    public var serviceLikelyFolders: [String]
    public var serviceAttemptFolders: [String]
    public var serviceTrustedPrefixes: [String]
    public var serviceShellMarkers: [String]
    public var windowsFolderBinaries: Set<String>
    public var runLikelyMarkers: [String]
    public var runAttemptFolders: [String]
    public var ifeoLikelyImages: Set<String>
    public var defaultSecurityPackages: Set<String>
    public var defaultAuthenticationPackages: Set<String>
    public var defaultNotificationPackages: Set<String>
    public var knownMaliciousPackages: Set<String>
    public var builtinAccountRids: Set<UInt32>

    static let listKeys = ["remoteExecutionServices", "serviceLikelyFolders", "serviceAttemptFolders", "serviceTrustedPrefixes",
                           "serviceShellMarkers", "windowsFolderBinaries", "runLikelyMarkers", "runAttemptFolders", "ifeoLikelyImages",
                           "defaultSecurityPackages", "defaultAuthenticationPackages", "defaultNotificationPackages", "knownMaliciousPackages"]
    static let allowedKeys = Set(listKeys + ["version", "builtinAccountRids"])

    /// Loads and checks the file; throws one error listing every problem (file, line, key).
    public static func load(file: String) throws -> RegistryRules {
        try DataDocument.load(file: file, allowedKeys: allowedKeys, versions: [1], build: build).value(or: "invalid registry rules")
    }

    static func build(_ document: DataDocument) -> RegistryRules? {
        var lists: [String: [String]] = [:]
        for key in listKeys { lists[key] = document.strings(key, nonEmpty: true).map { $0.lowercased() } }
        let rids = document.items("builtinAccountRids").compactMap { value in value.int(in: 0...Int(UInt32.max)).map { UInt32($0) } }
        func list(_ key: String) -> [String] { lists[key] ?? [] }
        return RegistryRules(
            remoteExecutionServices: Set(list("remoteExecutionServices")), serviceLikelyFolders: list("serviceLikelyFolders"),
            serviceAttemptFolders: list("serviceAttemptFolders"), serviceTrustedPrefixes: list("serviceTrustedPrefixes"),
            serviceShellMarkers: list("serviceShellMarkers"), windowsFolderBinaries: Set(list("windowsFolderBinaries")),
            runLikelyMarkers: list("runLikelyMarkers"), runAttemptFolders: list("runAttemptFolders"),
            ifeoLikelyImages: Set(list("ifeoLikelyImages")), defaultSecurityPackages: Set(list("defaultSecurityPackages")),
            defaultAuthenticationPackages: Set(list("defaultAuthenticationPackages")),
            defaultNotificationPackages: Set(list("defaultNotificationPackages")), knownMaliciousPackages: Set(list("knownMaliciousPackages")),
            builtinAccountRids: Set(rids))
    }

    /// A registry command line or path lower-cased, environment forms of the Windows folder
    /// (`%SystemRoot%`, `%windir%`, `\SystemRoot\`, `System32\` at the start) as `c:\windows\`,
    /// `/` as `\`, surrounding quotes kept.
    public static func normalisedPath(_ text: String) -> String {
        var path = text.lowercased().replacing("/", with: "\\")
        for form in ["%systemroot%\\", "%windir%\\", "\\systemroot\\", "\\??\\c:\\windows\\"] {
            path = path.replacing(form, with: "c:\\windows\\")
        }
        if path.hasPrefix("system32\\") { path = "c:\\windows\\" + path }
        if path.hasPrefix("\\??\\") { path.removeFirst(4) }
        return path
    }

    /// The executable of a command line: the quoted part, or the text up to `.exe`/`.dll`/`.sys`, or the first word.
    public static func executable(of command: String) -> String {
        let trimmed = command.trimmingPrefix(while: { $0 == " " })
        if trimmed.first == "\"" {
            let rest = trimmed.dropFirst()
            return String(rest.prefix { $0 != "\"" })
        }
        for suffix in [".exe", ".dll", ".sys", ".com", ".bat", ".cmd", ".ps1"] {
            if let range = trimmed.firstRange(of: suffix) { return String(trimmed[..<range.upperBound]) }
        }
        return String(trimmed.prefix { $0 != " " })
    }
}
