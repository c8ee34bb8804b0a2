import ExTriageCore

/// One event to write: the System values libevtx reads, and the event data as named `Data`
/// elements (or, with `userDataRoot`, as child elements of `UserData/<root>`).
public struct EvtxEvent: Sendable {
    public var eventID: UInt16
    public var provider: String
    public var channel: String
    public var computer: String
    public var time: Timestamp
    public var level: UInt8
    /// Named event data in order; a name of "" writes an unnamed `<Data>` (classic providers).
    public var data: [(name: String, value: String)]
    /// When set, the fields go under `<UserData><root>...</root></UserData>` (1102, 1149, ...).
    public var userDataRoot: String?
    /// Typed event data, written after `data` as `<Data Name=...>` with a substitution of the value's type.
    public var typed: [(name: String, value: EvtxValue)] = []
    /// Hostile amplification: `fanOut` more `<Data>` elements, each referring four times to the
    /// first data value, so a small record expands through its (shared) template.
    public var fanOut = 0

    public init(eventID: UInt16, provider: String, channel: String, computer: String = "EXCH01.corp.local",
                time: Timestamp, level: UInt8 = 4, data: [(name: String, value: String)] = [], userDataRoot: String? = nil) {
        self.eventID = eventID
        self.provider = provider
        self.channel = channel
        self.computer = computer
        self.time = time
        self.level = level
        self.data = data
        self.userDataRoot = userDataRoot
    }
}

/// A typed substitution value, for writing every BinXML value type.
public indirect enum EvtxValue: Sendable {
    case null
    case string(String)
    case ansi(String)
    case int8(Int8), uint8(UInt8), int16(Int16), uint16(UInt16), int32(Int32), uint32(UInt32), int64(Int64), uint64(UInt64)
    case real32(Float), real64(Double)
    case bool(Bool)
    case binary([UInt8])
    /// 16 bytes as stored (Data1..3 little-endian).
    case guid([UInt8])
    case sizeT(UInt64)
    case filetime(UInt64)
    /// Year, month, day of week, day, hour, minute, second, milliseconds.
    case systemtime([UInt16])
    /// `S-1-5-21-...`.
    case sid(String)
    case hex32(UInt32), hex64(UInt64)
    /// An array of one scalar type (the element type's code without 0x80), e.g. `.array(0x01, [.string("a"), .string("b")])`.
    case array(UInt8, [EvtxValue])
    /// Nested binary XML (type 0x21): one element per pair, `<name>value</name>`, inside `<root>`.
    case binXML(root: String, [(String, String)])

    var type: UInt8 {
        switch self {
        case .null: 0x00
        case .string: 0x01
        case .ansi: 0x02
        case .int8: 0x03
        case .uint8: 0x04
        case .int16: 0x05
        case .uint16: 0x06
        case .int32: 0x07
        case .uint32: 0x08
        case .int64: 0x09
        case .uint64: 0x0A
        case .real32: 0x0B
        case .real64: 0x0C
        case .bool: 0x0D
        case .binary: 0x0E
        case .guid: 0x0F
        case .sizeT: 0x10
        case .filetime: 0x11
        case .systemtime: 0x12
        case .sid: 0x13
        case .hex32: 0x14
        case .hex64: 0x15
        case .array(let type, _): 0x80 | type
        case .binXML: 0x21
        }
    }

    /// The value's bytes; nested binary XML needs its chunk offset (names are inline, by offset).
    func bytes(at base: Int) -> [UInt8] {
        switch self {
        case .null: return []
        case .string(let text): return BinaryXML.utf16(text)
        case .ansi(let text): return Array(text.utf8) + [0]
        case .int8(let value): return le(UInt64(UInt8(bitPattern: value)), 1)
        case .uint8(let value): return [value]
        case .int16(let value): return le(UInt64(UInt16(bitPattern: value)), 2)
        case .uint16(let value): return le(UInt64(value), 2)
        case .int32(let value): return le(UInt64(UInt32(bitPattern: value)), 4)
        case .uint32(let value): return le(UInt64(value), 4)
        case .int64(let value): return le(UInt64(bitPattern: value), 8)
        case .uint64(let value): return le(value, 8)
        case .real32(let value): return le(UInt64(value.bitPattern), 4)
        case .real64(let value): return le(value.bitPattern, 8)
        case .bool(let value): return le(value ? 1 : 0, 4)
        case .binary(let bytes), .guid(let bytes): return bytes
        case .sizeT(let value): return le(value, 8)
        case .filetime(let value): return le(value, 8)
        case .systemtime(let fields): return fields.flatMap { le(UInt64($0), 2) }
        case .sid(let text):
            let parts = text.split(separator: "-").dropFirst().compactMap { UInt64($0) }
            let subs = parts.dropFirst(2)
            return [UInt8(parts.first ?? 1), UInt8(subs.count)] + (0..<6).map { UInt8(truncatingIfNeeded: (parts.dropFirst().first ?? 0) >> (8 * UInt64(5 - $0))) }
                + subs.flatMap { le($0, 4) }
        case .hex32(let value): return le(UInt64(value), 4)
        case .hex64(let value): return le(value, 8)
        case .array(let type, let items):
            if type == 0x01 { return items.flatMap { $0.bytes(at: 0) + [0, 0] } }
            return items.flatMap { $0.bytes(at: 0) }
        case .binXML(let root, let pairs):
            // A fragment of its own: header, elements without dependency identifiers, end of stream.
            var out: [UInt8] = [0x0F, 0x01, 0x01, 0x00]
            BinaryXML.Node.element(root, [], pairs.map { .element($0.0, [], [.text($0.1)]) }).encode(into: &out, base: base, dependencyIDs: false)
            out.append(0x00)
            return out
        }
    }
}

