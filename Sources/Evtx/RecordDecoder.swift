import Foundation
import ExTriageCore

/// Decodes one record's binary XML into an `EvtxRecord`, as far as the pre-filter needs.
extension ChunkContext {
    enum Outcome {
        /// Counted; `record` is set when the pre-filter wanted it.
        case decoded(number: UInt64, time: Timestamp?, record: EvtxRecord?)
        case failed(String)
    }

    /// The record at `offset` with `size` bytes (framing already checked).
    mutating func decodeRecord(at offset: Int, size: Int, recovered: Bool, options: EvtxOptions) -> Outcome {
        let number = ValueText.unsigned(chunk, offset + 8, 8)
        let written = Self.timestamp(filetime: ValueText.unsigned(chunk, offset + 16, 8))
        budget = Self.recordBudget
        do {
            var reader = ChunkReader(chunk, from: offset + 24, to: offset + size - 4)
            var template: Template
            var values = ValueTable.empty
            // Fragment header, then (as Windows writes) a template instance; anything else is read as plain elements.
            guard try reader.u8() == 0x0F else { throw EvtxFormatError("no fragment header") }
            try reader.skip(3)
            if try reader.peek() == 0x0C {
                reader.position += 1
                (template, values) = try parseInstance(&reader, nesting: 0)
            } else {
                template = Template(nodes: try parseNodes(&reader, depth: 0, nesting: 1, inElement: false, dependencyIDs: false))
            }
            let eventID = UInt32(truncatingIfNeeded: try integer(template.eventID, values) ?? 0)
            let providerLowercased: String
            if !options.wantsProvider {
                providerLowercased = ""
            } else if let literal = template.literalProviderLowercased {
                providerLowercased = literal
            } else {
                providerLowercased = try text(template.providerName ?? template.eventSourceName, values, memo: .provider)?.lowercased() ?? ""
            }
            guard options.wants(eventID, providerLowercased) else { return .decoded(number: number, time: written, record: nil) }
            let provider = try text(template.providerName, values, memo: .provider) ?? text(template.eventSourceName, values, memo: .provider) ?? ""
            let created = try timeCreated(template.timeCreated, values)
            var fields: [(name: String, value: String)] = []
            fields.reserveCapacity(values.entries.count)
            if let payload = template.payload { try collect(payload, values, nesting: 0, into: &fields) }
            try spend(Self.recordCost + provider.utf8.count)
            let record = EvtxRecord(
                recordNumber: number, eventID: eventID,
                qualifiers: try integer(template.qualifiers, values).map { UInt16(truncatingIfNeeded: $0) },
                provider: provider, channel: try text(template.channel, values, memo: .channel) ?? "",
                computer: try text(template.computer, values, memo: .computer) ?? "",
                level: UInt8(truncatingIfNeeded: try integer(template.level, values) ?? 0),
                time: created ?? written, writtenTime: written, fields: fields, recovered: recovered)
            return .decoded(number: number, time: record.time, record: record)
        } catch {
            return .failed("record \(number): \(error)")
        }
    }

    static func timestamp(filetime: UInt64) -> Timestamp? {
        guard filetime > 0 else { return nil }
        let seconds = Int64(filetime / 10_000_000) - 11_644_473_600
        return Timestamp(seconds: seconds, nanoseconds: Int32(filetime % 10_000_000) * 100)
    }

    /// A System value as text; nil when absent or when it is only null optional substitutions.
    /// With `memo`, a value whose bytes equal the last one rendered for that slot (the same
    /// provider, channel or computer in record after record) is that string again, not a new one.
    mutating func text(_ parts: [XNode]?, _ values: ValueTable, memo: MemoSlot? = nil) throws -> String? {
        guard let parts else { return nil }
        if parts.count == 1 {
            switch parts[0] {
            case .text(let text): return text
            case .substitution(let index, let optional):
                guard let entry = values.entry(index) else { return optional ? nil : "" }
                if optional, entry.type == 0 { return nil }
                try spend(entry.size + 1)
                guard let memo else { return ValueText.render(chunk, entry, scratch: &scratch) }
                if let last = memos[memo.rawValue], last.entry.type == entry.type, last.entry.size == entry.size,
                   memcmp(chunk.baseAddress! + last.entry.offset, chunk.baseAddress! + entry.offset, entry.size) == 0 {
                    return last.text
                }
                let text = ValueText.render(chunk, entry, scratch: &scratch)
                memos[memo.rawValue] = (entry, text)
                return text
            default: break
            }
        }
        return try joined(parts, values, item: nil)
    }

    /// A System value as an unsigned integer: read directly from an integer substitution, else parsed from text.
    mutating func integer(_ parts: [XNode]?, _ values: ValueTable) throws -> UInt64? {
        guard let parts else { return nil }
        if parts.count == 1, case .substitution(let index, _) = parts[0], let entry = values.entry(index) {
            switch entry.type {
            case 0x04, 0x03: return entry.size >= 1 ? ValueText.unsigned(chunk, entry.offset, 1) : nil
            case 0x06, 0x05: return entry.size >= 2 ? ValueText.unsigned(chunk, entry.offset, 2) : nil
            case 0x08, 0x07, 0x14: return entry.size >= 4 ? ValueText.unsigned(chunk, entry.offset, 4) : nil
            case 0x0A, 0x09, 0x15: return entry.size >= 8 ? ValueText.unsigned(chunk, entry.offset, 8) : nil
            default: break
            }
        }
        guard let text = try text(parts, values) else { return nil }
        return UInt64(text.trimmingCharacters(in: .whitespaces))
    }

