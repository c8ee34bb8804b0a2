import CPosix
import Foundation

/// Bytes handed to a C library that reads only from a path, without writing evidence to disk: an
/// anonymous in-memory file named by its `/proc/self/fd` path. Keep it alive until the library has
/// opened the path; the library's own descriptor keeps the bytes after this one closes.
public final class InMemoryFile {
    /// The path to give the library.
    public let path: String
    private let descriptor: Int32

    public init(_ bytes: [UInt8], name: String) throws {
        let descriptor = extriage_memory_file(name)
        guard descriptor >= 0 else {
            throw ExTriageError(.io, "cannot create an in-memory file: \(String(cString: strerror(errno)))", path: name)
        }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in Foundation.write(descriptor, raw.baseAddress! + written, bytes.count - written) }
            guard result > 0 else {
                close(descriptor)
                throw ExTriageError(.io, "cannot fill an in-memory file", path: name)
            }
            written += result
        }
        self.descriptor = descriptor
        path = "/proc/self/fd/\(descriptor)"
    }

    deinit { close(descriptor) }
}
