import ExTriageCore

/// What a directory entry is. Only regular files are collected; links are recorded, never followed.
public enum EntryKind: String, Sendable, Codable {
    case file, directory, symlink, other
    /// Listed, but its metadata could not be read.
    case unreadable
}

/// The timestamps a source can give for a file (UTC); a source fills what it has.
public struct FileTimes: Hashable, Sendable {
    public var modified: Timestamp?
    public var accessed: Timestamp?
    public var changed: Timestamp?
    public var created: Timestamp?
    /// NTFS only: the times in the $FILE_NAME attribute (the others are $STANDARD_INFORMATION).
    /// User-mode tools rarely change these, so a difference exposes time-stomping.
    public var fileName: FileNameTimes?

    public init(modified: Timestamp? = nil, accessed: Timestamp? = nil, changed: Timestamp? = nil, created: Timestamp? = nil) {
        self.modified = modified
        self.accessed = accessed
        self.changed = changed
        self.created = created
    }
}

/// NTFS $FILE_NAME times: modified, accessed, MFT entry changed, created.
public struct FileNameTimes: Hashable, Sendable {
    public var modified: Timestamp?
    public var accessed: Timestamp?
    public var changed: Timestamp?
    public var created: Timestamp?

    public init(modified: Timestamp? = nil, accessed: Timestamp? = nil, changed: Timestamp? = nil, created: Timestamp? = nil) {
        self.modified = modified
        self.accessed = accessed
        self.changed = changed
        self.created = created
    }
}

/// An alternate data stream of a file (NTFS), by name.
public struct DataStream: Hashable, Sendable {
    public var name: String
    public var size: UInt64
    public init(name: String, size: UInt64) {
        self.name = name
        self.size = size
    }
}

/// Where a file lives in an image's file system, for the manifest.
public struct FileRecordInfo: Hashable, Sendable {
    /// The inode or MFT entry number.
    public var entry: UInt64
    /// The NTFS MFT entry sequence number (0 where the file system has none).
    public var sequence: UInt16
    public init(entry: UInt64, sequence: UInt16) {
        self.entry = entry
        self.sequence = sequence
    }
}

/// One entry of a directory listing.
public struct SourceEntry: Sendable {
    public var name: PathComponent
    public var kind: EntryKind
    public var size: UInt64
    public var times: FileTimes
    /// For symbolic links: the link text, as stored.
    public var linkTarget: String?
    /// Alternate data streams (NTFS), collected beside the file as `file:stream` members.
    public var streams: [DataStream] = []
    /// The inode / MFT entry, for image sources.
    public var record: FileRecordInfo?
    /// For an `unreadable` entry: what the directory listing says it is (a directory whose own
    /// record is damaged hides everything below it), and why its metadata could not be read.
    public var listedKind: EntryKind?
    public var problem: String?

    public init(name: PathComponent, kind: EntryKind, size: UInt64, times: FileTimes, linkTarget: String? = nil) {
        self.name = name
        self.kind = kind
        self.size = size
        self.times = times
        self.linkTarget = linkTarget
    }
}

/// A volume (file system) of the evidence; a directory source has exactly one.
public struct VolumeInfo: Sendable, Hashable {
    /// The name used in bundle paths: `C`, or `vol<N>`.
    public var name: String
    public var fileSystem: String?
    public var label: String?
    /// Image sources: the volume's number (partitions counted from 1 in table order; 1 for an
    /// unpartitioned image), byte offset and size in the image, and the partition's description.
    public var number: Int?
    public var offset: UInt64?
    public var size: UInt64?
    public var partitionDescription: String?
    /// Set when this volume is a Volume Shadow Copy (`C@vss1`) of another volume of the image.
    public var shadowCopy: ShadowCopyInfo?

    public init(name: String, fileSystem: String? = nil, label: String? = nil) {
        self.name = name
        self.fileSystem = fileSystem
        self.label = label
    }
}

/// Read-only evidence: a directory tree today, a disk image later, behind one interface.
///
/// Implementations never modify what they read and never follow links.
public protocol EvidenceSource: Sendable {
    /// `directory`, `raw`, `e01`, ...
    var kind: String { get }
    /// Where the evidence is, as given by the user.
    var location: String { get }
    var volumes: [VolumeInfo] { get }

    /// Lists one directory. Throws `ExTriageError` (code `.io`) when it cannot be read.
    func list(volume: String, directory: EvidencePath) throws -> [SourceEntry]

    /// Opens one regular file for sequential reading.
    func open(volume: String, path: EvidencePath) throws -> any EvidenceFile

    /// Opens one alternate data stream of a regular file (sources without streams throw).
    func open(volume: String, path: EvidencePath, stream: String) throws -> any EvidenceFile

    /// Whether a host path lies inside this evidence (an output there would end up in it).
    func contains(hostPath: String) -> Bool
}

/// A file opened for reading, once, front to back.
public protocol EvidenceFile: AnyObject {
    /// Size and times taken when the file was opened.
    var size: UInt64 { get }
    var times: FileTimes { get }

    /// Reads up to `buffer.count` bytes; 0 means end of file. Throws on a read error.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int

    /// The file's size now, to notice a file that changed while it was read.
    func sizeNow() -> UInt64?

    /// The file's times now (modified, changed), to notice a file rewritten in place at the same
    /// size while it was read; nil where the source cannot change (an image).
    func timesNow() -> FileTimes?

    /// Ranges that could not be read from the image so far (read as zeros); empty elsewhere.
    var unreadableRanges: [UnreadableRange] { get }

    /// The inode / MFT entry the bytes came from, for image sources.
    var record: FileRecordInfo? { get }

    /// Bytes at the start of the stream that were not read: the sparse (freed) head of the USN
    /// journal's `$J` (`UsnJournalStream`). `size` and the bytes read begin after them.
    var skippedLeadingBytes: UInt64 { get }

    func close()
}

extension EvidenceSource {
    public func contains(hostPath: String) -> Bool { false }

    public func open(volume: String, path: EvidencePath, stream: String) throws -> any EvidenceFile {
        throw ExTriageError(.io, "this source has no alternate data streams", path: "/" + path.escaped + ":" + stream)
    }
}

extension EvidenceFile {
    public func timesNow() -> FileTimes? { nil }
    public var unreadableRanges: [UnreadableRange] { [] }
    public var record: FileRecordInfo? { nil }
    public var skippedLeadingBytes: UInt64 { 0 }
}
