import ExTriageCore
import Foundation
import Yams

extension SigmaRuleSet {
    /// Loads Sigma rules from files and folders (folders recursively: every `.yml` / `.yaml`).
    ///
    /// A document the engine cannot use (bad YAML, an unknown modifier, an unmapped logsource,
    /// a placeholder without values, ...) is skipped with its file and a reason, and listed in
    /// ``skipped``; with `strict`, the first such problem throws instead. A path that does not
    /// exist always throws: a missing rules folder must not look like "no rules".
    public static func load(paths: [String], strict: Bool = false, logsources: SigmaLogsourceMap = .builtIn,
                            options: SigmaCompileOptions = SigmaCompileOptions()) throws(ExTriageError) -> SigmaRuleSet {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ExTriageError(.invalidArgument, "Sigma rule path does not exist; check the path", path: path)
            }
            if isDirectory.boolValue {
                let names = FileManager.default.subpaths(atPath: path) ?? []
                let base = path.hasSuffix("/") ? path : path + "/"
                files += names.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted().map { base + $0 }
            } else {
                files.append(path)
            }
        }
        let sources = SigmaConcurrent.map(files) { file -> (file: String, text: String?) in
            guard let data = FileManager.default.contents(atPath: file) else { return (file, nil) }
            return (file, String(decoding: data, as: UTF8.self))
        }
        return try load(texts: sources, strict: strict, logsources: logsources, options: options)
    }

    /// Loads rules from texts already in memory (`file` names each for messages); nil text: unreadable.
    public static func load(texts: [(file: String, text: String?)], strict: Bool = false,
                            logsources: SigmaLogsourceMap = .builtIn,
                            options: SigmaCompileOptions = SigmaCompileOptions()) throws(ExTriageError) -> SigmaRuleSet {
        let parsed = SigmaConcurrent.map(texts) { source -> [SigmaDocument] in
            guard let text = source.text else {
                return [.skip(SigmaSkip(file: source.file, id: nil, title: nil, level: nil, reason: "cannot be read"))]
            }
            return SigmaDocumentParser(file: source.file, logsources: logsources, options: options).parse(text)
        }
        var rules: [SigmaRule] = []
        var correlations: [SigmaCorrelation] = []
        var filters: [SigmaFilter] = []
        var skipped: [SigmaSkip] = []
        var firstFile: [String: String] = [:]
        for document in parsed.joined() {
            func claim(_ id: String, _ file: String, _ title: String, _ level: String?) -> Bool {
                if let first = firstFile[id.lowercased()] {
                    skipped.append(SigmaSkip(file: file, id: id, title: title, level: level, reason: "duplicate id (first in \(first))"))
                    return false
                }
                firstFile[id.lowercased()] = file
                return true
            }
            switch document {
            case .rule(let rule): if claim(rule.id, rule.file, rule.title, rule.level) { rules.append(rule) }
            case .correlation(let correlation):
                if claim(correlation.id, correlation.file, correlation.title, correlation.level) { correlations.append(correlation) }
            case .filter(let filter): if claim(filter.id, filter.file, filter.title, nil) { filters.append(filter) }
            case .skip(let skip): skipped.append(skip)
            }
        }
        // Correlations must refer to loaded rules or correlations.
        var known = Set<String>()
        for rule in rules { known.insert(rule.id.lowercased()); if let name = rule.name { known.insert(name.lowercased()) } }
        for correlation in correlations {
            known.insert(correlation.id.lowercased())
            if let name = correlation.name { known.insert(name.lowercased()) }
        }
        correlations = correlations.filter { correlation in
            let missing = correlation.rules.filter { !known.contains($0.lowercased()) }
            guard missing.isEmpty else {
                skipped.append(SigmaSkip(file: correlation.file, id: correlation.id, title: correlation.title, level: correlation.level,
                                         reason: "correlation refers to rules that are not loaded: \(missing.joined(separator: ", "))"))
                return false
            }
            return true
        }
        // Filters attach to the rules they name.
        for filter in filters {
            let references = Set(filter.rules.map { $0.lowercased() })
            for index in rules.indices where references.contains(rules[index].id.lowercased())
                || rules[index].name.map({ references.contains($0.lowercased()) }) == true {
                rules[index].filters.append(filter)
            }
        }
        if strict, let first = skipped.first {
            throw ExTriageError(.invalidProfile, "Sigma rule cannot be loaded (\(skipped.count) problem(s)); fix or remove it, or load without strict",
                                path: first.file, cause: first.reason)
        }
        return SigmaRuleSet(rules: rules, correlations: correlations, filters: filters, skipped: skipped, logsources: logsources)
    }
}

