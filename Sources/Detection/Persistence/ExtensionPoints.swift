import DataDocuments
import Foundation
import ExTriageCore

/// What Microsoft ships at the Exchange and IIS extension points (transport agents, IIS native
/// modules, managed module and handler types), from `Profiles/rules/extension-points.yaml`, and
/// how a configured path or type compares with it.
public struct ExtensionPoints: Sendable {
    /// Lower-cased names of Microsoft's transport agents.
    public var transportAgents: Set<String>
    /// Lower-cased, relative to the Exchange install, ending in `/`.
    public var transportAgentFolder: String
    /// Lower-cased names of IIS's and Exchange's native modules.
    public var iisGlobalModules: Set<String>
    /// Lower-cased volume-relative folders (ending in `/`) Microsoft's modules load from.
    public var iisModuleFolders: [String]
    /// Lower-cased volume-relative folders where no installer puts a module or agent.
    public var unusualFolders: [String]
    public var microsoftTypePrefixes: [String]
    /// Lower-cased.
    public var microsoftPublicKeyTokens: Set<String>
    /// Lower-cased, relative to the Exchange install, ending in `/`.
    public var exchangeWebFolders: [String]

    static let allowedKeys: Set<String> = ["version", "transportAgents", "transportAgentFolder", "iisGlobalModules", "iisModuleFolders",
                                           "unusualFolders", "microsoftTypePrefixes", "microsoftPublicKeyTokens", "exchangeWebFolders"]

    /// Loads and checks the file; throws one error listing every problem (file, line, key).
    public static func load(file: String) throws -> ExtensionPoints {
        try DataDocument.load(file: file, allowedKeys: allowedKeys, versions: [1], build: build)
            .value(or: "invalid extension-point lists")
    }

    static func build(_ document: DataDocument) -> ExtensionPoints? {
        func folders(_ key: String) -> [String] {
            let list = document.strings(key, nonEmpty: true).map { $0.lowercased() }
            for folder in list where !folder.hasSuffix("/") { document.problem(key, "'\(folder)' must end with '/'") }
            return list
        }
        guard let agentFolder = document.string("transportAgentFolder")?.lowercased() else { return nil }
        if !agentFolder.hasSuffix("/") { document.problem("transportAgentFolder", "'\(agentFolder)' must end with '/'") }
        return ExtensionPoints(
            transportAgents: Set(document.strings("transportAgents", nonEmpty: true).map { $0.lowercased() }),
            transportAgentFolder: agentFolder,
            iisGlobalModules: Set(document.strings("iisGlobalModules", nonEmpty: true).map { $0.lowercased() }),
            iisModuleFolders: folders("iisModuleFolders"),
            unusualFolders: folders("unusualFolders"),
            microsoftTypePrefixes: document.strings("microsoftTypePrefixes", nonEmpty: true),
            microsoftPublicKeyTokens: Set(document.strings("microsoftPublicKeyTokens", nonEmpty: true).map { $0.lowercased() }),
            exchangeWebFolders: folders("exchangeWebFolders"))
    }

    /// A configured Windows path (`%windir%\System32\inetsrv\x.dll`, `C:\Program Files\...`) as a
    /// lower-cased volume-relative path, with the usual environment variables expanded.
    static func volumePath(_ configured: String, exchange: String?) -> String {
        var path = configured.trimmingWhitespace().trimmingCharacters(in: "\"'")
        let lower = path.lowercased()
        let expansions: [(String, String)] = [("%windir%", "Windows"), ("%systemroot%", "Windows"), ("%programfiles(x86)%", "Program Files (x86)"),
                                               ("%programfiles%", "Program Files"), ("%programdata%", "ProgramData"),
                                               ("%exchangeinstallpath%", exchange ?? "%ExchangeInstallPath%")]
        for (variable, value) in expansions where lower.hasPrefix(variable) {
            path = value + "/" + path.dropFirst(variable.count)
            break
        }
        var relative = WindowsPath.volumeRelative(path).lowercased()
        while relative.contains("//") && !relative.hasPrefix("//") { relative = relative.replacingOccurrences(of: "//", with: "/") }
        return relative
    }

    /// Where a configured image or assembly sits, most telling first.
    enum Place: String {
        case unusual = "a writable or web-served folder"
        case microsoft = "Microsoft's own folder"
        case exchange = "the Exchange install"
        case programFiles = "a Program Files folder"
        case elsewhere = "an unexpected folder"
        case unc = "a network share"
    }

    func place(of path: String, exchange: String?, microsoftFolders: [String]) -> Place {
        if path.hasPrefix("//") { return .unc }
        if unusualFolders.contains(where: { path.hasPrefix($0) }) || !path.contains("/") { return .unusual }
        if let exchange = exchange?.lowercased(), !exchange.isEmpty, path.hasPrefix(exchange + "/") { return .exchange }
        if microsoftFolders.contains(where: { path.hasPrefix($0) }) { return .microsoft }
        if path.hasPrefix("program files/") || path.hasPrefix("program files (x86)/") { return .programFiles }
        return .elsewhere
    }

    /// Whether a managed type (`Ns.Type, Assembly, Version=..., PublicKeyToken=...`) is
    /// Microsoft's: a Microsoft namespace and, when a token is named, a Microsoft token.
    func isMicrosoftType(_ type: String) -> Bool {
        let parts = type.split(separator: ",").map { String($0).trimmingWhitespace() }
        guard let name = parts.first, microsoftTypePrefixes.contains(where: { name.hasPrefix($0) }) else { return false }
        guard let token = parts.first(where: { $0.lowercased().hasPrefix("publickeytoken=") }) else { return true }
        return microsoftPublicKeyTokens.contains(String(token.dropFirst("publickeytoken=".count)).lowercased())
    }
}
