import CForensics
import ExTriageCore
import Foundation

/// An Extensible Storage Engine (ESE, "JET Blue") database read through libesedb: its tables,
/// their columns and records (SRUM's `SRUDB.dat`, Windows Search, WebCache).
///
/// Held in memory through an `InMemoryFile`, so no copy of the evidence touches disk. A database
/// Windows did not shut down cleanly (its log files not replayed) is read as it is and says so in
/// `state`; a record or value libesedb cannot read is left out and counted in `problems`, never a
/// crash. Not `Sendable`: one database belongs to one check's thread. Reference: libyal
/// "Extensible Storage Engine (ESE) Database File (EDB) format".
public final class EseDatabase {
    /// The header's database state (offset 52): what Windows left it in.
    public enum State: Sendable, Equatable {
        case justCreated, dirtyShutdown, cleanShutdown, beingConverted, forceDetach, unknown(UInt32)

        init(_ value: UInt32) {
            switch value {
            case 1: self = .justCreated
            case 2: self = .dirtyShutdown
            case 3: self = .cleanShutdown
            case 4: self = .beingConverted
            case 5: self = .forceDetach
            default: self = .unknown(value)
            }
        }
    }

    private var file: UnsafeMutablePointer<Int>?
    public let state: State
    /// What could not be read, each naming the table: unreadable records or values.
    public private(set) var problems: [String] = []

    /// The ESE file signature at offset 4 (`0x89ABCDEF`, little-endian).
    public static let signature: [UInt8] = [0xEF, 0xCD, 0xAB, 0x89]

    /// Opens a database held in memory (a bundle member); throws when it is no readable ESE database.
    public init(bytes: [UInt8], name: String) throws {
        guard bytes.count >= 668, Array(bytes[4..<8]) == Self.signature else {
            throw ExTriageError(.sourceUnreadable, "not an ESE database (no 0x89ABCDEF signature at offset 4)", path: name)
        }
        state = State(UInt32(bytes[52]) | UInt32(bytes[53]) << 8 | UInt32(bytes[54]) << 16 | UInt32(bytes[55]) << 24)
        let memory = try InMemoryFile(bytes, name: "extriage-ese")
        var handle: UnsafeMutablePointer<Int>?
        var error: UnsafeMutablePointer<Int>?
        guard libesedb_file_initialize(&handle, &error) == 1 else { throw Self.failure("cannot initialise libesedb", error, name) }
        let opened = withExtendedLifetime(memory) { libesedb_file_open(handle, memory.path, libesedb_get_access_flags_read(), &error) }
        guard opened == 1 else {
            libesedb_file_free(&handle, nil)
            throw Self.failure("not a readable ESE database", error, name)
        }
        file = handle
    }

    deinit {
        if file != nil {
            libesedb_file_close(file, nil)
            libesedb_file_free(&file, nil)
        }
    }

    /// The table of that name, or nil when the database has none (or it cannot be read: a problem).
    public func table(_ name: String) -> EseTable? {
        var table: UnsafeMutablePointer<Int>?
        var error: UnsafeMutablePointer<Int>?
        let found = Array(name.utf8).withUnsafeBufferPointer { libesedb_file_get_table_by_utf8_name(file, $0.baseAddress, $0.count, &table, &error) }
        if found == -1 { note("\(name): \(Self.message(error) ?? "unreadable")") }
        guard found == 1, let table else { return nil }
        return EseTable(handle: table, name: name, database: self)
    }

    func note(_ problem: String) {
        if problems.count < 100 { problems.append(problem) }
    }

    static func message(_ error: UnsafeMutablePointer<Int>?) -> String? {
        guard error != nil else { return nil }
        var error = error
        var buffer = [CChar](repeating: 0, count: 1024)
        libesedb_error_sprint(error, &buffer, buffer.count)
        libesedb_error_free(&error)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .split(separator: "\n").last.map(String.init) ?? ""
        return text.isEmpty ? nil : text
    }

    private static func failure(_ what: String, _ error: UnsafeMutablePointer<Int>?, _ path: String) -> ExTriageError {
        ExTriageError(.sourceUnreadable, what + (message(error).map { ": " + $0 } ?? ""), path: path)
    }
}

/// One table: its column names and its records, read one at a time.
public final class EseTable {
    private var table: UnsafeMutablePointer<Int>?
    private let database: EseDatabase
    public let name: String
    /// Column names in column order (a record's values come in this order).
    public let columns: [String]
    public let recordCount: Int

    init(handle: UnsafeMutablePointer<Int>, name: String, database: EseDatabase) {
        table = handle
        self.name = name
        self.database = database
        var count: Int32 = 0
        var names: [String] = []
        if libesedb_table_get_number_of_columns(handle, &count, 0, nil) == 1 {
            for index in 0..<count {
                var column: UnsafeMutablePointer<Int>?
                guard libesedb_table_get_column(handle, index, &column, 0, nil) == 1, column != nil else { names.append(""); continue }
                var size = 0
                var text = ""
                if libesedb_column_get_utf8_name_size(column, &size, nil) == 1, size > 0 {
                    var buffer = [UInt8](repeating: 0, count: size)
                    if libesedb_column_get_utf8_name(column, &buffer, size, nil) == 1 { text = String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self) }
                }
                names.append(text)
                libesedb_column_free(&column, nil)
            }
        }
        columns = names
        var records: Int32 = 0
        recordCount = libesedb_table_get_number_of_records(handle, &records, nil) == 1 ? Int(records) : 0
    }

    deinit { libesedb_table_free(&table, nil) }

    /// The record at `index`: each column's raw bytes by column name (long values read whole up to
    /// `longValueLimit`), or nil with a problem noted when libesedb cannot read it.
    public func record(_ index: Int, longValueLimit: Int = 1 << 16) -> [String: [UInt8]]? {
        var record: UnsafeMutablePointer<Int>?
        var error: UnsafeMutablePointer<Int>?
        guard libesedb_table_get_record(table, Int32(index), &record, &error) == 1, record != nil else {
            database.note("\(name) record \(index): \(EseDatabase.message(error) ?? "unreadable")")
            return nil
        }
        defer { libesedb_record_free(&record, nil) }
        var values: [String: [UInt8]] = [:]
        var count: Int32 = 0
        guard libesedb_record_get_number_of_values(record, &count, nil) == 1 else { return values }
        for entry in 0..<min(count, Int32(columns.count)) {
            let column = columns[Int(entry)]
            if libesedb_record_is_long_value(record, entry, nil) == 1 {
                var long: UnsafeMutablePointer<Int>?
                guard libesedb_record_get_long_value(record, entry, &long, nil) == 1, long != nil else {
                    database.note("\(name) record \(index): long value \(column) unreadable")
                    continue
                }
                defer { libesedb_long_value_free(&long, nil) }
                var size: UInt64 = 0
                guard libesedb_long_value_get_data_size(long, &size, nil) == 1, size <= UInt64(longValueLimit) else { continue }
                var data = [UInt8](repeating: 0, count: Int(size))
                if size == 0 || libesedb_long_value_get_data(long, &data, Int(size), nil) == 1 { values[column] = data }
                continue
            }
            var size = 0
            guard libesedb_record_get_value_data_size(record, entry, &size, nil) == 1 else { continue }
            guard size > 0 else { continue }
            var data = [UInt8](repeating: 0, count: size)
            if libesedb_record_get_value_data(record, entry, &data, size, nil) == 1 { values[column] = data }
        }
        return values
    }
}
