import ExTriageCore

/// Lower-case ASCII needles found case-insensitively in one pass over a line: each byte is
/// looked up in a table of the needles that start with it, so the cost does not grow with the
/// number of checks (EXCHANGE-ARTIFACTS.md §5 R1: a byte pre-filter before parsing).
struct NeedleSet {
    let needles: [[UInt8]]
    /// For each lower-cased byte, the needles starting with it.
    private let byFirstByte: [[Int]]

    /// Where a needle sits in `needles`.
    func index(of needle: [UInt8]) -> Int? { needles.firstIndex(of: needle) }

    init(_ needles: [[UInt8]]) {
        self.needles = needles
        var table = Array(repeating: [Int](), count: 256)
        for (index, needle) in needles.enumerated() {
            if let first = needle.first { table[Int(first)].append(index) }
        }
        byFirstByte = table
    }

    /// The needles present in `text`, as a mask.
    func matches(in text: String) -> NeedleMask {
        guard !needles.isEmpty else { return NeedleMask() }
        var text = text
        return text.withUTF8 { bytes in
            var found = NeedleMask()
            let count = bytes.count
            var index = 0
            while index < count {
                let candidates = byFirstByte[Int(ByteSearch.lower(bytes[index]))]
                for candidate in candidates where !found.contains(candidate) {
                    let needle = needles[candidate]
                    guard index + needle.count <= count else { continue }
                    var matched = 1
                    while matched < needle.count, ByteSearch.lower(bytes[index + matched]) == needle[matched] { matched += 1 }
                    if matched == needle.count { found.insert(candidate) }
                }
                index += 1
            }
            return found
        }
    }
}

/// A set of up to 128 needle indexes without allocation; a check with a needle beyond that
/// is given every record instead (it then sees more lines, never fewer).
struct NeedleMask {
    static let capacity = 128

    var low: UInt64 = 0
    var high: UInt64 = 0

    mutating func insert(_ index: Int) {
        if index < 64 { low |= 1 << UInt64(index) } else if index < 128 { high |= 1 << UInt64(index - 64) }
    }

    func contains(_ index: Int) -> Bool {
        if index < 64 { return low & (1 << UInt64(index)) != 0 }
        if index < 128 { return high & (1 << UInt64(index - 64)) != 0 }
        return false
    }

    func intersects(_ other: NeedleMask) -> Bool {
        low & other.low != 0 || high & other.high != 0
    }
}

/// Case-insensitive ASCII substring search over UTF-8 text, for the line pre-filter.
enum ByteSearch {
    /// Where a lower-case needle first occurs at or after `start`, ignoring ASCII case.
    static func firstIndex(_ haystack: UnsafeBufferPointer<UInt8>, of needle: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        let last = haystack.count - needle.count
        var index = start
        while index <= last {
            if lower(haystack[index]) == first {
                var matched = 1
                while matched < needle.count, lower(haystack[index + matched]) == needle[matched] { matched += 1 }
                if matched == needle.count { return index }
            }
            index += 1
        }
        return nil
    }

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }

    static func needles(_ words: [String]) -> [[UInt8]] { words.map { Array($0.lowercased().utf8) } }
}
