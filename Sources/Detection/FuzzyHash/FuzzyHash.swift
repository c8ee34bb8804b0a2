import CFuzzy

/// ssdeep (context-triggered piecewise) hashes through libfuzzy: two versions of one file, edited
/// here and there, keep most of their hash, so `similarity` tells them apart from unrelated files.
public enum FuzzyHash {
    /// Fewer bytes than this give a hash too short to compare meaningfully (ssdeep's own advice is 4 KiB;
    /// small shells are short, so somewhat less is taken).
    public static let minimumBytes = 512

    /// The ssdeep hash (`blocksize:hash:hash`) of `bytes`, or nil when too short or libfuzzy fails.
    public static func ssdeep(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard bytes.count >= minimumBytes, let base = bytes.baseAddress else { return nil }
        // FUZZY_MAX_RESULT, a macro expression Swift does not import.
        var result = [CChar](repeating: 0, count: 2 * Int(SPAMSUM_LENGTH) + 20)
        let status = fuzzy_hash_buf(base.assumingMemoryBound(to: UInt8.self), UInt32(clamping: bytes.count), &result)
        guard status == 0 else { return nil }
        return String(decoding: result.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func ssdeep(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBytes { ssdeep($0) }
    }

    /// ssdeep's match score, 0 (nothing in common) to 100 (same), or nil when either is not a hash.
    public static func similarity(_ lhs: String, _ rhs: String) -> Int? {
        let score = fuzzy_compare(lhs, rhs)
        return score < 0 ? nil : Int(score)
    }
}
