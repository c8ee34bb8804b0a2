import Foundation

/// Literal text a rule cannot match without, and one pass over a record that finds which of all
/// rules' texts are there: rules whose detection cannot hold without text that is absent need not
/// be evaluated.
///
/// At load, each rule's detection is reduced to a ``SigmaRequirement``: its condition tree with
/// each field or keyword test replaced by "one of these needles (ASCII-lower-cased bytes) is in
/// the event's keyword text", or by nothing when the test gives no such needle (a number, a
/// `not`, a System field). Needles get process-wide numbers. A ``SigmaScreen`` holds every needle
/// known when it is made and scans a record's folded keyword text once: a table of the needles'
/// rarest two-byte anchors rejects most positions with one bit test. ``SigmaRule/mayMatch(_:)``
/// then evaluates the requirement over the hits; a needle newer than the screen counts as present.
public final class SigmaScreen: Sendable {
    /// The needles, by number (`0..<count`).
    let needles: [[UInt8]]
    /// Two-byte anchors present in some needle (bit `pair`).
    private let anchors: [UInt64]
    /// Open-addressed table: anchor pair → the range of `entries` whose needles it anchors.
    private let slots: [(pair: UInt32, start: Int32, end: Int32)]
    private let slotMask: Int
    /// Needle number and where its anchor is in it.
    private let entries: [(needle: Int32, offset: Int32)]

    /// Needles known to this screen: a rule's needle numbered at or above it was not looked for.
    public var count: Int { needles.count }

    init(needles: [[UInt8]]) {
        self.needles = needles
        var byPair: [UInt32: [(Int32, Int32)]] = [:]
        for (number, needle) in needles.enumerated() where needle.count >= 2 {
            var best = 0
            var bestScore = -1
            for offset in 0..<(needle.count - 1) {
                let score = Self.rarity(needle[offset]) + Self.rarity(needle[offset + 1])
                if score > bestScore { (best, bestScore) = (offset, score) }
            }
            let pair = UInt32(needle[best]) | UInt32(needle[best + 1]) << 8
            byPair[pair, default: []].append((Int32(number), Int32(best)))
        }
        var anchors = [UInt64](repeating: 0, count: 1024)
        var size = 16
        while size < 2 * byPair.count { size *= 2 }
        var slots = [(pair: UInt32, start: Int32, end: Int32)](repeating: (UInt32.max, 0, 0), count: size)
        var entries: [(needle: Int32, offset: Int32)] = []
        for (pair, list) in byPair.sorted(by: { $0.key < $1.key }) {
            anchors[Int(pair >> 6)] |= 1 << UInt64(pair & 63)
            var slot = Self.hash(pair) & (size - 1)
            while slots[slot].pair != UInt32.max { slot = (slot + 1) & (size - 1) }
            slots[slot] = (pair, Int32(entries.count), Int32(entries.count + list.count))
            entries += list.map { (needle: $0.0, offset: $0.1) }
        }
        self.anchors = anchors
        self.slots = slots
        self.slotMask = size - 1
        self.entries = entries
    }

    /// A screen over every needle of every rule loaded so far in this process (made again only
    /// when rules with new needles were loaded since).
    public static func current() -> SigmaScreen { SigmaNeedles.shared.screen() }

    @inline(__always) private static func hash(_ pair: UInt32) -> Int { Int((pair &* 0x9E37_79B1) >> 16) }

    /// How rare a byte is in event text (higher: rarer); letters of English words, digits, spaces and
    /// path punctuation are common.
    private static func rarity(_ byte: UInt8) -> Int {
        if let rank = common.firstIndex(of: byte) { return rank }
        return common.count + 1
    }
    private static let common = Array(" e\\tas.oirn:lc-0md1ux/p2hfg|3ybw4v5_69k78=jqz,".utf8.reversed())

    /// The needles present in `text` (ASCII letters already lower-cased, as `keywordTextFolded` is).
    public func scan(folded text: UnsafeBufferPointer<UInt8>) -> SigmaScreenHits {
        var words: [UInt64] = []
        var high: UInt8 = 0
        for byte in text { high |= byte }
        let ascii = high < 0x80
        guard text.count >= 2, let base = text.baseAddress, !entries.isEmpty else { return SigmaScreenHits(words: words, known: count, ascii: ascii) }
        let limit = text.count - 1
        anchors.withUnsafeBufferPointer { anchors in
            var index = 0
            while index < limit {
                let pair = UInt32(base[index]) | UInt32(base[index + 1]) << 8
                if anchors[Int(pair >> 6)] & (1 << UInt64(pair & 63)) != 0 { found(pair, at: index, in: text, into: &words) }
                index += 1
            }
        }
        return SigmaScreenHits(words: words, known: count, ascii: ascii)
    }

