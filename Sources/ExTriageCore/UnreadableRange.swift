/// A byte range of a file that could not be read from a disk image (zeros stand in for it):
/// what the image source reports and what the manifest records.
public struct UnreadableRange: Codable, Hashable, Sendable, CustomStringConvertible {
    /// Offset in the file (or stream).
    public var offset: UInt64
    public var length: UInt64
    /// Offset of the same bytes in the image, when known.
    public var imageOffset: UInt64?
    public var cause: String

    public init(offset: UInt64, length: UInt64, imageOffset: UInt64?, cause: String) {
        self.offset = offset
        self.length = length
        self.imageOffset = imageOffset
        self.cause = cause
    }

    public var description: String {
        let image = imageOffset.map { " (image offset \($0))" } ?? ""
        return "bytes \(offset)-\(offset + length - 1)\(image): \(cause)"
    }
}
