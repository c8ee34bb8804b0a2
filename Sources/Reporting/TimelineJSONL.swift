import ExTriageCore
import Foundation

/// The Timesketch timeline: one compact JSON object per line for each timestamped evidence item.
///
/// Lines are sorted stably by (timestamp, bundle, member, line or record). `message` is escaped with
/// `EscapedText.display` because it is what an analyst reads first; the other fields keep the report's
/// values losslessly, so they join with the JSON report (JSON escaping neutralises control characters).
/// Evidence without a timestamp is left out; it stays in the JSON report.
public struct TimelineJSONL: Sendable {
    public init() {}

    /// Encodes the timeline as JSON Lines, `\n` after every line.
    public static func render(_ reports: [AnalysisReport]) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8] = []
        for event in events(reports) {
            bytes += Array(try encoder.encode(event))
            bytes.append(0x0A)
        }
        return bytes
    }

    /// The timeline events in output order.
    static func events(_ reports: [AnalysisReport]) -> [TimelineEvent] {
        var keyed: [(time: Timestamp, order: Int, event: TimelineEvent)] = []
        for report in reports {
            for finding in report.findings {
                for evidence in finding.evidence {
                    guard let time = evidence.timestamp else { continue }
                    keyed.append((time, keyed.count, TimelineEvent(report: report, finding: finding, evidence: evidence, time: time)))
                }
            }
        }
        keyed.sort { lhs, rhs in
            if lhs.time != rhs.time { return lhs.time < rhs.time }
            let left = lhs.event, right = rhs.event
            if left.bundle != right.bundle { return left.bundle < right.bundle }
            if left.member != right.member { return left.member < right.member }
            let leftLine = left.line ?? left.record ?? 0, rightLine = right.line ?? right.record ?? 0
            if leftLine != rightLine { return leftLine < rightLine }
            return lhs.order < rhs.order
        }
        return keyed.map(\.event)
    }
}

/// One timeline line, in the field names Timesketch imports.
struct TimelineEvent: Encodable {
    var message: String
    var datetime: String
    /// Microseconds since the Unix epoch.
    var timestamp: Int64
    var timestampDesc = "Event Recorded"
    var bundle: String
    var host: String
    var checkId: String
    var verdict: String
    var severity: String
    var cve: String
    var attack: String
    var sourceFile: String
    var member: String
    var line: Int?
    var record: Int?
    var excerpt: String
    var title: String
    var sha256: String

    enum CodingKeys: String, CodingKey {
        case message, datetime, timestamp, bundle, host, verdict, severity, cve, attack, member, line, record, excerpt, title, sha256
        case timestampDesc = "timestamp_desc"
        case checkId = "check_id"
        case sourceFile = "source_file"
    }

    init(report: AnalysisReport, finding: Finding, evidence: Evidence, time: Timestamp) {
        let newCves = finding.cves.filter { !finding.title.contains($0) }
        let prefix = "[" + finding.verdict.rawValue + "] " + finding.checkId.rawValue
            + (newCves.isEmpty ? "" : " " + newCves.joined(separator: ","))
        message = EscapedText.display(prefix + " " + finding.title + ": " + finding.explanation)
        datetime = time.iso8601
        if let kind = evidence.details?["timestamp"] { timestampDesc = kind }
        timestamp = time.unixMicroseconds
        bundle = report.bundle.path
        host = report.bundle.host ?? ""
        checkId = finding.checkId.rawValue
        verdict = finding.verdict.rawValue
        severity = finding.severity.rawValue
        cve = finding.cves.joined(separator: ",")
        attack = finding.attack.joined(separator: ",")
        sourceFile = evidence.originalPath
        member = evidence.member
        line = evidence.line
        record = evidence.line == nil ? evidence.record : nil
        excerpt = evidence.excerpt
        title = finding.title
        sha256 = evidence.sha256
    }
}