    /// The needles anchored by `pair` that are in place around `index`.
    private func found(_ pair: UInt32, at index: Int, in text: UnsafeBufferPointer<UInt8>, into words: inout [UInt64]) {
        var slot = Self.hash(pair) & slotMask
        while slots[slot].pair != pair {
            if slots[slot].pair == UInt32.max { return }
            slot = (slot + 1) & slotMask
        }
        for entry in Int(slots[slot].start)..<Int(slots[slot].end) {
            let (number, offset) = entries[entry]
            let start = index - Int(offset)
            let needle = needles[Int(number)]
            guard start >= 0, start + needle.count <= text.count else { continue }
            let word = Int(number) >> 6
            let bit: UInt64 = 1 << UInt64(number & 63)
            if word < words.count, words[word] & bit != 0 { continue }
            var equal = true
            for position in 0..<needle.count where text[start + position] != needle[position] {
                equal = false
                break
            }
            guard equal else { continue }
            if words.count <= word { words += [UInt64](repeating: 0, count: word + 1 - words.count) }
            words[word] |= bit
        }
    }
}

/// Which needles a ``SigmaScreen`` found in one record.
public struct SigmaScreenHits: Sendable {
    /// Bit `n`: needle `n` is present (words past the end: absent).
    let words: [UInt64]
    /// The screen's needle count: needles from `known` on were not looked for.
    let known: Int
    /// The text was all ASCII.
    let ascii: Bool

    @inline(__always) func has(_ number: Int32) -> Bool {
        let word = Int(number) >> 6
        return word < words.count && words[word] & (1 << UInt64(number & 63)) != 0
    }
}

/// What a rule needs in a record's keyword text to match: a tree over numbered needles.
indirect enum SigmaRequirement: Sendable, Equatable {
    /// At least one of these needles (with `asciiOnly`: unless the text is not all ASCII).
    case any([Int32], asciiOnly: Bool)
    case all([SigmaRequirement])
    case oneOf([SigmaRequirement])

    func holds(_ hits: SigmaScreenHits) -> Bool {
        switch self {
        case .any(let needles, let asciiOnly):
            if asciiOnly, !hits.ascii { return true }
            for number in needles where Int(number) >= hits.known || hits.has(number) { return true }
            return false
        case .all(let parts):
            for part in parts where !part.holds(hits) { return false }
            return true
        case .oneOf(let parts):
            for part in parts where part.holds(hits) { return true }
            return false
        }
    }
}

extension SigmaRule {
    /// False only when the screen proves the rule cannot match the record it scanned (what its
    /// detection needs is not in the keyword text); true otherwise.
    public func mayMatch(_ hits: SigmaScreenHits) -> Bool {
        requirement?.holds(hits) ?? true
    }
}

/// Process-wide needle numbers, and the screen over all of them.
final class SigmaNeedles: @unchecked Sendable {
    static let shared = SigmaNeedles()
    private let lock = NSLock()
    private var numbers: [[UInt8]: Int32] = [:]
    private var list: [[UInt8]] = []
    private var cached: SigmaScreen?

