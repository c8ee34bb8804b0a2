@testable import Detection
import Testing

/// libfuzzy through `FuzzyHash`: edits keep a file's hash close; unrelated files score 0.
@Suite struct FuzzyHashTests {
    /// Lines of ASP.NET-looking text, different for each seed (a small linear congruential generator).
    static func filler(lines: Int, seed: UInt64) -> String {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        var out = ""
        for line in 0..<lines {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            out += "<% Response.Write(\"\(line) \(String(state, radix: 36))\"); // \(String(state >> 7, radix: 16)) %>\n"
        }
        return out
    }

    @Test func editedCopiesAreSimilarAndUnrelatedFilesAreNot() throws {
        let original = Array(Self.filler(lines: 80, seed: 7).utf8)
        var edited = original
        edited.replaceSubrange(1000..<1030, with: Array("<% /* a new password here */ %>".utf8))
        edited += Array("<% Response.Write(\"one more line\"); %>\n".utf8)
        let unrelated = Array(Self.filler(lines: 80, seed: 8).utf8)
        let a = try #require(FuzzyHash.ssdeep(original))
        let b = try #require(FuzzyHash.ssdeep(edited))
        let c = try #require(FuzzyHash.ssdeep(unrelated))
        #expect(a.split(separator: ":").count == 3)
        #expect(FuzzyHash.similarity(a, a) == 100)
        #expect((FuzzyHash.similarity(a, b) ?? 0) >= 50, "\(a) vs \(b)")
        #expect(FuzzyHash.similarity(a, c) == 0, "\(a) vs \(c)")
        #expect(FuzzyHash.ssdeep(Array("short".utf8)) == nil)
        #expect(FuzzyHash.similarity(a, "not a hash") == nil)
    }
}
