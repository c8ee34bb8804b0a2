import DataDocuments
import ExTriageCore
import Foundation

/// Web-shell drop zones, Exchange's known files there, look-alike and indicator names, attack
/// windows: data from `Profiles/rules/webshell-locations.yaml` (EXCHANGE-ARTIFACTS.md C09).
public struct WebShellLocationList: Sendable {
    /// A folder where only known files belong.
    public struct Zone: Sendable {
        public enum Depth: String, Sendable { case any, top, nested }
        public var name: String
        /// Volume-relative, may start with `%ExchangeInstallPath%`.
        public var folder: String
        /// The URL path prefix IIS serves the folder at (`/ecp/auth/`), lower-cased; nil when not served.
        public var url: String?
        public var depth: Depth
        /// Only script files are unexpected here (resources are fine).
        public var scriptsOnly: Bool
        /// Known file names, lower-cased.
        public var allow: Set<String>
        public var reason: String
    }

    public struct Window: Sendable {
        public var name: String
        public var start: Timestamp
        public var end: Timestamp

        public init(name: String, start: Timestamp, end: Timestamp) {
            self.name = name
            self.start = start
            self.end = end
        }
    }

    public var scriptExtensions: Set<String>
    public var webExtensions: Set<String>
    public var webRoots: [String]
    public var zones: [Zone]
    public var lookAlikeNames: [String]
    public var lookAlikeDistance: Int
    /// Names at least this long allow `longNameDistance` edits (Server for Service is three).
    public var longNameLength: Int
    public var longNameDistance: Int
    /// Lower-cased.
    public var nameIndicators: Set<String>
    public var attackWindows: [Window]
    /// Lower-case SHA-256 values of published web shells.
    public var knownShellHashes: Set<String>
    public var siblingSkewDays: Int

    static let allowedKeys: Set<String> = ["version", "scriptExtensions", "webExtensions", "webRoots", "zones", "lookAlikes",
                                           "nameIndicators", "attackWindows", "siblingSkewDays", "knownShellHashes"]

    /// Loads and checks the file; throws one error listing every problem (file, line, key).
    public static func load(file: String) throws -> WebShellLocationList {
        try DataDocument.load(file: file, allowedKeys: allowedKeys, versions: [1], build: build)
            .value(or: "invalid web-shell location list")
    }

