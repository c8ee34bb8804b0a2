#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CForensics
import ExTriageCore

/// One file system of an image, open in TSK, with the inode of every path listed so far (so
/// a path is resolved once, not from the root on every call). Callers hold the source's lock.
final class TSKFileSystem {
    let handle: UnsafeMutablePointer<TSK_FS_INFO>
    /// Inode / MFT entry by path, filled as directories are listed.
    private var inodes: [EvidencePath: TSK_INUM_T] = [:]

    init(_ handle: UnsafeMutablePointer<TSK_FS_INFO>) {
        self.handle = handle
        inodes[.root] = handle.pointee.root_inum
    }

    deinit { tsk_fs_close(handle) }

    /// `ntfs`, `fat16`, `ext4`, ... as TSK names them.
    var typeName: String { tsk_fs_type_toname(handle.pointee.ftype).map { String(cString: $0) } ?? "unknown" }

    var isNTFS: Bool { handle.pointee.ftype.rawValue & TSK_FS_TYPE_NTFS_DETECT.rawValue != 0 }
    var isFAT: Bool { handle.pointee.ftype.rawValue & TSK_FS_TYPE_FAT_DETECT.rawValue != 0 }

    var label: String? { FileSystemLabel.read(self) }

    /// How surely this is the Windows system volume.
    enum SystemVolumeEvidence {
        case none
        /// The root holds a `Windows` folder that cannot be listed (damaged or truncated image).
        case unconfirmedWindows
        /// `Windows/System32` exists (any case).
        case windowsSystem32
    }

    /// Whether this volume holds `Windows/System32`, or only a `Windows` folder whose record or
    /// listing cannot be read, so that damage to one MFT entry or index block does not hide the
    /// system volume.
    var systemVolumeEvidence: SystemVolumeEvidence {
        let folder = { (entry: SourceEntry) in entry.kind == .directory || entry.listedKind == .directory }
        guard let windows = try? list(.root).first(where: { folder($0) && $0.name.folded == "windows" }) else {
            return .none
        }
        guard windows.kind == .directory, let system = try? list(EvidencePath([windows.name])) else { return .unconfirmedWindows }
        return system.contains { $0.kind == .directory && $0.name.folded == "system32" } ? .windowsSystem32 : .none
    }

    /// The inode of `path`, listing parents as needed; names match exactly, else ignoring case.
    func inode(of path: EvidencePath) throws -> TSK_INUM_T {
        if let known = inodes[path] { return known }
        guard let name = path.name else { return handle.pointee.root_inum }
        let siblings = try list(path.parent)
        let match = siblings.first { $0.name == name } ?? siblings.first { $0.name.folded == name.folded }
        guard let match, let known = inodes[path.parent.appending(match.name)] else {
            throw ExTriageError(.io, "no such file in the image", path: "/" + path.escaped)
        }
        inodes[path] = known
        return known
    }

    func list(_ directory: EvidencePath) throws -> [SourceEntry] {
        let inode = try inode(of: directory)
        guard let dir = tsk_fs_dir_open_meta(handle, inode) else {
            throw ExTriageError(.io, "cannot list directory (\(recordName) \(inode))", path: "/" + directory.escaped, cause: TSKError.last())
        }
        defer { tsk_fs_dir_close(dir) }
        var byName: [PathComponent: SourceEntry] = [:]
        for index in 0..<tsk_fs_dir_getsize(dir) {
            // The name comes from the directory index; the metadata (MFT entry, inode) is loaded
            // separately, and an entry whose metadata cannot be read is listed as unreadable.
            guard let name = tsk_fs_dir_get_name(dir, index), let text = name.pointee.name else { tsk_error_reset(); continue }
            let bytes = Array(UnsafeRawBufferPointer(start: text, count: strlen(text)))
            if bytes.isEmpty || bytes == [0x2E] || bytes == [0x2E, 0x2E] { continue }
            if name.pointee.flags.rawValue & TSK_FS_NAME_FLAG_UNALLOC.rawValue != 0 { continue }  // deleted: not collected
            let nameType = name.pointee.type
            if nameType == TSK_FS_NAME_TYPE_VIRT || nameType == TSK_FS_NAME_TYPE_VIRT_DIR { continue }
            // TSK lists a FAT volume label as an empty file named "<label> (Volume Label Entry)".
            if isFAT, directory.isRoot, bytes.count > 21, bytes.suffix(21).elementsEqual(" (Volume Label Entry)".utf8) { continue }
            let component = PathComponent(bytes: bytes)
            if byName[component] != nil { continue }
            inodes[directory.appending(component)] = name.pointee.meta_addr
            let file = tsk_fs_dir_get(dir, index)
            defer { if let file { tsk_fs_file_close(file) } }
            if let file, file.pointee.meta != nil {
                byName[component] = entry(component, file: file, nameType: nameType)
            } else {
                byName[component] = unreadable(component, name: name.pointee)
            }
        }
        return byName.values.sorted { $0.name < $1.name }
    }

    /// `MFT entry` on NTFS, `inode` elsewhere.
    var recordName: String { isNTFS ? "MFT entry" : "inode" }

