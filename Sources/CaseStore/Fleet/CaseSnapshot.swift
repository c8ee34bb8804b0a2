import ExTriageCore
import GRDB

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

    static func read(_ db: Database) throws -> CaseSnapshot {
        var snapshot = CaseSnapshot()
        snapshot.bundles = try Row.fetchAll(db, sql: "SELECT id, sha256, path, host, verification_status, analyzed, verdict FROM bundles ORDER BY id")
            .map { Bundle(id: $0["id"], sha256: $0["sha256"], path: $0["path"], host: $0["host"], verificationStatus: $0["verification_status"],
                          analyzed: $0["analyzed"], verdict: $0["verdict"]) }
        for row in try Row.fetchAll(db, sql: "SELECT bundle_id, cve, state, reason, patched_at FROM cve_states") {
            let patched: String? = row["patched_at"]
            snapshot.cveStates[row["bundle_id"], default: [:]][row["cve"]] = FleetReport.CVERow(
                state: row["state"], reason: row["reason"], patchedAt: patched.flatMap(Timestamp.init(iso8601:)))
        }
        let marks = databaseQuestionMarks(count: shellMinimumVerdicts.count)
        for row in try Row.fetchAll(db, sql: "SELECT bundle_id, first_seen FROM findings WHERE verdict IN (\(marks)) AND first_seen IS NOT NULL",
                                    arguments: StatementArguments(shellMinimumVerdicts)) {
            let text: String = row["first_seen"]
            guard let time = Timestamp(iso8601: text) else { continue }
            let bundleId: Int64 = row["bundle_id"]
            snapshot.firstCompromise[bundleId] = min(snapshot.firstCompromise[bundleId] ?? time, time)
        }
        let checks = IndicatorExtractor.webShellChecks.map(\.rawValue).sorted()
        for row in try Row.fetchAll(db, sql: """
            SELECT bundle_id, evidence, usage FROM findings
            WHERE check_id IN (\(databaseQuestionMarks(count: checks.count))) AND verdict IN (\(marks)) ORDER BY bundle_id, finding_id
            """, arguments: StatementArguments(checks + shellMinimumVerdicts)) {
            let file = try StoredRows.decode([Evidence].self, row["evidence"])?.first
            let usage = try StoredRows.decode(ShellUsage.self, row["usage"])
            let shell = FleetReport.Shell(path: file?.originalPath ?? "?", sha256: file?.sha256.isEmpty == false ? file?.sha256 : nil,
                                          requests: usage?.requests ?? 0, firstRequest: usage?.first)
            snapshot.shells[row["bundle_id"], default: []].append(ShellRecord(shell: shell, status: usage?.status ?? .noRequestLogs))
        }
        for row in try Row.fetchAll(db, sql: "SELECT bundle_id, kind, value, first_seen FROM indicators") {
            guard let kind = Indicator.Kind(rawValue: row["kind"]) else { continue }
            let first: String? = row["first_seen"]
            snapshot.indicators[row["bundle_id"], default: []].append(
                Indicator(kind: kind, value: row["value"], firstSeen: first.flatMap(Timestamp.init(iso8601:))))
        }
        return snapshot
    }
}