    static func build(_ document: DataDocument) -> WebShellLocationList? {
        func lowered(_ key: String, required: Bool = false) -> [String] {
            document.strings(key, required: required).map { $0.lowercased() }
        }
        var complete = true
        var zones: [Zone] = []
        for item in document.mappings("zones", allowed: ["name", "folder", "url", "depth", "scriptsOnly", "allow", "reason"]) {
            let name = item.string("name"), folder = item.string("folder")
            let url = item.optionalString("url")?.lowercased()
            if let url, !url.hasPrefix("/") || !url.hasSuffix("/") { item.problem("url", "'\(url)' must start and end with '/' (/ecp/auth/)") }
            let depth = item.value("depth", as: Zone.Depth.self, required: false) ?? .any
            let scriptsOnly = item.bool("scriptsOnly") ?? false
            let allow = item.strings("allow", required: false).map { $0.lowercased() }
            let reason = item.optionalString("reason")
            guard let name, let folder else {
                complete = false
                continue
            }
            zones.append(Zone(name: name, folder: folder, url: url, depth: depth, scriptsOnly: scriptsOnly, allow: Set(allow),
                              reason: reason ?? name))
        }
        let lookAlikes = document.mapping("lookAlikes", allowed: ["names", "maxDistance", "longNameLength", "longNameMaxDistance"],
                                          required: false)
        var windows: [Window] = []
        for item in document.mappings("attackWindows", allowed: ["name", "start", "end"], required: false) {
            func time(_ key: String) -> Timestamp? {
                guard let text = item.string(key) else { return nil }
                guard let time = Timestamp(iso8601: text) else {
                    item.problem(key, "'\(text)' is not an ISO 8601 UTC time (e.g. 2021-03-02T00:00:00Z)")
                    return nil
                }
                return time
            }
            let name = item.string("name"), start = time("start"), end = time("end")
            guard let name, let start, let end else {
                complete = false
                continue
            }
            if end < start { item.problem("end", "is before start") }
            windows.append(Window(name: name, start: start, end: end))
        }
        var hashes: Set<String> = []
        for item in document.items("knownShellHashes", required: false) {
            guard let text = item.text(trim: true)?.lowercased() else { continue }
            guard text.count == 64, text.allSatisfy(\.isHexDigit) else {
                item.problem("'\(text)' is not a SHA-256 (64 hex digits)")
                continue
            }
            hashes.insert(text)
        }
        let list = WebShellLocationList(
            scriptExtensions: Set(lowered("scriptExtensions", required: true)), webExtensions: Set(lowered("webExtensions", required: true)),
            webRoots: document.strings("webRoots"), zones: zones,
            lookAlikeNames: lookAlikes?.strings("names", required: false) ?? [],
            lookAlikeDistance: lookAlikes?.int("maxDistance", required: false, in: 0...16) ?? 2,
            longNameLength: lookAlikes?.int("longNameLength", required: false, in: 1...1024) ?? 16,
            longNameDistance: lookAlikes?.int("longNameMaxDistance", required: false, in: 0...16) ?? 3,
            nameIndicators: Set(lowered("nameIndicators")), attackWindows: windows, knownShellHashes: hashes,
            siblingSkewDays: document.int("siblingSkewDays", required: false, in: 0...3650) ?? 7)
        return complete ? list : nil
    }

    /// The minimum when the data file cannot be found: script extensions and web roots only,
    /// no zones (the coverage row says the list was missing).
    public static let fallback = WebShellLocationList(
        scriptExtensions: ["aspx", "ashx", "asmx", "asax", "asp", "cshtml"],
        webExtensions: ["aspx", "ashx", "asmx", "asax", "asp", "cshtml", "js", "htm", "html", "config"],
        webRoots: ["inetpub/", "%ExchangeInstallPath%/FrontEnd/HttpProxy/", "%ExchangeInstallPath%/ClientAccess/"],
        zones: [], lookAlikeNames: [], lookAlikeDistance: 2, longNameLength: 16, longNameDistance: 3, nameIndicators: [], attackWindows: [], knownShellHashes: [], siblingSkewDays: 7)

    /// `%ExchangeInstallPath%` replaced and lower-cased; nil when the path needs an install path
    /// the bundle does not have.
    static func resolve(_ pattern: String, exchange: String?) -> String? {
        let lower = pattern.lowercased()
        let token = "%exchangeinstallpath%"
        guard lower.hasPrefix(token) else { return lower }
        guard let exchange, !exchange.isEmpty else { return nil }
        return exchange.lowercased() + lower.dropFirst(token.count)
    }
}

extension WebShellLocationList.Zone.Depth: CaseIterable {}

extension WebShellLocationList {
    /// Whether a requested URL path is a server script in a zone served at that URL and not one of
    /// the zone's known pages: the same allow-lists as for files on disk.
    public func isSuspiciousRequest(stem: String) -> Bool {
        let path = stem.lowercased()
        guard let dot = path.lastIndex(of: "."), scriptExtensions.contains(String(path[path.index(after: dot)...])) else { return false }
        let name = String(path.split(separator: "/").last ?? "")
        return zones.contains { zone in
            guard let url = zone.url, path.hasPrefix(url) else { return false }
            let nested = path.dropFirst(url.count).contains("/")
            let depthMatches = zone.depth == .any || (zone.depth == .top && !nested) || (zone.depth == .nested && nested)
            return depthMatches && !zone.allow.contains(name)
        }
    }
}