    mutating func timeCreated(_ parts: [XNode]?, _ values: ValueTable) throws -> Timestamp? {
        guard let parts else { return nil }
        if parts.count == 1, case .substitution(let index, _) = parts[0], let entry = values.entry(index), entry.type == 0x11, entry.size >= 8 {
            return Self.timestamp(filetime: ValueText.unsigned(chunk, entry.offset, 8))
        }
        return try text(parts, values).flatMap { Timestamp(iso8601: $0) }
    }

    static let containers: Set<String> = ["EventData", "UserData", "Event"]

    /// Leaf elements in document order become fields (see `EvtxRecord.fields`).
    mutating func collect(_ nodes: [XNode], _ values: ValueTable, nesting: Int, into fields: inout [(name: String, value: String)]) throws {
        for node in nodes {
            try spend(1)
            switch node {
            case .element(let element):
                try collectElement(element, values, nesting: nesting, into: &fields)
            case .substitution(let index, _):
                guard let entry = values.entry(index), entry.type == 0x21 else { continue }
                try collectNested(entry, nesting: nesting, into: &fields)
            case .instance(let template, let nestedValues):
                try collect(template.nodes, nestedValues, nesting: nesting + 1, into: &fields)
            case .text:
                continue
            }
        }
    }

    /// A BinXML value (type 0x21): a fragment of its own, elements without dependency identifiers.
    mutating func collectNested(_ entry: ValueTable.Entry, nesting: Int, into fields: inout [(name: String, value: String)]) throws {
        guard nesting < Self.maximumNesting else { throw EvtxFormatError("binary XML values nested deeper than \(Self.maximumNesting)") }
        // Parsed again at every reference: charge the parse.
        try spend(entry.size)
        var reader = ChunkReader(chunk, from: entry.offset, to: entry.offset + entry.size)
        let nodes = try parseNodes(&reader, depth: 0, nesting: nesting + 1, inElement: false, dependencyIDs: false)
        try collect(nodes, .empty, nesting: nesting + 1, into: &fields)
    }

    mutating func collectElement(_ element: XElement, _ values: ValueTable, nesting: Int, into fields: inout [(name: String, value: String)]) throws {
        let children = element.children
        try spend(children.count)
        // libevtx leaves out an element whose content is only null optional substitutions.
        if !children.isEmpty, children.allSatisfy({ node in
            if case .substitution(let index, true) = node { return values.isNull(index) }
            return false
        }) { return }
        var arrayCount: Int?
        for child in children {
            switch child {
            case .element, .instance:
                return try collect(children, values, nesting: nesting, into: &fields)
            case .substitution(let index, _):
                guard let entry = values.entry(index) else { continue }
                if entry.type == 0x21 { return try collect(children, values, nesting: nesting, into: &fields) }
                if entry.type & 0x80 != 0 { arrayCount = max(arrayCount ?? 0, ValueText.arrayItems(chunk, entry).count) }
            case .text:
                continue
            }
        }
        // An array value repeats the element, one entry each (as libevtx renders it).
        if let arrayCount {
            for item in 0..<arrayCount { try leaf(element, values, item: item, into: &fields) }
        } else {
            try leaf(element, values, item: nil, into: &fields)
        }
    }

    mutating func leaf(_ element: XElement, _ values: ValueTable, item: Int?, into fields: inout [(name: String, value: String)]) throws {
        var name = element.name
        if name == "Data", let attribute = element.attributes.first(where: { $0.name == "Name" || $0.name.lowercased() == "name" }),
           let named = try render(attribute.value, values, item: item) {
            name = named
        }
        let value = try render(element.children, values, item: item) ?? ""
        if value.isEmpty, Self.containers.contains(element.name) { return }
        // What the field holds is charged, not only what was read to make it: literal template
        // text costs nothing to refer to again, but every copy of it is kept.
        try spend(Self.fieldCost + name.utf8.count + value.utf8.count)
        fields.append((name, value))
    }

    /// Text content: literal text and substitution values (one entry of arrays when `item` is set).
    mutating func render(_ parts: [XNode], _ values: ValueTable, item: Int?) throws -> String? {
        if item == nil { return try text(parts, values) }
        return try joined(parts, values, item: item)
    }

    /// Literal text and substitution values joined (entry `item` of array values when set);
    /// nil when there was nothing but null optional substitutions.
    private mutating func joined(_ parts: [XNode], _ values: ValueTable, item: Int?) throws -> String? {
        var out = ""
        var any = false
        for part in parts {
            try spend(1)
            switch part {
            case .text(let text):
                try spend(text.utf8.count)
                out += text
                any = true
            case .substitution(let index, let optional):
                guard let entry = values.entry(index), !(optional && entry.type == 0) else { continue }
                try spend(entry.size + 1)
                out += ValueText.render(chunk, entry, item: entry.type & 0x80 != 0 ? item : nil, scratch: &scratch)
                any = true
            default: continue
            }
        }
        return any ? out : nil
    }
}
