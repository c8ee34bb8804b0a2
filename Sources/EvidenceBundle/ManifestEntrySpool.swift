#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import ExTriageCore
import Foundation

/// Manifest entries encoded one at a time into a temporary file that has no name, then streamed
/// into the bundle as `manifest.json` (issue #14 item 3): memory holds a buffer and one entry's
/// encoding, never every entry nor the manifest, whatever the number of files. The bytes are
/// exactly those `ManifestCodec.encode` gives for the same manifest.
///
/// The file is created beside the output (`<partial>.entries`) and unlinked at once, so nothing
/// is left behind however the process ends; it is freed when the spool is.
public final class ManifestEntrySpool {
    /// Encoded bytes held before they are written to the file.
    static let bufferSize = 1 << 20

    private let descriptor: Int32
    private let displayPath: String
    private let limit: Int
    private let encoder = ManifestCodec.makeEncoder()
    private var pending: [UInt8] = []
    /// Bytes already in the file.
    private var written = 0
    private var sealHasher = SHA256Accumulator()
    private var totalBytes: UInt64 = 0
    public private(set) var count = 0

    /// Bytes the entries take in the manifest, separators and indentation included.
    public var byteCount: Int { written + pending.count }
    /// Bytes held in memory now (a test's check that memory does not grow with entries).
    var heldBytes: Int { pending.capacity }

    /// Creates the spool's file at `path` (which must not exist), refusing to spool more than
    /// `limit` bytes of entries: the manifest could not be larger than a reader reads.
    public init(path: String, limit: Int = ManifestCodec.maximumSize) throws {
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw ExTriageError(.outputUnwritable, "cannot create the manifest's temporary file", path: path,
                                cause: String(cString: strerror(errno)))
        }
        unlink(path)
        self.descriptor = descriptor
        self.displayPath = path
        self.limit = limit
        pending.reserveCapacity(ManifestEntrySpool.bufferSize + 64 * 1024)
    }

    deinit { close(descriptor) }

    /// Appends the next entry (entries go in member order).
    public func append(_ entry: Manifest.Entry) throws {
        try ManifestCodec.appendEntry(entry, first: count == 0, encoder: encoder, to: &pending)
        sealHasher.update(Array(entry.path.utf8) + [0] + Array(entry.memberDigests.sha256.utf8) + [0x0A])
        totalBytes = totalBytes &+ entry.memberSize
        count += 1
        guard byteCount <= limit else {
            throw ManifestCodec.tooLarge(bytes: byteCount, atLeast: true, entries: count, limit: limit)
        }
        if pending.count >= ManifestEntrySpool.bufferSize { try flush() }
    }

    /// The seal of the entries appended so far (`Manifest.Seal(entries:)` over them).
    public var seal: Manifest.Seal {
        var hasher = sealHasher
        return Manifest.Seal(memberCount: count, totalBytes: totalBytes, digest: hasher.finalize())
    }

    /// Writes `manifest` as the `manifest.json` member, the spooled entries in place of its own
    /// (which must be empty) and `seal` as its seal; returns the SHA-256 (hex) of the bytes written.
    public func write(_ manifest: Manifest, to writer: TarWriter, modified: Timestamp?) throws -> String {
        precondition(manifest.entries.isEmpty, "the spool supplies the entries")
        var head = manifest
        head.seal = seal
        let headBytes = Array(try encoder.encode(head))
        var prefix = headBytes
        var suffix: [UInt8] = [0x0A]
        if count > 0 {
            guard let (open, close) = ManifestCodec.emptyEntriesArray(in: headBytes) else {
                throw ExTriageError(.archiveFailure, "the manifest's entries array was not where it is written")
            }
            prefix = Array(headBytes[...open])
            suffix = ManifestCodec.entriesClose + headBytes[close...] + [0x0A]
        }
        let size = prefix.count + byteCount + suffix.count
        guard size <= limit else { throw ManifestCodec.tooLarge(bytes: size, entries: count, limit: limit) }
        try flush()

        var digest = SHA256()
        func put(_ raw: UnsafeRawBufferPointer) throws {
            digest.update(bufferPointer: raw)
            try writer.write(raw)
        }
        try writer.beginMember(path: Manifest.memberName, size: UInt64(size), modified: modified)
        try prefix.withUnsafeBytes(put)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ManifestEntrySpool.bufferSize, alignment: 64)
        defer { buffer.deallocate() }
        var offset = 0
        while offset < written {
            let count = pread(descriptor, buffer.baseAddress, min(buffer.count, written - offset), off_t(offset))
            guard count > 0 else {
                throw ExTriageError(.outputUnwritable, "cannot read back the manifest's temporary file", path: displayPath,
                                    cause: count < 0 ? String(cString: strerror(errno)) : "it ended early")
            }
            try put(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            offset += count
        }
        try suffix.withUnsafeBytes(put)
        try writer.finishMember()
        return Hex.encode(digest.finalize())
    }

    /// Writes the buffered bytes to the file.
    private func flush() throws {
        var offset = 0
        while offset < pending.count {
            let count = pending.withUnsafeBytes { raw in
                pwrite(descriptor, raw.baseAddress! + offset, raw.count - offset, off_t(written + offset))
            }
            guard count > 0 else {
                throw ExTriageError(.outputUnwritable, "cannot write the manifest's temporary file", path: displayPath,
                                    cause: count < 0 ? String(cString: strerror(errno)) : "short write (the disk may be full)")
            }
            offset += count
        }
        written += pending.count
        pending.removeAll(keepingCapacity: true)
    }
}

extension Manifest.Seal {
    init(memberCount: Int, totalBytes: UInt64, digest: String) {
        self.memberCount = memberCount
        self.totalBytes = totalBytes
        self.digest = digest
    }
}
