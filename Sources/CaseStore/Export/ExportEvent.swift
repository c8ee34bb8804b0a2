import ExTriageCore

/// One evidence item of one stored finding, with its host: the unit every export writes.
struct ExportEvent {
    var host: String
    var bundleSha256: String
    var caseId: String?
    var finding: Finding
    var evidence: Evidence
    /// The evidence's own time, else the finding's first, else when the bundle was collected.
    var time: Timestamp?
    /// What `time` is, in Timesketch's words.
    var timeDescription: String

    /// Times a line needs: the evidence's, the finding's earliest, or the collection time, said which.
    static func dated(_ evidence: Evidence, finding: Finding, collectedAt: Timestamp?) -> (Timestamp?, String) {
        if let time = evidence.timestamp { return (time, "Event Recorded") }
        if let time = finding.firstSeen { return (time, "Finding First Seen") }
        return (collectedAt, "Bundle Collected")
    }

    /// One line for a person: verdict, check, title and the excerpt.
    var message: String {
        "[\(finding.verdict.rawValue)] \(finding.checkId.rawValue) \(finding.title): \(EscapedText.display(evidence.excerpt))"
    }

    /// Whether the evidence is a file (a shell, a dump, an archive) rather than a line or record of a log.
    var isFile: Bool { evidence.line == nil && evidence.record == nil }
}
