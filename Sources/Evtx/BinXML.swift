import Foundation
import ExTriageCore

/// Why a record or chunk could not be decoded.
struct EvtxFormatError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Bounds-checked little-endian reads over one chunk, by chunk offset, up to `end`.
struct ChunkReader {
    let chunk: UnsafeRawBufferPointer
    var position: Int
    var end: Int

    init(_ chunk: UnsafeRawBufferPointer, from position: Int, to end: Int) {
        self.chunk = chunk
        self.position = position
        self.end = min(end, chunk.count)
    }

    @inline(__always) mutating func need(_ count: Int) throws {
        guard count >= 0, position >= 0, end - position >= count else { throw EvtxFormatError("binary XML runs past its end at \(position)") }
    }
    @inline(__always) func peek() throws -> UInt8 {
        guard position < end else { throw EvtxFormatError("binary XML ends early at \(position)") }
        return chunk.load(fromByteOffset: position, as: UInt8.self)
    }
    @inline(__always) mutating func u8() throws -> UInt8 {
        try need(1)
        defer { position += 1 }
        return chunk.load(fromByteOffset: position, as: UInt8.self)
    }
    @inline(__always) mutating func u16() throws -> UInt16 {
        try need(2)
        defer { position += 2 }
        return UInt16(littleEndian: chunk.loadUnaligned(fromByteOffset: position, as: UInt16.self))
    }
    @inline(__always) mutating func u32() throws -> UInt32 {
        try need(4)
        defer { position += 4 }
        return UInt32(littleEndian: chunk.loadUnaligned(fromByteOffset: position, as: UInt32.self))
    }
    @inline(__always) mutating func skip(_ count: Int) throws {
        try need(count)
        position += count
    }
}

/// A BinXML node as parsed from a template definition or fragment.
enum XNode {
    case element(XElement)
    case text(String)
    /// A substitution: value index, optional (0x0E: left out with its element when null).
    case substitution(Int, optional: Bool)
    /// A template instance inside a fragment (nested BinXML): the template and its values.
    case instance(Template, ValueTable)
}

final class XElement {
    let name: String
    let attributes: [(name: String, value: [XNode])]
    let children: [XNode]
    init(name: String, attributes: [(name: String, value: [XNode])], children: [XNode]) {
        self.name = name
        self.attributes = attributes
        self.children = children
    }
}

/// A parsed template definition with the places of the System values worked out once.
final class Template {
    let nodes: [XNode]
    var eventID: [XNode]?
    var qualifiers: [XNode]?
    var providerName: [XNode]?
    var eventSourceName: [XNode]?
    var level: [XNode]?
    var channel: [XNode]?
    var computer: [XNode]?
    var timeCreated: [XNode]?
    /// The nodes after `System` in the root element: where the fields are; nil without a System.
    var payload: [XNode]?
    /// The provider name in lower case when it is literal text in the template.
    var literalProviderLowercased: String?

    init(nodes: [XNode]) {
        self.nodes = nodes
        guard let root = nodes.lazy.compactMap({ node -> XElement? in if case .element(let element) = node { return element }; return nil }).first,
              let systemIndex = root.children.firstIndex(where: { if case .element(let element) = $0 { return element.name == "System" }; return false }),
              case .element(let system) = root.children[systemIndex] else { return }
        payload = Array(root.children[(systemIndex + 1)...])
        for case .element(let element) in system.children {
            switch element.name {
            case "Provider":
                providerName = element.attributes.first { $0.name == "Name" }?.value
                eventSourceName = element.attributes.first { $0.name == "EventSourceName" }?.value
            case "EventID":
                eventID = element.children
                qualifiers = element.attributes.first { $0.name == "Qualifiers" }?.value
            case "Level": level = element.children
            case "Channel": channel = element.children
            case "Computer": computer = element.children
            case "TimeCreated": timeCreated = element.attributes.first { $0.name == "SystemTime" }?.value
            default: break
            }
        }
        let provider = providerName ?? eventSourceName
        if let provider, provider.allSatisfy({ if case .text = $0 { return true }; return false }) {
            literalProviderLowercased = provider.map { if case .text(let text) = $0 { return text }; return "" }.joined().lowercased()
        }
    }
}