    func number(_ needle: [UInt8]) -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        if let number = numbers[needle] { return number }
        let number = Int32(list.count)
        numbers[needle] = number
        list.append(needle)
        return number
    }

    func screen() -> SigmaScreen {
        lock.lock()
        defer { lock.unlock() }
        if let cached, cached.count == list.count { return cached }
        let screen = SigmaScreen(needles: list)
        cached = screen
        return screen
    }

    /// Fields an event record carries outside its data values (so not in its keyword text): a
    /// test on them gives no needle.
    static let outsideKeywordText: Set<String> = ["eventid", "level", "channel", "provider", "provider_name", "computer", "eventrecordid",
                                                  "task", "opcode", "keywords", "version", "timecreated", "systemtime", "eventtype"]

    /// What a rule needs in the keyword text of any event record it matches; nil when the
    /// detection gives nothing to look for.
    static func required(searches: [SigmaSearch], condition: SigmaCondition, targets: [SigmaTarget]) -> SigmaRequirement? {
        Derivation(targets: targets).condition(condition, searches)
    }

    /// The requirement tree from the detection tree: each item becomes "one of its needles"
    /// (or nothing: true), and ANDs, ORs and `x of` keep their shape; `not` gives nothing.
    struct Derivation {
        let targets: [SigmaTarget]

        func condition(_ condition: SigmaCondition, _ searches: [SigmaSearch]) -> SigmaRequirement? {
            switch condition {
            case .search(let index): return index < searches.count ? search(searches[index]) : nil
            case .not, .constant: return nil
            case .and(let children): return all(children.map { self.condition($0, searches) })
            case .or(let children): return oneOf(children.map { self.condition($0, searches) })
            case .atLeast(let count, let indices):
                let parts = indices.map { $0 < searches.count ? search(searches[$0]) : nil }
                return count >= indices.count ? all(parts) : oneOf(parts)
            }
        }

        func search(_ search: SigmaSearch) -> SigmaRequirement? {
            oneOf(search.alternatives.map { items in all(items.map(item)) })
        }

        func item(_ item: SigmaItem) -> SigmaRequirement? {
            guard !item.negated, case .values(let tests, let all) = item.kind else { return nil }
            if let field = item.field {
                let lowered = field.lowercased()
                if SigmaNeedles.outsideKeywordText.contains(lowered) { return nil }
                for target in targets where SigmaNeedles.outsideKeywordText.contains(target.fields.recordField(for: field).lowercased()) { return nil }
            }
            let leaves = tests.map(test)
            return all ? self.all(leaves) : oneOf(leaves)
        }

        /// One value test as "one of these needles". Needles from a regular expression hold only for
        /// ASCII text (ICU folds case beyond ASCII: `ſ` matches `s`), so they are marked so.
        func test(_ test: SigmaValueTest) -> SigmaRequirement? {
            let patterns: [StringPattern]
            var asciiOnly = false
            switch test {
            case .strings(let list): patterns = list
            case .regex(let regex):
                asciiOnly = true
                if let literals = regex.literals { patterns = literals.patterns } else if let required = regex.required { patterns = [required.pattern] } else {
                    return nil
                }
            default: return nil
            }
            var numbers: [Int32] = []
            for pattern in patterns {
                guard let needle = Self.needle(pattern) else { return nil }
                numbers.append(SigmaNeedles.shared.number(needle))
            }
            return numbers.isEmpty ? nil : .any(numbers, asciiOnly: asciiOnly)
        }

        /// The longest run of literal bytes every match of `pattern` contains, ASCII-lower-cased; nil
        /// when shorter than two bytes. For a pattern matched on the Unicode-lower-cased value, only
        /// ASCII bytes other than `i` and `k` are kept (`İ` and the Kelvin sign lower-case to them).
        static func needle(_ pattern: StringPattern) -> [UInt8]? {
            var runs: [[UInt8]] = []
            if case .glob(let tokens) = pattern.shape {
                var run: [UInt8] = []
                for token in tokens {
                    if token < 0 { runs.append(run); run = [] } else { run.append(UInt8(token)) }
                }
                runs.append(run)
            } else {
                runs = [pattern.bytes]
            }
            var best: [UInt8] = []
            for run in runs {
                var piece: [UInt8] = []
                for byte in run {
                    let folded = (byte &- 65) < 26 ? byte | 0x20 : byte
                    let kept = !pattern.unicodeFold || (byte < 0x80 && folded != UInt8(ascii: "i") && folded != UInt8(ascii: "k"))
                    if kept { piece.append(folded) } else {
                        if piece.count > best.count { best = piece }
                        piece = []
                    }
                }
                if piece.count > best.count { best = piece }
            }
            return best.count >= 2 ? best : nil
        }

        /// An AND needs every part that needs something.
        func all(_ parts: [SigmaRequirement?]) -> SigmaRequirement? {
            let kept = parts.compactMap { $0 }
            return kept.isEmpty ? nil : kept.count == 1 ? kept[0] : .all(kept)
        }

        /// An OR needs something only when every branch does; leaves merge into one.
        func oneOf(_ parts: [SigmaRequirement?]) -> SigmaRequirement? {
            var branches: [SigmaRequirement] = []
            var needles: [Int32] = []
            var asciiOnly = false
            for part in parts {
                guard let part else { return nil }
                if case .any(let more, let flag) = part {
                    needles += more
                    asciiOnly = asciiOnly || flag
                } else {
                    branches.append(part)
                }
            }
            if !needles.isEmpty { branches.append(.any(Array(Set(needles)).sorted(), asciiOnly: asciiOnly)) }
            return branches.isEmpty ? nil : branches.count == 1 ? branches[0] : .oneOf(branches)
        }
    }
}
