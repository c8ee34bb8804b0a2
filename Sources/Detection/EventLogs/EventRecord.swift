import ExTriageCore
import Sigma

/// One event-log record: the System values and the event data fields by name.
///
/// A value with its parts in one shared object (copied on write): every check that is offered a
/// record copies it, and a copy costs one retain.
public struct EventRecord: Sendable {
    private final class Parts: @unchecked Sendable {
        var recordNumber: UInt64
        var eventID: UInt32
        var provider: String
        var channel: String
        var computer: String
        var level: UInt8
        var time: Timestamp?
        var fields: [(name: String, value: String)]
        var recovered: Bool
        var dataText: String?
        var dataTextFolded: String?
        /// `[dataText]` and `[dataTextFolded]`, made once: what Sigma keyword searches are handed.
        var keywordTexts: (plain: [String], folded: [String])?
        /// Which Sigma needles its folded keyword text holds, when screened.
        var sigmaHits: SigmaScreenHits?

        init(recordNumber: UInt64, eventID: UInt32, provider: String, channel: String, computer: String, level: UInt8, time: Timestamp?,
             fields: [(name: String, value: String)], recovered: Bool, dataText: String?) {
            self.recordNumber = recordNumber
            self.eventID = eventID
            self.provider = provider
            self.channel = channel
            self.computer = computer
            self.level = level
            self.time = time
            self.fields = fields
            self.recovered = recovered
            self.dataText = dataText
            dataTextFolded = nil
        }

        func copy() -> Parts {
            let copy = Parts(recordNumber: recordNumber, eventID: eventID, provider: provider, channel: channel, computer: computer, level: level,
                             time: time, fields: fields, recovered: recovered, dataText: dataText)
            copy.dataTextFolded = dataTextFolded
            copy.keywordTexts = keywordTexts
            copy.sigmaHits = sigmaHits
            return copy
        }
    }

    private var parts: Parts

    /// The parts, copied first when another record shares them.
    private var unique: Parts {
        mutating get {
            if !isKnownUniquelyReferenced(&parts) { parts = parts.copy() }
            return parts
        }
    }

    /// `EventRecordID`.
    public var recordNumber: UInt64 {
        get { parts.recordNumber }
        set { unique.recordNumber = newValue }
    }
    public var eventID: UInt32 {
        get { parts.eventID }
        set { unique.eventID = newValue }
    }
    /// `Provider@Name` (the source name for classic providers: `Service Control Manager`).
    public var provider: String {
        get { parts.provider }
        set { unique.provider = newValue }
    }
    /// `Channel` (`Security`, `Microsoft-Windows-Sysmon/Operational`).
    public var channel: String {
        get { parts.channel }
        set { unique.channel = newValue }
    }
    public var computer: String {
        get { parts.computer }
        set { unique.computer = newValue }
    }
    public var level: UInt8 {
        get { parts.level }
        set { unique.level = newValue }
    }
    /// `TimeCreated@SystemTime`, else the record's written time; UTC.
    public var time: Timestamp? {
        get { parts.time }
        set { unique.time = newValue }
    }
    /// `EventData/Data[@Name]` in order, or `UserData`'s leaf elements by tag; unnamed `Data`
    /// elements are called `Data`.
    public var fields: [(name: String, value: String)] {
        get { parts.fields }
        set {
            let parts = unique
            parts.fields = newValue
            parts.sigmaHits = nil
        }
    }
    /// Read from unallocated chunk space (libevtx's recovered records).
    public var recovered: Bool {
        get { parts.recovered }
        set { unique.recovered = newValue }
    }
    /// `allData`, computed once by the reader: what Sigma keyword searches look in.
    public var dataText: String? {
        get { parts.dataText }
        set {
            let parts = unique
            parts.dataText = newValue
            parts.dataTextFolded = nil
            parts.keywordTexts = nil
            parts.sigmaHits = nil
        }
    }
    /// `dataText` with ASCII letters lower-cased (set with it by the reader): what case-insensitive keywords search.
    public var dataTextFolded: String? { parts.dataTextFolded }

    /// The keyword texts as Sigma is handed them, when `prepareKeywordText` made them.
    var keywordTexts: (plain: [String], folded: [String])? { parts.keywordTexts }

    /// Which needles of `screen` the folded keyword text holds (made with it when missing), for
    /// ``sigmaMayMatch(_:)``.
    mutating func screen(with screen: SigmaScreen) {
        if parts.dataTextFolded == nil { prepareKeywordText() }
        let parts = unique
        guard var folded = parts.dataTextFolded else { return }
        parts.sigmaHits = folded.withUTF8 { screen.scan(folded: $0) }
    }

