@testable import Sigma
import Testing

/// Wildcards, escapes and case handling of plain string values (no modifiers).
struct SigmaPatternTests {
    func pattern(_ raw: String, cased: Bool = false) -> StringPattern {
        StringPattern(SigmaString(parsing: raw), cased: cased)
    }

    @Test func plainValuesMatchWholeValueCaseInsensitively() {
        let p = pattern("cmd.exe")
        #expect(p.shape == .exact)
        #expect(p.matches("CMD.EXE"))
        #expect(p.matches("cmd.exe"))
        #expect(!p.matches("cmd.exe "))
        #expect(!p.matches("xcmd.exe"))
    }

    @Test func leadingAndTrailingStarsBecomePrefixSuffixContains() {
        #expect(pattern("*\\cmd.exe").shape == .suffix)
        #expect(pattern("C:\\Windows\\\\*").shape == .prefix)
        #expect(pattern("C:\\Windows\\*").shape == .exact, "a backslash before * escapes it (spec): write \\\\* for a folder prefix")
        #expect(pattern("*mimikatz*").shape == .contains)
        #expect(pattern("*\\cmd.exe").matches("C:\\Windows\\System32\\CMD.exe"))
        #expect(pattern("*mimikatz*").matches("run MimiKatz now"))
        #expect(!pattern("*mimikatz*").matches("mimi katz"))
        #expect(pattern("*").matches(""))
        #expect(pattern("").matches(""))
        #expect(!pattern("").matches("x"))
    }

    @Test func innerWildcardsAndQuestionMarks() {
        let p = pattern("C:\\Users\\\\*\\AppData\\\\*.exe")
        #expect(p.matches("c:\\users\\bob\\appdata\\local\\temp\\x.EXE"))
        #expect(!p.matches("c:\\users\\bob\\documents\\x.exe"))
        let q = pattern("a?c")
        #expect(q.matches("abc"))
        #expect(q.matches("aéc"), "? is one character, even when it takes two UTF-8 bytes")
        #expect(!q.matches("ac"))
        #expect(!q.matches("abbc"))
        #expect(pattern("*a*b*c*").matches("xxaxxbxxcxx"))
        #expect(!pattern("*a*b*c*").matches("xxcxxbxxaxx"))
    }

    @Test func escapes() {
        // \* and \? are literal; \\ before a wildcard is a backslash; a lone backslash is a backslash.
        #expect(SigmaString(parsing: "a\\*b").parts == [.literal("a*b")])
        #expect(SigmaString(parsing: "a\\?b").parts == [.literal("a?b")])
        #expect(SigmaString(parsing: "a\\\\*").parts == [.literal("a\\"), .anyMany])
        #expect(SigmaString(parsing: "a\\\\\\*").parts == [.literal("a\\*")])
        #expect(SigmaString(parsing: "C:\\Windows").parts == [.literal("C:\\Windows")])
        #expect(SigmaString(parsing: "C:\\\\Windows").parts == [.literal("C:\\Windows")])
        #expect(pattern("what\\?").matches("WHAT?"))
        #expect(!pattern("what\\?").matches("whatX"))
        #expect(pattern("100\\*").matches("100*"))
        #expect(!pattern("100\\*").matches("1000"))
    }

    @Test func casedComparesExactly() {
        let p = pattern("*Invoke-Mimikatz*", cased: true)
        #expect(p.matches("x Invoke-Mimikatz y"))
        #expect(!p.matches("x invoke-mimikatz y"))
    }

    @Test func nonASCIILettersFoldToo() {
        #expect(pattern("*ÄRGER*").matches("großer ärger hier"))
        #expect(pattern("straße").matches("STRAßE"))
    }

    /// The word-at-a-time substring scan against a plain search, over every length and position.
    @Test func substringScanAgreesWithAPlainSearch() {
        var seed: UInt64 = 12_345
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(seed >> 33) % bound
        }
        let alphabet = Array("aAbB-\\.xX".utf8)
        for _ in 0..<3000 {
            let value = String(decoding: (0..<next(40)).map { _ in alphabet[next(alphabet.count)] }, as: UTF8.self)
            let needle = String(decoding: (0..<(1 + next(5))).map { _ in alphabet[next(alphabet.count)] }, as: UTF8.self)
            for cased in [false, true] {
                let expected = cased ? value.contains(needle) : value.lowercased().contains(needle.lowercased())
                #expect(pattern("*" + needle.replacingOccurrences(of: "\\", with: "\\\\") + "*", cased: cased).matches(value) == expected,
                        "\(needle) in \(value) cased=\(cased)")
            }
        }
    }
}

