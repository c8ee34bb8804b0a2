#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CForensics
import ExTriageCore

/// An Expert Witness (E01) image set read through libewf: every segment found from the first.
///
/// Reading a chunk whose checksum fails (or that lives in a missing segment) gives zeros from
/// libewf; each such read is turned into a `MediaReadError` naming the sectors, so nothing
/// invented is passed on silently.
final class EWFMedia: ImageMedia {
    typealias Handle = UnsafeMutablePointer<libewf_handle_t>
    typealias EWFError = UnsafeMutablePointer<libewf_error_t>

    private var handle: Handle?
    let files: [String]
    let size: UInt64
    let sectorSize: Int
    /// Segment names that should exist between the first and the last found, but do not.
    let missingSegments: [String]
    /// The acquisition digests stored in the image, lower-case hex, when present.
    let storedMD5: String?
    let storedSHA1: String?

    init(firstSegment path: String) throws {
        let (found, missing) = EWFMedia.segments(from: path)
        files = found
        missingSegments = missing
        var error: EWFError?
        var handle: Handle?
        guard libewf_handle_initialize(&handle, &error) == 1, let handle else {
            throw ExTriageError(.sourceUnreadable, "libewf could not start", path: path, cause: EWFMedia.message(&error))
        }
        self.handle = handle
        var names = found.map { strdup($0) }
        defer { names.forEach { free($0) } }
        let opened = names.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return base.withMemoryRebound(to: UnsafeMutablePointer<CChar>?.self, capacity: buffer.count) { pointer in
                libewf_handle_open(handle, pointer, Int32(buffer.count), libewf_get_access_flags_read(), &error)
            }
        }
        guard opened == 1 else {
            libewf_handle_free(&self.handle, nil)
            throw ExTriageError(.sourceUnreadable, "not a readable E01 image set (\(found.count) segment(s) found)", path: path,
                                cause: EWFMedia.message(&error))
        }
        _ = libewf_handle_set_read_zero_chunk_on_error(handle, 1, nil)
        var mediaSize: UInt64 = 0
        _ = libewf_handle_get_media_size(handle, &mediaSize, nil)
        size = mediaSize
        var bytesPerSector: UInt32 = 512
        _ = libewf_handle_get_bytes_per_sector(handle, &bytesPerSector, nil)
        sectorSize = Int(max(bytesPerSector, 1))
        storedMD5 = EWFMedia.digest(handle, length: 16, libewf_handle_get_md5_hash)
        storedSHA1 = EWFMedia.digest(handle, length: 20, libewf_handle_get_sha1_hash)
    }

    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let handle, let base = buffer.baseAddress, offset < size else { return 0 }
        let length = Int(min(UInt64(buffer.count), size - offset))
        var error: EWFError?
        let count = libewf_handle_read_random(handle, base, length, off64_t(offset), &error)
        guard count >= 0 else {
            _ = EWFMedia.message(&error)
            throw MediaReadError(offset: offset, length: UInt64(length), cause: EWFMedia.unreadable)
        }
        // libewf zero-fills a chunk that fails its checksum or cannot be read (a missing segment)
        // and records the sectors; any recorded range overlapping this read means its bytes are not real.
        let errors = checksumErrorCount()
        if errors > 0 {
            let bad = checksumErrors(count: errors).filter { $0.0 < offset + UInt64(length) && $0.0 + $0.1 > offset }
            if let first = bad.map({ $0.0 }).min(), let last = bad.map({ $0.0 + $0.1 }).max() {
                let start = max(first, offset)
                let end = min(last, offset + UInt64(length))
                throw MediaReadError(offset: start, length: end - start, cause: EWFMedia.unreadable)
            }
        }
        return count
    }

    private func checksumErrorCount() -> UInt32 {
        var count: UInt32 = 0
        _ = libewf_handle_get_number_of_checksum_errors(handle, &count, nil)
        return count
    }

    /// Byte ranges (offset, length) of the checksum errors libewf has recorded.
    private func checksumErrors(count: UInt32) -> [(UInt64, UInt64)] {
        var out: [(UInt64, UInt64)] = []
        for index in 0..<count {
            var start: UInt64 = 0
            var sectors: UInt64 = 0
            if libewf_handle_get_checksum_error(handle, index, &start, &sectors, nil) == 1 {
                out.append((start * UInt64(sectorSize), sectors * UInt64(sectorSize)))
            }
        }
        return out
    }

    deinit {
        if handle != nil {
            _ = libewf_handle_close(handle, nil)
            _ = libewf_handle_free(&handle, nil)
        }
    }

    /// One cause for every unreadable E01 range, so neighbouring ranges merge in reports.
    static let unreadable = "E01 data unreadable (a missing segment, or a chunk failing its checksum or decompression)"

    private static func digest(_ handle: Handle, length: Int,
                               _ get: (Handle?, UnsafeMutablePointer<UInt8>?, Int, UnsafeMutablePointer<EWFError?>?) -> Int32) -> String? {
        var bytes = [UInt8](repeating: 0, count: length)
        guard get(handle, &bytes, length, nil) == 1, bytes.contains(where: { $0 != 0 }) else { return nil }
        return Hex.encode(bytes)
    }

    static func message(_ error: inout EWFError?) -> String {
        guard error != nil else { return "unknown error" }
        var text = [CChar](repeating: 0, count: 1024)
        _ = libewf_error_sprint(error, &text, text.count)
        libewf_error_free(&error)
        let bytes = text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? "unknown error"
    }

    /// The segment files of the set whose first segment is `path` (`.E01`, `.E02`, ... `.E99`,
    /// `.EAA`, ...): the unbroken run from the first (libewf refuses a set with a hole), and the
    /// names missing from it when later segments exist past a hole (those are not used, so their
    /// bytes read as unreadable ranges, never as invented data).
    static func segments(from path: String) -> (found: [String], missing: [String]) {
        let base = String(path.dropLast(3))
        let letter = path.dropLast(2).last.map(String.init) ?? "E"
        let lower = letter == letter.lowercased()
        var present: [Int: String] = [:]
        var absentRun = 0
        for number in 1...(99 + 26 * 26) {
            let name = base + segmentExtension(number, letter: letter, lowercase: lower)
            if access(name, F_OK) == 0 {
                present[number] = name
                absentRun = 0
            } else {
                absentRun += 1
                if absentRun > 8 { break }
            }
        }
        var found: [String] = []
        var number = 1
        while let name = present[number] {
            found.append(name)
            number += 1
        }
        guard let last = present.keys.max(), last > number else { return (found.isEmpty ? [path] : found, []) }
        let missing = (number..<last).filter { present[$0] == nil }.map { base + segmentExtension($0, letter: letter, lowercase: lower) }
        let unused = present.keys.filter { $0 > number }.count
        return (found, missing + ["(\(unused) later segment(s) present past the gap, not used)"])
    }

    /// `E01`...`E99`, then `EAA`, `EAB`, ... as libewf names segments.
    static func segmentExtension(_ number: Int, letter: String, lowercase: Bool) -> String {
        if number <= 99 { return letter + (number < 10 ? "0\(number)" : "\(number)") }
        let index = number - 100
        let letters = Array(lowercase ? "abcdefghijklmnopqrstuvwxyz" : "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return letter + String(letters[(index / 26) % 26]) + String(letters[index % 26])
    }
}