enum SigmaDocument: Sendable {
    case rule(SigmaRule)
    case correlation(SigmaCorrelation)
    case filter(SigmaFilter)
    case skip(SigmaSkip)
}

/// Turns the YAML documents of one file into rules, correlations, filters or skips.
struct SigmaDocumentParser {
    let file: String
    let logsources: SigmaLogsourceMap
    let options: SigmaCompileOptions

    func parse(_ text: String) -> [SigmaDocument] {
        var nodes: [Node] = []
        do {
            let parser = try Parser(yaml: text)
            while let node = try parser.nextRoot() { nodes.append(node) }
        } catch {
            return [skip(nil, "is not valid YAML: \(String(describing: error).split(separator: "\n").first ?? "")")]
        }
        var results: [SigmaDocument] = []
        var global: Node.Mapping?
        var previous: Node.Mapping?
        for (offset, node) in nodes.enumerated() {
            guard case .mapping(var mapping) = node else {
                results.append(skip(nil, "document \(offset + 1) is not a mapping"))
                continue
            }
            if let action = mapping["action"]?.string {
                mapping = SigmaDocumentParser.removing("action", from: mapping)
                switch action {
                case "global": global = mapping; continue
                case "reset": global = nil; continue
                case "repeat":
                    guard let previous else {
                        results.append(skip(mapping, "'action: repeat' without a previous document"))
                        continue
                    }
                    mapping = SigmaDocumentParser.merge(previous, mapping)
                default:
                    results.append(skip(mapping, "unknown 'action: \(action)'"))
                    continue
                }
            }
            if let global { mapping = SigmaDocumentParser.merge(global, mapping) }
            previous = mapping
            let fallbackID = nodes.count > 1 ? "\(file)#\(offset + 1)" : file
            results.append(document(mapping, fallbackID: fallbackID))
        }
        if results.isEmpty { results.append(skip(nil, "holds no Sigma document")) }
        return results
    }

    static func removing(_ key: String, from mapping: Node.Mapping) -> Node.Mapping {
        Node.Mapping(mapping.filter { $0.key.string != key }, mapping.tag, mapping.style, mapping.mark)
    }

    /// `overlay` over `base`: mappings merge key by key, anything else is replaced.
    static func merge(_ base: Node.Mapping, _ overlay: Node.Mapping) -> Node.Mapping {
        var pairs: [(Node, Node)] = []
        var overlayKeys = Set<String>()
        for key in overlay.keys { overlayKeys.insert(key.string ?? "") }
        for (key, value) in base {
            let name = key.string ?? ""
            if overlayKeys.contains(name), let replacement = overlay[name] {
                if case .mapping(let left) = value, case .mapping(let right) = replacement {
                    pairs.append((key, .mapping(merge(left, right))))
                } else {
                    pairs.append((key, replacement))
                }
            } else {
                pairs.append((key, value))
            }
        }
        let baseKeys = Set(base.keys.compactMap(\.string))
        for (key, value) in overlay where !baseKeys.contains(key.string ?? "") { pairs.append((key, value)) }
        return Node.Mapping(pairs, overlay.tag, overlay.style, overlay.mark ?? base.mark)
    }

    private func skip(_ mapping: Node.Mapping?, _ reason: String) -> SigmaDocument {
        .skip(SigmaSkip(file: file, id: mapping?["id"]?.string, title: mapping?["title"]?.string,
                        level: mapping?["level"]?.string?.lowercased(), reason: reason))
    }

