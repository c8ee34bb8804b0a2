import ExTriageCore

/// One event-log record: the System values and the event data fields by name.
public struct EventRecord: Sendable {
    /// `EventRecordID`.
    public var recordNumber: UInt64
    public var eventID: UInt32
    /// `Provider@Name` (the source name for classic providers: `Service Control Manager`).
    public var provider: String
    /// `Channel` (`Security`, `Microsoft-Windows-Sysmon/Operational`).
    public var channel: String
    public var computer: String
    public var level: UInt8
    /// `TimeCreated@SystemTime`, else the record's written time; UTC.
    public var time: Timestamp?
    /// `EventData/Data[@Name]` in order, or `UserData`'s leaf elements by tag; unnamed `Data`
    /// elements are called `Data`.
    public var fields: [(name: String, value: String)]
    /// Read from unallocated chunk space (libevtx's recovered records).
    public var recovered: Bool
    /// Every field value as UTF-8, joined: what rule needles are searched in (filled by the scan).
    public var searchText: [UInt8] = []
    /// `allData`, computed once by the reader: what Sigma keyword searches look in.
    public var dataText: String?

    public init(recordNumber: UInt64, eventID: UInt32, provider: String, channel: String, computer: String, level: UInt8 = 4,
                time: Timestamp?, fields: [(name: String, value: String)], recovered: Bool = false) {
        self.recordNumber = recordNumber
        self.eventID = eventID
        self.provider = provider
        self.channel = channel
        self.computer = computer
        self.level = level
        self.time = time
        self.fields = fields
        self.recovered = recovered
    }

    /// A field by name, ignoring ASCII case. The System values `EventID`, `Provider`, `Channel`,
    /// `Computer`, `Level` come first, and `Data` is every field value joined by ` | `.
    public func value(_ name: String) -> String? {
        // System values first: a UserData field may be called Channel too (System 104).
        switch name.lowercased() {
        case "data": return allData
        case "eventid": return String(eventID)
        case "provider": return provider
        case "channel": return channel
        case "computer": return computer
        case "level": return String(level)
        default: break
        }
        for field in fields where Self.same(field.name, name) { return field.value }
        return nil
    }

    /// Every field value joined: what a rule matches for classic providers with unnamed data.
    public var allData: String { fields.map(\.value).joined(separator: " | ") }

    static func same(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.count == rhs.utf8.count && zip(lhs.utf8, rhs.utf8).allSatisfy { ByteSearch.lower($0) == ByteSearch.lower($1) }
    }
}