/// One chunk's decoding state: its names and templates by offset, limits, reusable buffers.
struct ChunkContext {
    let chunk: UnsafeRawBufferPointer
    private var names: [Int: String] = [:]
    private var templates: [Int: Template] = [:]
    private var compiling: Set<Int> = []
    var scratch = [UInt16](repeating: 0, count: 256)
    /// System values that repeat from record to record, by slot: the last one's bytes and text.
    enum MemoSlot: Int { case provider, channel, computer }
    var memos: [(entry: ValueTable.Entry, text: String)?] = [nil, nil, nil]
    /// Work left for the record being decoded (nodes visited, bytes of input rendered and of
    /// output held: about a byte each).
    var budget = 0
    /// Work left for the whole chunk: however many small records reuse one template, together
    /// they produce and hold at most `chunkBudget` units.
    private(set) var chunkLeft = ChunkContext.chunkBudget

    static let maximumDepth = 48
    static let maximumNesting = 8
    static let recordBudget = 4 << 20
    /// A 64 KiB chunk of real events renders to well under 2 MiB of fields.
    static let chunkBudget = 8 << 20
    /// What one field and one record cost beyond their characters (array slots, string headers).
    static let fieldCost = 96
    static let recordCost = 256

    init(chunk: UnsafeRawBufferPointer) { self.chunk = chunk }

    /// Units spent on the chunk so far (never more than `chunkBudget` is kept: the record that
    /// overran is dropped).
    var chunkSpent: Int { min(Self.chunkBudget, Self.chunkBudget - chunkLeft) }

    @inline(__always) mutating func spend(_ amount: Int) throws {
        budget -= amount
        chunkLeft -= amount
        guard budget >= 0 else { throw EvtxFormatError("record expands beyond \(Self.recordBudget) units") }
        guard chunkLeft >= 0 else { throw EvtxFormatError("chunk expands beyond \(Self.chunkBudget) units") }
    }

    /// A name structure (next offset, hash, count, UTF-16, NUL) at a chunk offset.
    mutating func name(at offset: Int) throws -> String {
        if let name = names[offset] { return name }
        guard offset >= 0, offset + 8 <= chunk.count else { throw EvtxFormatError("name offset \(offset) outside the chunk") }
        let count = Int(ValueText.unsigned(chunk, offset + 6, 2))
        guard offset + 8 + 2 * count <= chunk.count else { throw EvtxFormatError("name at \(offset) runs past the chunk") }
        let name = ValueText.utf16(chunk, offset + 8, 2 * count, scratch: &scratch)
        names[offset] = name
        return name
    }

    /// A name reference in the token stream: the name follows inline when the offset points just past it.
    mutating func readName(_ reader: inout ChunkReader) throws -> String {
        let offset = Int(try reader.u32())
        let name = try self.name(at: offset)
        if offset == reader.position {
            try reader.skip(4 + 2)
            let count = Int(try reader.u16())
            try reader.skip(2 * count + 2)
        }
        return name
    }

    /// The template defined at `offset` (parsed once per chunk).
    mutating func template(at offset: Int, depth: Int) throws -> Template {
        if let template = templates[offset] { return template }
        guard depth < Self.maximumNesting, !compiling.contains(offset) else { throw EvtxFormatError("template at \(offset) refers to itself") }
        guard offset >= 512, offset + 24 <= chunk.count else { throw EvtxFormatError("template offset \(offset) outside the chunk") }
        let size = Int(ValueText.unsigned(chunk, offset + 20, 4))
        guard size <= chunk.count - offset - 24 else { throw EvtxFormatError("template at \(offset) runs past the chunk") }
        compiling.insert(offset)
        defer { compiling.remove(offset) }
        var reader = ChunkReader(chunk, from: offset + 24, to: offset + 24 + size)
        let nodes = try parseNodes(&reader, depth: 0, nesting: depth + 1, inElement: false, dependencyIDs: true)
        let template = Template(nodes: nodes)
        templates[offset] = template
        return template
    }

    /// Tokens up to the end element (`inElement`) or the end of the fragment.
    mutating func parseNodes(_ reader: inout ChunkReader, depth: Int, nesting: Int, inElement: Bool, dependencyIDs: Bool) throws -> [XNode] {
        guard depth < Self.maximumDepth else { throw EvtxFormatError("elements nested deeper than \(Self.maximumDepth)") }
        var nodes: [XNode] = []
        while true {
            if !inElement, reader.position >= reader.end { return nodes }
            let token = try reader.u8()
            switch token & 0xBF {
            case 0x00:
                if inElement { throw EvtxFormatError("end of stream inside an element") }
                return nodes
            case 0x01:
                nodes.append(.element(try parseElement(&reader, token: token, depth: depth, nesting: nesting, dependencyIDs: dependencyIDs)))
            case 0x04:
                if inElement { return nodes }
                throw EvtxFormatError("end element outside an element at \(reader.position - 1)")
            case 0x05, 0x07, 0x08, 0x09, 0x0D, 0x0E:
                nodes.append(try parseValueToken(&reader, token: token))
            case 0x0A:
                _ = try readName(&reader)
            case 0x0B:
                let count = Int(try reader.u16())
                try reader.skip(2 * count)
            case 0x0C:
                let (template, values) = try parseInstance(&reader, nesting: nesting)
                nodes.append(.instance(template, values))
            case 0x0F:
                try reader.skip(3)
            default:
                throw EvtxFormatError(String(format: "unknown binary XML token 0x%02x at %d", token, reader.position - 1))
            }
        }
    }