/// Writes real EVTX files: a file header, 64 KiB chunks with their checksums, and records whose
/// binary XML is a template instance with an inline template definition and typed substitution
/// values, the shape Windows writes, so that libevtx and `evtxexport` read them back.
///
/// Layout from the libyal format notes ("Windows XML Event Log (EVTX) format").
public enum EvtxWriter {
    static let chunkSize = 65_536
    static let chunkHeaderSize = 512

    /// The whole file; record numbers start at `firstRecord`. `dirty` sets the header flag a log
    /// copied from a live system carries.
    /// With `shareTemplates`, records of the same shape in a chunk reuse the first one's template
    /// definition, as Windows does; otherwise every record carries its own.
    public static func write(_ events: [EvtxEvent], firstRecord: UInt64 = 1, dirty: Bool = false, shareTemplates: Bool = false) -> [UInt8] {
        var chunks: [[UInt8]] = []
        var pending: [(id: UInt64, bytes: [UInt8])] = []
        var pendingSize = 0
        var definitions: [String: Int] = [:]
        var recordID = firstRecord
        var lastRecordID = firstRecord
        func flush() {
            guard !pending.isEmpty else { return }
            chunks.append(chunk(pending))
            pending.removeAll()
            pendingSize = 0
            definitions.removeAll()
        }
        for event in events {
            // Offsets in the binary XML are chunk-relative, so a record is built for its place.
            let shape = shareTemplates ? BinaryXML.shape(event) : nil
            var record = self.record(event, id: recordID, at: chunkHeaderSize + pendingSize, shape: shape, definitions: &definitions)
            // Never fill a chunk to its last byte: libevtx drops a record that ends exactly there.
            if chunkHeaderSize + pendingSize + record.count >= chunkSize {
                flush()
                record = self.record(event, id: recordID, at: chunkHeaderSize, shape: shape, definitions: &definitions)
            }
            pending.append((recordID, record))
            pendingSize += record.count
            lastRecordID = recordID
            recordID += 1
        }
        flush()
        if chunks.isEmpty { chunks.append(emptyChunk()) }
        var header = [UInt8](repeating: 0, count: 4096)
        header.put(Array("ElfFile\0".utf8), at: 0)
        header.put64(0, at: 8)
        header.put64(UInt64(chunks.count - 1), at: 16)
        header.put64(events.isEmpty ? firstRecord : lastRecordID + 1, at: 24)
        header.put32(128, at: 32)
        header.put16(1, at: 36)
        header.put16(3, at: 38)
        header.put16(4096, at: 40)
        header.put16(UInt16(chunks.count), at: 42)
        header.put32(dirty ? 1 : 0, at: 120)
        header.put32(CRC32.checksum(header[0..<120]), at: 124)
        return header + chunks.flatMap { $0 }
    }

