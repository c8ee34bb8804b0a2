import ExTriageCore

/// An Elastic Common Schema document for one evidence item. Absent values are left out; the
/// free-form rest sits under `extriage`, mapped as one `flattened` field.
struct ECSDocument: Encodable {
    /// The ECS version the field names and types follow.
    static let ecsVersion = "8.11.0"

    struct ECS: Encodable { var version = ECSDocument.ecsVersion }
    struct Host: Encodable { var name: String }
    struct Event: Encodable {
        var kind = "alert"
        var module = "extriage"
        var dataset = "extriage.finding"
        var code: String?
        var provider: String?
        /// Severity as a number, 0 (info) to 4 (critical).
        var severity: Int
    }
    struct Rule: Encodable {
        var id: String
        var name: String
        var category: String?
    }
    struct Vulnerability: Encodable { var id: [String] }
    struct Technique: Encodable { var id: [String] }
    struct Threat: Encodable {
        var framework = "MITRE ATT&CK"
        var technique: Technique
    }
    struct Address: Encodable { var ip: String }
    struct UserAgent: Encodable { var original: String }
    struct Hash: Encodable { var sha256: String }
    struct File: Encodable {
        var path: String
        var name: String
        var hash: Hash?
    }
    struct URLField: Encodable { var original: String }
    struct HTTPResponse: Encodable {
        var statusCode: Int
        enum CodingKeys: String, CodingKey { case statusCode = "status_code" }
    }
    struct HTTP: Encodable { var response: HTTPResponse }
    struct LogFile: Encodable { var path: String }
    struct Log: Encodable { var file: LogFile }

    var timestamp: String
    var message: String
    var ecs = ECS()
    var host: Host
    var event: Event
    var rule: Rule
    var vulnerability: Vulnerability?
    var threat: Threat?
    var source: Address?
    var userAgent: UserAgent?
    var url: URLField?
    var http: HTTP?
    var file: File?
    var log: Log?
    var extriage: [String: String]

    enum CodingKeys: String, CodingKey {
        case timestamp = "@timestamp"
        case userAgent = "user_agent"
        case message, ecs, host, event, rule, vulnerability, threat, source, url, http, file, log, extriage
    }

    init?(_ item: ExportEvent) {
        guard let time = item.time else { return nil }
        let finding = item.finding, evidence = item.evidence
        timestamp = time.iso8601
        message = item.message
        host = Host(name: item.host)
        event = Event(code: evidence.details?["EventID"], provider: evidence.details?["Provider"], severity: finding.severity.rank)
        rule = Rule(id: finding.checkId.rawValue, name: finding.title, category: finding.category)
        vulnerability = finding.cves.isEmpty ? nil : Vulnerability(id: finding.cves)
        threat = finding.attack.isEmpty ? nil : Threat(technique: Technique(id: finding.attack))
        let client = evidence.clientIp ?? (finding.pivots[.clientIp]?.count == 1 ? finding.pivots[.clientIp]?.first : nil)
        // An `ip` field refuses the whole document over a value that is not an address.
        source = client.flatMap { IPAddressText.isAddress($0) ? Address(ip: $0) : nil }
        let agents = finding.pivots[.userAgent] ?? []
        userAgent = agents.count == 1 ? agents.first.map(UserAgent.init) : nil
        // Web-log lines carry the request's URL and status as the analysis parsed them.
        url = evidence.url.map(URLField.init)
        http = evidence.httpStatus.map { HTTP(response: HTTPResponse(statusCode: $0)) }
        let name = evidence.originalPath.split(separator: "/").last.map(String.init) ?? evidence.originalPath
        if item.isFile {
            file = File(path: evidence.originalPath, name: name, hash: evidence.sha256.isEmpty ? nil : Hash(sha256: evidence.sha256))
        } else {
            log = Log(file: LogFile(path: evidence.originalPath))
        }
        var extra: [String: String] = ["verdict": finding.verdict.rawValue, "severity": finding.severity.rawValue,
                                       "bundleSha256": item.bundleSha256, "member": evidence.member, "timeSource": item.timeDescription]
        if let id = finding.id { extra["findingId"] = String(id) }
        if let caseId = item.caseId { extra["caseId"] = caseId }
        if let line = evidence.line { extra["line"] = String(line) }
        if let record = evidence.record { extra["record"] = String(record) }
        for (key, value) in evidence.details ?? [:] { extra["detail." + key] = value }
        extriage = extra
    }

    /// The `_bulk` action line that precedes each document.
    static func actionLine(index: String) -> String { #"{"create":{"_index":"\#(index)"}}"# }
}
