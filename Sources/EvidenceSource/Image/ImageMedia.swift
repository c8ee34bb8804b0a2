#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPosix
import ExTriageCore

/// The bytes of a disk image as one flat medium, whatever the container (raw file, E01 set).
///
/// Not thread-safe: the `ImageSource` that owns it serialises every call.
public protocol ImageMedia: AnyObject {
    /// The medium's size in bytes (for an E01: the acquired media size, not the files' size).
    var size: UInt64 { get }
    var sectorSize: Int { get }
    /// The files that hold the image, in order (one for raw, every segment for E01).
    var files: [String] { get }

    /// Reads up to `buffer.count` bytes at `offset`. Returns fewer only at the end of the
    /// medium. Throws `MediaReadError` when the range cannot be read.
    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A range of the medium that could not be read, and why.
public struct MediaReadError: Error, CustomStringConvertible, Sendable {
    public var offset: UInt64
    public var length: UInt64
    public var cause: String

    public init(offset: UInt64, length: UInt64, cause: String) {
        self.offset = offset
        self.length = length
        self.cause = cause
    }

    public var description: String { "image bytes \(offset)-\(offset + length - 1) unreadable: \(cause)" }
}

/// A raw (dd) image: one file read with `pread`, opened read-only.
final class RawMedia: ImageMedia {
    let path: String
    private var fd: Int32
    let size: UInt64
    let sectorSize = 512
    var files: [String] { [path] }

    init(path: String) throws {
        let descriptor = extriage_open_readonly(path)
        guard descriptor >= 0 else {
            throw ExTriageError(.sourceUnreadable, "cannot open the image", path: path, cause: String(cString: strerror(errno)))
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            Glibc.close(descriptor)
            throw ExTriageError(.sourceUnreadable, "cannot stat the image", path: path, cause: String(cString: strerror(errno)))
        }
        self.path = path
        fd = descriptor
        size = UInt64(max(0, info.st_size))
    }

    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count, offset + UInt64(done) < size {
            let count = pread(fd, base + done, buffer.count - done, off_t(offset) + off_t(done))
            if count > 0 { done += count; continue }
            if count == 0 { break }
            if errno == EINTR { continue }
            throw MediaReadError(offset: offset + UInt64(done), length: UInt64(buffer.count - done), cause: String(cString: strerror(errno)))
        }
        return done
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }
}
