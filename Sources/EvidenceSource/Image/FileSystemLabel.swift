#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CForensics

/// The volume label of a file system, read the way each format stores it.
enum FileSystemLabel {
    static func read(_ fileSystem: TSKFileSystem) -> String? {
        let fs = fileSystem.handle
        let type = fs.pointee.ftype.rawValue
        if type & TSK_FS_TYPE_NTFS_DETECT.rawValue != 0 { return ntfs(fs) }
        if type & TSK_FS_TYPE_EXT_DETECT.rawValue != 0 {
            return text(bytes(fs, at: 1024 + 120, count: 16))  // ext superblock s_volume_name
        }
        if type & TSK_FS_TYPE_FAT_DETECT.rawValue != 0 {
            let boot = bytes(fs, at: 0, count: 90)
            guard boot.count == 90 else { return nil }
            let fat32 = boot[22] == 0 && boot[23] == 0  // sectors per FAT (16-bit) is 0 on FAT32
            let label = text(Array(boot[(fat32 ? 71 : 43)..<(fat32 ? 82 : 54)]))
            return label == "NO NAME" ? nil : label
        }
        return nil
    }

    /// NTFS keeps the label in $Volume (MFT entry 3), attribute $VOLUME_NAME, UTF-16LE.
    private static func ntfs(_ fs: UnsafeMutablePointer<TSK_FS_INFO>) -> String? {
        guard let file = tsk_fs_file_open_meta(fs, nil, 3) else { tsk_error_reset(); return nil }
        defer { tsk_fs_file_close(file) }
        guard let attr = tsk_fs_file_attr_get_type(file, TSK_FS_ATTR_TYPE_NTFS_VNAME, 0, 0), attr.pointee.size > 0,
              attr.pointee.size < 1024 else { tsk_error_reset(); return nil }
        var buffer = [UInt8](repeating: 0, count: Int(attr.pointee.size))
        let count = buffer.withUnsafeMutableBytes {
            tsk_fs_attr_read(attr, 0, $0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count, TSK_FS_FILE_READ_FLAG_NONE)
        }
        guard count == buffer.count else { tsk_error_reset(); return nil }
        let units = stride(from: 0, to: buffer.count - 1, by: 2).map { UInt16(buffer[$0]) | UInt16(buffer[$0 + 1]) << 8 }
        let label = String(decoding: units, as: UTF16.self)
        return label.isEmpty ? nil : label
    }

    private static func bytes(_ fs: UnsafeMutablePointer<TSK_FS_INFO>, at offset: Int, count: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let read = buffer.withUnsafeMutableBytes {
            tsk_fs_read(fs, TSK_OFF_T(offset), $0.baseAddress?.assumingMemoryBound(to: CChar.self), count)
        }
        if read != count { tsk_error_reset(); return [] }
        return buffer
    }

    private static func text(_ bytes: [UInt8]) -> String? {
        let trimmed = bytes.prefix { $0 != 0 }
        guard !trimmed.isEmpty, let label = String(validating: trimmed, as: UTF8.self)?.trimmingWhitespace, !label.isEmpty else { return nil }
        return label
    }
}
