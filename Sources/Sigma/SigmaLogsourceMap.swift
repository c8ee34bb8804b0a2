import ExTriageCore
import Foundation
import Yams

/// A rule's `logsource:` (lower-cased; nil when absent).
public struct SigmaLogSource: Sendable, Hashable, CustomStringConvertible {
    public var product: String?
    public var service: String?
    public var category: String?

    public init(product: String? = nil, service: String? = nil, category: String? = nil) {
        func clean(_ text: String?) -> String? {
            guard let text = text?.trimmingCharacters(in: .whitespaces).lowercased(), !text.isEmpty else { return nil }
            return text
        }
        self.product = clean(product)
        self.service = clean(service)
        self.category = clean(category)
    }

    public var description: String {
        [("product", product), ("service", service), ("category", category)]
            .compactMap { key, value in value.map { "\(key)=\($0)" } }.joined(separator: " ")
    }
}

/// Where a rule's records are: one channel, the event IDs there (empty: any), and the field
/// renames that present those records under Sigma's names.
public struct SigmaTarget: Sendable, Hashable {
    public let channel: String
    public let eventIDs: [Int]
    public let fields: SigmaFieldMap

    public init(channel: String, eventIDs: [Int] = [], fields: SigmaFieldMap = .identity) {
        self.channel = channel
        self.eventIDs = eventIDs
        self.fields = fields
    }
}

extension SigmaFieldMap: Hashable {
    public static func == (lhs: SigmaFieldMap, rhs: SigmaFieldMap) -> Bool { lhs.renames == rhs.renames }
    public func hash(into hasher: inout Hasher) { hasher.combine(renames) }
}

/// Sigma logsources → event-log channels, event IDs and field renames, loaded from data
/// (`Profiles/rules/sigma-logsources.yaml`; ``builtIn`` is the same text).
///
/// The shape follows what pySigma's Windows pipeline, Chainsaw and Hayabusa do: a service names
/// channels; a category names channels and event IDs (Sysmon for most, Security 4688 as a
/// second source of process creation, with renames such as `NewProcessName` → `Image`).
public struct SigmaLogsourceMap: Sendable {
    public struct Category: Sendable, Hashable {
        public let category: String
        public let product: String?
        public let sources: [SigmaTarget]
    }

    /// product → service → channels.
    public let services: [String: [String: [String]]]
    public let categories: [Category]

    public init(services: [String: [String: [String]]], categories: [Category]) {
        self.services = services
        self.categories = categories
    }

    /// The built-in default, parsed from ``builtInYAML`` (which a test keeps valid).
    public static let builtIn: SigmaLogsourceMap = {
        do { return try parse(yaml: builtInYAML, file: "<built-in sigma-logsources.yaml>") } catch {
            preconditionFailure("the built-in Sigma logsource map does not parse: \(error)")
        }
    }()

