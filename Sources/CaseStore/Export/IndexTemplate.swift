import Foundation

/// The composable index template (`PUT _index_template/extriage`) for the ECS export, for
/// Elasticsearch (ECS types) or OpenSearch (its nearest types).
enum IndexTemplate {
    static let indexPattern = "extriage-*"
    static let indexName = "extriage-findings"

    enum Engine: String { case elasticsearch, opensearch }

    static func json(for engine: Engine) throws -> [UInt8] {
        var properties: [String: Any] = [:]
        var all = ECSFields.types
        all[ECSFields.freeFormField] = "flattened"
        for (name, ecsType) in all {
            let type = engine == .opensearch ? ECSFields.openSearchTypes[ecsType] ?? ecsType : ecsType
            insert(name.split(separator: ".").map(String.init), type: type, into: &properties)
        }
        let template: [String: Any] = [
            "index_patterns": [indexPattern],
            "priority": 200,
            "template": ["mappings": ["dynamic": false, "properties": properties]],
            "_meta": ["description": "extriage case export, Elastic Common Schema \(ECSDocument.ecsVersion)", "engine": engine.rawValue],
        ]
        return Array(try JSONSerialization.data(withJSONObject: template, options: [.prettyPrinted, .sortedKeys])) + [10]
    }

    /// Places `type` at a dotted path of object `properties`.
    static func insert(_ path: [String], type: String, into properties: inout [String: Any]) {
        guard let head = path.first else { return }
        if path.count == 1 {
            properties[head] = ["type": type]
            return
        }
        var object = properties[head] as? [String: Any] ?? [:]
        var inner = object["properties"] as? [String: Any] ?? [:]
        insert(Array(path.dropFirst()), type: type, into: &inner)
        object["properties"] = inner
        properties[head] = object
    }
}
