#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPosix
import ExTriageCore

/// What `--source` points at, judged from the file's first bytes (and a VHD's footer), never
/// from its name alone.
public enum SourceFormat: String, Sendable {
    case directory
    case raw
    case e01
    case vmdk
    case vhd
    case vhdx

    /// Classifies `path`: a directory, or an image file by its signature; anything else is raw.
    public static func detect(path: String) throws -> SourceFormat {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ExTriageError(.sourceUnreadable, "the source does not exist or cannot be read", path: path,
                                cause: String(cString: strerror(errno)))
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG, S_IFBLK: break
        default: throw ExTriageError(.sourceUnreadable, "the source is neither a directory nor an image file", path: path)
        }
        let fd = extriage_open_readonly(path)
        guard fd >= 0 else {
            throw ExTriageError(.sourceUnreadable, "cannot open the image", path: path, cause: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 512)
        let count = pread(fd, &head, head.count, 0)
        guard count > 0 else {
            throw ExTriageError(.sourceUnreadable, "the image is empty or cannot be read", path: path,
                                cause: count < 0 ? String(cString: strerror(errno)) : "0 bytes")
        }
        let prefix = Array(head.prefix(count))
        if prefix.starts(with: [0x45, 0x56, 0x46, 0x09, 0x0D, 0x0A, 0xFF, 0x00]) { return .e01 }
        if prefix.starts(with: Array("KDMV".utf8)) || prefix.starts(with: Array("# Disk DescriptorFile".utf8)) { return .vmdk }
        if prefix.starts(with: Array("vhdxfile".utf8)) { return .vhdx }
        if prefix.starts(with: Array("conectix".utf8)) { return .vhd }
        var footer = [UInt8](repeating: 0, count: 8)
        if info.st_size >= 512, pread(fd, &footer, 8, off_t(info.st_size) - 512) == 8, footer == Array("conectix".utf8) {
            return .vhd
        }
        return .raw
    }
}
