#if canImport(Glibc)
import Glibc
#endif
import CArchive
import Foundation

/// Writes tar files with arbitrary entries (names, types, link targets, claimed sizes) straight
/// through libarchive, to test what the bundle reader and `unpack` do with hostile input.
public enum HostileTar {
    public enum Kind: Sendable { case file, directory, symlink(String), hardlink(String), characterDevice, fifo }

    public struct Entry: Sendable {
        public var path: String
        public var kind: Kind
        public var data: [UInt8]
        /// A size the header claims beyond the data present (patched into the ustar header after
        /// writing, so no padding is ever written: the member is simply cut short).
        public var claimedSize: Int64?
        public var mode: UInt32

        public init(_ path: String, _ kind: Kind = .file, data: [UInt8] = [], claimedSize: Int64? = nil, mode: UInt32 = 0o644) {
            self.path = path
            self.kind = kind
            self.data = data
            self.claimedSize = claimedSize
            self.mode = mode
        }
    }

    public static func write(_ entries: [Entry], to path: String) throws {
        guard let archive = archive_write_new() else { throw CocoaError(.fileWriteUnknown) }
        defer { archive_write_free(archive) }
        archive_write_set_format_pax_restricted(archive)
        guard archive_write_open_filename(archive, path) == ARCHIVE_OK else { throw CocoaError(.fileWriteUnknown) }
        for item in entries {
            guard let entry = archive_entry_new() else { continue }
            defer { archive_entry_free(entry) }
            archive_entry_set_pathname_utf8(entry, item.path)
            archive_entry_set_perm(entry, item.mode)
            switch item.kind {
            case .file: archive_entry_set_filetype(entry, UInt32(Glibc.S_IFREG))
            case .directory: archive_entry_set_filetype(entry, UInt32(Glibc.S_IFDIR))
            case .symlink(let target):
                archive_entry_set_filetype(entry, UInt32(Glibc.S_IFLNK))
                archive_entry_set_symlink_utf8(entry, target)
            case .hardlink(let target):
                archive_entry_set_filetype(entry, UInt32(Glibc.S_IFREG))
                archive_entry_set_hardlink_utf8(entry, target)
            case .characterDevice:
                archive_entry_set_filetype(entry, UInt32(Glibc.S_IFCHR))
                archive_entry_set_rdev(entry, 0x103)
            case .fifo: archive_entry_set_filetype(entry, UInt32(Glibc.S_IFIFO))
            }
            if case .file = item.kind { archive_entry_set_size(entry, Int64(item.data.count)) }
            archive_write_header(archive, entry)
            if case .file = item.kind, !item.data.isEmpty {
                _ = item.data.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, $0.count) }
            }
        }
        archive_write_close(archive)
        for item in entries where item.claimedSize != nil {
            try patchSize(of: item.path, to: item.claimedSize ?? 0, in: path)
        }
    }

    /// Rewrites the octal size field (offset 124, 12 bytes) of the ustar header named `name`
    /// and its checksum, so the header claims far more data than the archive holds.
    static func patchSize(of name: String, to size: Int64, in path: String) throws {
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let wanted = Array(name.utf8)
        var offset = 0
        while offset + 512 <= bytes.count {
            if Array(bytes[offset..<offset + wanted.count]) == wanted, bytes[offset + wanted.count] == 0 {
                let octal = String(min(size, 0o77777777777), radix: 8)
                let field = Array((String(repeating: "0", count: 11 - octal.count) + octal).utf8) + [0]
                bytes.replaceSubrange(offset + 124..<offset + 136, with: field)
                bytes.replaceSubrange(offset + 148..<offset + 156, with: [UInt8](repeating: 0x20, count: 8))
                let sum = bytes[offset..<offset + 512].reduce(0) { $0 + Int($1) }
                let checksum = String(sum, radix: 8)
                bytes.replaceSubrange(offset + 148..<offset + 156, with: Array((String(repeating: "0", count: 6 - checksum.count) + checksum).utf8) + [0, 0x20])
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                return
            }
            offset += 512
        }
    }
}
