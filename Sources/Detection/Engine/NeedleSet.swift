import CScan
import ExTriageCore

/// Lower-case ASCII needles found case-insensitively in one pass over a line (EXCHANGE-ARTIFACTS.md
/// §5 R1: a byte pre-filter before parsing). The pass is a SIMD fingerprint scan over the needles'
/// first bytes, Teddy-style as in ripgrep and Hyperscan (`CScan`), so its cost grows neither with
/// the line nor with the number of checks the way a byte-at-a-time loop does.
struct NeedleSet {
    let needles: [[UInt8]]
    private let compiled: CompiledNeedles
    /// Each needle's first index in `needles` (a `refine` asks per line).
    private let positions: [[UInt8]: Int]

    /// Where a needle sits in `needles`.
    func index(of needle: [UInt8]) -> Int? { positions[needle] }

    init(_ needles: [[UInt8]]) {
        self.needles = needles
        compiled = CompiledNeedles(needles)
        var positions: [[UInt8]: Int] = [:]
        for (index, needle) in needles.enumerated() where positions[needle] == nil { positions[needle] = index }
        self.positions = positions
    }

    /// The needles present in `text`, as a mask (needles past `NeedleMask.capacity` are not reported).
    func matches(in text: String) -> NeedleMask {
        guard !needles.isEmpty else { return NeedleMask() }
        var text = text
        return text.withUTF8 { matches(in: $0) }
    }

    func matches(in bytes: UnsafeBufferPointer<UInt8>) -> NeedleMask {
        guard !needles.isEmpty, let base = bytes.baseAddress else { return NeedleMask() }
        var found: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &found) { raw in
            extriage_needle_set_match(compiled.set, base, bytes.count, raw.baseAddress!.assumingMemoryBound(to: UInt64.self))
        }
        return NeedleMask(low: found.0, high: found.1)
    }
}

/// The C needle set, freed with its owner.
private final class CompiledNeedles: @unchecked Sendable {
    let set: OpaquePointer

    init(_ needles: [[UInt8]]) {
        let copies = needles.map { needle -> UnsafeMutablePointer<UInt8> in
            let copy = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, needle.count))
            copy.initialize(from: needle, count: needle.count)
            return copy
        }
        defer { copies.forEach { $0.deallocate() } }
        let pointers = copies.map { UnsafePointer<UInt8>?(UnsafePointer($0)) }
        let lengths = needles.map(\.count)
        guard let set = extriage_needle_set_new(pointers, lengths, needles.count) else {
            fatalError("out of memory compiling \(needles.count) log needles")
        }
        self.set = set
    }

    deinit { extriage_needle_set_free(set) }
}

/// A set of up to 128 needle indexes without allocation; a check with a needle beyond that
/// is given every record instead (it then sees more lines, never fewer).
struct NeedleMask {
    static let capacity = 128

    var low: UInt64 = 0
    var high: UInt64 = 0

    init(low: UInt64 = 0, high: UInt64 = 0) {
        self.low = low
        self.high = high
    }

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
    /// Where a lower-case needle first occurs at or after `start`, ignoring ASCII case (a SIMD
    /// search for the needle's rarest byte, then a check of the rest).
    static func firstIndex(_ haystack: UnsafeBufferPointer<UInt8>, of needle: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, let base = haystack.baseAddress, start >= 0, start <= haystack.count else { return nil }
        let found = needle.withUnsafeBufferPointer { needleBytes in
            extriage_find_folded(base, haystack.count, needleBytes.baseAddress, needle.count, start)
        }
        return found < 0 ? nil : found
    }

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }

    static func needles(_ words: [String]) -> [[UInt8]] { words.map { Array($0.lowercased().utf8) } }
}
