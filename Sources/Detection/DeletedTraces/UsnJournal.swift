import ExTriageCore

/// One record of the NTFS change journal (`$Extend/$UsnJrnl:$J`): `USN_RECORD_V2` or `USN_RECORD_V3`.
///
/// Layout (Microsoft, "USN_RECORD_V2 structure" / "USN_RECORD_V3 structure"), little-endian:
/// RecordLength u32, MajorVersion u16, MinorVersion u16, FileReferenceNumber (8 bytes in V2, 16 in
/// V3), ParentFileReferenceNumber (same), Usn i64, TimeStamp (FILETIME), Reason u32, SourceInfo u32,
/// SecurityId u32, FileAttributes u32, FileNameLength u16, FileNameOffset u16, FileName (UTF-16LE).
public struct UsnRecord: Sendable, Equatable {
    public var majorVersion: UInt16
    /// The file's MFT reference: entry number (low 48 bits) and sequence (high 16 bits).
    public var file: FileReference
    public var parent: FileReference
    public var usn: Int64
    public var timestamp: Timestamp?
    public var reason: UInt32
    public var fileAttributes: UInt32
    public var name: String
    /// Where the record starts in the bytes read (the member), for evidence.
    public var offset: UInt64

    public var isDirectory: Bool { fileAttributes & 0x10 != 0 }
    public func has(_ flag: UsnReason) -> Bool { reason & flag.rawValue != 0 }
}

/// An NTFS file reference: MFT entry number and sequence number.
public struct FileReference: Sendable, Hashable, CustomStringConvertible {
    public var entry: UInt64
    public var sequence: UInt16

    public init(entry: UInt64, sequence: UInt16) {
        self.entry = entry
        self.sequence = sequence
    }

    /// From the 64-bit form (V2, and the low half of V3's 128-bit `FILE_ID_128` on NTFS).
    init(raw: UInt64) { self.init(entry: raw & 0xFFFF_FFFF_FFFF, sequence: UInt16(truncatingIfNeeded: raw >> 48)) }

    /// The root folder's MFT entry (5).
    public var isRoot: Bool { entry == 5 }
    public var description: String { "entry \(entry) seq \(sequence)" }
}

/// The change reasons (`USN_REASON_*`) the analysis names; `names(of:)` spells out any mask.
public enum UsnReason: UInt32, CaseIterable, Sendable {
    case dataOverwrite = 0x1, dataExtend = 0x2, dataTruncation = 0x4
    case namedDataOverwrite = 0x10, namedDataExtend = 0x20, namedDataTruncation = 0x40
    case fileCreate = 0x100, fileDelete = 0x200, eaChange = 0x400, securityChange = 0x800
    case renameOldName = 0x1000, renameNewName = 0x2000, indexableChange = 0x4000, basicInfoChange = 0x8000
    case hardLinkChange = 0x10000, compressionChange = 0x20000, encryptionChange = 0x40000, objectIdChange = 0x80000
    case reparsePointChange = 0x100000, streamChange = 0x200000, transactedChange = 0x400000, integrityChange = 0x800000
    case close = 0x8000_0000

    var label: String {
        switch self {
        case .dataOverwrite: "DATA_OVERWRITE"
        case .dataExtend: "DATA_EXTEND"
        case .dataTruncation: "DATA_TRUNCATION"
        case .namedDataOverwrite: "NAMED_DATA_OVERWRITE"
        case .namedDataExtend: "NAMED_DATA_EXTEND"
        case .namedDataTruncation: "NAMED_DATA_TRUNCATION"
        case .fileCreate: "FILE_CREATE"
        case .fileDelete: "FILE_DELETE"
        case .eaChange: "EA_CHANGE"
        case .securityChange: "SECURITY_CHANGE"
        case .renameOldName: "RENAME_OLD_NAME"
        case .renameNewName: "RENAME_NEW_NAME"
        case .indexableChange: "INDEXABLE_CHANGE"
        case .basicInfoChange: "BASIC_INFO_CHANGE"
        case .hardLinkChange: "HARD_LINK_CHANGE"
        case .compressionChange: "COMPRESSION_CHANGE"
        case .encryptionChange: "ENCRYPTION_CHANGE"
        case .objectIdChange: "OBJECT_ID_CHANGE"
        case .reparsePointChange: "REPARSE_POINT_CHANGE"
        case .streamChange: "STREAM_CHANGE"
        case .transactedChange: "TRANSACTED_CHANGE"
        case .integrityChange: "INTEGRITY_CHANGE"
        case .close: "CLOSE"
        }
    }

    /// `FILE_CREATE|CLOSE`, with unknown bits as hex.
    public static func names(of mask: UInt32) -> String {
        var parts = allCases.filter { mask & $0.rawValue != 0 }.map(\.label)
        let known = allCases.reduce(UInt32(0)) { $0 | $1.rawValue }
        if mask & ~known != 0 { parts.append("0x" + String(mask & ~known, radix: 16)) }
        return parts.isEmpty ? "0" : parts.joined(separator: "|")
    }
}

