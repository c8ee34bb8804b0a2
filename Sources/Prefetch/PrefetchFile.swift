import CForensics
import ExTriageCore
import Foundation

/// One Windows prefetch file (SCCA, format 17 XP/2003, 23 Vista/7, 26 8.1, 30 10/11; the MAM
/// compressed form of Windows 10+ is decompressed by libscca) read through libscca: what ran, how
/// often, when, and which files it loaded.
///
/// Reference: libyal "Windows Prefetch File (PF) format".
public struct PrefetchFile: Sendable, Hashable {
    /// The executable's name as the file records it (`PROCDUMP64.EXE`).
    public var executable: String
    /// The SCCA format version.
    public var formatVersion: UInt32
    /// The hash in the file name (of the executable's path and, for hosts, its command line).
    public var prefetchHash: UInt32
    public var runCount: UInt32
    /// Up to eight last run times, most recent first (one before format 26).
    public var lastRuns: [Timestamp]
    /// The files the program loaded in its first seconds (`\VOLUME{...}\WINDOWS\SYSTEM32\NTDLL.DLL`).
    public var loadedFiles: [String]

    public init(executable: String, formatVersion: UInt32, prefetchHash: UInt32, runCount: UInt32, lastRuns: [Timestamp],
                loadedFiles: [String]) {
        self.executable = executable
        self.formatVersion = formatVersion
        self.prefetchHash = prefetchHash
        self.runCount = runCount
        self.lastRuns = lastRuns
        self.loadedFiles = loadedFiles
    }

    /// Reads the prefetch file at `path`; throws with libscca's reason when it is not one (or is cut short).
    public init(path: String) throws {
        var file: UnsafeMutablePointer<Int>?
        var error: UnsafeMutablePointer<Int>?
        guard libscca_file_initialize(&file, &error) == 1 else { throw Self.failure("cannot initialise libscca", error, path) }
        defer { libscca_file_free(&file, nil) }
        guard libscca_file_open(file, path, libscca_get_access_flags_read(), &error) == 1 else {
            throw Self.failure("not a readable prefetch file", error, path)
        }
        defer { libscca_file_close(file, nil) }
        var version: UInt32 = 0
        libscca_file_get_format_version(file, &version, nil)
        var size = 0
        var name = ""
        if libscca_file_get_utf8_executable_filename_size(file, &size, nil) == 1, size > 0 {
            var buffer = [UInt8](repeating: 0, count: size)
            if libscca_file_get_utf8_executable_filename(file, &buffer, size, nil) == 1 {
                name = String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
        var hash: UInt32 = 0
        libscca_file_get_prefetch_hash(file, &hash, nil)
        var count: UInt32 = 0
        libscca_file_get_run_count(file, &count, nil)
        var runs: [Timestamp] = []
        for index in 0..<8 {
            var filetime: UInt64 = 0
            guard libscca_file_get_last_run_time(file, Int32(index), &filetime, nil) == 1 else { break }
            if let time = Self.timestamp(filetime) { runs.append(time) }
        }
        var loaded: [String] = []
        var files: Int32 = 0
        if libscca_file_get_number_of_filenames(file, &files, nil) == 1 {
            for index in 0..<files {
                var size = 0
                guard libscca_file_get_utf8_filename_size(file, index, &size, nil) == 1, size > 0 else { continue }
                var buffer = [UInt8](repeating: 0, count: size)
                guard libscca_file_get_utf8_filename(file, index, &buffer, size, nil) == 1 else { continue }
                loaded.append(String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self))
            }
        }
        self.init(executable: name, formatVersion: version, prefetchHash: hash, runCount: count, lastRuns: runs, loadedFiles: loaded)
    }

    /// Reads a prefetch file held in memory (a bundle member) through an in-memory file: no copy
    /// of the evidence is written to disk.
    public init(bytes: [UInt8], name: String) throws {
        let file = try InMemoryFile(bytes, name: "extriage-prefetch")
        defer { withExtendedLifetime(file) {} }
        do { try self.init(path: file.path) } catch let error as ExTriageError {
            throw ExTriageError(.sourceUnreadable, error.message, path: name)
        }
    }

    static func timestamp(_ filetime: UInt64) -> Timestamp? {
        guard filetime > 0, filetime < 2_650_467_744_000_000_000 else { return nil }
        return Timestamp(seconds: Int64(filetime / 10_000_000) - 11_644_473_600, nanoseconds: Int32(filetime % 10_000_000) * 100)
    }


    private static func failure(_ what: String, _ error: UnsafeMutablePointer<Int>?, _ path: String) -> ExTriageError {
        guard error != nil else { return ExTriageError(.sourceUnreadable, what, path: path) }
        var error = error
        var buffer = [CChar](repeating: 0, count: 1024)
        libscca_error_sprint(error, &buffer, buffer.count)
        libscca_error_free(&error)
        let reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        return ExTriageError(.sourceUnreadable, what + (reason.isEmpty ? "" : ": " + reason), path: path)
    }
}
