/// The fields an ECS export may hold, with their ECS types: the one table the index templates are
/// made from and the documents are checked against.
enum ECSFields {
    /// Our own namespace: free-form values, one `flattened` field.
    static let freeFormField = "extriage"

    /// ECS field name → ECS type (ECS 8.11).
    static let types: [String: String] = [
        "@timestamp": "date", "message": "match_only_text", "ecs.version": "keyword",
        "host.name": "keyword",
        "event.kind": "keyword", "event.module": "keyword", "event.dataset": "keyword",
        "event.code": "keyword", "event.provider": "keyword", "event.severity": "long",
        "rule.id": "keyword", "rule.name": "keyword", "rule.category": "keyword",
        "vulnerability.id": "keyword",
        "threat.framework": "keyword", "threat.technique.id": "keyword",
        "source.ip": "ip", "user_agent.original": "keyword",
        "url.original": "wildcard", "http.response.status_code": "long",
        "file.path": "keyword", "file.name": "keyword", "file.hash.sha256": "keyword",
        "log.file.path": "keyword",
    ]

    /// OpenSearch lacks three Elasticsearch types ECS uses; its template takes the nearest ones.
    static let openSearchTypes: [String: String] = ["match_only_text": "text", "wildcard": "keyword", "flattened": "flat_object"]
}