/// Reads USN records from `$J` bytes fed in chunks, front to back, holding at most one partial
/// record between chunks: memory stays bounded whatever the journal's size.
///
/// Records start on 8-byte boundaries; the zeros between them (the rest of a 4 KiB page, a
/// sparse or cleared range) are skipped. Bytes that are not a plausible V2/V3 record are counted
/// as malformed and skipped 8 at a time until a record starts again; V4 range records
/// (written only with range tracking on) are counted, not decoded. A record cut by the end of
/// the input is counted as truncated.
public struct UsnJournalReader {
    /// The largest record accepted: a 255-character name in a V3 record is 76 + 510 bytes.
    static let maximumRecordLength = 4096

    public private(set) var records = 0
    /// 8-byte steps that held neither zeros nor a record.
    public private(set) var malformed = 0
    public private(set) var unsupported = 0
    public private(set) var truncated = 0
    public private(set) var zeroBytesSkipped: UInt64 = 0

    private var carry: [UInt8] = []
    /// Offset of `carry`'s first byte in the whole input.
    private var carryOffset: UInt64 = 0
    /// Whether the previous 8-byte step was garbage (a run of garbage counts once).
    private var inGarbage = false

    public init() {}

    /// Parses the complete records in `chunk` (after any bytes carried over) and hands each to `body`.
    public mutating func feed(_ chunk: [UInt8], _ body: (UsnRecord) -> Void) {
        if carry.isEmpty {
            let used = chunk.withUnsafeBytes { parse($0, body) }
            carry = Array(chunk[used...])
            carryOffset += UInt64(used)
        } else {
            carry.append(contentsOf: chunk)
            let bytes = carry
            let used = bytes.withUnsafeBytes { parse($0, body) }
            carry.removeFirst(used)
            carryOffset += UInt64(used)
        }
    }

    /// Parses what `raw` holds whole; returns the bytes used (the rest starts a record cut short).
    private mutating func parse(_ raw: UnsafeRawBufferPointer, _ body: (UsnRecord) -> Void) -> Int {
        var position = 0
        while raw.count - position >= 8 {
            let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
            if length == 0 {
                if raw.loadUnaligned(fromByteOffset: position + 4, as: UInt32.self) == 0 {
                    zeroBytesSkipped += 8
                    inGarbage = false
                } else {
                    garbage()
                }
                position += 8
                continue
            }
            let major = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: position + 4, as: UInt16.self))
            guard length >= 8, length % 8 == 0, length <= Self.maximumRecordLength, (2...4).contains(major) else {
                garbage()
                position += 8
                continue
            }
            if raw.count - position < length { break }  // the rest comes with the next chunk
            let record = UnsafeRawBufferPointer(rebasing: raw[position..<position + length])
            if major == 4 {
                unsupported += 1
            } else if let decoded = Self.decode(record, major: major, offset: carryOffset + UInt64(position)) {
                records += 1
                inGarbage = false
                body(decoded)
            } else {
                garbage()
                position += 8
                continue
            }
            position += length
        }
        return position
    }

    /// Ends the input: bytes left over are a record cut short (or trailing garbage).
    public mutating func finish() {
        if carry.contains(where: { $0 != 0 }) { truncated += 1 }
        carry = []
    }

    private mutating func garbage() {
        if !inGarbage { malformed += 1 }
        inGarbage = true
    }

    /// One V2 or V3 record, or nil when its fields do not fit in its length.
    static func decode(_ raw: UnsafeRawBufferPointer, major: UInt16, offset: UInt64) -> UsnRecord? {
        func u16(_ at: Int) -> UInt16 { UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt16.self)) }
        func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        // Offsets of Usn and of FileNameLength; the 128-bit references of V3 add 16 bytes.
        let wide = major == 3
        let base = wide ? 40 : 24
        let header = base + 36
        guard raw.count >= header else { return nil }
        let nameLength = Int(u16(base + 32)), nameOffset = Int(u16(base + 34))
        guard nameLength % 2 == 0, nameOffset >= header, nameOffset + nameLength <= raw.count else { return nil }
        if wide, u64(16) != 0 || u64(32) != 0 { return nil }  // NTFS file ids fit in the low half
        let units = (0..<nameLength / 2).map { u16(nameOffset + $0 * 2) }
        let name = String(decoding: units, as: UTF16.self)
        let filetime = u64(base + 8)
        return UsnRecord(majorVersion: major, file: FileReference(raw: u64(8)), parent: FileReference(raw: u64(wide ? 24 : 16)),
                         usn: Int64(bitPattern: u64(base)), timestamp: timestamp(filetime), reason: u32(base + 16),
                         fileAttributes: u32(base + 28), name: name, offset: offset)
    }

    /// A FILETIME (100 ns since 1601) as a timestamp; nil for 0 or past year 9999.
    static func timestamp(_ filetime: UInt64) -> Timestamp? {
        guard filetime > 0, filetime < 2_650_467_744_000_000_000 else { return nil }
        return Timestamp(seconds: Int64(filetime / 10_000_000) - 11_644_473_600, nanoseconds: Int32(filetime % 10_000_000) * 100)
    }
}
