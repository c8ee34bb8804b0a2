#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CArchive
import Crypto
import Dispatch
import ExTriageCore

/// Writes a deterministic POSIX pax tar through libarchive to a file descriptor.
///
/// Every member gets fixed owner fields and mode 0444; the caller supplies the order and the
/// modification time. libarchive's own blocking is off (`bytes_per_block` 0): member data goes
/// straight to the file in the caller's chunks, and the archive ends after its two zero blocks. The bytes that reach the file are hashed on the way out, so the bundle's
/// own SHA-256 is known without reading it back.
///
/// Member names are written byte for byte (pax `hdrcharset=BINARY`): libarchive otherwise
/// normalises UTF-8 names to NFC, so `café` spelt NFC and NFD would become one name twice.
public final class TarWriter {
    private let archive: OpaquePointer
    private let sink: OutputSink
    private var closed = false
    private var memberRemaining: UInt64 = 0

    /// Opens a writer over an already-open, writable descriptor (not closed by the writer).
    public init(descriptor: Int32, displayPath: String) throws {
        try ArchiveLocale.requireUTF8()
        guard let handle = archive_write_new() else {
            throw ExTriageError(.archiveFailure, "libarchive could not create a writer")
        }
        let sink = OutputSink(descriptor: descriptor, displayPath: displayPath)
        guard archive_write_set_format_pax_restricted(handle) == ARCHIVE_OK,
              archive_write_set_options(handle, "hdrcharset=BINARY") == ARCHIVE_OK,
              archive_write_set_bytes_per_block(handle, 0) == ARCHIVE_OK else {
            let message = TarWriter.errorText(handle)
            archive_write_free(handle)
            throw ExTriageError(.archiveFailure, "libarchive refused the pax format", cause: message)
        }
        let context = Unmanaged.passUnretained(sink).toOpaque()
        guard archive_write_open(handle, context, nil, tarWriterCallback, nil) == ARCHIVE_OK else {
            let message = TarWriter.errorText(handle)
            archive_write_free(handle)
            throw ExTriageError(.outputUnwritable, "cannot start writing the bundle", path: displayPath, cause: message)
        }
        // Stored properties last: a throw above must not run deinit on half-made state.
        self.sink = sink
        self.archive = handle
    }

    deinit {
        if !closed { archive_write_free(archive) }
    }

    /// Starts a regular-file member of exactly `size` bytes.
    public func beginMember(path: String, size: UInt64, modified: Timestamp?) throws {
        guard let entry = archive_entry_new() else { throw ExTriageError(.archiveFailure, "out of memory") }
        defer { archive_entry_free(entry) }
        // The raw bytes, not `_utf8`: with BINARY they reach the header unconverted.
        archive_entry_copy_pathname(entry, path)
        archive_entry_set_filetype(entry, UInt32(Glibc.S_IFREG))
        archive_entry_set_perm(entry, 0o444)
        archive_entry_set_size(entry, Int64(size))
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        archive_entry_set_uname_utf8(entry, "extriage")
        archive_entry_set_gname_utf8(entry, "extriage")
        archive_entry_set_mtime(entry, time_t(modified?.seconds ?? 0), 0)
        guard archive_write_header(archive, entry) == ARCHIVE_OK else {
            throw failure("cannot write the header of \(EscapedText.display(path))")
        }
        memberRemaining = size
    }

    /// Appends member data; never more than the size given to `beginMember`.
    public func write(_ buffer: UnsafeRawBufferPointer) throws {
        guard buffer.count > 0 else { return }
        precondition(UInt64(buffer.count) <= memberRemaining, "member data exceeds its declared size")
        var offset = 0
        while offset < buffer.count {
            let rest = UnsafeRawBufferPointer(rebasing: buffer[offset...])
            let written = archive_write_data(archive, rest.baseAddress, rest.count)
            guard written > 0 else { throw failure("cannot write member data") }
            offset += written
        }
        memberRemaining -= UInt64(buffer.count)
    }

