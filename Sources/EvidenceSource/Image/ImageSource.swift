#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CForensics
import ExTriageCore

/// A disk image read directly with The Sleuth Kit (and libewf for E01): no mount, no root.
///
/// Partitioned images (MBR, GPT) are walked partition by partition; an unpartitioned image is
/// one file system. Each file system TSK can read becomes a volume: the one holding
/// `Windows/System32` is `C`, the others `vol<N>` (N counts partitions from 1 in table order),
/// unless `volumeMap` renames them. Deleted files are not listed. Every libtsk/libewf call goes
/// through one lock (their handles are not thread-safe).
public final class ImageSource: EvidenceSource, @unchecked Sendable {
    public let kind: String
    public let location: String
    public internal(set) var volumes: [VolumeInfo]
    /// `gpt`, `mbr` (TSK's `dos`), another TSK volume system name, or `none` (unpartitioned).
    public let partitionTable: String
    /// Segment names of an E01 set that are missing between ones present.
    public let missingSegments: [String]
    /// Acquisition digests stored inside an E01, lower-case hex.
    public let storedMD5: String?
    public let storedSHA1: String?
    /// What the analyst must know about the image: missing E01 segments, partitions whose file
    /// system could not be read.
    public let warnings: [String]

    let lock = ImageLock()
    /// The flat medium, when we read it ourselves (raw, E01); nil when TSK opened the file (VMDK, VHD).
    let media: (any ImageMedia)?
    let bridge: TSKImageBridge?
    private let ownImage: UnsafeMutablePointer<TSK_IMG_INFO>?
    private var volumeSystem: UnsafeMutablePointer<TSK_VS_INFO>?
    var fileSystems: [String: TSKFileSystem] = [:]
    /// `--shadow-copies`: what was asked and found (see ShadowCopies.swift), and the
    /// TSK images over each store, closed after the file systems on them.
    public internal(set) var shadowCopies = ShadowCopyReport(status: .notRequested)
    var shadowImages: [TSKImageBridge] = []

    /// Opens `path` as an image of the given format (see `SourceFormat.detect`).
    /// - Parameter volumeMap: renames volumes, keyed by number (`"2"`) or default name (`"vol2"`).
    public init(path: String, format: SourceFormat, volumeMap: [String: String] = [:]) throws {
        location = path
        kind = format.rawValue
        let image: UnsafeMutablePointer<TSK_IMG_INFO>
        switch format {
        case .raw, .e01:
            let opened: any ImageMedia = format == .e01 ? try EWFMedia(firstSegment: path) : try RawMedia(path: path)
            guard let bridge = TSKImageBridge(media: opened) else {
                throw ExTriageError(.sourceUnreadable, "The Sleuth Kit could not open the image", path: path, cause: TSKError.last())
            }
            media = opened
            self.bridge = bridge
            ownImage = nil
            image = bridge.image
        case .vmdk, .vhd, .vhdx:
            let type = format == .vmdk ? TSK_IMG_TYPE_VMDK_VMDK : TSK_IMG_TYPE_VHD_VHD
            guard let opened = tsk_img_open_utf8_sing(path, type, 0) else {
                throw ExTriageError(.sourceUnreadable, "The Sleuth Kit cannot read this \(format.rawValue.uppercased()) image", path: path,
                                    cause: TSKError.last())
            }
            media = nil
            bridge = nil
            ownImage = opened
            image = opened
        case .directory:
            throw ExTriageError(.invalidArgument, "a directory is not an image; use DirectorySource", path: path)
        }
        let ewf = media as? EWFMedia
        missingSegments = ewf?.missingSegments ?? []
        storedMD5 = ewf?.storedMD5
        storedSHA1 = ewf?.storedSHA1

        let scan = try VolumeScan(image: image, path: path)
        var notes = missingSegments.isEmpty ? [] : ["E01 segment(s) missing from the set: " + missingSegments.joined(separator: ", ")]
        if ewf != nil, storedMD5 == nil, storedSHA1 == nil {
            notes.append("the E01 set stores no acquisition hash (is its last segment missing?): the image cannot be checked against its acquisition")
        }
        notes += scan.unreadable.map { "file system not readable: " + $0 }
        partitionTable = scan.partitionTable
        volumeSystem = scan.volumeSystem
        let named = try VolumeNaming.assign(scan.fileSystems, volumeMap: volumeMap, warnings: &notes)
        warnings = notes
        volumes = named.map(\.info)
        for (info, fileSystem) in named { fileSystems[info.name] = fileSystem }
    }

