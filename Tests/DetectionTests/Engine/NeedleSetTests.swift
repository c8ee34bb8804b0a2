@testable import Detection
import Testing

/// The SIMD pre-filter (`NeedleSet`, `ByteSearch.firstIndex`) against a byte-at-a-time reference:
/// same needles found, same first offsets, on lines built at random around the needles.
@Suite struct NeedleSetTests {
    /// Needles of every shape the rules use: shared prefixes, one or two bytes, punctuation, a
    /// non-ASCII one; plus an empty one and an upper-case one, which never match.
    static let needles: [[UInt8]] = [
        "serverinfo~", "server~", "x-beresource-cookie", "x-anonresource-backend-cookie", "/ecp/", "/owa/auth/",
        "/oab/", ".aspx", "__viewstate", "powershell", "a", "zq", "autodiscover.json", "exabot-thumbnails", "é~",
    ].map { Array($0.utf8) } + [[], Array("Upper".utf8)]

    /// A deterministic generator, so a failure repeats.
    struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    static func reference(_ text: [UInt8], _ needle: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, text.count >= needle.count, start <= text.count - needle.count else { return nil }
        for index in start...(text.count - needle.count)
        where (0..<needle.count).allSatisfy({ ByteSearch.lower(text[index + $0]) == needle[$0] }) {
            return index
        }
        return nil
    }

    /// A line of random filler with needles planted in random case, sometimes cut short.
    static func line(_ random: inout Random) -> [UInt8] {
        let filler = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789~/-._ ,\u{0}".utf8) + [0xC3, 0xA9, 0xFF]
        let length = random.next(400)
        var line: [UInt8] = []
        while line.count < length {
            if random.next(10) == 0 {
                let needle = needles[random.next(needles.count)]
                let keep = random.next(4) == 0 ? random.next(needle.count + 1) : needle.count
                for byte in needle.prefix(keep) {
                    let upper = byte >= 97 && byte <= 122 && random.next(2) == 0
                    line.append(upper ? byte - 32 : byte)
                }
            } else {
                line.append(filler[random.next(filler.count)])
            }
        }
        return line
    }

    @Test func matchesFindExactlyTheNeedlesAByteLoopFinds() {
        let set = NeedleSet(Self.needles)
        var random = Random(state: 18)
        for _ in 0..<20_000 {
            let line = Self.line(&random)
            let found = line.withUnsafeBufferPointer { set.matches(in: $0) }
            for (index, needle) in Self.needles.enumerated() {
                let expected = Self.reference(line, needle, from: 0) != nil
                #expect(found.contains(index) == expected, "needle \(index) in \(line)")
            }
        }
    }

    @Test func matchesOnTextAgreeWithMatchesOnItsBytes() {
        let set = NeedleSet(Self.needles)
        let text = "2021-03-02T07:19:51Z,POST,/ecp/y.js,ServerInfo~a]@exch01:444/autodiscover/autodiscover.xml?#,Server~EXCH01.fabrikam.local~1942062522"
        let viaBytes = Array(text.utf8).withUnsafeBufferPointer { set.matches(in: $0) }
        let viaText = set.matches(in: text)
        #expect(viaText.low == viaBytes.low && viaText.high == viaBytes.high)
        for needle in ["serverinfo~", "server~", "/ecp/"] {
            #expect(viaText.contains(set.index(of: Array(needle.utf8))!), "\(needle)")
        }
        #expect(!viaText.contains(set.index(of: Array("/owa/auth/".utf8))!))
    }

    @Test func needlesPastTheMaskAreNotReportedAndTheRestStillAre() {
        let many = (0..<140).map { Array("n\($0)x".utf8) }
        let set = NeedleSet(many)
        let found = set.matches(in: "n3x N139X n127x")
        #expect(found.contains(3) && found.contains(127))
        #expect(!found.contains(4) && !found.contains(13))
        #expect(NeedleSet([]).matches(in: "anything").low == 0)
    }

    @Test func firstIndexFindsWhatAByteLoopFinds() {
        var random = Random(state: 26855)
        for _ in 0..<20_000 {
            let line = Self.line(&random)
            let needle = Self.needles[random.next(Self.needles.count)]
            let start = random.next(line.count + 2)
            let found = line.withUnsafeBufferPointer { ByteSearch.firstIndex($0, of: needle, from: start) }
            #expect(found == Self.reference(line, needle, from: start), "\(needle) from \(start) in \(line)")
        }
    }
}
