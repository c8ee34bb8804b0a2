#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import ExTriageCore

/// `manifest.json` as read from a bundle, with its SHA-256 (what a version 2 signature covers).
///
/// A large one is not held in memory (issue #14 item 3): it is copied to a temporary file that
/// has no name (so nothing is left behind, however the process ends), mapped read-only, and the
/// pages a reader has passed are released (`release(before:)`), so verify holds a window of
/// it rather than hundreds of MiB. Where no temporary file can be made, it is read into memory.
final class ManifestBytes {
    /// Smaller manifests are simply read into memory.
    static let spoolThreshold = 4 << 20

    let sha256: String
    let buffer: UnsafeRawBufferPointer
    private let storage: [UInt8]?
    private let mapping: UnsafeMutableRawPointer?
    /// Page-aligned offset below which pages were released.
    private var released = 0

    var count: Int { buffer.count }

    /// Bytes held in memory.
    init(_ bytes: [UInt8]) {
        storage = bytes
        mapping = nil
        sha256 = sha256Hex(bytes)
        let pointer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 16)
        bytes.withUnsafeBytes { pointer.copyMemory(from: $0) }
        buffer = UnsafeRawBufferPointer(rebasing: pointer[0..<bytes.count])
    }

    private init(mapping: UnsafeMutableRawPointer, count: Int, sha256: String) {
        storage = nil
        self.mapping = mapping
        self.sha256 = sha256
        buffer = UnsafeRawBufferPointer(start: mapping, count: count)
    }

    deinit {
        if let mapping {
            munmap(mapping, buffer.count)
        } else {
            buffer.baseAddress.map { UnsafeMutableRawPointer(mutating: $0).deallocate() }
        }
    }

    /// The bytes as an array (a copy of a spooled manifest: only for a version 1 signature and
    /// for decoding a manifest whose entries could not be located).
    var array: [UInt8] { storage ?? Array(buffer) }

    /// Reads the current member of `reader`, whose header claims `size` (at most `limit`).
    static func read(from reader: TarReader, size: Int64, limit: Int) throws -> ManifestBytes {
        guard size > spoolThreshold, let descriptor = nameless() else {
            return ManifestBytes(try reader.readAll(limit: limit, expected: size))
        }
        defer { close(descriptor) }
        var digest = SHA256()
        var total = 0
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { chunk.deallocate() }
        while true {
            let count = try reader.read(into: chunk)
            if count == 0 { break }
            guard total + count <= limit else {
                throw ExTriageError(.notABundle, "member larger than the \(ByteCount.format(UInt64(limit))) allowed", path: Manifest.memberName)
            }
            let piece = UnsafeRawBufferPointer(rebasing: chunk[0..<count])
            digest.update(bufferPointer: piece)
            var offset = 0
            while offset < count {
                let written = pwrite(descriptor, piece.baseAddress! + offset, count - offset, off_t(total + offset))
                guard written > 0 else {
                    throw ExTriageError(.outputUnwritable, "cannot write manifest.json to a temporary file",
                                        cause: written < 0 ? String(cString: strerror(errno)) : "short write (the disk may be full)")
                }
                offset += written
            }
            total += count
        }
        let sha256 = Hex.encode(digest.finalize())
        guard total > 0 else { return ManifestBytes([]) }
        guard let mapped = mmap(nil, total, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw ExTriageError(.outputUnwritable, "cannot map manifest.json's temporary file", cause: String(cString: strerror(errno)))
        }
        return ManifestBytes(mapping: mapped, count: total, sha256: sha256)
    }

    /// A new temporary file, already unlinked, in `$TMPDIR` (else `/tmp`); nil when none can be made.
    static func nameless() -> Int32? {
        let directory = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((directory + "/extriage-manifest-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { return nil }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return descriptor
    }

    /// Releases the mapped pages wholly before `offset`; reading them again is still correct
    /// (they come back from the file), only slower.
    func release(before offset: Int) {
        guard let mapping else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = min(offset, buffer.count) / page * page
        if end < released { released = 0 }  // a new pass from the start
        // In steps of 8 MiB: one call per entry would cost more than it saves.
        guard end - released >= 8 << 20 else { return }
        madvise(mapping + released, end - released, MADV_DONTNEED)
        released = end
    }
}
