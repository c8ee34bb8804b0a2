import ExTriageCore

/// `manifest.json`, the last evidence-describing member of a bundle (format version 1).
///
/// Keys are stable; see README "Bundle format". Times are UTC ISO 8601.
public struct Manifest: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1
    public static let memberName = "manifest.json"

    public var schemaVersion: Int
    public var tool: ToolRecord
    public var `case`: CaseRecord
    public var collector: CollectorRecord
    public var source: SourceRecord
    public var exchangeInstallPath: InstallPathRecord?
    public var profile: ProfileRecord
    public var options: OptionsRecord
    public var startedAt: Timestamp
    public var finishedAt: Timestamp
    public var entries: [Entry]
    public var outcomes: [Outcome]
    public var seal: Seal

    public init(tool: ToolRecord, case caseRecord: CaseRecord, collector: CollectorRecord, source: SourceRecord,
                exchangeInstallPath: InstallPathRecord?, profile: ProfileRecord, options: OptionsRecord,
                startedAt: Timestamp, finishedAt: Timestamp, entries: [Entry], outcomes: [Outcome]) {
        self.schemaVersion = Manifest.currentSchemaVersion
        self.tool = tool
        self.case = caseRecord
        self.collector = collector
        self.source = source
        self.exchangeInstallPath = exchangeInstallPath
        self.profile = profile
        self.options = options
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.entries = entries
        self.outcomes = outcomes
        self.seal = Seal(entries: entries)
    }

    public struct ToolRecord: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
        /// Versions of the native libraries that touched the evidence (ADVERSARIAL-CASES F4).
        public var libraries: [String: String]
        public init(name: String, version: String, libraries: [String: String]) {
            self.name = name
            self.version = version
            self.libraries = libraries
        }
    }

    public struct CaseRecord: Codable, Sendable, Equatable {
        public var caseId: String
        public var evidenceId: String?
        public var examiner: String
        public var notes: String?
        public init(caseId: String, evidenceId: String?, examiner: String, notes: String?) {
            self.caseId = caseId
            self.evidenceId = evidenceId
            self.examiner = examiner
            self.notes = notes
        }
    }

    /// Where and as whom the collection ran.
    public struct CollectorRecord: Codable, Sendable, Equatable {
        public var host: String
        public var user: String
        public var platform: String
        public init(host: String, user: String, platform: String) {
            self.host = host
            self.user = user
            self.platform = platform
        }
    }

    public struct SourceRecord: Codable, Sendable, Equatable {
        public var kind: String
        public var path: String
        public var volumes: [VolumeRecord]
        /// Disk images: `gpt`, `mbr` or `none` (one unpartitioned file system).
        public var partitionTable: String?
        /// Disk images: size, the files it is made of, and its digests with `--hash-image`.
        public var image: ImageRecord?
        /// Things about the source the analyst must know (a missing E01 segment, a partition
        /// whose file system could not be read).
        public var warnings: [String]?
        /// Whether Volume Shadow Copies were read (`--shadow-copies`), how many stores, and
        /// which could not be; absent in bundles made before the option existed.
        public var shadowCopies: ShadowCopiesRecord?
        public init(kind: String, path: String, volumes: [VolumeRecord]) {
            self.kind = kind
            self.path = path
            self.volumes = volumes
        }
    }

    public struct VolumeRecord: Codable, Sendable, Equatable {
        public var name: String
        public var fileSystem: String?
        public var label: String?
        /// Disk images: partition number (from 1, table order; 1 when unpartitioned), byte
        /// offset and size in the image, and the partition table's description of it.
        public var number: Int?
        public var offset: UInt64?
        public var size: UInt64?
        public var partition: String?
        /// A Volume Shadow Copy volume (`C@vss1`): the live volume, store and creation time.
        public var shadowCopy: ShadowCopyRecord?
        public init(name: String, fileSystem: String?, label: String?) {
            self.name = name
            self.fileSystem = fileSystem
            self.label = label
        }
    }

    /// One Volume Shadow Copy store collected as a volume.
    public struct ShadowCopyRecord: Codable, Sendable, Equatable {
        /// The live volume it is a snapshot of (`C`).
        public var of: String
        /// The store's number on that volume, from 1, oldest first.
        public var store: Int
        /// The store identifier (GUID).
        public var identifier: String
        /// When the shadow copy was taken.
        public var created: Timestamp?
        public init(of: String, store: Int, identifier: String, created: Timestamp?) {
            self.of = of
            self.store = store
            self.identifier = identifier
            self.created = created
        }
    }

    /// `--shadow-copies` for the whole source.
    public struct ShadowCopiesRecord: Codable, Sendable, Equatable {
        /// `read`, `not requested` (an image without `--shadow-copies`) or `not applicable` (a directory source).
        public var status: String
        /// Stores opened and collected as volumes (with `read`).
        public var stores: Int?
        /// Volumes or stores whose shadow copies could not be read, each with the reason.
        public var failures: [String]?
        public init(status: String, stores: Int? = nil, failures: [String]? = nil) {
            self.status = status
            self.stores = stores
            self.failures = failures
        }
    }

    /// The image as a whole (for E01: the acquired media, read through libewf).
    public struct ImageRecord: Codable, Sendable, Equatable {
        /// Media size in bytes.
        public var size: UInt64
        /// Every file of the image (all E01 segments), with its size on disk.
        public var files: [ImageFileRecord]
        /// Digests of the media bytes, present with `--hash-image`.
        public var sha256: String?
        public var sha1: String?
        public var md5: String?
        /// Media ranges that could not be read while hashing (the digests cover zeros there).
        public var unreadable: [String]?
        /// E01: the digests recorded at acquisition, stored inside the image.
        public var acquisitionMD5: String?
        public var acquisitionSHA1: String?
        /// E01 with `--hash-image`: whether the computed digests equal the stored ones
        /// (false when any stored one differs; absent when nothing was stored or hashed).
        public var acquisitionHashesAgree: Bool?
        public init(size: UInt64, files: [ImageFileRecord]) {
            self.size = size
            self.files = files
        }
    }

    public struct ImageFileRecord: Codable, Sendable, Equatable {
        public var path: String
        public var size: UInt64
        public init(path: String, size: UInt64) {
            self.path = path
            self.size = size
        }
    }

    /// NTFS $FILE_NAME times of an entry (the entry's own times are $STANDARD_INFORMATION).
    public struct FileNameTimesRecord: Codable, Sendable, Equatable {
        public var modified: Timestamp?
        public var accessed: Timestamp?
        public var changed: Timestamp?
        public var created: Timestamp?
        public init(modified: Timestamp?, accessed: Timestamp?, changed: Timestamp?, created: Timestamp?) {
            self.modified = modified
            self.accessed = accessed
            self.changed = changed
            self.created = created
        }
    }

    /// A range of a file that could not be read from the image; the member holds zeros there.
    public typealias UnreadableRangeRecord = UnreadableRange

    /// The Exchange install directory found on the evidence, and how it was found.
    public struct InstallPathRecord: Codable, Sendable, Equatable {
        public var volume: String
        public var path: String
        /// `default-location`, `logging-search` or `exsetup-search`.
        public var discoveredBy: String
        public init(volume: String, path: String, discoveredBy: String) {
            self.volume = volume
            self.path = path
            self.discoveredBy = discoveredBy
        }
    }

    public struct ProfileRecord: Codable, Sendable, Equatable {
        public var name: String
        /// SHA-256 over the exact text of the profile and every artifact definition it used.
        public var sha256: String
        public var artifacts: [DefinitionRecord]
        public init(name: String, sha256: String, artifacts: [DefinitionRecord]) {
            self.name = name
            self.sha256 = sha256
            self.artifacts = artifacts
        }
    }

    public struct DefinitionRecord: Codable, Sendable, Equatable {
        public var name: String
        public var sha256: String
        /// `built-in` or the override file's path.
        public var origin: String
        public init(name: String, sha256: String, origin: String) {
            self.name = name
            self.sha256 = sha256
            self.origin = origin
        }
    }

    public struct OptionsRecord: Codable, Sendable, Equatable {
        public var collectDumps: Bool
        public var traceHeadBytes: UInt64
        public init(collectDumps: Bool, traceHeadBytes: UInt64) {
            self.collectDumps = collectDumps
            self.traceHeadBytes = traceHeadBytes
        }
    }

    /// One collected file: one evidence member.
    public struct Entry: Codable, Sendable, Equatable {
        /// The bundle member name: `evidence/<volume>/<path>`.
        public var path: String
        /// The path on the source volume, `/`-separated, invalid UTF-8 bytes as `%XX`.
        public var sourcePath: String
        /// The raw source path bytes in hex, present only when the name is not valid UTF-8.
        public var sourcePathHex: String?
        public var volume: String
        /// Size of the source file as read.
        public var size: UInt64
        /// Digests of the whole source file as read.
        public var sha256: String
        public var sha1: String
        public var md5: String
        public var modified: Timestamp?
        public var accessed: Timestamp?
        public var changed: Timestamp?
        public var created: Timestamp?
        public var artifact: String
        /// `collected` (member = whole file) or `partial` (member = head only, or padded; see `stored`).
        public var status: OutcomeStatus
        public var reason: String?
        /// What the member holds when it is not exactly the file (head-only or padded).
        public var stored: StoredContent?
        /// How the file was stored: `content`, or `trace` (hashed whole, head stored).
        public var mode: ArtifactMode?
        /// Content traits noticed while reading, e.g. `minidump` (starts with `MDMP`).
        public var flags: [String]?
        /// Set when the member is an alternate data stream of `sourcePath` (NTFS), e.g. `Zone.Identifier`.
        public var stream: String?
        /// Image sources: the MFT entry (NTFS) or inode number, and the NTFS sequence number.
        public var mftEntry: UInt64?
        public var mftSequence: UInt16?
        /// NTFS: the $FILE_NAME times (modified/accessed/changed/created above are $STANDARD_INFORMATION).
        public var fileNameTimes: FileNameTimesRecord?
        /// Ranges the image could not supply; zeros stand in for them in the member and digests.
        public var unreadableRanges: [UnreadableRangeRecord]?

        public init(path: String, sourcePath: String, sourcePathHex: String?, volume: String, size: UInt64,
                    digests: Digests, times: (Timestamp?, Timestamp?, Timestamp?, Timestamp?), artifact: String,
                    status: OutcomeStatus, reason: String?, stored: StoredContent?) {
            self.path = path
            self.sourcePath = sourcePath
            self.sourcePathHex = sourcePathHex
            self.volume = volume
            self.size = size
            self.sha256 = digests.sha256
            self.sha1 = digests.sha1
            self.md5 = digests.md5
            (self.modified, self.accessed, self.changed, self.created) = times
            self.artifact = artifact
            self.status = status
            self.reason = reason
            self.stored = stored
        }

        /// Size and digests of the member's bytes.
        public var memberSize: UInt64 { stored?.size ?? size }
        public var memberDigests: Digests {
            stored.map { Digests(sha256: $0.sha256, sha1: $0.sha1, md5: $0.md5) }
                ?? Digests(sha256: sha256, sha1: sha1, md5: md5)
        }
    }

    public struct StoredContent: Codable, Sendable, Equatable {
        public var size: UInt64
        public var sha256: String
        public var sha1: String
        public var md5: String
        public init(size: UInt64, digests: Digests) {
            self.size = size
            self.sha256 = digests.sha256
            self.sha1 = digests.sha1
            self.md5 = digests.md5
        }
    }

    /// What happened to one artifact pattern (a summary row) or one file (a row with `path`).
    public struct Outcome: Codable, Sendable, Equatable {
        public var artifact: String
        public var pattern: String
        public var status: OutcomeStatus
        /// Summary rows: files matched. File rows: 1.
        public var count: Int
        public var reason: String?
        /// Set on rows about one file (failed, partial or skipped).
        public var path: String?
        public init(artifact: String, pattern: String, status: OutcomeStatus, count: Int, reason: String?, path: String? = nil) {
            self.artifact = artifact
            self.pattern = pattern
            self.status = status
            self.count = count
            self.reason = reason
            self.path = path
        }
    }

    /// Binds the ordered member list: a removed, added, reordered or truncated member changes it.
    public struct Seal: Codable, Sendable, Equatable {
        public var memberCount: Int
        public var totalBytes: UInt64
        /// SHA-256 over `<member path> NUL <member sha256 hex> LF` for each evidence member in order.
        public var digest: String

        public init(entries: [Entry]) {
            self.init(listed: entries.lazy.map(ListedEntry.init))
        }
    }
}

/// How an artifact pattern or a file fared. `skipped` is for links, which are recorded, not followed.
public enum OutcomeStatus: String, Codable, Sendable, CaseIterable {
    case collected, missing, empty, partial, failed, skipped
}