    @inline(__always) static func isValueToken(_ token: UInt8) -> Bool {
        switch token & 0xBF {
        case 0x05, 0x08, 0x09, 0x0D, 0x0E: return true
        default: return false
        }
    }

    /// A value, CDATA, character or entity reference, or substitution token (the token byte already read).
    mutating func parseValueToken(_ reader: inout ChunkReader, token: UInt8) throws -> XNode {
        switch token & 0xBF {
        case 0x05:
            let type = try reader.u8()
            guard type == 0x01 else { throw EvtxFormatError("value token of type 0x\(String(type, radix: 16)) at \(reader.position)") }
            fallthrough
        case 0x07:
            let count = Int(try reader.u16())
            try reader.need(2 * count)
            let text = ValueText.utf16(chunk, reader.position, 2 * count, scratch: &scratch)
            reader.position += 2 * count
            return .text(text)
        case 0x08:
            let value = try reader.u16()
            return .text(Unicode.Scalar(value).map { String(Character($0)) } ?? "")
        case 0x09:
            let name = try readName(&reader)
            switch name {
            case "amp": return .text("&")
            case "lt": return .text("<")
            case "gt": return .text(">")
            case "quot": return .text("\"")
            case "apos": return .text("'")
            default: return .text("&" + name + ";")
            }
        default:
            let index = Int(try reader.u16())
            _ = try reader.u8()
            return .substitution(index, optional: token & 0xBF == 0x0E)
        }
    }

    mutating func parseElement(_ reader: inout ChunkReader, token: UInt8, depth: Int, nesting: Int, dependencyIDs: Bool) throws -> XElement {
        if dependencyIDs { try reader.skip(2) }
        _ = try reader.u32()
        let name = try readName(&reader)
        var attributes: [(name: String, value: [XNode])] = []
        if token & 0x40 != 0 {
            _ = try reader.u32()
            while try reader.peek() & 0xBF == 0x06 {
                reader.position += 1
                let attribute = try readName(&reader)
                var value: [XNode] = []
                while Self.isValueToken(try reader.peek()) {
                    let valueToken = try reader.u8()
                    value.append(try parseValueToken(&reader, token: valueToken))
                }
                attributes.append((attribute, value))
            }
        }
        let close = try reader.u8()
        switch close {
        case 0x02:
            let children = try parseNodes(&reader, depth: depth + 1, nesting: nesting, inElement: true, dependencyIDs: dependencyIDs)
            return XElement(name: name, attributes: attributes, children: children)
        case 0x03:
            return XElement(name: name, attributes: attributes, children: [])
        default:
            throw EvtxFormatError(String(format: "element %@ not closed (token 0x%02x)", name, close))
        }
    }

    /// A template instance (the 0x0C token already read): its template and its values' places.
    mutating func parseInstance(_ reader: inout ChunkReader, nesting: Int) throws -> (Template, ValueTable) {
        try reader.skip(1 + 4)
        let definition = Int(try reader.u32())
        if definition == reader.position {
            try reader.skip(4 + 16)
            let size = Int(try reader.u32())
            try reader.skip(size)
        }
        let count = Int(try reader.u32())
        guard count <= (reader.end - reader.position) / 4 else { throw EvtxFormatError("\(count) substitution values cannot fit") }
        var values = ValueTable()
        values.entries.reserveCapacity(count)
        var descriptor = reader.position
        reader.position += 4 * count
        for _ in 0..<count {
            let size = Int(ValueText.unsigned(chunk, descriptor, 2))
            let type = chunk.load(fromByteOffset: descriptor + 2, as: UInt8.self)
            descriptor += 4
            try reader.need(size)
            values.entries.append(.init(offset: reader.position, size: size, type: type))
            reader.position += size
        }
        let template = try self.template(at: definition, depth: nesting)
        return (template, values)
    }
}
