/// One name in a path, kept as the raw bytes the source gave us.
///
/// Names are lossless (ADVERSARIAL-CASES D8): a name that is not valid UTF-8 keeps its bytes, and
/// its text form escapes each invalid byte as `%XX`. Matching uses `folded`, the escaped form
/// lowercased without any locale, because NTFS ignores case.
public struct PathComponent: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]
    /// The name as text; invalid UTF-8 bytes appear as `%XX`.
    public let escaped: String
    /// `escaped`, lowercased for case-insensitive comparison.
    public let folded: String
    /// True when `bytes` are valid UTF-8 (so `escaped` is the name itself).
    public let isValidUTF8: Bool

    public init(bytes: [UInt8]) {
        self.bytes = bytes
        let (text, valid) = PathComponent.escape(bytes)
        self.escaped = text
        self.isValidUTF8 = valid
        self.folded = text.lowercased()
    }

    public init(_ name: String) {
        self.init(bytes: Array(name.utf8))
    }

    public var description: String { escaped }

    public static func < (lhs: PathComponent, rhs: PathComponent) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    public static func == (lhs: PathComponent, rhs: PathComponent) -> Bool { lhs.bytes == rhs.bytes }
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }

    static func escape(_ bytes: [UInt8]) -> (String, Bool) {
        if let text = String(validating: bytes, as: UTF8.self) { return (text, true) }
        var out = ""
        var index = 0
        while index < bytes.count {
            let length = PathComponent.validSequenceLength(bytes, at: index)
            if length > 0 {
                out += String(decoding: bytes[index..<index + length], as: UTF8.self)
                index += length
            } else {
                let hex = String(bytes[index], radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
                index += 1
            }
        }
        return (out, false)
    }

    /// Length of the well-formed UTF-8 sequence starting at `index`, or 0 if there is none.
    static func validSequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return 0
        }
        guard index + length <= bytes.count,
              String(validating: bytes[index..<index + length], as: UTF8.self) != nil else { return 0 }
        return length
    }
}

/// A path inside one volume of the evidence, as a list of raw components (no leading separator).
public struct EvidencePath: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var components: [PathComponent]

    public init(_ components: [PathComponent] = []) { self.components = components }

    /// Splits a `/`- or `\`-separated string into components, dropping empty and `.` parts.
    public init(parsing text: String) {
        components = text.split(whereSeparator: { $0 == "/" || $0 == "\\" })
            .filter { $0 != "." }
            .map { PathComponent(String($0)) }
    }

    public static let root = EvidencePath()

    public var isRoot: Bool { components.isEmpty }
    public var name: PathComponent? { components.last }
    public var parent: EvidencePath { EvidencePath(Array(components.dropLast())) }
    public var isValidUTF8: Bool { components.allSatisfy(\.isValidUTF8) }

    public func appending(_ component: PathComponent) -> EvidencePath {
        EvidencePath(components + [component])
    }

    public func appending(_ other: EvidencePath) -> EvidencePath {
        EvidencePath(components + other.components)
    }

    /// Components joined with `/`, invalid bytes escaped.
    public var escaped: String { components.map(\.escaped).joined(separator: "/") }
    /// `escaped`, lowercased.
    public var folded: String { components.map(\.folded).joined(separator: "/") }
    /// The raw bytes joined with `/`.
    public var rawBytes: [UInt8] { Array(components.map(\.bytes).joined(separator: [0x2F])) }

    public var description: String { escaped }

    public static func < (lhs: EvidencePath, rhs: EvidencePath) -> Bool {
        lhs.components.lexicographicallyPrecedes(rhs.components)
    }
}
