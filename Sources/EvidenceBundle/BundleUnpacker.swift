#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ExTriageCore

/// Writes a bundle's evidence members into a new, empty directory, safely
/// (ADVERSARIAL-CASES section A): only listed regular files; no links, devices or traversal;
/// control characters in names escaped; names equal but for case or Unicode normalisation refused; files 0644 owned
/// by the user with the original modification time; nothing is written outside the directory.
public struct BundleUnpacker {
    public struct Result: Sendable {
        public var written: Int = 0
        public var bytes: UInt64 = 0
        /// Members not written, each with the reason.
        public var skipped: [(member: String, reason: String)] = []
    }

    /// Limits on hostile names (A11).
    public static let maximumDepth = 100
    public static let maximumComponentBytes = 255

    let manifest: Manifest
    /// Whether a member (by its source path) is wanted; nil means all.
    let only: ((Manifest.Entry) -> Bool)?

    public init(manifest: Manifest, only: ((Manifest.Entry) -> Bool)? = nil) {
        self.manifest = manifest
        self.only = only
    }

    public func unpack(bundle: String, to directory: String) throws -> Result {
        let root = try BundleUnpacker.makeFreshDirectory(directory)
        defer { close(root) }
        var entries: [[UInt8]: Manifest.Entry] = [:]
        for entry in manifest.entries { entries[Array(entry.path.utf8)] = entry }
        /// Written names by their folded text: Swift's `String` equality ignores normalisation,
        /// so two names that differ only by case or NFC/NFD spelling share a key here.
        var taken: [String: String] = [:]
        var result = Result()
        let reader = try TarReader(path: bundle)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while let header = try reader.next() {
            let shown = EscapedText.display(header.path)
            if header.path == Manifest.memberName || header.path == ManifestSignature.memberName { continue }
            guard header.kind == .file else {
                result.skipped.append((shown, "a \(header.kind.rawValue) member: only regular files are written"))
                continue
            }
            guard !header.isSparse else {
                result.skipped.append((shown, "a sparse member: extriage never writes sparse members"))
                continue
            }
            guard let entry = entries[Array(header.path.utf8)] else {
                result.skipped.append((shown, "not listed in the manifest"))
                continue
            }
            if let only, !only(entry) { continue }
            let components: [String]
            do {
                components = try BundleUnpacker.safeComponents(header.path)
            } catch let error as ExTriageError {
                result.skipped.append((shown, error.message))
                continue
            }
            let key = components.joined(separator: "/").lowercased()
            if let first = taken[key] {
                result.skipped.append((shown, "collides with another member, \(first): the names differ only by letter case or Unicode "
                                       + "normalisation, and one would replace the other on a case-insensitive or normalising file system"))
                continue
            }
            taken[key] = shown
            let file = try BundleUnpacker.createFile(root: root, components: components)
            defer { close(file) }
            do {
                result.bytes += try BundleUnpacker.copyMember(from: reader, to: file, buffer: &buffer,
                                                              shownPath: directory + "/" + components.joined(separator: "/"))
            } catch let sparse as SparseMemberError {
                // Holes found while reading: what was written of it goes, the member is skipped.
                unlinkat(root, components.joined(separator: "/"), 0)
                result.skipped.append((shown, "\(sparse.detail): a sparse member, not written"))
                continue
            }
            if let modified = entry.modified {
                var times = [timespec(tv_sec: Int(modified.seconds), tv_nsec: Int(modified.nanoseconds)),
                             timespec(tv_sec: Int(modified.seconds), tv_nsec: Int(modified.nanoseconds))]
                futimens(file, &times)
            }
            result.written += 1
        }
        return result
    }

