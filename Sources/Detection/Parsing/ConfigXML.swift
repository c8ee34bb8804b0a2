import ExTriageCore
import Foundation

/// One start tag of an XML configuration file (`agents.config`, `applicationHost.config`,
/// `web.config`): its name and attributes (names lower-cased, values as written, the five
/// predefined entities decoded), its 1-based line, the names of the elements it sits in and the
/// `path` of the nearest enclosing `<location>`.
struct ConfigElement: Equatable {
    var name: String
    var attributes: [String: String]
    var line: Int
    /// Lower-cased names of the enclosing elements, outermost first.
    var ancestors: [String]
    /// `<location path="Default Web Site/owa">` around the element; nil outside any.
    var location: String?
    /// `<site name="Default Web Site">` around the element (applicationHost.config); nil outside any.
    var site: String?

    subscript(_ attribute: String) -> String? { attributes[attribute] }

    /// Whether the element sits directly or indirectly inside `name` (lower-case).
    func isInside(_ name: String) -> Bool { ancestors.contains(name) }

    /// The element as a short excerpt: `<add name="x" image="y">`.
    var excerpt: String {
        "<" + name + attributes.sorted { $0.key < $1.key }.map { " \($0.key)=\"\($0.value)\"" }.joined() + ">"
    }
}

/// A tolerant reader of the start tags of an XML configuration file, for checks that look at a
/// handful of elements. Comments, CDATA, processing instructions and DTDs are skipped; a file
/// that is not well formed yields the elements up to where it breaks, never an error: evidence
/// is read as it is. UTF-16 files (a BOM) are converted first.
enum ConfigXML {
    static func elements(_ bytes: [UInt8]) -> [ConfigElement] { read(bytes).elements }

    /// The elements, and for a file that is not well formed (a tag, comment or instruction left
    /// open, elements never closed, no element at all) the line where reading stopped.
    static func read(_ bytes: [UInt8]) -> (elements: [ConfigElement], brokenAt: Int?) {
        let text = decode(bytes)
        let chars = Array(text.utf8)
        var elements: [ConfigElement] = []
        var stack: [(name: String, location: String?, site: String?)] = []
        var index = 0
        var line = 1
        var brokenAt: Int?
        func advance(to end: Int) {
            while index < end && index < chars.count {
                if chars[index] == 0x0A { line += 1 }
                index += 1
            }
        }
        func starts(_ prefix: [UInt8], at start: Int) -> Bool {
            start + prefix.count <= chars.count && chars[start..<start + prefix.count].elementsEqual(prefix)
        }
        func find(_ needle: [UInt8], from start: Int) -> Int? {
            guard needle.count <= chars.count else { return nil }
            var i = start
            while i + needle.count <= chars.count {
                if chars[i] == needle[0] && chars[i..<i + needle.count].elementsEqual(needle) { return i }
                i += 1
            }
            return nil
        }
        while index < chars.count {
            guard chars[index] == 0x3C else { advance(to: index + 1); continue }  // '<'
            let rest = index + 1 < chars.count ? chars[index + 1] : 0
            if rest == 0x21 {  // '!': comment, CDATA or DTD
                let closing: [UInt8] = starts(Array("<!--".utf8), at: index) ? Array("-->".utf8)
                    : starts(Array("<![CDATA[".utf8), at: index) ? Array("]]>".utf8) : Array(">".utf8)
                guard let end = find(closing, from: index + 2) else { brokenAt = line; break }
                advance(to: end + closing.count)
                continue
            }
            if rest == 0x3F {  // '?': processing instruction
                guard let end = find(Array("?>".utf8), from: index + 2) else { brokenAt = line; break }
                advance(to: end + 2)
                continue
            }
            // A tag: read to the '>' outside quotes.
            var end = index + 1
            var quote: UInt8 = 0
            while end < chars.count {
                let c = chars[end]
                if quote != 0 { if c == quote { quote = 0 } } else if c == 0x22 || c == 0x27 { quote = c } else if c == 0x3E { break }
                end += 1
            }
            guard end < chars.count else { brokenAt = line; break }
            let tagLine = line
            let body = String(decoding: chars[(index + 1)..<end], as: UTF8.self)
            advance(to: end + 1)
            if body.hasPrefix("/") {
                let name = String(body.dropFirst()).trimmingWhitespace().lowercased()
                if let at = stack.lastIndex(where: { $0.name == name }) { stack.removeSubrange(at...) }
                continue
            }
            let selfClosing = body.hasSuffix("/")
            let (name, attributes) = parseTag(selfClosing ? String(body.dropLast()) : body)
            guard !name.isEmpty else { continue }
            let enclosing = stack.last?.location
            let enclosingSite = stack.last?.site
            let location = name == "location" ? (attributes["path"] ?? enclosing) : enclosing
            let site = name == "site" ? (attributes["name"] ?? enclosingSite) : enclosingSite
            elements.append(ConfigElement(name: name, attributes: attributes, line: tagLine, ancestors: stack.map(\.name),
                                          location: enclosing, site: enclosingSite))
            if !selfClosing { stack.append((name, location, site)) }
        }
        if brokenAt == nil, !stack.isEmpty || (elements.isEmpty && chars.contains(where: { $0 > 0x20 })) { brokenAt = line }
        return (elements, brokenAt)
    }

    /// The tag's lower-cased name and its attributes.
    static func parseTag(_ body: String) -> (String, [String: String]) {
        let chars = Array(body)
        var i = 0
        while i < chars.count && !chars[i].isWhitespace { i += 1 }
        let name = String(chars[0..<i]).lowercased()
        var attributes: [String: String] = [:]
        while i < chars.count {
            while i < chars.count && (chars[i].isWhitespace) { i += 1 }
            let keyStart = i
            while i < chars.count && chars[i] != "=" && !chars[i].isWhitespace { i += 1 }
            let key = String(chars[keyStart..<i]).lowercased()
            while i < chars.count && chars[i].isWhitespace { i += 1 }
            guard i < chars.count, chars[i] == "=" else { if !key.isEmpty { attributes[key] = "" }; continue }
            i += 1
            while i < chars.count && chars[i].isWhitespace { i += 1 }
            guard i < chars.count else { break }
            var value = ""
            if chars[i] == "\"" || chars[i] == "'" {
                let quote = chars[i]
                i += 1
                let start = i
                while i < chars.count && chars[i] != quote { i += 1 }
                value = String(chars[start..<min(i, chars.count)])
                i += 1
            } else {
                let start = i
                while i < chars.count && !chars[i].isWhitespace { i += 1 }
                value = String(chars[start..<i])
            }
            if !key.isEmpty { attributes[key] = unescape(value) }
        }
        return (name, attributes)
    }

    static func unescape(_ value: String) -> String {
        guard value.contains("&") else { return value }
        return value.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// UTF-8 (BOM or not) or UTF-16 with a BOM.
    static func decode(_ bytes: [UInt8]) -> String {
        if bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == 0xFE {
            return String(decoding: stride(from: 2, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8 }, as: UTF16.self)
        }
        if bytes.count >= 2, bytes[0] == 0xFE, bytes[1] == 0xFF {
            return String(decoding: stride(from: 2, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }, as: UTF16.self)
        }
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        return String(decoding: body, as: UTF8.self)
    }
}
