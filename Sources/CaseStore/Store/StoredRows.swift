import ExTriageCore
import Foundation
import GRDB

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

    /// Inserts the bundle row; nil when a bundle with that SHA-256 is already stored.
    static func insertBundle(_ db: Database, _ entry: CaseEntry, addedAt: Timestamp) throws -> Int64? {
        let bundle = entry.bundle
        let report = entry.report
        try db.execute(sql: """
            INSERT INTO bundles (sha256, path, case_id, evidence_id, examiner, host, host_source, collected_at, source,
                verification_status, verification_text, verification_problems, analyzed, verdict, verdict_note, tool_version, added_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(sha256) DO NOTHING
            """, arguments: [
                bundle.sha256, bundle.path, bundle.caseId, bundle.evidenceId, bundle.examiner, bundle.host, bundle.hostSource,
                bundle.collectedAt?.iso8601, bundle.source, bundle.verification.status, bundle.verification.text,
                try json(bundle.verification.problems), report == nil ? 0 : 1, report?.verdict.rawValue, report?.verdictNote,
                report?.tool.version, addedAt.iso8601,
            ])
        guard db.changesCount > 0 else { return nil }
        return db.lastInsertedRowID
    }

    static func insertAnalysis(_ db: Database, bundleId: Int64, _ report: AnalysisReport) throws {
        for (index, finding) in report.findings.enumerated() {
            let times = finding.evidence.compactMap(\.timestamp)
            try db.execute(sql: """
                INSERT INTO findings (bundle_id, finding_id, check_id, title, verdict, severity, category, cves, attack, explanation,
                    first_seen, last_seen, evidence, pivots, usage, notes, omitted_evidence)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    bundleId, finding.id ?? index + 1, finding.checkId.rawValue, finding.title, finding.verdict.rawValue,
                    finding.severity.rawValue, finding.category, try json(finding.cves), try json(finding.attack), finding.explanation,
                    times.min()?.iso8601, times.max()?.iso8601, try json(finding.evidence), try json(finding.pivots),
                    try finding.usage.map(json), try finding.notes.map(json), finding.omittedEvidence,
                ])
        }
        for (cve, state) in report.cveStates {
            try db.execute(sql: "INSERT INTO cve_states (bundle_id, cve, state, reason, patched_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [bundleId, cve, state.rawValue, report.cveReasons?[cve], report.cvePatchedAt?[cve]?.iso8601])
        }
        for (position, row) in report.coverage.enumerated() {
            try db.execute(sql: """
                INSERT INTO coverage (bundle_id, position, check_id, title, status, reason, members, records, malformed)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [bundleId, position, row.checkId.rawValue, row.title, row.status.rawValue, row.reason,
                                 row.members, row.records, row.malformed])
        }
        for span in report.logSpans {
            try db.execute(sql: """
                INSERT INTO log_spans (bundle_id, family, files, first, last, gaps) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(bundle_id, family) DO NOTHING
                """, arguments: [bundleId, span.family, span.files, span.first?.iso8601, span.last?.iso8601, try json(span.gaps)])
        }
        for (position, campaign) in report.campaigns.enumerated() {
            try db.execute(sql: "INSERT INTO campaigns (bundle_id, position, campaign) VALUES (?, ?, ?)",
                           arguments: [bundleId, position, try json(campaign)])
        }
    }

    static func insertIndicators(_ db: Database, bundleId: Int64, _ indicators: [Indicator]) throws {
        for indicator in indicators {
            try db.execute(sql: """
                INSERT INTO indicators (bundle_id, kind, value, first_seen) VALUES (?, ?, ?, ?)
                ON CONFLICT(bundle_id, kind, value) DO NOTHING
                """, arguments: [bundleId, indicator.kind.rawValue, indicator.value, indicator.firstSeen?.iso8601])
        }
    }

    /// A bundle's findings as stored, in report order.
    static func findings(_ db: Database, bundleId: Int64) throws -> [Finding] {
        try Row.fetchAll(db, sql: "SELECT * FROM findings WHERE bundle_id = ? ORDER BY finding_id", arguments: [bundleId]).map { row in
            var finding = Finding(
                checkId: CheckID(rawValue: row["check_id"]), title: row["title"],
                severity: Severity(rawValue: row["severity"]) ?? .info, verdict: Verdict(rawValue: row["verdict"]) ?? .informational,
                cves: try decode([String].self, row["cves"]) ?? [], attack: try decode([String].self, row["attack"]) ?? [],
                evidence: try decode([Evidence].self, row["evidence"]) ?? [], explanation: row["explanation"],
                pivots: try decode([PivotKey: [String]].self, row["pivots"]) ?? [:], category: row["category"])
            finding.id = row["finding_id"]
            finding.usage = try decode(ShellUsage.self, row["usage"])
            finding.notes = try decode([String].self, row["notes"])
            finding.omittedEvidence = row["omitted_evidence"]
            return finding
        }
    }

    static func campaigns(_ db: Database, bundleId: Int64) throws -> [Campaign] {
        try String.fetchAll(db, sql: "SELECT campaign FROM campaigns WHERE bundle_id = ? ORDER BY position", arguments: [bundleId])
            .compactMap { try decode(Campaign.self, $0) }
    }
}
