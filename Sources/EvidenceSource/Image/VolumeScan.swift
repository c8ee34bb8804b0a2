#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CForensics
import ExTriageCore

/// Finds the file systems of an image: through its partition table (MBR, GPT, ...) when TSK
/// finds one, else one file system at offset 0.
struct VolumeScan {
    /// A file system found, before it is named.
    struct Found {
        var number: Int
        var offset: UInt64
        var size: UInt64?
        var partitionDescription: String?
        var fileSystem: TSKFileSystem
    }

    var partitionTable = "none"
    var volumeSystem: UnsafeMutablePointer<TSK_VS_INFO>?
    var fileSystems: [Found] = []
    /// Partitions whose file system TSK could not open (BitLocker, unknown, damaged).
    var unreadable: [String] = []

    init(image: UnsafeMutablePointer<TSK_IMG_INFO>, path: String) throws {
        if let system = tsk_vs_open(image, 0, TSK_VS_TYPE_DETECT) {
            volumeSystem = system
            let name = tsk_vs_type_toname(system.pointee.vstype).map { String(cString: $0) } ?? "unknown"
            partitionTable = name == "dos" ? "mbr" : name
            var number = 0
            for index in 0..<system.pointee.part_count {
                guard let part = tsk_vs_part_get(system, index),
                      part.pointee.flags.rawValue & TSK_VS_PART_FLAG_ALLOC.rawValue != 0 else { continue }
                number += 1
                let blockSize = UInt64(system.pointee.block_size)
                let description = part.pointee.desc.map { String(cString: $0) }
                let offset = UInt64(system.pointee.offset) + part.pointee.start * blockSize
                if let fs = tsk_fs_open_vol(part, TSK_FS_TYPE_DETECT) {
                    fileSystems.append(Found(number: number, offset: offset, size: part.pointee.len * blockSize,
                                             partitionDescription: description, fileSystem: TSKFileSystem(fs)))
                } else {
                    unreadable.append("partition \(number) at byte \(offset) (\(description ?? "?")): \(TSKError.last())")
                }
            }
            // A bare FAT or NTFS boot sector also ends in 55 AA and can pass for an MBR: when no
            // partition holds a file system, try the image itself as one.
            if fileSystems.isEmpty, let fs = tsk_fs_open_img(image, 0, TSK_FS_TYPE_DETECT) {
                tsk_vs_close(system)
                volumeSystem = nil
                partitionTable = "none"
                unreadable = []
                fileSystems.append(Found(number: 1, offset: 0, size: UInt64(max(0, image.pointee.size)), partitionDescription: nil,
                                         fileSystem: TSKFileSystem(fs)))
            }
            tsk_error_reset()
            if fileSystems.isEmpty {
                tsk_vs_close(system)
                throw ExTriageError(.sourceUnreadable,
                                    "the image has a \(partitionTable.uppercased()) partition table but no file system The Sleuth Kit can read",
                                    path: path, cause: unreadable.isEmpty ? "no allocated partitions" : unreadable.joined(separator: "; "))
            }
        } else {
            tsk_error_reset()
            guard let fs = tsk_fs_open_img(image, 0, TSK_FS_TYPE_DETECT) else {
                throw ExTriageError(.sourceUnreadable,
                                    "not a disk image: no partition table and no file system was recognised (supported: raw/dd, E01, VMDK, VHD with MBR or GPT partitions, or a bare NTFS, FAT or ext file system)",
                                    path: path, cause: TSKError.last())
            }
            fileSystems.append(Found(number: 1, offset: 0, size: UInt64(max(0, image.pointee.size)), partitionDescription: nil,
                                     fileSystem: TSKFileSystem(fs)))
        }
    }
}

/// Names volumes: `C` for the file system holding `Windows/System32` (failing that, the one
/// whose root holds a `Windows` folder that cannot be listed, with a warning), `vol<N>` for the
/// rest, then the user's `--volume-map` on top.
enum VolumeNaming {
    static func assign(_ found: [VolumeScan.Found], volumeMap: [String: String],
                       warnings: inout [String]) throws -> [(info: VolumeInfo, fileSystem: TSKFileSystem)] {
        var names = found.map { "vol\($0.number)" }
        let evidence = found.map(\.fileSystem.systemVolumeEvidence)
        if let system = evidence.firstIndex(of: .windowsSystem32) {
            names[system] = "C"
        } else if let guess = evidence.firstIndex(of: .unconfirmedWindows) {
            names[guess] = "C"
            warnings.append("volume \(found[guess].number) named C from the Windows folder at its root: "
                            + "that folder cannot be listed, so Windows/System32 could not be confirmed")
        }
        for (key, value) in volumeMap {
            guard let index = found.firstIndex(where: { key == "\($0.number)" || key.lowercased() == "vol\($0.number)" }) else {
                throw ExTriageError(.invalidArgument, "--volume-map names a volume the image does not have",
                                    path: key, cause: "volumes: " + found.map { "vol\($0.number)" }.joined(separator: ", "))
            }
            if let clash = names.firstIndex(of: value), clash != index { names[clash] = "vol\(found[clash].number)" }
            names[index] = value
        }
        guard Set(names).count == names.count else {
            throw ExTriageError(.invalidArgument, "--volume-map gives two volumes the same name", cause: names.joined(separator: ", "))
        }
        return zip(found, names).map { found, name in
            var info = VolumeInfo(name: name, fileSystem: found.fileSystem.typeName, label: found.fileSystem.label)
            info.number = found.number
            info.offset = found.offset
            info.size = found.size
            info.partitionDescription = found.partitionDescription
            return (info, found.fileSystem)
        }
    }
}
