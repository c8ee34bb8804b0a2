/// OAB generator messages (EXCHANGE-ARTIFACTS.md §2.4, check C07).
public enum OABGeneratorMessage {
    private static let prefix = Array("download failed and temporary file".utf8)
    private static let suffix = Array("needs to be removed".utf8)

    /// The path in `Download failed and temporary file '<path>' needs to be removed`, quotes stripped; nil
    /// otherwise. Works on the message column or on a whole raw line. The phrase is matched ignoring ASCII case;
    /// without the closing phrase the path runs to the end of the text. One leading and one trailing `'` or `"`
    /// are removed, and surrounding spaces.
    public static func downloadFailurePath(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard let found = find(prefix, in: bytes, from: 0) else { return nil }
        let start = found + prefix.count
        var end = find(suffix, in: bytes, from: start) ?? bytes.count
        var begin = start
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        while begin < end, isSpace(bytes[begin]) { begin += 1 }
        while end > begin, isSpace(bytes[end - 1]) { end -= 1 }
        if begin < end, bytes[begin] == 0x27 || bytes[begin] == 0x22 { begin += 1 }
        if end > begin, bytes[end - 1] == 0x27 || bytes[end - 1] == 0x22 { end -= 1 }
        guard begin < end else { return nil }
        return String(decoding: bytes[begin..<end], as: UTF8.self)
    }

    /// First position of `needle` (lower-case ASCII) in `haystack` at or after `from`, ignoring ASCII case.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = from
        let last = haystack.count - needle.count
        while index <= last {
            if lowered(haystack[index]) == first {
                var matched = 1
                while matched < needle.count, lowered(haystack[index + matched]) == needle[matched] { matched += 1 }
                if matched == needle.count { return index }
            }
            index += 1
        }
        return nil
    }

    private static func lowered(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }
}