    static func emptyChunk() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: chunkSize)
        bytes.put(Array("ElfChnk\0".utf8), at: 0)
        bytes.put32(128, at: 40)
        bytes.put32(UInt32(chunkHeaderSize), at: 48)
        bytes.put32(CRC32.checksum(bytes[512..<512]), at: 52)
        bytes.put32(CRC32.checksum(bytes[0..<120] + bytes[128..<512]), at: 124)
        return bytes
    }

    static func chunk(_ records: [(id: UInt64, bytes: [UInt8])]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: chunkSize)
        bytes.put(Array("ElfChnk\0".utf8), at: 0)
        let first = records[0].id
        let last = records[records.count - 1].id
        bytes.put64(first, at: 8)
        bytes.put64(last, at: 16)
        bytes.put64(first, at: 24)
        bytes.put64(last, at: 32)
        bytes.put32(128, at: 40)
        var offset = chunkHeaderSize
        var lastOffset = offset
        for record in records {
            lastOffset = offset
            bytes.put(record.bytes, at: offset)
            offset += record.bytes.count
        }
        bytes.put32(UInt32(lastOffset), at: 44)
        bytes.put32(UInt32(offset), at: 48)
        bytes.put32(CRC32.checksum(bytes[chunkHeaderSize..<offset]), at: 52)
        bytes.put32(CRC32.checksum(bytes[0..<120] + bytes[128..<512]), at: 124)
        return bytes
    }

    /// A record (`**\0\0`, size, id, written time, binary XML, size again) placed at `offset` in its chunk.
    static func record(_ event: EvtxEvent, id: UInt64, at offset: Int, shape: String? = nil, definitions: inout [String: Int]) -> [UInt8] {
        let shared = shape.flatMap { definitions[$0] }
        let (xml, definition) = BinaryXML.event(event, recordID: id, at: offset + 24, shape: shape, sharedDefinition: shared)
        if let shape, shared == nil { definitions[shape] = definition }
        var bytes: [UInt8] = [0x2A, 0x2A, 0, 0]
        var padded = xml
        while (24 + padded.count + 4) % 8 != 0 { padded.append(0) }
        let size = UInt32(24 + padded.count + 4)
        bytes.append32(size)
        bytes.append64(id)
        bytes.append64(filetime(event.time))
        bytes += padded
        bytes.append32(size)
        return bytes
    }

    /// 100 ns intervals since 1601-01-01.
    public static func filetime(_ time: Timestamp) -> UInt64 {
        UInt64(time.seconds + 11_644_473_600) * 10_000_000 + UInt64(time.nanoseconds / 100)
    }
}

/// Binary XML for one event: fragment header, template instance with its definition inline, values.
enum BinaryXML {
    enum ValueType: UInt8 {
        case string = 0x01, uint8 = 0x04, uint16 = 0x06, uint64 = 0x0A, filetime = 0x11
    }
    typealias RawType = UInt8

    /// `base` is the chunk offset where these bytes start (names and the definition are inline,
    /// referenced by their own offsets).
    /// What makes two events share a template: ID, provider, field names, payload kind.
    static func shape(_ event: EvtxEvent) -> String {
        "\(event.eventID)|\(event.provider)|\(event.userDataRoot ?? "")|\(event.fanOut)|" + event.data.map(\.name).joined(separator: "|")
            + "|" + event.typed.map { "\($0.name):\($0.value.type)" }.joined(separator: "|")
    }

    /// The bytes, and where the template definition is (inline here, or `sharedDefinition`).
    static func event(_ event: EvtxEvent, recordID: UInt64, at base: Int, shape: String? = nil, sharedDefinition: Int? = nil) -> ([UInt8], Int) {
        var values: [(UInt8, EvtxValue)] = []
        func substitution(_ type: ValueType, _ data: [UInt8]) -> Node {
            values.append((type.rawValue, .binary(data)))
            return .substitution(UInt16(values.count - 1), type.rawValue)
        }
        func typedSubstitution(_ value: EvtxValue) -> Node {
            values.append((value.type, value))
            return .substitution(UInt16(values.count - 1), value.type)
        }
        let provider = substitution(.string, utf16(event.provider))
        let eventID = substitution(.uint16, le(UInt64(event.eventID), 2))
        let level = substitution(.uint8, [event.level])
        let time = substitution(.filetime, le(EvtxWriter.filetime(event.time), 8))
        let record = substitution(.uint64, le(recordID, 8))
        let channel = substitution(.string, utf16(event.channel))
        let computer = substitution(.string, utf16(event.computer))
        let system = Node.element("System", [], [
            .element("Provider", [("Name", provider)], []),
            .element("EventID", [], [eventID]),
            .element("Level", [], [level]),
            .element("TimeCreated", [("SystemTime", time)], []),
            .element("EventRecordID", [], [record]),
            .element("Channel", [], [channel]),
            .element("Computer", [], [computer]),
        ])
        var fields: [Node] = []
        var firstContent: Node?
        for (name, value) in event.data {
            let content = substitution(.string, utf16(value))
            if firstContent == nil { firstContent = content }
            if event.userDataRoot != nil {
                fields.append(.element(name, [], [content]))
            } else if name.isEmpty {
                fields.append(.element("Data", [], [content]))
            } else {
                fields.append(.element("Data", [("Name", .text(name))], [content]))
            }
        }
        if event.fanOut > 0, let reference = firstContent {
            for _ in 0..<event.fanOut { fields.append(.element("Data", [], [reference, reference, reference, reference])) }
        }
        for (name, value) in event.typed {
            fields.append(.element("Data", [("Name", .text(name))], [typedSubstitution(value)]))
        }
        let payload: Node = event.userDataRoot.map { .element("UserData", [], [.element($0, [], fields)]) }
            ?? .element("EventData", [], fields)
        let root = Node.element("Event", [("xmlns", .text("http://schemas.microsoft.com/win/2004/08/events/event"))], [system, payload])

        let templateID = shape.map { CRC32.checksum(Array($0.utf8)) } ?? UInt32(truncatingIfNeeded: recordID &* 2_654_435_761)
        var out: [UInt8] = [0x0F, 0x01, 0x01, 0x00]
        out += [0x0C, 0x01]
        out.append32(templateID)
        let definitionOffset = sharedDefinition ?? base + out.count + 4
        out.append32(UInt32(definitionOffset))
        if sharedDefinition == nil {
            // Template definition: next offset, GUID, data size, then the fragment.
            var fragment: [UInt8] = [0x0F, 0x01, 0x01, 0x00]
            let fragmentBase = definitionOffset + 24
            root.encode(into: &fragment, base: fragmentBase)
            fragment.append(0x00)
            out.append32(0)
            var guid = [UInt8](repeating: 0, count: 16)
            guid.replaceSubrange(0..<4, with: le(UInt64(templateID), 4))
            out += guid
            out.append32(UInt32(fragment.count))
            out += fragment
        }
        out.append32(UInt32(values.count))
        // Value bytes follow the descriptors; nested binary XML is encoded for its final place.
        var position = base + out.count + 4 * values.count
        var encoded: [[UInt8]] = []
        for (_, value) in values {
            let bytes = value.bytes(at: position)
            encoded.append(bytes)
            position += bytes.count
        }
        for ((type, _), data) in zip(values, encoded) {
            out += le(UInt64(data.count), 2)
            out += [type, 0]
        }
        for data in encoded { out += data }
        out.append(0x00)  // end of the record's fragment
        return (out, definitionOffset)
    }

