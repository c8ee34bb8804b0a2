#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPosix
import ExTriageCore

/// A mounted or copied Windows volume: one directory tree, read with POSIX calls only.
///
/// Files are opened `O_RDONLY | O_NOFOLLOW`, with `O_NOATIME` where permitted, so reading
/// neither changes the evidence nor its access times; links are listed, never followed.
public struct DirectorySource: EvidenceSource {
    public let kind = "directory"
    public let location: String
    /// The absolute, resolved root directory.
    public let root: String
    public let volumes: [VolumeInfo]

    public init(path: String, volumeName: String = "C") throws {
        guard let resolved = realpath(path, nil) else {
            throw ExTriageError(.sourceUnreadable, "the source does not exist or cannot be resolved", path: path,
                                cause: String(cString: strerror(errno)))
        }
        root = String(cString: resolved)
        free(resolved)
        var info = stat()
        guard stat(root, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw ExTriageError(.sourceUnreadable, "the source is not a directory", path: path)
        }
        location = path
        volumes = [VolumeInfo(name: volumeName, fileSystem: "directory")]
    }

    func hostPath(_ path: EvidencePath) -> [UInt8] {
        var bytes = Array(root.utf8)
        for component in path.components {
            bytes.append(0x2F)
            bytes.append(contentsOf: component.bytes)
        }
        return bytes
    }

    public func list(volume: String, directory: EvidencePath) throws -> [SourceEntry] {
        let dirPath = hostPath(directory)
        let fd = withCString(dirPath) { extriage_open_directory($0) }
        guard fd >= 0 else {
            throw ExTriageError(.io, "cannot open directory", path: "/" + directory.escaped, cause: String(cString: strerror(errno)))
        }
        guard let stream = fdopendir(fd) else {
            let cause = String(cString: strerror(errno))
            Glibc.close(fd)
            throw ExTriageError(.io, "cannot list directory", path: "/" + directory.escaped, cause: cause)
        }
        defer { closedir(stream) }
        var entries: [SourceEntry] = []
        while true {
            errno = 0
            guard let item = readdir(stream) else {
                if errno != 0 {
                    throw ExTriageError(.io, "error while listing directory", path: "/" + directory.escaped,
                                        cause: String(cString: strerror(errno)))
                }
                break
            }
            let nameBytes = withUnsafeBytes(of: item.pointee.d_name) { raw -> [UInt8] in
                Array(raw.prefix(while: { $0 != 0 }))
            }
            if nameBytes == [0x2E] || nameBytes == [0x2E, 0x2E] { continue }
            let name = PathComponent(bytes: nameBytes)
            var info = stat()
            let statResult = withCString(nameBytes) { fstatat(dirfd(stream), $0, &info, AT_SYMLINK_NOFOLLOW) }
            guard statResult == 0 else {
                entries.append(SourceEntry(name: name, kind: .unreadable, size: 0, times: FileTimes()))
                continue
            }
            let kind = DirectorySource.kind(of: info.st_mode)
            var target: String?
            if kind == .symlink {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = withCString(nameBytes) { readlinkat(dirfd(stream), $0, &buffer, buffer.count) }
                if count >= 0 { target = String(decoding: buffer[0..<count], as: UTF8.self) }
            }
            let times = DirectorySource.times(of: info, created: DirectorySource.birthTime(dirfd(stream), nameBytes))
            entries.append(SourceEntry(name: name, kind: kind, size: UInt64(max(0, info.st_size)), times: times, linkTarget: target))
        }
        entries.sort { $0.name < $1.name }
        return entries
    }

    public func contains(hostPath: String) -> Bool {
        hostPath == root || hostPath.hasPrefix(root == "/" ? "/" : root + "/")
    }

    public func open(volume: String, path: EvidencePath) throws -> any EvidenceFile {
        try DirectoryFile(path: hostPath(path), display: "/" + path.escaped)
    }

    static func kind(of mode: mode_t) -> EntryKind {
        switch mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    static func times(of info: stat, created: Timestamp?) -> FileTimes {
        FileTimes(
            modified: Timestamp(seconds: Int64(info.st_mtim.tv_sec), nanoseconds: Int32(info.st_mtim.tv_nsec)),
            accessed: Timestamp(seconds: Int64(info.st_atim.tv_sec), nanoseconds: Int32(info.st_atim.tv_nsec)),
            changed: Timestamp(seconds: Int64(info.st_ctim.tv_sec), nanoseconds: Int32(info.st_ctim.tv_nsec)),
            created: created
        )
    }

    /// The birth time from `statx`, where the file system records one.
    static func birthTime(_ directory: Int32, _ name: [UInt8]) -> Timestamp? {
        var seconds: Int64 = 0
        var nanoseconds: UInt32 = 0
        guard withCString(name, { extriage_birth_time(directory, $0, &seconds, &nanoseconds) }) == 1 else { return nil }
        return Timestamp(seconds: seconds, nanoseconds: Int32(nanoseconds))
    }
}

/// Runs `body` with a NUL-terminated copy of raw path bytes.
func withCString<Result>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> Result) -> Result {
    let terminated = bytes.map { CChar(bitPattern: $0) } + [0]
    return body(terminated)
}

/// A regular file of a `DirectorySource`, opened read-only.
final class DirectoryFile: EvidenceFile {
    private var fd: Int32
    let size: UInt64
    let times: FileTimes

    init(path: [UInt8], display: String) throws {
        let descriptor = withCString(path) { extriage_open_readonly($0) }
        guard descriptor >= 0 else {
            throw ExTriageError(.io, "cannot open file", path: display, cause: String(cString: strerror(errno)))
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            Glibc.close(descriptor)
            throw ExTriageError(.io, "not a regular file", path: display)
        }
        fd = descriptor
        size = UInt64(max(0, info.st_size))
        times = DirectorySource.times(of: info, created: DirectorySource.birthTime(descriptor, []))
        posix_fadvise(descriptor, 0, 0, POSIX_FADV_SEQUENTIAL)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw ExTriageError(.io, "read error", cause: String(cString: strerror(errno)))
        }
    }

    func sizeNow() -> UInt64? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return UInt64(max(0, info.st_size))
    }

    func timesNow() -> FileTimes? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return DirectorySource.times(of: info, created: times.created)
    }

    func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }

    deinit { close() }
}
