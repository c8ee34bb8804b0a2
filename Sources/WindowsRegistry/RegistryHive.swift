import CForensics
import ExTriageCore
import Foundation

/// A Windows registry hive (regf) read through libregf: keys, values and last-written times.
///
/// Reading is lazy: a key is opened when asked for. A key or value libregf cannot read (a broken
/// cell, a truncated hive) is left out and said in `problems`, never a crash. Not `Sendable`: one
/// hive belongs to one check's thread. Reference: libyal "Windows NT Registry File (REGF) format".
public final class RegistryHive {
    private var file: UnsafeMutablePointer<Int>?
    /// What could not be read, each naming the key path: broken cells, unreadable values.
    public private(set) var problems: [String] = []
    /// Whether libregf marked the hive corrupted while reading it.
    public var isCorrupted: Bool { file.map { libregf_file_is_corrupted($0, nil) == 1 } ?? false }

    /// Opens the hive file at `path` read-only; throws when it is no regf hive at all.
    public init(path: String) throws {
        var handle: UnsafeMutablePointer<Int>?
        var error: UnsafeMutablePointer<Int>?
        guard libregf_file_initialize(&handle, &error) == 1 else { throw Self.failure("cannot initialise libregf", error, path) }
        guard libregf_file_open(handle, path, libregf_get_access_flags_read(), &error) == 1 else {
            libregf_file_free(&handle, nil)
            throw Self.failure("not a readable registry hive", error, path)
        }
        // A base block with no readable root key (a placeholder, a hive cut after its header) is no hive to read.
        var rootKey: UnsafeMutablePointer<Int>?
        guard libregf_file_get_root_key(handle, &rootKey, &error) == 1, rootKey != nil else {
            libregf_file_close(handle, nil)
            libregf_file_free(&handle, nil)
            throw Self.failure("no readable root key", error, path)
        }
        libregf_key_free(&rootKey, nil)
        file = handle
    }

    /// Opens a hive held in memory (a bundle member) through an in-memory file: no copy of the
    /// evidence is written to disk.
    public convenience init(bytes: [UInt8], name: String) throws {
        let file = try InMemoryFile(bytes, name: "extriage-hive")
        defer { withExtendedLifetime(file) {} }
        do { try self.init(path: file.path) } catch let error as ExTriageError {
            throw ExTriageError(.sourceUnreadable, error.message, path: name)
        }
    }

    deinit {
        if file != nil {
            libregf_file_close(file, nil)
            libregf_file_free(&file, nil)
        }
    }

    /// The root key, or nil (with a problem) when it cannot be read.
    public var root: RegistryKey? {
        var key: UnsafeMutablePointer<Int>?
        var error: UnsafeMutablePointer<Int>?
        guard libregf_file_get_root_key(file, &key, &error) == 1, let key else {
            note("root key: \(Self.message(error) ?? "missing")")
            return nil
        }
        return RegistryKey(handle: key, parentPath: nil, hive: self)
    }

    /// The key at a `\`-separated path below the root (`ControlSet001\Services`), or nil.
    public func key(_ path: String) -> RegistryKey? {
        var current = root
        for part in path.split(separator: "\\") where current != nil {
            current = current?.subkey(String(part))
        }
        return current
    }

    /// The control sets to read in SYSTEM: the one `Select\Current` names first, then any other
    /// `ControlSetNNN`; `CurrentControlSet` itself is a link that only exists on a live system.
    public func controlSets() -> [RegistryKey] {
        let current = key("Select")?.value("Current")?.integer
        let sets = (root?.subkeys() ?? []).filter { $0.name.lowercased().hasPrefix("controlset") }
        return sets.sorted { first, second in
            let isFirst = current.map { first.name.hasSuffix(Self.threeDigits($0)) } ?? false
            let isSecond = current.map { second.name.hasSuffix(Self.threeDigits($0)) } ?? false
            return isFirst != isSecond ? isFirst : first.name < second.name
        }
    }