    private func strings(_ node: Node?) -> [String] {
        guard let node else { return [] }
        switch node {
        case .scalar: return node.string.map { [$0] } ?? []
        case .sequence(let sequence): return sequence.compactMap(\.string)
        case .mapping: return []
        }
    }

    func document(_ mapping: Node.Mapping, fallbackID: String) -> SigmaDocument {
        do {
            if mapping["correlation"] != nil { return .correlation(try correlation(mapping, fallbackID: fallbackID)) }
            if mapping["filter"] != nil { return .filter(try filter(mapping, fallbackID: fallbackID)) }
            if mapping["detection"] != nil { return .rule(try rule(mapping, fallbackID: fallbackID)) }
            return skip(mapping, "not a Sigma rule, correlation or filter (no detection, correlation or filter section)")
        } catch {
            return skip(mapping, error.reason)
        }
    }

    private func logsource(_ mapping: Node.Mapping) -> SigmaLogSource {
        guard case .mapping(let source)? = mapping["logsource"] else { return SigmaLogSource() }
        return SigmaLogSource(product: source["product"]?.string, service: source["service"]?.string, category: source["category"]?.string)
    }

    private func compile(_ detection: Node.Mapping, conditionNode: Node?, what: String) throws(SigmaUnsupported)
        -> (searches: [SigmaSearch], condition: SigmaCondition, text: String) {
        let conditions = strings(conditionNode)
        guard !conditions.isEmpty else { throw SigmaUnsupported("\(what) has no condition") }
        let searches = try SigmaDetectionCompiler.searches(detection, options: options)
        let names = searches.map(\.name)
        var trees: [SigmaCondition] = []
        for text in conditions { trees.append(try SigmaConditionParser.parse(text, names: names)) }
        return (searches, trees.count == 1 ? trees[0] : .or(trees), conditions.joined(separator: " | "))
    }

    func rule(_ mapping: Node.Mapping, fallbackID: String) throws(SigmaUnsupported) -> SigmaRule {
        guard let title = mapping["title"]?.string else { throw SigmaUnsupported("rule has no title") }
        guard case .mapping(let detection)? = mapping["detection"] else { throw SigmaUnsupported("detection is not a mapping") }
        let source = logsource(mapping)
        guard let targets = logsources.targets(for: source), !targets.isEmpty else {
            throw SigmaUnsupported("logsource '\(source)' is not mapped to any channel or log")
        }
        let compiled = try compile(detection, conditionNode: detection["condition"], what: "detection")
        return SigmaRule(
            id: mapping["id"]?.string ?? fallbackID, name: mapping["name"]?.string, title: title,
            status: mapping["status"]?.string?.lowercased(), level: mapping["level"]?.string?.lowercased(),
            description: mapping["description"]?.string, author: mapping["author"]?.string,
            references: strings(mapping["references"]), tags: strings(mapping["tags"]),
            falsePositives: strings(mapping["falsepositives"]), fields: strings(mapping["fields"]), logsource: source,
            targets: targets, file: file, conditionText: compiled.text, searches: compiled.searches, condition: compiled.condition)
    }

    func filter(_ mapping: Node.Mapping, fallbackID: String) throws(SigmaUnsupported) -> SigmaFilter {
        guard let title = mapping["title"]?.string else { throw SigmaUnsupported("filter has no title") }
        guard case .mapping(let body)? = mapping["filter"] else { throw SigmaUnsupported("filter section is not a mapping") }
        let references = strings(body["rules"])
        guard !references.isEmpty else { throw SigmaUnsupported("filter names no rules") }
        let detection = SigmaDocumentParser.removing("rules", from: body)
        let compiled = try compile(detection, conditionNode: body["condition"], what: "filter")
        return SigmaFilter(id: mapping["id"]?.string ?? fallbackID, title: title, file: file, logsource: logsource(mapping),
                           rules: references, searches: compiled.searches, condition: compiled.condition)
    }

