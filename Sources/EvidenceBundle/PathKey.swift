/// A member path as a dictionary key compared by its UTF-8 bytes, never as a `String` (which
/// would equate canonically equivalent spellings of different names), without copying the
/// bytes out: the key shares the string's storage.
public struct PathKey: Hashable, Sendable {
    public let path: String

    public init(_ path: String) { self.path = path }

    public static func == (lhs: PathKey, rhs: PathKey) -> Bool {
        lhs.path.utf8.elementsEqual(rhs.path.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        var path = path
        path.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Byte order, the order members are written in.
    public static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}