    static func threeDigits(_ number: UInt64) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }

    func note(_ problem: String) {
        if problems.count < 100 { problems.append(problem) }
    }

    var handle: UnsafeMutablePointer<Int>? { file }

    static func message(_ error: UnsafeMutablePointer<Int>?) -> String? {
        guard error != nil else { return nil }
        var error = error
        var buffer = [CChar](repeating: 0, count: 1024)
        libregf_error_sprint(error, &buffer, buffer.count)
        libregf_error_free(&error)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        return text.isEmpty ? nil : text
    }

    private static func failure(_ what: String, _ error: UnsafeMutablePointer<Int>?, _ path: String) -> ExTriageError {
        ExTriageError(.sourceUnreadable, what + (message(error).map { ": " + $0 } ?? ""), path: path)
    }
}

/// One key: its name, path, last-written time, subkeys and values.
public final class RegistryKey {
    private var key: UnsafeMutablePointer<Int>?
    private let hive: RegistryHive
    /// The key's path below the hive root, `\`-separated ("" for the root itself).
    public let path: String
    public let name: String
    /// The key's last-written time (FILETIME in its nk cell).
    public let lastWritten: Timestamp?

    init(handle: UnsafeMutablePointer<Int>, parentPath: String?, hive: RegistryHive) {
        key = handle
        self.hive = hive
        var size = 0
        var name = ""
        if libregf_key_get_utf8_name_size(handle, &size, nil) == 1, size > 0 {
            var buffer = [UInt8](repeating: 0, count: size)
            if libregf_key_get_utf8_name(handle, &buffer, size, nil) == 1 { name = String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self) }
        }
        self.name = name
        self.path = parentPath.map { $0.isEmpty ? name : $0 + "\\" + name } ?? ""
        var filetime: UInt64 = 0
        lastWritten = libregf_key_get_last_written_time(handle, &filetime, nil) == 1 ? FileTime.timestamp(filetime) : nil
    }

    deinit { libregf_key_free(&key, nil) }

    /// Every subkey libregf can read; each one it cannot is a problem of the hive.
    public func subkeys() -> [RegistryKey] {
        var count: Int32 = 0
        var error: UnsafeMutablePointer<Int>?
        guard libregf_key_get_number_of_sub_keys(key, &count, &error) == 1 else {
            hive.note("\(path): subkeys unreadable: \(RegistryHive.message(error) ?? "unknown error")")
            return []
        }
        return (0..<count).compactMap { index in
            var sub: UnsafeMutablePointer<Int>?
            var error: UnsafeMutablePointer<Int>?
            guard libregf_key_get_sub_key(key, index, &sub, &error) == 1, let sub else {
                hive.note("\(path): subkey \(index) unreadable: \(RegistryHive.message(error) ?? "unknown error")")
                return nil
            }
            return RegistryKey(handle: sub, parentPath: path, hive: hive)
        }
    }

    /// The subkey of this name (case-insensitive, as Windows compares), or nil.
    public func subkey(_ name: String) -> RegistryKey? {
        var sub: UnsafeMutablePointer<Int>?
        var error: UnsafeMutablePointer<Int>?
        let bytes = Array(name.utf8)
        let result = libregf_key_get_sub_key_by_utf8_name(key, bytes, bytes.count, &sub, &error)
        if result == -1 { hive.note("\(path)\\\(name): unreadable: \(RegistryHive.message(error) ?? "unknown error")") }
        guard result == 1, let sub else { return nil }
        return RegistryKey(handle: sub, parentPath: path, hive: hive)
    }

    /// Every value libregf can read.
    public func values() -> [RegistryValue] {
        var count: Int32 = 0
        var error: UnsafeMutablePointer<Int>?
        guard libregf_key_get_number_of_values(key, &count, &error) == 1 else {
            hive.note("\(path): values unreadable: \(RegistryHive.message(error) ?? "unknown error")")
            return []
        }
        return (0..<count).compactMap { index in
            var value: UnsafeMutablePointer<Int>?
            var error: UnsafeMutablePointer<Int>?
            guard libregf_key_get_value(key, index, &value, &error) == 1, let value else {
                hive.note("\(path): value \(index) unreadable: \(RegistryHive.message(error) ?? "unknown error")")
                return nil
            }
            return read(value)
        }
    }

    /// The value of this name (case-insensitive; "" is the default value), or nil.
    public func value(_ name: String) -> RegistryValue? {
        var value: UnsafeMutablePointer<Int>?
        var error: UnsafeMutablePointer<Int>?
        let bytes = Array(name.utf8)
        let result = libregf_key_get_value_by_utf8_name(key, bytes, bytes.count, &value, &error)
        if result == -1 { hive.note("\(path): value \(name) unreadable: \(RegistryHive.message(error) ?? "unknown error")") }
        guard result == 1, let value else { return nil }
        return read(value)
    }

    private func read(_ handle: UnsafeMutablePointer<Int>) -> RegistryValue? {
        var handle: UnsafeMutablePointer<Int>? = handle
        defer { libregf_value_free(&handle, nil) }
        var size = 0
        var name = ""
        if libregf_value_get_utf8_name_size(handle, &size, nil) == 1, size > 0 {
            var buffer = [UInt8](repeating: 0, count: size)
            if libregf_value_get_utf8_name(handle, &buffer, size, nil) == 1 { name = String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self) }
        }
        var type: UInt32 = 0
        libregf_value_get_value_type(handle, &type, nil)
        var dataSize = 0
        var error: UnsafeMutablePointer<Int>?
        guard libregf_value_get_value_data_size(handle, &dataSize, &error) == 1 else {
            hive.note("\(path): value \(name) data unreadable: \(RegistryHive.message(error) ?? "unknown error")")
            return nil
        }
        var data = [UInt8](repeating: 0, count: dataSize)
        if dataSize > 0, libregf_value_get_value_data(handle, &data, dataSize, &error) != 1 {
            hive.note("\(path): value \(name) data unreadable: \(RegistryHive.message(error) ?? "unknown error")")
            return nil
        }
        return RegistryValue(name: name, type: type, data: data)
    }
}