    /// False only when the record was screened and holds none of the rule's needles.
    func sigmaMayMatch(_ rule: SigmaRule) -> Bool {
        guard let hits = parts.sigmaHits else { return true }
        return rule.mayMatch(hits)
    }

    /// Sets `dataText` (every value joined), its lower-cased form and the keyword texts, once per record.
    public mutating func prepareKeywordText() {
        let (data, folded) = Self.joined(parts.fields)
        let parts = unique
        parts.dataText = data
        parts.dataTextFolded = folded
        parts.keywordTexts = ([data], [folded])
        parts.sigmaHits = nil
    }

    public init(recordNumber: UInt64, eventID: UInt32, provider: String, channel: String, computer: String, level: UInt8 = 4,
                time: Timestamp?, fields: [(name: String, value: String)], recovered: Bool = false) {
        parts = Parts(recordNumber: recordNumber, eventID: eventID, provider: provider, channel: channel, computer: computer, level: level,
                      time: time, fields: fields, recovered: recovered, dataText: nil)
    }

    /// A field by name, ignoring ASCII case. The System values `EventID`, `Provider`, `Channel`,
    /// `Computer`, `Level` come first, and `Data` is every field value joined by ` | `.
    public func value(_ name: String) -> String? {
        // System values first: a UserData field may be called Channel too (System 104).
        if let system = systemValue(name) { return system }
        // Through a buffer: the fields passed over are not retained.
        return parts.fields.withUnsafeBufferPointer { fields in
            for index in fields.indices where Self.same(fields[index].name, name) { return fields[index].value }
            return nil
        }
    }

    /// The System value (or `Data`) called `name`, ignoring ASCII case; nil for other names.
    private func systemValue(_ name: String) -> String? {
        switch name.utf8.count {
        case 4 where Self.same(name, "data"): return dataText ?? allData
        case 5 where Self.same(name, "level"): return String(level)
        case 7 where Self.same(name, "eventid"): return String(eventID)
        case 7 where Self.same(name, "channel"): return channel
        case 8 where Self.same(name, "provider"): return provider
        case 8 where Self.same(name, "computer"): return computer
        default: return nil
        }
    }

    /// Every value joined by ` | ` (as `allData`), and the same with ASCII letters lower-cased: one
    /// pass of byte copies into two strings made at their final size.
    static func joined(_ fields: [(name: String, value: String)]) -> (plain: String, folded: String) {
        var size = 3 * max(0, fields.count - 1)
        for field in fields { size += field.value.utf8.count }
        var folded = ""
        var written = 0
        let plain = String(unsafeUninitializedCapacity: size) { plainBuffer in
            folded = String(unsafeUninitializedCapacity: size) { foldedBuffer in
                var at = 0
                for index in fields.indices {
                    if index > 0 {
                        for byte in " | ".utf8 {
                            plainBuffer[at] = byte
                            foldedBuffer[at] = byte
                            at += 1
                        }
                    }
                    var value = fields[index].value
                    value.withUTF8 { bytes in
                        for byte in bytes {
                            plainBuffer[at] = byte
                            foldedBuffer[at] = (byte &- 65) < 26 ? byte | 0x20 : byte
                            at += 1
                        }
                    }
                }
                written = at
                return at
            }
            return written
        }
        return (plain, folded)
    }

    /// Every field value joined: what a rule matches for classic providers with unnamed data.
    public var allData: String {
        var size = 3 * max(0, fields.count - 1)
        for field in fields { size += field.value.utf8.count }
        var joined = ""
        joined.reserveCapacity(size)
        for index in fields.indices {
            if index > 0 { joined += " | " }
            joined += fields[index].value
        }
        return joined
    }

    /// Equal ignoring ASCII case, compared byte by byte without copying either.
    static func same(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        // Names are usually spelt as the rule spells them: one compare of the bytes.
        if lhs == rhs { return true }
        let answer = lhs.utf8.withContiguousStorageIfAvailable { a in
            rhs.utf8.withContiguousStorageIfAvailable { b in
                for index in 0..<a.count where a[index] != b[index] && ByteSearch.lower(a[index]) != ByteSearch.lower(b[index]) {
                    return false
                }
                return true
            }
        }
        if let answer, let answer { return answer }
        return zip(lhs.utf8, rhs.utf8).allSatisfy { ByteSearch.lower($0) == ByteSearch.lower($1) }
    }
}
