import Foundation
@testable import Sigma
import Testing

/// The needle screen: which rules it may rule out, and that it never rules out a rule that matches.
struct SigmaScreenTests {
    /// The keyword text of `fields` as an event record's: the values joined, ASCII-lower-cased.
    static func folded(_ values: [String]) -> String {
        String(decoding: values.joined(separator: " | ").utf8.map { ($0 &- 65) < 26 ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    static func hits(_ values: [String]) -> SigmaScreenHits {
        var text = folded(values)
        return text.withUTF8 { SigmaScreen.current().scan(folded: $0) }
    }

    @Test func aRuleIsRuledOutOnlyWithoutItsText() throws {
        let rule = try Fixture.rule("""
        selection:
            Image|endswith: '\\rundll32.exe'
            CommandLine|contains: 'MiniDump'
        condition: selection
        """)
        #expect(rule.requirement != nil)
        #expect(!rule.mayMatch(Self.hits(["C:\\Windows\\System32\\svchost.exe", "svchost.exe -k netsvcs"])))
        #expect(!rule.mayMatch(Self.hits(["C:\\Windows\\System32\\RUNDLL32.EXE", "x"])), "an AND needs the text of both its tests")
        #expect(!rule.mayMatch(Self.hits(["x", "comsvcs MINIDUMP"])))
        let values = ["C:\\Windows\\System32\\RunDll32.exe", "rundll32 comsvcs.dll, MiniDump 624 d.tmp full"]
        #expect(rule.hits(["Image": values[0], "CommandLine": values[1]]))
        #expect(rule.mayMatch(Self.hits(values)))
    }

    @Test func negationsAndSystemFieldsGiveNoNeedles() throws {
        let negated = try Fixture.rule("""
        selection:
            Image|endswith: '\\rundll32.exe'
        condition: not selection
        """)
        #expect(negated.requirement == nil)
        #expect(negated.mayMatch(Self.hits(["anything"])))
        let eventOnly = try Fixture.rule("""
        a:
            EventID: 4688
        b:
            CommandLine|contains: 'whoami'
        condition: a or b
        """)
        #expect(eventOnly.requirement == nil, "one branch of the OR needs no text")
        let both = try Fixture.rule("""
        a:
            EventID: 4688
        b:
            CommandLine|contains: 'whoami'
        condition: a and b
        """)
        #expect(both.requirement != nil, "an AND keeps its branch that has text")
        #expect(!both.mayMatch(Self.hits(["ipconfig /all"])))
    }

    @Test func regexNeedlesHoldOnlyForASCIIText() throws {
        let rule = try Fixture.rule("""
        selection:
            CommandLine|re|i: '\\\\(psexec|paexec)\\.exe$'
        condition: selection
        """)
        #expect(rule.requirement != nil)
        #expect(!rule.mayMatch(Self.hits(["C:\\Tools\\other.exe"])))
        #expect(rule.mayMatch(Self.hits(["C:\\Tools\\PsExec.exe"])))
        #expect(rule.mayMatch(Self.hits(["C:\\Tools\\p\u{017F}exec.exe"])), "ICU folds ſ to s: non-ASCII text is not ruled out")
    }

    @Test func textInsideAndAcrossValuesIsFound() throws {
        let rule = try Fixture.rule("""
        selection:
            CommandLine|contains:
                - 'aa'
                - 'sekurlsa::'
                - 'zz'
        condition: selection
        """)
        #expect(rule.mayMatch(Self.hits(["aa"])))
        #expect(rule.mayMatch(Self.hits(["xx", "prefix zz"])))
        #expect(rule.mayMatch(Self.hits(["SEKURLSA::LogonPasswords"])))
        #expect(!rule.mayMatch(Self.hits(["a", "z", "sekurlsa:"])))
    }

    /// Every rule that matches an event passes the screen of that event's values (random rules and values).
    @Test func theScreenNeverRulesOutAMatch() throws {
        let detections = [
            "selection:\n    CommandLine|contains: 'ab\\cd'\ncondition: selection",
            "selection:\n    CommandLine|contains|all: ['ab', 'xy']\ncondition: selection",
            "selection:\n    Image|endswith: ['\\ab.exe', '\\xy.exe']\n    CommandLine|startswith: 'c:'\ncondition: selection",
            "selection:\n    CommandLine: 'ab*xy?cd'\ncondition: selection",
            "selection:\n    CommandLine|windash|contains: ' -ab'\ncondition: selection",
            "selection:\n    CommandLine|contains: 'ak-ßi-xy'\ncondition: selection",
            "selection:\n    CommandLine|cased|contains: 'AbX'\ncondition: selection",
            "a:\n    Image|endswith: '\\ab.exe'\nb:\n    CommandLine|contains: 'xy'\ncondition: 1 of them",
            "a:\n    Image|endswith: '\\ab.exe'\nb:\n    CommandLine|contains: 'xy'\ncondition: a and not b",
            "keywords:\n    - 'abxy'\n    - 'cd\\ab'\ncondition: keywords",
            "selection:\n    CommandLine|re|i: '\\\\(ab|xy)\\.exe$'\ncondition: selection",
            "selection:\n    CommandLine|re|i: 'ab[0-9]*cd:'\ncondition: selection",
            "selection:\n    CommandLine|re: 'ak.?xy'\ncondition: selection",
        ]
        let rules = try detections.map { try Fixture.rule($0) }
        let pieces = ["ab", "7", ":", "ſ", "\u{FB00}", "xy", "cd", "\\", ".exe", " -", " /", " \u{2013}", "AB", "XY", "K", "\u{212A}", "İ", "I", "ß", "c:", "C:", "ak-",
                      "ßi-", "AbX", "a", "x", "?"]
        var generator = SeededGenerator(seed: 12)
        var checked = 0
        for _ in 0..<4000 {
            let image = (0..<Int.random(in: 0...4, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let command = (0..<Int.random(in: 0...6, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let values = [image, command]
            let event = SigmaFieldsEvent(["Image": image, "CommandLine": command], keywordText: [values.joined(separator: " | ")])
            let hits = Self.hits(values)
            for rule in rules where rule.matches(event) != nil {
                checked += 1
                #expect(rule.mayMatch(hits), "rule \(rule.conditionText) matches \(values) but the screen ruled it out")
            }
        }
        #expect(checked > 100, "the random events should match some rules")
    }
}

/// A small deterministic generator (SplitMix64) so the random test is the same every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
