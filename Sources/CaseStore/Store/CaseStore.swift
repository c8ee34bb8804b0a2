import ExTriageCore
import Foundation
import GRDB

/// A case: every bundle of it and what their analysis said, in one versioned database.
///
/// Each bundle is written in one transaction; a bundle already stored (same SHA-256) is left as it is.
public final class CaseStore: Sendable {
    /// What `add` did.
    public enum AddResult: Sendable, Equatable {
        case added
        /// A bundle with this SHA-256 was already in the case; nothing changed.
        case alreadyPresent
    }

    let queue: DatabaseQueue
    public let url: CaseDatabaseURL

    /// Opens (creating when absent) the case at `url`: a new database gets the current schema, an
    /// older one is migrated, a newer one or one that is not a case is refused with nothing written.
    public init(url: CaseDatabaseURL) throws {
        self.url = url
        switch url {
        case .postgresql:
            throw ExTriageError(.invalidArgument, "PostgreSQL case databases are not supported yet in this build; use sqlite:PATH")
        case .sqlite(let path):
            if FileManager.default.fileExists(atPath: path) { try Self.refuseNonSQLite(path) }
            var configuration = Configuration()
            configuration.foreignKeysEnabled = true
            configuration.busyMode = .timeout(30)
            // synchronous=NORMAL with WAL (set once the database is known to be ours): each bundle's
            // transaction stays atomic without an fsync per commit; a power cut may lose the last
            // bundles added, and adding them again is safe.
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            do {
                queue = try DatabaseQueue(path: path, configuration: configuration)
            } catch {
                throw ExTriageError(.io, "cannot open the case database", path: path, cause: "\(error)")
            }
            try Self.prepareSchema(queue, path: path)
            do {
                try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            } catch {
                throw ExTriageError(.io, "cannot switch the case database to write-ahead logging", path: path, cause: "\(error)")
            }
        }
    }

    /// Stores one bundle and its analysis in one transaction.
    @discardableResult
    public func add(_ entry: CaseEntry, addedAt: Timestamp = .now()) throws -> AddResult {
        try queue.write { db in
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
        try queue.read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM bundles WHERE sha256 = ?", arguments: [sha256]) ?? false }
    }

    /// Runs a read over the database (for the fleet view and tests).
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try queue.read(body)
    }

    /// The schema version the database is at.
    public func schemaVersion() throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: "SELECT version FROM schema_version") ?? 0 }
    }

    /// A file that is not SQLite at all is refused before SQLite touches it.
    static func refuseNonSQLite(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ExTriageError(.io, "cannot read the case database", path: path)
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 16)) ?? Data()
        guard head.isEmpty || head == Data("SQLite format 3\0".utf8) else {
            throw ExTriageError(.invalidArgument, "not an extriage case database (not SQLite); nothing was written", path: path)
        }
    }

    /// Creates, migrates or refuses, in one transaction.
    static func prepareSchema(_ queue: DatabaseQueue, path: String) throws {
        do {
            try queue.write { db in
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                var version = 0
                if tables.contains(CaseSchema.versionTable) {
                    version = try Int.fetchOne(db, sql: "SELECT version FROM schema_version") ?? 0
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
                try db.execute(sql: "DELETE FROM schema_version")
                try db.execute(sql: "INSERT INTO schema_version (version) VALUES (?)", arguments: [CaseSchema.currentVersion])
            }
        } catch let error as ExTriageError {
            throw error
        } catch {
            throw ExTriageError(.io, "cannot prepare the case database", path: path, cause: "\(error)")
        }
    }
}