    /// Loads a map file (the format of `Profiles/rules/sigma-logsources.yaml`).
    public static func load(path: String) throws(ExTriageError) -> SigmaLogsourceMap {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ExTriageError(.invalidProfile, "Cannot read the Sigma logsource map; check the path", path: path)
        }
        return try parse(yaml: text, file: path)
    }

    public static func parse(yaml: String, file: String) throws(ExTriageError) -> SigmaLogsourceMap {
        func problem(_ message: String, _ node: Node? = nil) -> ExTriageError {
            let line = node?.mark.map { ":\($0.line)" } ?? ""
            return ExTriageError(.invalidProfile, "Sigma logsource map \(file)\(line): \(message)", path: file)
        }
        let root: Node?
        do { root = try Yams.compose(yaml: yaml) } catch {
            throw problem("is not valid YAML (\(error))")
        }
        guard let root, case .mapping(let top) = root else { throw problem("must be a mapping") }
        for key in top.keys where !["version", "services", "categories"].contains(key.string ?? "") {
            throw problem("unknown key '\(key.string ?? "?")' (allowed: version, services, categories)", key)
        }
        guard top["version"]?.int == 1 else { throw problem("needs 'version: 1'") }
        var services: [String: [String: [String]]] = [:]
        if let node = top["services"] {
            guard case .mapping(let products) = node else { throw problem("'services' must map products to services", node) }
            for (productNode, serviceNode) in products {
                guard let product = productNode.string?.lowercased(), case .mapping(let entries) = serviceNode else {
                    throw problem("'services' entries must map a product to a mapping of services", productNode)
                }
                var byService: [String: [String]] = [:]
                for (nameNode, channelsNode) in entries {
                    let channels = channelsNode.array().compactMap(\.string)
                    guard let name = nameNode.string?.lowercased(), !channels.isEmpty, channels.count == channelsNode.array().count else {
                        throw problem("service '\(nameNode.string ?? "?")' must list channel names", nameNode)
                    }
                    byService[name] = channels
                }
                services[product] = byService
            }
        }
        var categories: [Category] = []
        for entry in top["categories"]?.array() ?? [] {
            guard case .mapping(let mapping) = entry, let category = mapping["category"]?.string?.lowercased() else {
                throw problem("each category needs 'category:'", entry)
            }
            for key in mapping.keys where !["category", "product", "sources"].contains(key.string ?? "") {
                throw problem("unknown key '\(key.string ?? "?")' in category \(category) (allowed: category, product, sources)", key)
            }
            var sources: [SigmaTarget] = []
            for sourceNode in mapping["sources"]?.array() ?? [] {
                guard case .mapping(let source) = sourceNode, let channel = source["channel"]?.string else {
                    throw problem("each source of \(category) needs 'channel:'", sourceNode)
                }
                for key in source.keys where !["channel", "event_ids", "fields"].contains(key.string ?? "") {
                    throw problem("unknown key '\(key.string ?? "?")' in a source of \(category) (allowed: channel, event_ids, fields)", key)
                }
                let idNodes = source["event_ids"]?.array() ?? []
                let ids = idNodes.compactMap(\.int)
                guard ids.count == idNodes.count else { throw problem("event_ids of \(category) must be numbers", sourceNode) }
                var renames: [String: String] = [:]
                if let fieldsNode = source["fields"] {
                    guard case .mapping(let fields) = fieldsNode else { throw problem("fields of \(category) must be a mapping", fieldsNode) }
                    for (sigmaName, recordName) in fields {
                        guard let from = sigmaName.string, let to = recordName.string else {
                            throw problem("fields of \(category) must map names to names", sigmaName)
                        }
                        renames[from] = to
                    }
                }
                sources.append(SigmaTarget(channel: channel, eventIDs: ids, fields: SigmaFieldMap(renames)))
            }
            guard !sources.isEmpty else { throw problem("category \(category) lists no sources", entry) }
            categories.append(Category(category: category, product: mapping["product"]?.string?.lowercased(), sources: sources))
        }
        return SigmaLogsourceMap(services: services, categories: categories)
    }

    /// Where a rule with this logsource reads, or nil when the map does not know it.
    public func targets(for source: SigmaLogSource) -> [SigmaTarget]? {
        var serviceChannels: [String]?
        if let service = source.service {
            let byProduct = source.product.map { services[$0].map { [$0] } ?? [] } ?? Array(services.values)
            serviceChannels = byProduct.lazy.compactMap { $0[service] }.first
            if serviceChannels == nil { return nil }
        }
        if let category = source.category {
            let entry = categories.first { $0.category == category && ($0.product == nil || source.product == nil || $0.product == source.product) }
            guard let entry else { return nil }
            guard let serviceChannels else { return entry.sources }
            let lowered = Set(serviceChannels.map { $0.lowercased() })
            let kept = entry.sources.filter { lowered.contains($0.channel.lowercased()) }
            return kept.isEmpty ? entry.sources : kept
        }
        return serviceChannels.map { $0.map { SigmaTarget(channel: $0) } }
    }

    /// The renames for records of `channel` with `eventID`: those of the category sources that
    /// name them (names no source renames pass through).
    public func fieldMap(channel: String, eventID: Int?) -> SigmaFieldMap {
        var renames: [String: String] = [:]
        let lowered = channel.lowercased()
        for category in categories {
            for source in category.sources where source.channel.lowercased() == lowered && !source.fields.renames.isEmpty {
                if let eventID, !source.eventIDs.isEmpty, !source.eventIDs.contains(eventID) { continue }
                renames.merge(source.fields.renames) { first, _ in first }
            }
        }
        return SigmaFieldMap(renames)
    }
}
