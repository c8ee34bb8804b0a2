import ExTriageCore
import Foundation

/// Row-level reads and writes of the case tables: one place that knows the columns.
enum StoredRows {
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String?) throws -> T? {
        guard let text else { return nil }
        return try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// Inserts the bundle row; nil when a bundle with that SHA-256 is already stored. In PostgreSQL a
    /// second writer of the same bundle waits on the unique key until the first commits, then inserts nothing.
    static func insertBundle(_ db: any CaseSQL, _ entry: CaseEntry, addedAt: Timestamp) throws -> Int64? {
        let bundle = entry.bundle
        let report = entry.report
        return try db.row("""
            INSERT INTO bundles (sha256, path, case_id, evidence_id, examiner, host, host_source, collected_at, source,
                verification_status, verification_text, verification_problems, analyzed, verdict, verdict_note, tool_version, added_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(sha256) DO NOTHING RETURNING id
            """, [
                .text(bundle.sha256), .text(bundle.path), .init(bundle.caseId), .init(bundle.evidenceId), .init(bundle.examiner),
                .init(bundle.host), .init(bundle.hostSource), .init(bundle.collectedAt?.iso8601), .init(bundle.source),
                .text(bundle.verification.status), .text(bundle.verification.text), .text(try json(bundle.verification.problems)),
                .int(report == nil ? 0 : 1), .init(report?.verdict.rawValue), .init(report?.verdictNote),
                .init(report?.tool.version), .text(addedAt.iso8601),
            ])?.int("id")
    }

    /// Rows per INSERT: 500 rows of at most 17 columns stay under SQLite's and PostgreSQL's bound-value limits.
    static let rowsPerInsert = 500

    /// Inserts `rows` into `table` with as few statements as the limits allow: one round trip per
    /// statement matters to a PostgreSQL server across a network.
    static func insertRows(_ db: any CaseSQL, _ table: String, _ columns: [String], _ rows: [[CaseValue]], onConflict: String? = nil) throws {
        let marks = "(" + questionMarks(columns.count) + ")"
        var start = 0
        while start < rows.count {
            let batch = rows[start..<min(start + rowsPerInsert, rows.count)]
            var sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
                + Array(repeating: marks, count: batch.count).joined(separator: ", ")
            if let onConflict { sql += " ON CONFLICT(\(onConflict)) DO NOTHING" }
            try db.execute(sql, batch.flatMap { $0 })
            start += batch.count
        }
    }

    static func insertAnalysis(_ db: any CaseSQL, bundleId: Int64, _ report: AnalysisReport) throws {
        let id = CaseValue.int(bundleId)
        try insertRows(db, "findings", ["bundle_id", "finding_id", "check_id", "title", "verdict", "severity", "category", "cves", "attack",
                                        "explanation", "first_seen", "last_seen", "evidence", "pivots", "usage", "notes", "omitted_evidence"],
                       try report.findings.enumerated().map { index, finding in
            let times = finding.evidence.compactMap(\.timestamp)
            return [
                id, .init(finding.id ?? index + 1), .text(finding.checkId.rawValue), .text(finding.title),
                .text(finding.verdict.rawValue), .text(finding.severity.rawValue), .init(finding.category), .text(try json(finding.cves)),
                .text(try json(finding.attack)), .text(finding.explanation), .init(times.min()?.iso8601), .init(times.max()?.iso8601),
                .text(try json(finding.evidence)), .text(try json(finding.pivots)), .init(try finding.usage.map(json)),
                .init(try finding.notes.map(json)), .init(finding.omittedEvidence),
            ]
        })
        try insertRows(db, "cve_states", ["bundle_id", "cve", "state", "reason", "patched_at"], report.cveStates.map { cve, state in
            [id, .text(cve), .text(state.rawValue), .init(report.cveReasons?[cve]), .init(report.cvePatchedAt?[cve]?.iso8601)]
        })
        try insertRows(db, "coverage", ["bundle_id", "position", "check_id", "title", "status", "reason", "members", "records", "malformed"],
                       report.coverage.enumerated().map { position, row in
            [id, .init(position), .text(row.checkId.rawValue), .text(row.title), .text(row.status.rawValue),
             .init(row.reason), .init(row.members), .init(row.records), .init(row.malformed)]
        })
        try insertRows(db, "log_spans", ["bundle_id", "family", "files", "first", "last", "gaps"], try report.logSpans.map { span in
            [id, .text(span.family), .init(span.files), .init(span.first?.iso8601), .init(span.last?.iso8601), .text(try json(span.gaps))]
        }, onConflict: "bundle_id, family")
        try insertRows(db, "campaigns", ["bundle_id", "position", "campaign"], try report.campaigns.enumerated().map { position, campaign in
            [id, .init(position), .text(try json(campaign))]
        })
    }

    static func insertIndicators(_ db: any CaseSQL, bundleId: Int64, _ indicators: [Indicator]) throws {
        try insertRows(db, "indicators", ["bundle_id", "kind", "value", "first_seen"], indicators.map { indicator in
            [.int(bundleId), .text(indicator.kind.rawValue), .text(indicator.value), .init(indicator.firstSeen?.iso8601)]
        }, onConflict: "bundle_id, kind, value")
    }

    /// A bundle's findings as stored, in report order.
    static func findings(_ db: any CaseSQL, bundleId: Int64) throws -> [Finding] {
        try db.rows("SELECT * FROM findings WHERE bundle_id = ? ORDER BY finding_id", [.int(bundleId)]).map { row in
            var finding = Finding(
                checkId: CheckID(rawValue: try row.requiredText("check_id")), title: try row.requiredText("title"),
                severity: Severity(rawValue: row.text("severity") ?? "") ?? .info,
                verdict: Verdict(rawValue: row.text("verdict") ?? "") ?? .informational,
                cves: try decode([String].self, row.text("cves")) ?? [], attack: try decode([String].self, row.text("attack")) ?? [],
                evidence: try decode([Evidence].self, row.text("evidence")) ?? [], explanation: row.text("explanation") ?? "",
                pivots: try decode([PivotKey: [String]].self, row.text("pivots")) ?? [:], category: row.text("category"))
            finding.id = row.int("finding_id").map(Int.init)
            finding.usage = try decode(ShellUsage.self, row.text("usage"))
            finding.notes = try decode([String].self, row.text("notes"))
            finding.omittedEvidence = row.int("omitted_evidence").map(Int.init)
            return finding
        }
    }

    static func campaigns(_ db: any CaseSQL, bundleId: Int64) throws -> [Campaign] {
        try db.rows("SELECT campaign FROM campaigns WHERE bundle_id = ? ORDER BY position", [.int(bundleId)])
            .compactMap { try decode(Campaign.self, $0.text("campaign")) }
    }
}
