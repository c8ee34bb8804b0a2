import ExTriageCore
import Foundation
import GRDB

/// The embedded case: one SQLite file through GRDB, in WAL mode.
final class SQLiteCase: CaseBackend {
    let queue: DatabaseQueue

    /// Opens (creating when absent) the file; a file that is not SQLite is refused before SQLite touches it.
    init(path: String) throws {
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
    }

    /// Write-ahead logging, switched on once the schema is known to be ours.
    func enableWAL(path: String) throws {
        do {
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        } catch {
            throw ExTriageError(.io, "cannot switch the case database to write-ahead logging", path: path, cause: "\(error)")
        }
    }

    func write<T>(_ body: (any CaseSQL) throws -> T) throws -> T {
        try queue.write { db in try body(Connection(db: db)) }
    }

    func read<T>(_ body: (any CaseSQL) throws -> T) throws -> T {
        try queue.read { db in try body(Connection(db: db)) }
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

    struct Connection: CaseSQL {
        let db: Database
        var dialect: CaseDialect { .sqlite }

        func execute(_ sql: String, _ arguments: [CaseValue]) throws {
            try db.execute(sql: sql, arguments: Self.arguments(arguments))
        }

        func rows(_ sql: String, _ arguments: [CaseValue]) throws -> [CaseRow] {
            try Row.fetchAll(db, sql: sql, arguments: Self.arguments(arguments)).map { row in
                var values: [String: CaseValue] = [:]
                for (column, value) in row {
                    switch value.storage {
                    case .int64(let number): values[column] = .int(number)
                    case .string(let text): values[column] = .text(text)
                    case .double(let number): values[column] = .text(String(number))
                    case .blob(let data): values[column] = .text(String(decoding: data, as: UTF8.self))
                    case .null: values[column] = .null
                    }
                }
                return CaseRow(values: values)
            }
        }

        func tableNames() throws -> [String] {
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        }

        static func arguments(_ values: [CaseValue]) -> StatementArguments {
            StatementArguments(values.map { value -> (any DatabaseValueConvertible)? in
                switch value {
                case .null: return nil
                case .int(let number): return number
                case .text(let text): return text
                }
            })
        }
    }
}