    /// Fills what is left of the declared size with zero bytes; returns how many were added.
    @discardableResult
    public func padMember() throws -> UInt64 {
        let padded = memberRemaining
        let zeros = [UInt8](repeating: 0, count: 64 * 1024)
        while memberRemaining > 0 {
            let count = Int(min(UInt64(zeros.count), memberRemaining))
            try zeros.withUnsafeBytes { try write(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        return padded
    }

    public func finishMember() throws {
        precondition(memberRemaining == 0, "member closed before its declared size was written")
        guard archive_write_finish_entry(archive) == ARCHIVE_OK else { throw failure("cannot finish a member") }
    }

    /// Writes a whole member from memory, in chunks: the output hash queue copies what it is
    /// given, so a manifest of hundreds of MiB must not reach it in one piece.
    public func addMember(path: String, bytes: [UInt8], modified: Timestamp?) throws {
        try beginMember(path: path, size: UInt64(bytes.count), modified: modified)
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let end = min(raw.count, offset + TarWriter.memberChunk)
                try write(UnsafeRawBufferPointer(rebasing: raw[offset..<end]))
                offset = end
            }
        }
        try finishMember()
    }

    /// Bytes handed to libarchive at a time by `addMember`.
    static let memberChunk = 1 << 20

    /// Writes the end-of-archive blocks. Returns the byte count and SHA-256 of everything written.
    public func close() throws -> (bytes: UInt64, sha256: String) {
        guard !closed else { return (sink.bytesWritten, sink.finalDigest ?? "") }
        closed = true
        let status = archive_write_close(archive)
        let message = TarWriter.errorText(archive)
        archive_write_free(archive)
        if let error = sink.failure {
            throw ExTriageError(.outputUnwritable, "cannot write the bundle", path: sink.displayPath, cause: error)
        }
        guard status == ARCHIVE_OK else {
            throw ExTriageError(.archiveFailure, "cannot finish the bundle", path: sink.displayPath, cause: message)
        }
        return (sink.bytesWritten, sink.finish())
    }

    /// Bytes handed to the file so far.
    public var bytesWritten: UInt64 { sink.bytesWritten }

    private func failure(_ what: String) -> ExTriageError {
        if let error = sink.failure {
            return ExTriageError(.outputUnwritable, "cannot write the bundle", path: sink.displayPath, cause: error)
        }
        return ExTriageError(.archiveFailure, what, path: sink.displayPath, cause: TarWriter.errorText(archive))
    }

    static func errorText(_ archive: OpaquePointer) -> String {
        archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
    }
}

/// Receives libarchive's output: writes it to the descriptor and hashes it for the bundle's own
/// SHA-256 on a serial queue of its own, so that hash overlaps the next chunk's work. At most
/// `inFlight` copies wait to be hashed, which bounds memory.
final class OutputSink: @unchecked Sendable {
    let descriptor: Int32
    let displayPath: String
    var bytesWritten: UInt64 = 0
    var failure: String?
    var finalDigest: String?
    private var hasher = SHA256()
    private let hashQueue = DispatchQueue(label: "extriage.bundle-sha256")
    private static let inFlight = 4
    private let slots = DispatchSemaphore(value: OutputSink.inFlight)

    init(descriptor: Int32, displayPath: String) {
        self.descriptor = descriptor
        self.displayPath = displayPath
    }

    func write(_ buffer: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        while offset < buffer.count {
            let rest = UnsafeRawBufferPointer(rebasing: buffer[offset...])
            let count = Glibc.write(descriptor, rest.baseAddress, rest.count)
            if count < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
                return -1
            }
            offset += count
        }
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count, alignment: 16)
        copy.copyMemory(from: buffer)
        let pending = PendingBytes(copy)
        slots.wait()
        hashQueue.async { [self] in
            hasher.update(bufferPointer: UnsafeRawBufferPointer(pending.bytes))
            pending.bytes.deallocate()
            slots.signal()
        }
        bytesWritten += UInt64(buffer.count)
        return buffer.count
    }

    func finish() -> String {
        if let finalDigest { return finalDigest }
        let digest = hashQueue.sync { Hex.encode(hasher.finalize()) }
        finalDigest = digest
        return digest
    }
}

/// A copy of written bytes on its way to the hash queue.
private struct PendingBytes: @unchecked Sendable {
    let bytes: UnsafeMutableRawBufferPointer
    init(_ bytes: UnsafeMutableRawBufferPointer) { self.bytes = bytes }
}

private func tarWriterCallback(_ archive: OpaquePointer?, _ context: UnsafeMutableRawPointer?,
                               _ buffer: UnsafeRawPointer?, _ length: Int) -> Int {
    guard let context, let buffer else { return -1 }
    let sink = Unmanaged<OutputSink>.fromOpaque(context).takeUnretainedValue()
    return sink.write(UnsafeRawBufferPointer(start: buffer, count: length))
}
