import ExTriageCore
import Foundation

/// A case: every bundle of it and what their analysis said, in one versioned database (SQLite or
/// PostgreSQL, the same tables and statements).
///
/// Each bundle is written in one transaction; a bundle already stored (same SHA-256) is left as it is,
/// also when two workers add it at once.
public final class CaseStore: Sendable {
    /// What `add` did.
    public enum AddResult: Sendable, Equatable {
        case added
        /// A bundle with this SHA-256 was already in the case; nothing changed.
        case alreadyPresent
    }

    let backend: any CaseBackend
    public let url: CaseDatabaseURL

    /// Opens (creating when absent) the case at `url`: a new database gets the current schema, an
    /// older one is migrated, a newer one or one that is not a case is refused with nothing written.
    public init(url: CaseDatabaseURL) throws {
        self.url = url
        switch url {
        case .postgresql(let text):
            let postgres = try PostgresCase(url: text)
            backend = postgres
            try Self.prepareSchema(postgres, path: postgres.displayURL)
        case .sqlite(let path):
            let sqlite = try SQLiteCase(path: path)
            backend = sqlite
            try Self.prepareSchema(sqlite, path: path)
            try sqlite.enableWAL(path: path)
        }
    }

    /// Stores one bundle and its analysis in one transaction.
    @discardableResult
    public func add(_ entry: CaseEntry, addedAt: Timestamp = .now()) throws -> AddResult {
        try backend.write { db in
            guard let bundleId = try StoredRows.insertBundle(db, entry, addedAt: addedAt) else { return .alreadyPresent }
            if let report = entry.report {
                try StoredRows.insertAnalysis(db, bundleId: bundleId, report)
                try StoredRows.insertIndicators(db, bundleId: bundleId,
                                                IndicatorExtractor.indicators(findings: report.findings, campaigns: report.campaigns))
            }
            return .added
        }
    }

    /// Whether a bundle with this SHA-256 is already in the case.
    public func contains(sha256: String) throws -> Bool {
        try backend.read { db in try db.row("SELECT 1 AS present FROM bundles WHERE sha256 = ?", [.text(sha256)]) != nil }
    }

    /// Runs a read over the database (for the fleet view, the export and tests).
    func read<T>(_ body: (any CaseSQL) throws -> T) throws -> T {
        try backend.read(body)
    }

    /// The schema version the database is at.
    public func schemaVersion() throws -> Int {
        try backend.read { db in try db.row("SELECT version FROM schema_version")?.int("version").map(Int.init) ?? 0 }
    }

    /// Creates, migrates or refuses, in one transaction. In PostgreSQL an advisory lock makes a
    /// second process opening the same new database wait, then find the schema made.
    static func prepareSchema(_ backend: any CaseBackend, path: String) throws {
        do {
            try backend.write { db in
                if db.dialect == .postgresql { try db.execute("SELECT pg_advisory_xact_lock(\(schemaLockKey))") }
                let tables = try db.tableNames()
                var version = 0
                if tables.contains(CaseSchema.versionTable) {
                    version = try db.row("SELECT version FROM schema_version")?.int("version").map(Int.init) ?? 0
                } else if !tables.isEmpty {
                    throw ExTriageError(.invalidArgument, "not an extriage case database: it holds other tables (\(tables.sorted().prefix(5).joined(separator: ", "))) and no schema_version; nothing was written", path: path)
                }
                guard version <= CaseSchema.currentVersion else {
                    throw ExTriageError(.invalidArgument, "the case database has schema version \(version), newer than this extriage (\(ToolInfo.version)) knows (\(CaseSchema.currentVersion)); use a newer extriage", path: path)
                }
                guard version < CaseSchema.currentVersion else { return }
                for next in (version + 1)...CaseSchema.currentVersion {
                    guard let migrate = CaseSchema.migration(to: next) else { continue }
                    try migrate(db)
                }
                try db.execute("DELETE FROM schema_version")
                try db.execute("INSERT INTO schema_version (version) VALUES (?)", [.init(CaseSchema.currentVersion)])
            }
        } catch let error as ExTriageError {
            throw error
        } catch {
            throw ExTriageError(.io, "cannot prepare the case database", path: path, cause: "\(error)")
        }
    }

    /// The advisory lock taken while a PostgreSQL schema is created or migrated ("EXTC" in ASCII).
    static let schemaLockKey: Int64 = 0x4558_5443
}