    func correlation(_ mapping: Node.Mapping, fallbackID: String) throws(SigmaUnsupported) -> SigmaCorrelation {
        guard let title = mapping["title"]?.string else { throw SigmaUnsupported("correlation has no title") }
        guard case .mapping(let body)? = mapping["correlation"] else { throw SigmaUnsupported("correlation section is not a mapping") }
        let typeName = body["type"]?.string ?? ""
        guard let kind = SigmaCorrelation.Kind(rawValue: typeName) else {
            throw SigmaUnsupported("correlation type '\(typeName)' is not supported (event_count, value_count, temporal, temporal_ordered)")
        }
        let references = strings(body["rules"])
        guard !references.isEmpty else { throw SigmaUnsupported("correlation names no rules") }
        guard let spanText = body["timespan"]?.string ?? body["timeframe"]?.string,
              let timespan = SigmaCorrelation.parseTimespan(spanText) else {
            throw SigmaUnsupported("correlation needs a timespan such as 5m, 1h or 1d")
        }
        var bounds: [SigmaCorrelation.Bound] = []
        var field: String?
        if let conditionNode = body["condition"] {
            guard case .mapping(let condition) = conditionNode else { throw SigmaUnsupported("correlation condition is not a mapping") }
            for (keyNode, valueNode) in condition {
                let key = keyNode.string ?? ""
                if key == "field" {
                    field = strings(valueNode).first
                    if strings(valueNode).count > 1 { throw SigmaUnsupported("value_count over several fields") }
                    continue
                }
                guard let op = SigmaCorrelation.Bound.Operator(rawValue: key), let value = valueNode.float ?? valueNode.int.map(Double.init) else {
                    throw SigmaUnsupported("correlation condition '\(key)' is not gt, gte, lt, lte, eq or neq with a number")
                }
                bounds.append(.init(op: op, value: value))
            }
        }
        if bounds.isEmpty, kind == .eventCount || kind == .valueCount {
            throw SigmaUnsupported("\(kind.rawValue) correlation needs a condition")
        }
        if kind == .valueCount, field == nil { throw SigmaUnsupported("value_count correlation needs condition.field") }
        var aliases: [String: [String: String]] = [:]
        if case .mapping(let aliasMapping)? = body["aliases"] {
            for (aliasNode, perRule) in aliasMapping {
                guard let alias = aliasNode.string, case .mapping(let fields) = perRule else {
                    throw SigmaUnsupported("correlation aliases must map an alias to rule: field pairs")
                }
                var byRule: [String: String] = [:]
                for (ruleNode, fieldNode) in fields {
                    if let rule = ruleNode.string, let name = fieldNode.string { byRule[rule] = name }
                }
                aliases[alias] = byRule
            }
        }
        return SigmaCorrelation(
            id: mapping["id"]?.string ?? fallbackID, name: mapping["name"]?.string, title: title,
            level: mapping["level"]?.string?.lowercased(), status: mapping["status"]?.string?.lowercased(),
            description: mapping["description"]?.string, file: file, kind: kind, rules: references,
            groupBy: strings(body["group-by"]), timespan: timespan, bounds: bounds, field: field, aliases: aliases,
            tags: strings(mapping["tags"]))
    }
}

/// Runs independent work on all cores, keeping the input order.
enum SigmaConcurrent {
    private final class Results<Value>: @unchecked Sendable {
        var values: [Value?]
        let lock = NSLock()
        init(count: Int) { values = Array(repeating: nil, count: count) }
    }

    static func map<Input: Sendable, Value: Sendable>(_ inputs: [Input], _ transform: @Sendable (Input) -> Value) -> [Value] {
        let results = Results<Value>(count: inputs.count)
        DispatchQueue.concurrentPerform(iterations: inputs.count) { index in
            let value = transform(inputs[index])
            results.lock.lock()
            results.values[index] = value
            results.lock.unlock()
        }
        return results.values.compactMap { $0 }
    }
}