    /// An entry the directory index names but whose own record (MFT entry, inode) cannot be
    /// loaded: kept, with the record number, what the index says it is and TSK's error.
    private func unreadable(_ component: PathComponent, name: TSK_FS_NAME) -> SourceEntry {
        var entry = SourceEntry(name: component, kind: .unreadable, size: 0, times: FileTimes())
        entry.record = FileRecordInfo(entry: name.meta_addr, sequence: isNTFS ? UInt16(truncatingIfNeeded: name.meta_seq) : 0)
        entry.listedKind = name.type == TSK_FS_NAME_TYPE_DIR ? .directory : name.type == TSK_FS_NAME_TYPE_REG ? .file : nil
        entry.problem = "\(recordName) \(name.meta_addr) cannot be read: \(TSKError.last())"
        return entry
    }

    private func entry(_ name: PathComponent, file: UnsafeMutablePointer<TSK_FS_FILE>, nameType: TSK_FS_NAME_TYPE_ENUM) -> SourceEntry {
        guard let meta = file.pointee.meta else {
            return SourceEntry(name: name, kind: .unreadable, size: 0, times: FileTimes())
        }
        if meta.pointee.type == TSK_FS_META_TYPE_VIRT || meta.pointee.type == TSK_FS_META_TYPE_VIRT_DIR {
            return SourceEntry(name: name, kind: .other, size: 0, times: FileTimes())
        }
        let kind = TSKFileSystem.kind(meta.pointee.type, nameType)
        var entry = SourceEntry(name: name, kind: kind, size: UInt64(max(0, meta.pointee.size)), times: TSKFileSystem.times(meta, ntfs: isNTFS),
                                linkTarget: kind == .symlink ? meta.pointee.link.map { String(cString: $0) } : nil)
        entry.record = FileRecordInfo(entry: meta.pointee.addr, sequence: isNTFS ? UInt16(truncatingIfNeeded: meta.pointee.seq) : 0)
        if kind == .file, isNTFS { entry.streams = TSKFileSystem.alternateStreams(file) }
        return entry
    }

    static func kind(_ type: TSK_FS_META_TYPE_ENUM, _ nameType: TSK_FS_NAME_TYPE_ENUM) -> EntryKind {
        switch type {
        case TSK_FS_META_TYPE_REG: return .file
        case TSK_FS_META_TYPE_DIR: return .directory
        case TSK_FS_META_TYPE_LNK: return .symlink
        case TSK_FS_META_TYPE_UNDEF:
            return nameType == TSK_FS_NAME_TYPE_REG ? .file : nameType == TSK_FS_NAME_TYPE_DIR ? .directory : .other
        default: return .other
        }
    }

    /// Named $DATA attributes, in attribute order.
    static func alternateStreams(_ file: UnsafeMutablePointer<TSK_FS_FILE>) -> [DataStream] {
        var streams: [DataStream] = []
        let count = tsk_fs_file_attr_getsize(file)
        guard count > 0 else { tsk_error_reset(); return [] }
        for index in 0..<Int32(count) {
            guard let attr = tsk_fs_file_attr_get_idx(file, Int32(index)), attr.pointee.type == TSK_FS_ATTR_TYPE_NTFS_DATA,
                  let name = attr.pointee.name.map({ String(cString: $0) }), !name.isEmpty, name != "$Data" else { continue }
            if streams.contains(where: { $0.name == name }) { continue }
            streams.append(DataStream(name: name, size: UInt64(max(0, attr.pointee.size))))
        }
        return streams
    }

    /// $STANDARD_INFORMATION (or inode) times, and on NTFS the $FILE_NAME times.
    static func times(_ meta: UnsafeMutablePointer<TSK_FS_META>, ntfs isNTFS: Bool) -> FileTimes {
        let m = meta.pointee
        var times = FileTimes(modified: stamp(Int64(m.mtime), Int64(m.mtime_nano)), accessed: stamp(Int64(m.atime), Int64(m.atime_nano)),
                              changed: stamp(Int64(m.ctime), Int64(m.ctime_nano)), created: stamp(Int64(m.crtime), Int64(m.crtime_nano)))
        // time2 is a union: only on NTFS does it hold the $FILE_NAME times.
        guard isNTFS else { return times }
        let ntfs = m.time2.ntfs
        let fileName = FileNameTimes(modified: stamp(Int64(ntfs.fn_mtime), Int64(ntfs.fn_mtime_nano)),
                                     accessed: stamp(Int64(ntfs.fn_atime), Int64(ntfs.fn_atime_nano)),
                                     changed: stamp(Int64(ntfs.fn_ctime), Int64(ntfs.fn_ctime_nano)),
                                     created: stamp(Int64(ntfs.fn_crtime), Int64(ntfs.fn_crtime_nano)))
        if fileName != FileNameTimes() { times.fileName = fileName }
        return times
    }

    static func stamp(_ seconds: Int64, _ nanoseconds: Int64) -> Timestamp? {
        seconds == 0 && nanoseconds == 0 ? nil : Timestamp(seconds: seconds, nanoseconds: Int32(clamping: nanoseconds))
    }
}
