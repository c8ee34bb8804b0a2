#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import ExTriageCore

/// The bundle file on disk: written as `<path>.partial`; at the end the `<path>.sha256` sidecar
/// (sha256sum format) and the custody log are written under `.partial` names and flushed, then
/// renamed, the bundle last, so the final name appears only when every file beside it is complete.
///
/// A crash or a failure at any point leaves no final-named file that looks complete
/// (ADVERSARIAL-CASES E2, E3, E5, E6).
final class OutputFile {
    /// A point where writing can fail; a test injects a failure there (`CollectionRequest.injectedOutputFailure`).
    enum Step: String, Sendable, CaseIterable {
        case bundleFlush = "flushing the bundle"
        case sidecar = "writing the sidecar"
        case custodyLog = "writing the custody log"
        case rename = "renaming the finished files"
    }


    let path: String
    let partialPath: String
    let directory: String
    let leftoverPartial: Bool
    let force: Bool
    /// The open `.partial` descriptor, until `commit` or `abandon` closes it (once).
    private var descriptor: Int32 = -1
    /// A test's stand-in for a full disk: this step fails with this `errno`.
    var injectedFailure: (step: Step, errno: Int32)?

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

    var sidecarPath: String { path + ".sha256" }
    var custodyPath: String { path + ".custody.jsonl" }

    /// Flushes the bundle, writes and flushes the sidecar and the custody log under `.partial`
    /// names, renames those two, then the bundle, then flushes the directory. On a failure
    /// nothing final-named is left: only `<path>.partial`, which the error names.
    func commit(descriptor: Int32, sha256: String, custodyLine: [UInt8]) throws {
        var created: [String] = []
        do {
            try flushAndClose(descriptor)
            let name = path.split(separator: "/").last.map(String.init) ?? path
            try writeSmallFile(sidecarPath + ".partial", Array("\(sha256)  \(name)\n".utf8), step: .sidecar)
            created.append(sidecarPath + ".partial")
            try writeSmallFile(custodyPath + ".partial", custodyLine, step: .custodyLog)
            created.append(custodyPath + ".partial")
            try move(sidecarPath + ".partial", to: sidecarPath)
            created[0] = sidecarPath
            try move(custodyPath + ".partial", to: custodyPath)
            created[1] = custodyPath
            try move(partialPath, to: path)
            syncDirectory()
        } catch {
            for file in created { unlink(file) }
            guard var failure = error as? ExTriageError else { throw error }
            var note = "no bundle is written (\(EscapedText.display(partialPath)) is left for inspection"
            var info = stat()
            if lstat(path, &info) == 0 { note += "; \(EscapedText.display(path)) is an earlier bundle, not this run's" }
            failure.cause = (failure.cause.map { $0 + "; " } ?? "") + note + ")"
            throw failure
        }
    }

    private func flushAndClose(_ descriptor: Int32) throws {
        self.descriptor = -1
        if let errno = failure(at: .bundleFlush) {
            close(descriptor)
            throw ExTriageError(.outputUnwritable, "flushing the bundle to disk failed", path: partialPath, cause: String(cString: strerror(errno)))
        }
        guard fsync(descriptor) == 0 else {
            let cause = String(cString: strerror(errno))
            close(descriptor)
            throw ExTriageError(.outputUnwritable, "flushing the bundle to disk failed", path: partialPath, cause: cause)
        }
        guard close(descriptor) == 0 else {
            throw ExTriageError(.outputUnwritable, "closing the bundle failed", path: partialPath, cause: String(cString: strerror(errno)))
        }
    }

    private func move(_ from: String, to: String) throws {
        if let errno = failure(at: .rename), to == path {
            throw ExTriageError(.outputUnwritable, "cannot rename the finished bundle", path: to, cause: String(cString: strerror(errno)))
        }
        guard rename(from, to) == 0 else {
            throw ExTriageError(.outputUnwritable, "cannot rename the finished file", path: to, cause: String(cString: strerror(errno)))
        }
    }

    private func failure(at step: Step) -> Int32? {
        injectedFailure.flatMap { $0.step == step ? $0.errno : nil }
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

    /// Writes and flushes `bytes` to a new file at `temporary`.
    private func writeSmallFile(_ temporary: String, _ bytes: [UInt8], step: Step) throws {
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else {
            throw ExTriageError(.outputUnwritable, step.rawValue + " failed", path: temporary, cause: String(cString: strerror(errno)))
        }
        let injected = failure(at: step)
        let written = injected == nil ? bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } : -1
        let writeErrno = injected ?? errno
        let flushed = written == bytes.count && fsync(descriptor) == 0
        let flushErrno = errno
        let closed = close(descriptor) == 0
        guard written == bytes.count, flushed, closed else {
            unlink(temporary)
            let cause = written != bytes.count ? (written < 0 ? strerror(writeErrno) : nil) : strerror(flushErrno)
            throw ExTriageError(.outputUnwritable, step.rawValue + " failed", path: temporary,
                                cause: cause.map { String(cString: $0) } ?? "short write (the disk may be full)")
        }
    }
}
