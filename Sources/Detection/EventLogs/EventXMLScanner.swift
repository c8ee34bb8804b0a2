import ExTriageCore

/// Reads the few parts of libevtx's XML rendering of a record that detection needs, in one pass
/// over the UTF-8 bytes, without an XML parser: `Channel`, `TimeCreated@SystemTime`, and the
/// leaf elements after `</System>` (EventData `Data[@Name]`, UserData children).
enum EventXMLScanner {
    struct Parsed {
        var channel = ""
        var time: Timestamp?
        var fields: [(name: String, value: String)] = []
    }

    static func scan(_ xml: UnsafeBufferPointer<UInt8>) -> Parsed {
        var parsed = Parsed()
        let count = xml.count
        if let channel = ByteSearch.firstIndex(xml, of: channelOpen, from: 0) {
            let start = channel + channelOpen.count
            var end = start
            while end < count, xml[end] != 0x3C { end += 1 }
            parsed.channel = text(xml, start, end)
        }
        if let created = ByteSearch.firstIndex(xml, of: systemTime, from: 0) {
            let start = created + systemTime.count
            var end = start
            while end < count, xml[end] != 0x22 { end += 1 }
            parsed.time = Timestamp(iso8601: text(xml, start, end))
        }
        guard let systemEnd = ByteSearch.firstIndex(xml, of: systemClose, from: 0) else { return parsed }
        var index = systemEnd + systemClose.count
        // Walk tags; an open tag directly followed by text and its close tag is a leaf field.
        while index < count {
            guard xml[index] == 0x3C else { index += 1; continue }
            let tagStart = index + 1
            guard tagStart < count, xml[tagStart] != 0x2F, xml[tagStart] != 0x3F, xml[tagStart] != 0x21 else { index += 1; continue }
            var nameEnd = tagStart
            while nameEnd < count, !isNameEnd(xml[nameEnd]) { nameEnd += 1 }
            var tagEnd = nameEnd
            var quoted = false
            while tagEnd < count, quoted || xml[tagEnd] != 0x3E {
                if xml[tagEnd] == 0x22 { quoted.toggle() }
                tagEnd += 1
            }
            guard tagEnd < count else { break }
            let selfClosing = xml[tagEnd - 1] == 0x2F
            let tag = text(xml, tagStart, nameEnd)
            var name = tag
            if tag == "Data", let attribute = attributeName(xml, nameEnd, tagEnd) { name = attribute }
            if selfClosing {
                if tag == "Data" || !isContainer(tag) { parsed.fields.append((name, "")) }
                index = tagEnd + 1
                continue
            }
            var valueEnd = tagEnd + 1
            while valueEnd < count, xml[valueEnd] != 0x3C { valueEnd += 1 }
            if valueEnd + 1 < count, xml[valueEnd + 1] == 0x2F {
                parsed.fields.append((name, unescape(xml, tagEnd + 1, valueEnd)))
                // Skip the close tag.
                while valueEnd < count, xml[valueEnd] != 0x3E { valueEnd += 1 }
                index = valueEnd + 1
            } else {
                index = valueEnd
            }
        }
        return parsed
    }

    static let channelOpen = Array("<channel>".utf8)
    static let systemTime = Array("systemtime=\"".utf8)
    static let systemClose = Array("</system>".utf8)
    static let nameAttribute = Array("name=\"".utf8)

    static func isContainer(_ tag: String) -> Bool { tag == "EventData" || tag == "UserData" || tag == "Event" }

    @inline(__always) static func isNameEnd(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x3E || byte == 0x2F || byte == 0x0A || byte == 0x09 || byte == 0x0D
    }

    static func attributeName(_ xml: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String? {
        guard let at = ByteSearch.firstIndex(UnsafeBufferPointer(rebasing: xml[start..<end]), of: nameAttribute, from: 0) else { return nil }
        let valueStart = start + at + nameAttribute.count
        var valueEnd = valueStart
        while valueEnd < end, xml[valueEnd] != 0x22 { valueEnd += 1 }
        return unescape(xml, valueStart, valueEnd)
    }

    @inline(__always) static func text(_ xml: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: xml[start..<max(start, end)]), as: UTF8.self)
    }

    /// The text with XML character references resolved (`&amp;`, `&lt;`, `&#xD;`, ...).
    static func unescape(_ xml: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        var hasAmpersand = false
        var index = start
        while index < end {
            if xml[index] == 0x26 { hasAmpersand = true; break }
            index += 1
        }
        guard hasAmpersand else { return text(xml, start, end) }
        var out: [UInt8] = []
        out.reserveCapacity(end - start)
        index = start
        while index < end {
            let byte = xml[index]
            guard byte == 0x26, let semicolon = (index + 1..<min(end, index + 12)).first(where: { xml[$0] == 0x3B }) else {
                out.append(byte)
                index += 1
                continue
            }
            let entity = text(xml, index + 1, semicolon)
            var scalar: UInt32?
            switch entity {
            case "amp": scalar = 0x26
            case "lt": scalar = 0x3C
            case "gt": scalar = 0x3E
            case "quot": scalar = 0x22
            case "apos": scalar = 0x27
            default:
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") { scalar = UInt32(entity.dropFirst(2), radix: 16) }
                else if entity.hasPrefix("#") { scalar = UInt32(entity.dropFirst(1)) }
            }
            if let scalar, let unicode = Unicode.Scalar(scalar) {
                out += Array(String(Character(unicode)).utf8)
                index = semicolon + 1
            } else {
                out.append(byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
