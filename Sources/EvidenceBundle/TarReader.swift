import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CArchive
import Crypto
import ExTriageCore

/// One member header as read from a bundle, before anything is trusted.
public struct MemberHeader: Sendable {
    public enum Kind: String, Sendable { case file, directory, symlink, hardlink, other }

    /// The member name exactly as stored (UTF-8 from the pax header where present).
    public var path: String
    public var kind: Kind
    /// The size the header claims.
    public var size: Int64
    public var modified: Timestamp?
    public var linkTarget: String?
    /// Permission bits, owner ids and names, as the header states them.
    public var permissions: UInt32 = 0
    public var uid: Int64 = 0
    public var gid: Int64 = 0
    public var userName: String?
    public var groupName: String?
    /// The header carries a GNU sparse map (old-GNU type `S`, pax `GNU.sparse.*`): its data would
    /// be mostly synthesized zeros, up to the size it claims. extriage never writes one.
    public var isSparse = false
}

/// A member whose data has holes: libarchive would fill them with zeros up to the size the
/// header claims (a petabyte costs nothing to claim), so it is refused instead of read.
public struct SparseMemberError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var detail: String
    public var description: String { "member '\(EscapedText.display(path))' is a sparse file (\(detail)); extriage never writes sparse members" }
}

/// Streams the members of a tar file through libarchive, reading nothing to disk.
///
/// Only the tar formats (ustar, pax, GNU) are enabled, no compression filters, so a zip, 7z or
/// RAR renamed `.tar` is refused rather than parsed (ADVERSARIAL-CASES A18).
public final class TarReader {
    private let archive: OpaquePointer
    private let input: InputSource
    public let displayPath: String
    /// The current member: its name and claimed size, the bytes handed out so far, and what is
    /// left of the block libarchive last returned.
    private var memberPath = ""
    private var memberSize: Int64 = 0
    private var delivered: Int64 = 0
    private var pending = UnsafeRawBufferPointer(start: nil, count: 0)

    public init(path: String) throws {
        try ArchiveLocale.requireUTF8()
        let descriptor = try openRegularFile(path, what: "the bundle")
        let input = InputSource(descriptor: descriptor)
        guard let handle = archive_read_new() else {
            throw ExTriageError(.archiveFailure, "libarchive could not create a reader")
        }
        archive_read_support_format_tar(handle)
        let context = Unmanaged.passUnretained(input).toOpaque()
        guard archive_read_open(handle, context, nil, tarReaderCallback, nil) == ARCHIVE_OK else {
            let message = TarWriter.errorText(handle)
            archive_read_free(handle)
            throw ExTriageError(.notABundle, "not a tar bundle", path: path, cause: message)
        }
        // Stored properties last: a throw above must not run deinit on half-made state.
        self.displayPath = path
        self.input = input
        self.archive = handle
    }

    deinit {
        archive_read_free(archive)
    }

    /// After the end of the archive: reads the rest of the file and returns the SHA-256 and size
    /// of every byte of it, and whether anything but zero padding follows the end-of-archive
    /// marker (ADVERSARIAL-CASES A15).
    public func finishFile() throws -> (sha256: String, bytes: UInt64, trailingData: Bool) {
        let consumed = UInt64(max(0, archive_filter_bytes(archive, 0)))
        return try input.drain(checkingZerosFrom: consumed)
    }

    /// After a read error: the SHA-256 and size of the whole file all the same, read on from where
    /// libarchive stopped (a damaged tar is still a file whose hash the sidecar can be checked against).
    public func finishFileAfterError() throws -> (sha256: String, bytes: UInt64) {
        let file = try input.drain(checkingZerosFrom: UInt64.max)
        return (file.sha256, file.bytes)
    }

    /// The next member header, or nil at the end of the archive.
    public func next() throws -> MemberHeader? {
        pending = UnsafeRawBufferPointer(start: nil, count: 0)
        delivered = 0
        var entryPointer: OpaquePointer?
        let status = archive_read_next_header(archive, &entryPointer)
        switch status {
        case ARCHIVE_EOF:
            return nil
        case ARCHIVE_OK, ARCHIVE_WARN:
            guard let entry = entryPointer else { return nil }
            let header = header(of: entry)
            memberPath = header.path
            memberSize = header.size
            return header
        default:
            throw ExTriageError(.notABundle, "damaged or truncated tar header", path: displayPath,
                                cause: TarWriter.errorText(archive))
        }
    }

