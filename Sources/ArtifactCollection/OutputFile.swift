#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import ExTriageCore

/// The bundle file on disk: written as `<path>.partial`, flushed, renamed only when complete,
/// then the `<path>.sha256` sidecar (sha256sum format) written beside it.
///
/// A crash at any point leaves no final-named file that looks complete (ADVERSARIAL-CASES E2, E5, E6).
final class OutputFile {
    let path: String
    let partialPath: String
    let directory: String
    let leftoverPartial: Bool
    let force: Bool
    /// The open `.partial` descriptor, until `commit` or `abandon` closes it (once).
    private var descriptor: Int32 = -1

    init(path: String, force: Bool) throws {
        self.path = path
        self.force = force
        partialPath = path + ".partial"
        let parent = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        var info = stat()
        guard stat(parent.isEmpty ? "/" : parent, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw ExTriageError(.outputUnwritable, "the output directory does not exist", path: parent.isEmpty ? "/" : parent)
        }
        guard let resolved = realpath(parent.isEmpty ? "/" : parent, nil) else {
            throw ExTriageError(.outputUnwritable, "cannot resolve the output directory", path: parent)
        }
        directory = String(cString: resolved)
        free(resolved)
        if lstat(path, &info) == 0 && !force {
            throw ExTriageError(.outputExists, "the output already exists; use --force to replace it", path: path)
        }
        leftoverPartial = lstat(partialPath, &info) == 0
    }

    func openPartial() throws -> Int32 {
        unlink(partialPath)
        descriptor = open(partialPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else {
            throw ExTriageError(.outputUnwritable, "cannot create the output", path: partialPath, cause: String(cString: strerror(errno)))
        }
        return descriptor
    }

    /// Flushes, renames to the final name, flushes the directory, then writes the sidecar.
    func commit(descriptor: Int32, sha256: String) throws {
        guard fsync(descriptor) == 0 else {
            let cause = String(cString: strerror(errno))
            abandon()
            throw ExTriageError(.outputUnwritable, "flushing the bundle to disk failed", path: partialPath, cause: cause)
        }
        let closed = close(descriptor)
        self.descriptor = -1
        guard closed == 0 else {
            throw ExTriageError(.outputUnwritable, "closing the bundle failed", path: partialPath, cause: String(cString: strerror(errno)))
        }
        guard rename(partialPath, path) == 0 else {
            throw ExTriageError(.outputUnwritable, "cannot rename the finished bundle", path: path, cause: String(cString: strerror(errno)))
        }
        syncDirectory()
        let name = path.split(separator: "/").last.map(String.init) ?? path
        try writeSmallFile(path + ".sha256", Array("\(sha256)  \(name)\n".utf8))
    }

    /// A custody log left by a bundle this run replaces (`--force`) describes a bundle that will
    /// no longer exist: it is kept, renamed `<log>.superseded-<time>`, never deleted.
    func retireCustodyLog() throws {
        let log = path + ".custody.jsonl"
        var info = stat()
        guard lstat(log, &info) == 0 else { return }
        let now = Timestamp.now()
        let target = log + ".superseded-\(now.seconds).\(now.nanoseconds)"
        guard rename(log, target) == 0 else {
            throw ExTriageError(.outputUnwritable, "cannot move the old custody log aside", path: log, cause: String(cString: strerror(errno)))
        }
    }

    /// Closes and leaves the `.partial` file for inspection: it is never renamed.
    func abandon() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }

    private func syncDirectory() {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
    }

    private func writeSmallFile(_ target: String, _ bytes: [UInt8]) throws {
        let temporary = target + ".partial"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else {
            throw ExTriageError(.outputUnwritable, "cannot write", path: target, cause: String(cString: strerror(errno)))
        }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let flushed = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, flushed, rename(temporary, target) == 0 else {
            throw ExTriageError(.outputUnwritable, "cannot write", path: target, cause: String(cString: strerror(errno)))
        }
    }
}
