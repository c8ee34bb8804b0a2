import ExTriageCore

/// A Timesketch JSONL line for one evidence item: `message`, `datetime`, `timestamp_desc`,
/// `data_type`, and the finding's fields beside them.
struct TimesketchLine: Encodable {
    static let dataType = "extriage:finding:evidence"

    var message: String
    var datetime: String
    /// Microseconds since the Unix epoch.
    var timestamp: Int64
    var timestampDesc: String
    var dataType = TimesketchLine.dataType
    var host: String
    var bundleSha256: String
    var checkId: String
    var title: String
    var verdict: String
    var severity: String
    var cve: String
    var attack: String
    var sourceFile: String
    var member: String
    var line: Int?
    var record: Int?
    var clientIp: String?
    var sha256: String

    enum CodingKeys: String, CodingKey {
        case message, datetime, timestamp, host, title, verdict, severity, cve, attack, member, line, record, sha256
        case timestampDesc = "timestamp_desc"
        case dataType = "data_type"
        case bundleSha256 = "bundle_sha256"
        case checkId = "check_id"
        case sourceFile = "source_file"
        case clientIp = "client_ip"
    }

    init?(_ item: ExportEvent) {
        guard let time = item.time else { return nil }
        let finding = item.finding, evidence = item.evidence
        message = item.message
        datetime = time.iso8601
        timestamp = time.unixMicroseconds
        timestampDesc = item.timeDescription
        host = item.host
        bundleSha256 = item.bundleSha256
        checkId = finding.checkId.rawValue
        title = finding.title
        verdict = finding.verdict.rawValue
        severity = finding.severity.rawValue
        cve = finding.cves.joined(separator: ",")
        attack = finding.attack.joined(separator: ",")
        sourceFile = evidence.originalPath
        member = evidence.member
        line = evidence.line
        record = evidence.record
        clientIp = evidence.clientIp
        sha256 = evidence.sha256
    }
}
