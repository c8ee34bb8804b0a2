import ExTriageCore

/// One decoded event record: the System values and the event data fields, as text.
///
/// Field values are the strings libevtx's XML rendering gives (hex integers `0x%08x`, GUIDs in
/// upper-case braces, FILETIME with nine fraction digits, ...), because detection rules match them.
public struct EvtxRecord: Sendable {
    /// The record header's number (`EventRecordID`).
    public var recordNumber: UInt64
    /// `System/EventID` (the 16-bit identifier; `Qualifiers` are kept apart).
    public var eventID: UInt32
    /// `System/EventID@Qualifiers`, when present.
    public var qualifiers: UInt16?
    /// `Provider@Name`, else `Provider@EventSourceName`.
    public var provider: String
    public var channel: String
    public var computer: String
    public var level: UInt8
    /// `TimeCreated@SystemTime`, else the record header's written time; UTC.
    public var time: Timestamp?
    /// The record header's written time.
    public var writtenTime: Timestamp?
    /// Leaf elements after `System` in document order: `Data` by its `Name` (unnamed: `Data`),
    /// other elements (UserData children, `Binary`) by tag; arrays repeat the element.
    public var fields: [(name: String, value: String)]
    /// Found in unallocated chunk space (after the last allocated record), not in the record list.
    public var recovered: Bool

    public init(recordNumber: UInt64, eventID: UInt32, qualifiers: UInt16? = nil, provider: String, channel: String, computer: String,
                level: UInt8, time: Timestamp?, writtenTime: Timestamp?, fields: [(name: String, value: String)], recovered: Bool) {
        self.recordNumber = recordNumber
        self.eventID = eventID
        self.qualifiers = qualifiers
        self.provider = provider
        self.channel = channel
        self.computer = computer
        self.level = level
        self.time = time
        self.writtenTime = writtenTime
        self.fields = fields
        self.recovered = recovered
    }
}

/// What reading one EVTX stream gave.
public struct EvtxSummary: Sendable, Equatable {
    /// Records decoded (allocated plus recovered), whether offered or skipped by the pre-filter.
    public var records = 0
    /// Of those, recovered from unallocated chunk space.
    public var recovered = 0
    /// Allocated records whose framing or binary XML is broken (counted, never fatal).
    public var failed = 0
    /// Chunks skipped: bad signature, bad header or records checksum, cut short.
    public var badChunks = 0
    /// Chunks read.
    public var chunks = 0
    /// Recovery candidates skipped because the same record number is allocated in the file.
    public var recoveredDuplicates = 0
    /// Recovery candidates (record signatures in unallocated space) that did not decode.
    public var recoveryFailed = 0
    public var first: Timestamp?
    public var last: Timestamp?
    /// Set when the input is not EVTX at all (no `ElfFile` signature, shorter than the header).
    public var problem: String?
    /// Bad chunks, a bad header checksum or a cut file: some of the log may be missing.
    public var corrupted = false
    /// The header's dirty flag (a log copied from a live system).
    public var dirty = false
    /// Why chunks were skipped, a few of them (`chunk 3: records checksum mismatch`).
    public var chunkProblems: [String] = []

    public init() {}
}

/// How to read: which records to decode fully.
public struct EvtxOptions: Sendable {
    /// Asked with the event ID and the lower-cased provider name before any field is formatted;
    /// records it declines are counted (and their time kept) but not emitted.
    public var wants: @Sendable (UInt32, String) -> Bool
    /// Whether `wants` reads the provider; when false an empty string is passed (cheaper).
    public var wantsProvider: Bool
    /// Chunks decoded together (in parallel) before their records are emitted; memory is about
    /// twice this many 64 KiB chunks plus their records (one batch decodes while one is emitted).
    public var batchChunks: Int
    /// Decode a batch on several threads.
    public var parallel: Bool

    public init(wantsProvider: Bool = true, batchChunks: Int = 8, parallel: Bool = true,
                wants: @escaping @Sendable (UInt32, String) -> Bool = { _, _ in true }) {
        self.wants = wants
        self.wantsProvider = wantsProvider
        self.batchChunks = max(1, min(batchChunks, 256))
        self.parallel = parallel
    }
}