    /// Copies the current member's data into `file`; returns the bytes written.
    static func copyMember(from reader: TarReader, to file: Int32, buffer: inout [UInt8], shownPath: String) throws -> UInt64 {
        var total: UInt64 = 0
        while true {
            let count = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
            if count == 0 { return total }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { raw in
                    let rest = UnsafeRawBufferPointer(rebasing: raw[offset..<count])
                    return write(file, rest.baseAddress, rest.count)
                }
                guard written > 0 else {
                    throw ExTriageError(.outputUnwritable, "cannot write", path: shownPath, cause: String(cString: strerror(errno)))
                }
                offset += written
            }
            total += UInt64(count)
        }
    }

    /// The member name as safe path components: `evidence/...`, no empty, `.` or `..` parts, no
    /// absolute or drive forms, bounded depth and length; control characters become `%XX`.
    static func safeComponents(_ path: String) throws -> [String] {
        guard path.hasPrefix("evidence/") else { throw ExTriageError(.invalidArgument, "not under evidence/") }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= maximumDepth else { throw ExTriageError(.invalidArgument, "nested deeper than \(maximumDepth) levels") }
        var out: [String] = []
        for part in parts {
            guard !part.isEmpty, part != ".", part != ".." else { throw ExTriageError(.invalidArgument, "empty, '.' or '..' path component") }
            guard !part.contains("\\") || !part.contains("..") else { throw ExTriageError(.invalidArgument, "backslash traversal in a component") }
            var safe = ""
            for scalar in part.unicodeScalars {
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    safe += "%" + String(format2: scalar.value)
                } else {
                    safe.unicodeScalars.append(scalar)
                }
            }
            guard safe.utf8.count <= maximumComponentBytes else { throw ExTriageError(.invalidArgument, "a path component longer than \(maximumComponentBytes) bytes") }
            out.append(safe)
        }
        return out
    }

    /// Creates `directory` (it must not exist, or be an empty real directory) and opens it.
    static func makeFreshDirectory(_ directory: String) throws -> Int32 {
        var info = stat()
        if lstat(directory, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw ExTriageError(.outputExists, "the destination exists and is not a directory (or is a link)", path: directory)
            }
            guard let stream = opendir(directory) else { throw ExTriageError(.outputUnwritable, "cannot read the destination", path: directory) }
            defer { closedir(stream) }
            while let item = readdir(stream) {
                let name = withUnsafeBytes(of: item.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." {
                    throw ExTriageError(.outputExists, "the destination is not empty; unpack writes only into a new, empty directory", path: directory)
                }
            }
        } else if mkdir(directory, 0o755) != 0 {
            throw ExTriageError(.outputUnwritable, "cannot create the destination", path: directory, cause: String(cString: strerror(errno)))
        }
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw ExTriageError(.outputUnwritable, "cannot open the destination", path: directory, cause: String(cString: strerror(errno))) }
        return fd
    }

    /// Walks `components` below `root` with `openat(O_NOFOLLOW)`, creating directories (0755), and
    /// creates the file exclusively (0644): an existing name or a link anywhere fails.
    static func createFile(root: Int32, components: [String]) throws -> Int32 {
        var parent = dup(root)
        for name in components.dropLast() {
            if mkdirat(parent, name, 0o755) != 0 && errno != EEXIST {
                close(parent)
                throw ExTriageError(.outputUnwritable, "cannot create a directory", path: name, cause: String(cString: strerror(errno)))
            }
            let next = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            close(parent)
            guard next >= 0 else { throw ExTriageError(.outputUnwritable, "cannot enter a directory", path: name, cause: String(cString: strerror(errno))) }
            parent = next
        }
        defer { close(parent) }
        let file = openat(parent, components.last ?? "", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard file >= 0 else {
            throw ExTriageError(.outputUnwritable, "cannot create a file", path: components.joined(separator: "/"), cause: String(cString: strerror(errno)))
        }
        fchmod(file, 0o644)
        return file
    }
}

private extension String {
    /// Two upper-case hex digits.
    init(format2 value: UInt32) {
        let hex = String(value, radix: 16, uppercase: true)
        self = hex.count == 1 ? "0" + hex : hex
    }
}