    private func header(of entry: OpaquePointer) -> MemberHeader {
        let name = archive_entry_pathname_utf8(entry).map { String(cString: $0) }
            ?? archive_entry_pathname(entry).map { String(decoding: Array(UnsafeBufferPointer(start: $0, count: strlen($0))).map { UInt8(bitPattern: $0) }, as: UTF8.self) }
            ?? ""
        let kind: MemberHeader.Kind
        if archive_entry_hardlink(entry) != nil {
            kind = .hardlink
        } else {
            switch mode_t(archive_entry_filetype(entry)) {
            case Glibc.S_IFREG: kind = .file
            case Glibc.S_IFDIR: kind = .directory
            case Glibc.S_IFLNK: kind = .symlink
            default: kind = .other
            }
        }
        let link = (archive_entry_symlink_utf8(entry) ?? archive_entry_hardlink_utf8(entry)).map { String(cString: $0) }
        let modified = archive_entry_mtime_is_set(entry) != 0
            ? Timestamp(seconds: Int64(archive_entry_mtime(entry))) : nil
        return MemberHeader(path: name, kind: kind, size: archive_entry_size(entry), modified: modified, linkTarget: link,
                            permissions: UInt32(archive_entry_perm(entry)), uid: archive_entry_uid(entry), gid: archive_entry_gid(entry),
                            userName: archive_entry_uname_utf8(entry).map { String(cString: $0) },
                            groupName: archive_entry_gname_utf8(entry).map { String(cString: $0) },
                            isSparse: archive_entry_sparse_count(entry) > 0)
    }

    /// Reads member data; 0 at the member's end. Throws when the archive is damaged or cut short,
    /// and `SparseMemberError` when the data has a hole (a sparse map libarchive would fill with
    /// zeros: one the header check missed, such as a map running past the member's end).
    ///
    /// Reads blocks as stored (`archive_read_data_block`), never zero-filled ones, so a member
    /// yields at most the bytes the file holds.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while pending.isEmpty {
            var pointer: UnsafeRawPointer?
            var size = 0
            var offset: Int64 = 0
            let status = archive_read_data_block(archive, &pointer, &size, &offset)
            if status == ARCHIVE_EOF {
                guard delivered == memberSize else {
                    throw SparseMemberError(path: memberPath, detail: "it stores \(delivered) of the \(memberSize) bytes it claims")
                }
                return 0
            }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN else {
                throw ExTriageError(.notABundle, "member data is damaged or truncated", path: displayPath,
                                    cause: TarWriter.errorText(archive))
            }
            guard offset == delivered, size <= memberSize - delivered else {
                throw SparseMemberError(path: memberPath, detail: "its data jumps to offset \(offset) of \(memberSize) claimed bytes")
            }
            pending = UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : size)
        }
        let count = min(pending.count, buffer.count)
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: pending[0..<count]))
        pending = UnsafeRawBufferPointer(rebasing: pending[count...])
        delivered += Int64(count)
        return count
    }

    /// Reads the rest of the current member into memory, refusing more than `limit` bytes.
    /// `expected` (the size the header claims, at most `limit`) is reserved up front, so a large
    /// member is not copied from buffer to doubled buffer while it is read.
    public func readAll(limit: Int, expected: Int64 = 0) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Int(min(max(0, expected), Int64(limit))))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try read(into: $0) }
            if count == 0 { return out }
            guard out.count + count <= limit else {
                throw ExTriageError(.notABundle, "member larger than the \(ByteCount.format(UInt64(limit))) allowed", path: displayPath)
            }
            out.append(contentsOf: chunk[0..<count])
        }
    }
}

