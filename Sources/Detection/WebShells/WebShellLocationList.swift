import ExTriageCore
import Foundation
import Yams

/// Web-shell drop zones, Exchange's known files there, look-alike and indicator names, attack
/// windows: data from `Profiles/rules/webshell-locations.yaml` (EXCHANGE-ARTIFACTS.md C09).
public struct WebShellLocationList: Sendable {
    /// A folder where only known files belong.
    public struct Zone: Sendable {
        public enum Depth: String, Sendable { case any, top, nested }
        public var name: String
        /// Volume-relative, may start with `%ExchangeInstallPath%`.
        public var folder: String
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

    /// Loads and checks the file; unknown or missing keys are named in the error.
    public static func load(file: String) throws -> WebShellLocationList {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ExTriageError(.invalidProfile, "cannot read the web-shell location list", path: file)
        }
        let node: Node
        do {
            guard let composed = try Yams.compose(yaml: String(decoding: data, as: UTF8.self)) else {
                throw ExTriageError(.invalidProfile, "the web-shell location list is empty", path: file)
            }
            node = composed
        } catch let error as ExTriageError {
            throw error
        } catch {
            throw ExTriageError(.invalidProfile, "the web-shell location list is not valid YAML", path: file, cause: "\(error)")
        }
        guard node["version"]?.int == 1 else {
            throw ExTriageError(.invalidProfile, "the web-shell location list needs version: 1", path: file)
        }
        let known: Set<String> = ["version", "scriptExtensions", "webExtensions", "webRoots", "zones", "lookAlikes",
                                  "nameIndicators", "attackWindows", "siblingSkewDays", "knownShellHashes"]
        for key in node.mapping?.keys.compactMap(\.string) ?? [] where !known.contains(key) {
            throw ExTriageError(.invalidProfile, "unknown key '\(key)' in the web-shell location list", path: file)
        }
        func strings(_ value: Node?) -> [String] { value?.sequence?.compactMap(\.string) ?? [] }
        var zones: [Zone] = []
        for item in node["zones"]?.sequence ?? [] {
            guard let name = item["name"]?.string, let folder = item["folder"]?.string,
                  let depth = Zone.Depth(rawValue: item["depth"]?.string ?? "any") else {
                throw ExTriageError(.invalidProfile, "a zone needs name, folder and depth (any, top or nested)", path: file)
            }
            zones.append(Zone(name: name, folder: folder, depth: depth, scriptsOnly: item["scriptsOnly"]?.bool ?? false,
                              allow: Set(strings(item["allow"]).map { $0.lowercased() }), reason: item["reason"]?.string ?? name))
        }
        var windows: [Window] = []
        for item in node["attackWindows"]?.sequence ?? [] {
            guard let name = item["name"]?.string, let start = item["start"]?.string.flatMap(Timestamp.init(iso8601:)),
                  let end = item["end"]?.string.flatMap(Timestamp.init(iso8601:)) else {
                throw ExTriageError(.invalidProfile, "an attack window needs name, start and end (ISO 8601, UTC)", path: file)
            }
            windows.append(Window(name: name, start: start, end: end))
        }
        return WebShellLocationList(
            scriptExtensions: Set(strings(node["scriptExtensions"]).map { $0.lowercased() }),
            webExtensions: Set(strings(node["webExtensions"]).map { $0.lowercased() }),
            webRoots: strings(node["webRoots"]), zones: zones,
            lookAlikeNames: strings(node["lookAlikes"]?["names"]), lookAlikeDistance: node["lookAlikes"]?["maxDistance"]?.int ?? 2,
            longNameLength: node["lookAlikes"]?["longNameLength"]?.int ?? 16, longNameDistance: node["lookAlikes"]?["longNameMaxDistance"]?.int ?? 3,
            nameIndicators: Set(strings(node["nameIndicators"]).map { $0.lowercased() }),
            attackWindows: windows, knownShellHashes: Set(strings(node["knownShellHashes"]).map { $0.lowercased() }),
            siblingSkewDays: node["siblingSkewDays"]?.int ?? 7)
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
