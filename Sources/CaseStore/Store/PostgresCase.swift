import ExTriageCore
import Foundation
import PostgresNIO
import Synchronization

/// A case in PostgreSQL through postgres-nio, for a team and for many workers on many machines.
///
/// Each `write` holds one connection for one transaction; connections are kept for the next call
/// (one per concurrent worker). Calls block their thread on the NIO future, so workers must not be
/// NIO event-loop threads (they are Dispatch threads in `CaseIngest`).
final class PostgresCase: CaseBackend {
    let configuration: PostgresConnection.Configuration
    /// The URL with any password taken out, for messages.
    let displayURL: String
    let idle = Mutex<[PostgresConnection]>([])
    let nextId = Atomic<Int>(1)
    static let logger = Logger(label: "extriage.case.postgresql")

    init(url: String) throws {
        (configuration, displayURL) = try Self.configuration(parsing: url)
        // Fail now, with the URL, rather than at the first bundle.
        let connection = try connect()
        release(connection)
    }

    /// Closes the kept connections, waiting for each (postgres-nio wants a connection closed before it goes).
    deinit {
        for connection in idle.withLock({ $0 }) {
            let closed: EventLoopFuture<Void> = connection.close()
            try? closed.wait()
        }
    }

    func write<T>(_ body: (any CaseSQL) throws -> T) throws -> T {
        try withConnection { connection in
            let sql = Connection(connection: connection)
            try sql.execute("BEGIN")
            do {
                let result = try body(sql)
                try sql.execute("COMMIT")
                return result
            } catch {
                try? sql.execute("ROLLBACK")
                throw error
            }
        }
    }

    func read<T>(_ body: (any CaseSQL) throws -> T) throws -> T {
        try write { sql in
            // One snapshot for every statement of the read.
            try sql.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return try body(sql)
        }
    }

    /// A connection of its own for `body`, kept for the next call unless it closed.
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try idle.withLock { $0.popLast() } ?? connect()
        do {
            let result = try body(connection)
            release(connection)
            return result
        } catch {
            release(connection)
            throw error
        }
    }

    func release(_ connection: PostgresConnection) {
        guard !connection.isClosed else { return }
        idle.withLock { $0.append(connection) }
    }

    func connect() throws -> PostgresConnection {
        let id = nextId.add(1, ordering: .relaxed).oldValue
        do {
            return try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration,
                                                  id: id, logger: Self.logger).wait()
        } catch {
            throw ExTriageError(.io, "cannot connect to the case database", path: displayURL, cause: Self.describe(error))
        }
    }

    /// postgres-nio hides the server's message from `description`; this shows it.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let code = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return message + code
            }
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }

    /// `postgresql://user[:password]@host[:port]/db[?sslmode=require]`; `host=/dir` in the query
    /// names a Unix-socket folder (as libpq has it). The password may also come from `PGPASSWORD`.
    static func configuration(parsing text: String) throws -> (PostgresConnection.Configuration, String) {
        guard let components = URLComponents(string: text), components.scheme == "postgresql" || components.scheme == "postgres" else {
            throw ExTriageError(.invalidArgument, "a PostgreSQL case URL is postgresql://user@host:port/db", path: text)
        }
        var redacted = components
        if redacted.password != nil { redacted.password = "***" }
        let display = redacted.string ?? "postgresql://"
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let user = components.user ?? ProcessInfo.processInfo.environment["PGUSER"] ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        let password = components.password ?? ProcessInfo.processInfo.environment["PGPASSWORD"]
        var database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        if database.isEmpty { database = user }
        let port = components.port ?? 5432
        if let folder = query["host"], folder.hasPrefix("/") {
            return (.init(unixSocketPath: "\(folder)/.s.PGSQL.\(port)", username: user, password: password, database: database), display)
        }
        guard let host = components.host, !host.isEmpty else {
            throw ExTriageError(.invalidArgument, "the PostgreSQL URL names no host (postgresql://user@host:port/db)", path: display)
        }
        let tls: PostgresConnection.Configuration.TLS
        switch query["sslmode"] ?? "disable" {
        case "disable", "allow", "prefer": tls = .disable
        case "require", "verify-ca", "verify-full":
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            if query["sslmode"] == "require" { tlsConfiguration.certificateVerification = .none }
            do {
                tls = .require(try NIOSSLContext(configuration: tlsConfiguration))
            } catch {
                throw ExTriageError(.invalidArgument, "cannot set up TLS for the case database", path: display, cause: "\(error)")
            }
        case let other:
            throw ExTriageError(.invalidArgument, "sslmode=\(other) is not one of disable, require, verify-ca, verify-full", path: display)
        }
        return (.init(host: host, port: port, username: user, password: password, database: database, tls: tls), display)
    }

    /// One connection inside one transaction.
    struct Connection: CaseSQL {
        let connection: PostgresConnection
        var dialect: CaseDialect { .postgresql }

        /// Runs without reading the rows (some results, `void` among them, are no text or number).
        func execute(_ sql: String, _ arguments: [CaseValue]) throws {
            _ = try run(sql, arguments)
        }

        func rows(_ sql: String, _ arguments: [CaseValue]) throws -> [CaseRow] {
            try run(sql, arguments).rows.map { row in
                var values: [String: CaseValue] = [:]
                for cell in row {
                    guard cell.bytes != nil else {
                        values[cell.columnName] = .null
                        continue
                    }
                    switch cell.dataType {
                    case .int2, .int4, .int8: values[cell.columnName] = .int(try cell.decode(Int64.self))
                    case .bool: values[cell.columnName] = .int(try cell.decode(Bool.self) ? 1 : 0)
                    default: values[cell.columnName] = .text(try cell.decode(String.self))
                    }
                }
                return CaseRow(values: values)
            }
        }

        func run(_ sql: String, _ arguments: [CaseValue]) throws -> PostgresQueryResult {
            var bindings = PostgresBindings(capacity: arguments.count)
            for argument in arguments {
                switch argument {
                case .null: bindings.appendNull()
                case .int(let number): bindings.append(number)
                case .text(let text): bindings.append(text)
                }
            }
            let query = PostgresQuery(unsafeSQL: Self.numbered(sql), binds: bindings)
            do {
                return try connection.query(query, logger: PostgresCase.logger).wait()
            } catch {
                throw ExTriageError(.io, "the case database refused a statement", cause: PostgresCase.describe(error))
            }
        }

        func tableNames() throws -> [String] {
            try rows("SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema()")
                .compactMap { $0.text("name") }
        }

        /// `?` placeholders as `$1, $2, …`. The case's statements hold no `?` inside quotes.
        static func numbered(_ sql: String) -> String {
            var out = ""
            out.reserveCapacity(sql.count + 8)
            var number = 0
            for character in sql {
                if character == "?" {
                    number += 1
                    out += "$\(number)"
                } else {
                    out.append(character)
                }
            }
            return out
        }
    }
}
