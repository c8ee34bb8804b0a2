import ExTriageCore

/// What the fleet view needs from the case tables, read in one go.
struct CaseSnapshot {
    struct Bundle {
        var id: Int64
        var sha256: String
        var path: String
        var host: String?
        var verificationStatus: String
        var analyzed: Bool
        var verdict: String?

        /// The host's name, or one made from the bundle's hash when the evidence names none.
        var hostName: String { host ?? "unnamed-" + String(sha256.prefix(12)) }
    }

    struct ShellRecord {
        var shell: FleetReport.Shell
        var status: ShellUsage.Status
    }

    /// Web-shell findings at `likely` or above are shells.
    static let shellMinimumVerdicts = [Verdict.likely, .confirmed].map(\.rawValue)

    var bundles: [Bundle] = []
    var cveStates: [Int64: [String: FleetReport.CVERow]] = [:]
    var firstCompromise: [Int64: Timestamp] = [:]
    var shells: [Int64: [ShellRecord]] = [:]
    var indicators: [Int64: [Indicator]] = [:]

    static func read(_ db: any CaseSQL) throws -> CaseSnapshot {
        var snapshot = CaseSnapshot()
        snapshot.bundles = try db.rows("SELECT id, sha256, path, host, verification_status, analyzed, verdict FROM bundles ORDER BY id")
            .map { Bundle(id: try $0.requiredInt("id"), sha256: try $0.requiredText("sha256"), path: try $0.requiredText("path"), host: $0.text("host"),
                          verificationStatus: try $0.requiredText("verification_status"), analyzed: $0.int("analyzed") == 1, verdict: $0.text("verdict")) }
        for row in try db.rows("SELECT bundle_id, cve, state, reason, patched_at FROM cve_states") {
            let bundleId = try row.requiredInt("bundle_id"), cve = try row.requiredText("cve")
            snapshot.cveStates[bundleId, default: [:]][cve] = FleetReport.CVERow(
                state: try row.requiredText("state"), reason: row.text("reason"), patchedAt: row.text("patched_at").flatMap(Timestamp.init(iso8601:)))
        }
        let marks = questionMarks(shellMinimumVerdicts.count)
        let verdicts = shellMinimumVerdicts.map(CaseValue.text)
        for row in try db.rows("SELECT bundle_id, first_seen FROM findings WHERE verdict IN (\(marks)) AND first_seen IS NOT NULL", verdicts) {
            guard let time = row.text("first_seen").flatMap(Timestamp.init(iso8601:)) else { continue }
            let bundleId = try row.requiredInt("bundle_id")
            snapshot.firstCompromise[bundleId] = min(snapshot.firstCompromise[bundleId] ?? time, time)
        }
        let checks = IndicatorExtractor.webShellChecks.map(\.rawValue).sorted()
        for row in try db.rows("""
            SELECT bundle_id, evidence, usage FROM findings
            WHERE check_id IN (\(questionMarks(checks.count))) AND verdict IN (\(marks)) ORDER BY bundle_id, finding_id
            """, checks.map(CaseValue.text) + verdicts) {
            let file = try StoredRows.decode([Evidence].self, row.text("evidence"))?.first
            let usage = try StoredRows.decode(ShellUsage.self, row.text("usage"))
            let shell = FleetReport.Shell(path: file?.originalPath ?? "?", sha256: file?.sha256.isEmpty == false ? file?.sha256 : nil,
                                          requests: usage?.requests ?? 0, firstRequest: usage?.first)
            let bundleId = try row.requiredInt("bundle_id")
            snapshot.shells[bundleId, default: []].append(ShellRecord(shell: shell, status: usage?.status ?? .noRequestLogs))
        }
        for row in try db.rows("SELECT bundle_id, kind, value, first_seen FROM indicators") {
            guard let kind = row.text("kind").flatMap(Indicator.Kind.init(rawValue:)) else { continue }
            let bundleId = try row.requiredInt("bundle_id"), value = try row.requiredText("value")
            snapshot.indicators[bundleId, default: []].append(
                Indicator(kind: kind, value: value, firstSeen: row.text("first_seen").flatMap(Timestamp.init(iso8601:))))
        }
        return snapshot
    }
}