/// One value's name, type (REG_SZ = 1, REG_EXPAND_SZ = 2, REG_BINARY = 3, REG_DWORD = 4,
/// REG_MULTI_SZ = 7, REG_QWORD = 11) and raw data, with readings by type.
public struct RegistryValue: Sendable, Hashable {
    public var name: String
    public var type: UInt32
    public var data: [UInt8]

    public init(name: String, type: UInt32, data: [UInt8]) {
        self.name = name
        self.type = type
        self.data = data
    }

    /// REG_SZ / REG_EXPAND_SZ text (UTF-16LE up to the first NUL); nil for other types.
    public var string: String? {
        guard type == 1 || type == 2 else { return nil }
        return Self.utf16Strings(data).first ?? ""
    }

    /// REG_MULTI_SZ strings, or a single string for REG_SZ.
    public var strings: [String] {
        switch type {
        case 7: return Self.utf16Strings(data)
        case 1, 2: return string.map { $0.isEmpty ? [] : [$0] } ?? []
        default: return []
        }
    }

    /// REG_DWORD (little-endian), REG_DWORD_BIG_ENDIAN or REG_QWORD as a number.
    public var integer: UInt64? {
        switch type {
        case 4 where data.count >= 4: return data.prefix(4).reversed().reduce(0) { $0 << 8 | UInt64($1) }
        case 5 where data.count >= 4: return data.prefix(4).reduce(0) { $0 << 8 | UInt64($1) }
        case 11 where data.count >= 8: return data.prefix(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
        default: return nil
        }
    }

    /// The value as one line of text for evidence.
    public var display: String {
        if let integer { return String(integer) }
        if type == 7 { return strings.joined(separator: " | ") }
        if let string { return string }
        return Hex.encode(Array(data.prefix(64)))
    }

    static func utf16Strings(_ data: [UInt8]) -> [String] {
        var units: [UInt16] = []
        units.reserveCapacity(data.count / 2)
        var index = 0
        while index + 1 < data.count {
            units.append(UInt16(data[index]) | UInt16(data[index + 1]) << 8)
            index += 2
        }
        return units.split(separator: 0, omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF16.self) }
    }
}

/// Windows FILETIME (100 ns ticks since 1601-01-01 UTC).
public enum FileTime {
    /// The time, or nil for zero and for values past year 9999.
    public static func timestamp(_ filetime: UInt64) -> Timestamp? {
        guard filetime > 0, filetime < 2_650_467_744_000_000_000 else { return nil }
        let seconds = Int64(filetime / 10_000_000) - 11_644_473_600
        return Timestamp(seconds: seconds, nanoseconds: Int32(filetime % 10_000_000) * 100)
    }
}