    indirect enum Node {
        case element(String, [(String, Node)], [Node])
        case text(String)
        case substitution(UInt16, UInt8)

        func encode(into out: inout [UInt8], base: Int, dependencyIDs: Bool = true) {
            switch self {
            case .text(let text):
                out.append(0x05)
                out.append(0x01)
                out += le(UInt64(text.utf16.count), 2)
                out += utf16(text)
            case .substitution(let index, let type):
                out.append(0x0D)
                out += le(UInt64(index), 2)
                out.append(type)
            case .element(let name, let attributes, let children):
                let start = out.count
                out.append(attributes.isEmpty ? 0x01 : 0x41)
                if dependencyIDs { out += [0xFF, 0xFF] }
                let sizeAt = out.count
                out.append32(0)
                appendName(name, into: &out, base: base)
                if !attributes.isEmpty {
                    let listSizeAt = out.count
                    out.append32(0)
                    let listStart = out.count
                    for (index, (attribute, value)) in attributes.enumerated() {
                        out.append(index == attributes.count - 1 ? 0x06 : 0x46)
                        appendName(attribute, into: &out, base: base)
                        value.encode(into: &out, base: base, dependencyIDs: dependencyIDs)
                    }
                    out.put32(UInt32(out.count - listStart), at: listSizeAt)
                }
                if children.isEmpty {
                    out.append(0x03)
                } else {
                    out.append(0x02)
                    for child in children { child.encode(into: &out, base: base, dependencyIDs: dependencyIDs) }
                    out.append(0x04)
                }
                _ = start
                out.put32(UInt32(out.count - sizeAt - 4), at: sizeAt)
            }
        }

        /// A name offset pointing just past itself: the name structure follows inline.
        func appendName(_ name: String, into out: inout [UInt8], base: Int) {
            out.append32(UInt32(base + out.count + 4))
            out.append32(0)
            var hash: UInt32 = 0
            for unit in name.utf16 { hash = hash &* 65599 &+ UInt32(unit) }
            out += le(UInt64(hash & 0xFFFF), 2)
            out += le(UInt64(name.utf16.count), 2)
            out += utf16(name)
            out += [0, 0]
        }
    }

    static func utf16(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf16.count * 2)
        for unit in text.utf16 { out += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        return out
    }
}

func le(_ value: UInt64, _ count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
}

extension [UInt8] {
    mutating func append32(_ value: UInt32) { self += le(UInt64(value), 4) }
    mutating func append64(_ value: UInt64) { self += le(value, 8) }
    mutating func put(_ bytes: [UInt8], at offset: Int) { replaceSubrange(offset..<offset + bytes.count, with: bytes) }
    mutating func put16(_ value: UInt16, at offset: Int) { put(le(UInt64(value), 2), at: offset) }
    mutating func put32(_ value: UInt32, at offset: Int) { put(le(UInt64(value), 4), at: offset) }
    mutating func put64(_ value: UInt64, at offset: Int) { put(le(value, 8), at: offset) }
}

/// CRC-32 (IEEE, reflected), as EVTX headers and chunks use.
public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 != 0 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }
}