    deinit {
        fileSystems.removeAll()
        shadowImages.removeAll()
        if let volumeSystem { tsk_vs_close(volumeSystem) }
        if let ownImage { tsk_img_close(ownImage) }
    }

    /// Versions of the native libraries that read the image, for the manifest.
    public static var libraryVersions: [String: String] {
        var versions = ["libtsk": tsk_version_get_str().map { String(cString: $0) } ?? "?"]
        versions["libewf"] = libewf_get_version().map { String(cString: $0) } ?? "?"
        return versions
    }

    /// The image's size in bytes (the media size for E01).
    public var imageSize: UInt64 { media?.size ?? UInt64(max(0, bridge?.image.pointee.size ?? ownImage?.pointee.size ?? 0)) }

    /// The files that make up the image (every E01 segment).
    public var imageFiles: [String] { media?.files ?? [location] }

    /// Reads the flat image, for hashing it whole (`--hash-image`); serialised with every other call.
    public func readImage(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try lock.locked {
            if let media { return try media.read(at: offset, into: buffer) }
            guard let image = ownImage, let base = buffer.baseAddress else { return 0 }
            let count = tsk_img_read(image, TSK_OFF_T(offset), base.assumingMemoryBound(to: CChar.self), buffer.count)
            if count < 0 { throw MediaReadError(offset: offset, length: UInt64(buffer.count), cause: TSKError.last()) }
            return count
        }
    }

    func fileSystem(_ volume: String) throws -> TSKFileSystem {
        guard let fileSystem = fileSystems[volume] else {
            throw ExTriageError(.invalidArgument, "no such volume in the image", path: volume)
        }
        return fileSystem
    }

    public func list(volume: String, directory: EvidencePath) throws -> [SourceEntry] {
        let fileSystem = try fileSystem(volume)
        return try lock.locked { try fileSystem.list(directory) }
    }

    public func open(volume: String, path: EvidencePath) throws -> any EvidenceFile {
        let fileSystem = try fileSystem(volume)
        return try lock.locked { try ImageFile(fileSystem: fileSystem, path: path, stream: nil, source: self) }
    }

    public func open(volume: String, path: EvidencePath, stream: String) throws -> any EvidenceFile {
        let fileSystem = try fileSystem(volume)
        let skip = UsnJournalStream.skipsLeadingSparse(path: path, stream: stream)
        return try lock.locked { try ImageFile(fileSystem: fileSystem, path: path, stream: stream, source: self, skipLeadingSparse: skip) }
    }

    public func contains(hostPath: String) -> Bool { false }

    /// Whether `path` is one of the image's own files (same device and inode), so that an output
    /// written there would destroy the evidence.
    public func isImageFile(_ path: String) -> Bool {
        var target = stat()
        guard stat(path, &target) == 0 else { return false }
        return imageFiles.contains { file in
            var info = stat()
            return stat(file, &info) == 0 && info.st_dev == target.st_dev && info.st_ino == target.st_ino
        }
    }
}

/// The Sleuth Kit's last error message (thread-local in TSK), or a placeholder.
enum TSKError {
    static func last() -> String {
        guard let text = tsk_error_get() else { return "unknown error" }
        let message = String(cString: text).trimmingWhitespace
        tsk_error_reset()
        return message.isEmpty ? "unknown error" : message
    }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
