import ExTriageCore

/// A value bound to or read from either database: the case tables hold only text and integers.
enum CaseValue: Sendable, Equatable {
    case null
    case int(Int64)
    case text(String)

    init(_ text: String?) { self = text.map(CaseValue.text) ?? .null }
    init(_ number: Int?) { self = number.map { .int(Int64($0)) } ?? .null }
    init(_ number: Int64) { self = .int(number) }
}

/// One result row, columns by name.
struct CaseRow: Sendable {
    var values: [String: CaseValue]

    func text(_ column: String) -> String? {
        switch values[column] {
        case .text(let text): return text
        case .int(let number): return String(number)
        default: return nil
        }
    }

    func int(_ column: String) -> Int64? {
        switch values[column] {
        case .int(let number): return number
        case .text(let text): return Int64(text)
        default: return nil
        }
    }

    /// A column the schema declares NOT NULL.
    func requiredText(_ column: String) throws -> String {
        guard let text = text(column) else { throw ExTriageError(.io, "the case database has no value for \(column)") }
        return text
    }

    func requiredInt(_ column: String) throws -> Int64 {
        guard let number = int(column) else { throw ExTriageError(.io, "the case database has no number for \(column)") }
        return number
    }
}

/// The statements the case runs, in one spelling for both databases: `?` placeholders (PostgreSQL's
/// side numbers them), `ON CONFLICT … DO NOTHING`, `RETURNING`. One connection inside one
/// transaction or read.
protocol CaseSQL {
    /// Which database it is, for the few statements spelled differently (the schema's DDL).
    var dialect: CaseDialect { get }
    func execute(_ sql: String, _ arguments: [CaseValue]) throws
    func rows(_ sql: String, _ arguments: [CaseValue]) throws -> [CaseRow]
    /// The tables in the database's own namespace (not the system's).
    func tableNames() throws -> [String]
}

extension CaseSQL {
    func execute(_ sql: String) throws { try execute(sql, []) }
    func rows(_ sql: String) throws -> [CaseRow] { try rows(sql, []) }
    func row(_ sql: String, _ arguments: [CaseValue] = []) throws -> CaseRow? { try rows(sql, arguments).first }
}

enum CaseDialect: Sendable {
    case sqlite
    case postgresql
}

/// `?, ?, ?` for an `IN (…)` list.
func questionMarks(_ count: Int) -> String {
    Array(repeating: "?", count: count).joined(separator: ", ")
}

/// Where a case is kept: SQLite through GRDB, PostgreSQL through postgres-nio.
protocol CaseBackend: Sendable {
    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func write<T>(_ body: (any CaseSQL) throws -> T) throws -> T
    /// Runs `body` over a consistent view.
    func read<T>(_ body: (any CaseSQL) throws -> T) throws -> T
}