/// Feeds libarchive from a descriptor and hashes every byte it hands over, so the bundle file's
/// own SHA-256 comes from the same single read.
///
/// The hash runs on a queue of its own, off the thread that reads the members: reads rotate
/// through `bufferCount` buffers, and one is read into again only after its bytes are hashed (and
/// libarchive, which may use a buffer until the next read, is two reads past it). The buffers
/// hold more than one of the member reader's chunks (`BundleScan.chunkSize`), so this hash runs
/// on while the reader's thread works through a chunk, instead of waiting for it at each read.
final class InputSource: @unchecked Sendable {
    let descriptor: Int32
    static let bufferCount = 24
    private let buffers = (0..<InputSource.bufferCount).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16) }
    /// Signalled when a buffer's bytes are hashed: it may be read into again.
    private let hashed = (0..<InputSource.bufferCount).map { _ in DispatchSemaphore(value: 1) }
    private var current = 0
    private let hashing = DispatchQueue(label: "extriage.bundle-sha256")
    /// Touched only on `hashing`.
    private var hasher = SHA256()
    var offset: UInt64 = 0
    var failure: String?

    init(descriptor: Int32) { self.descriptor = descriptor }
    /// Every hash block holds the source, so none is running or waiting any more here.
    deinit {
        Glibc.close(descriptor)
        buffers.forEach { $0.deallocate() }
    }

    func next() -> (UnsafeRawPointer?, Int) {
        current = (current + 1) % Self.bufferCount
        let buffer = buffers[current]
        let done = hashed[current]
        done.wait()
        var count: Int
        repeat {
            count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
        } while count < 0 && errno == EINTR
        guard count >= 0 else {
            done.signal()
            failure = String(cString: strerror(errno))
            return (nil, -1)
        }
        let index = current
        let read = count
        hashing.async {
            self.hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: self.buffers[index][0..<read]))
            done.signal()
        }
        offset += UInt64(count)
        return (UnsafeRawPointer(buffer.baseAddress), count)
    }

    func drain(checkingZerosFrom start: UInt64) throws -> (sha256: String, bytes: UInt64, trailingData: Bool) {
        while true {
            let (_, count) = next()
            if count < 0 { throw ExTriageError(.io, "read error", cause: failure) }
            if count == 0 { break }
        }
        var trailing = false
        var position = start
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while position < offset, !trailing {
            let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(position)) }
            if count <= 0 { break }
            trailing = chunk[0..<count].contains { $0 != 0 }
            position += UInt64(count)
        }
        let digest = hashing.sync { hasher.finalize() }
        return (Hex.encode(digest), offset, trailing)
    }
}

private func tarReaderCallback(_ archive: OpaquePointer?, _ context: UnsafeMutableRawPointer?,
                               _ buffer: UnsafeMutablePointer<UnsafeRawPointer?>?) -> Int {
    guard let context, let buffer else { return -1 }
    let input = Unmanaged<InputSource>.fromOpaque(context).takeUnretainedValue()
    let (pointer, count) = input.next()
    buffer.pointee = pointer
    return count
}

extension TarReader {
    /// SHA-256 of a whole file, read in chunks (for custody events about an existing bundle).
    public static func sha256(ofFile path: String) throws -> String {
        let descriptor = try openRegularFile(path, what: "the bundle")
        let input = InputSource(descriptor: descriptor)
        return try input.drain(checkingZerosFrom: UInt64.max).sha256
    }
}

/// Opens a file for reading only if it is a regular file: a FIFO, device or directory named as a
/// bundle, sidecar or log is refused instead of blocking or reading forever.
func openRegularFile(_ path: String, what: String) throws -> Int32 {
    let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard descriptor >= 0 else {
        throw ExTriageError(.io, "cannot open \(what)", path: path, cause: String(cString: strerror(errno)))
    }
    var info = stat()
    guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
        Glibc.close(descriptor)
        throw ExTriageError(.notABundle, "\(what) is not a regular file", path: path)
    }
    return descriptor
}

/// Reads at most `limit` bytes of a regular file; nil when it is absent, not regular, or larger.
func readSmallRegularFile(_ path: String, limit: Int) -> [UInt8]? {
    guard let descriptor = try? openRegularFile(path, what: "the file") else { return nil }
    defer { Glibc.close(descriptor) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 { return nil }
        if count == 0 { return out }
        out.append(contentsOf: chunk[0..<count])
        if out.count > limit { return nil }
    }
}
