import Testing
@testable import Detection

/// Reads `bytes` fed in pieces of the given sizes (the rest in one piece), returning the lines and the reader.
func readLines(_ bytes: [UInt8], pieces: [Int] = [], maximumLineLength: Int = 1 << 20) -> ([Line], LineReader) {
    var reader = LineReader(maximumLineLength: maximumLineLength)
    var lines: [Line] = []
    var offset = 0
    bytes.withUnsafeBytes { all in
        for size in pieces where offset < all.count {
            let end = min(offset + size, all.count)
            reader.feed(UnsafeRawBufferPointer(rebasing: all[offset..<end])) { lines.append($0) }
            offset = end
        }
        if offset < all.count {
            reader.feed(UnsafeRawBufferPointer(rebasing: all[offset...])) { lines.append($0) }
        }
    }
    reader.finish { lines.append($0) }
    return (lines, reader)
}

func texts(_ lines: [Line]) -> [String] { lines.map(\.text) }

/// A deterministic generator so "random" splits repeat from run to run (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func utf16LE(_ text: String, bom: Bool) -> [UInt8] {
    var bytes: [UInt8] = bom ? [0xFF, 0xFE] : []
    for unit in text.utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
    return bytes
}

func utf16BE(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = [0xFE, 0xFF]
    for unit in text.utf16 { bytes += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
    return bytes
}

@Suite struct LineReaderTests {
    @Test func lineEndings() {
        #expect(texts(readLines(Array("a\nbb\nccc\n".utf8)).0) == ["a", "bb", "ccc"])
        #expect(texts(readLines(Array("a\r\nbb\r\nccc\r\n".utf8)).0) == ["a", "bb", "ccc"])
        #expect(texts(readLines(Array("a\rbb\rccc\r".utf8)).0) == ["a", "bb", "ccc"])
        #expect(texts(readLines(Array("a\r\n\r\nb\n\nc\r\rd".utf8)).0) == ["a", "", "b", "", "c", "", "d"])
        #expect(texts(readLines(Array("no newline".utf8)).0) == ["no newline"])
        #expect(texts(readLines(Array("\n".utf8)).0) == [""])
        #expect(readLines([]).0.isEmpty)
        #expect(readLines([]).1.encoding == "utf-8")
        let numbered = readLines(Array("x\ny\r\nz".utf8)).0
        #expect(numbered.map(\.number) == [1, 2, 3])
        #expect(numbered.allSatisfy { !$0.truncated })
    }

    static let sample: [UInt8] = Array(("#Software: Microsoft Exchange Server\r\n#Fields: a,b\r\n1,\"x,\"\"y\"\"\"\r\n"
        + "\r\nmixed\nending\rcr\r\n\u{E9}t\u{E9} \u{1F600} \u{4E2D}\rlast").utf8)

    @Test func everySplitPointGivesTheSameLines() {
        let expected = readLines(Self.sample).0
        #expect(texts(expected) == ["#Software: Microsoft Exchange Server", "#Fields: a,b", "1,\"x,\"\"y\"\"\"", "",
                                    "mixed", "ending", "cr", "\u{E9}t\u{E9} \u{1F600} \u{4E2D}", "last"])
        for split in 0...Self.sample.count {
            let lines = readLines(Self.sample, pieces: [split]).0
            #expect(texts(lines) == texts(expected), "split at \(split)")
            #expect(lines.map(\.number) == Array(1...expected.count))
        }
        let oneByte = readLines(Self.sample, pieces: Array(repeating: 1, count: Self.sample.count)).0
        #expect(texts(oneByte) == texts(expected))
        var generator = SeededGenerator(state: 42)
        for _ in 0..<200 {
            let pieces = (0..<12).map { _ in Int.random(in: 1...9, using: &generator) }
            #expect(texts(readLines(Self.sample, pieces: pieces).0) == texts(expected), "pieces \(pieces)")
        }
    }

    @Test func utf8BOMIsStripped() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("#Software: x\r\nrow".utf8)
        for split in 0...bytes.count {
            let (lines, reader) = readLines(bytes, pieces: [split])
            #expect(texts(lines) == ["#Software: x", "row"])
            #expect(reader.encoding == "utf-8-bom")
        }
        let (short, reader) = readLines([0xEF, 0xBB, 0xBF] + Array("a".utf8))
        #expect(texts(short) == ["a"])
        #expect(reader.encoding == "utf-8-bom")
    }

    @Test func utf16LittleEndianWithAndWithoutBOM() {
        let text = "#Fields: date time\r\n2021-03-03 06:49:42 caf\u{E9} \u{1F600}\nend"
        let expected = ["#Fields: date time", "2021-03-03 06:49:42 caf\u{E9} \u{1F600}", "end"]
        for bom in [true, false] {
            let bytes = utf16LE(text, bom: bom)
            let (lines, reader) = readLines(bytes)
            #expect(texts(lines) == expected)
            #expect(reader.encoding == "utf-16le")
            // Chunk boundaries inside code units and inside the surrogate pair.
            for split in 0...bytes.count {
                #expect(texts(readLines(bytes, pieces: [split]).0) == expected, "bom \(bom) split \(split)")
            }
            #expect(texts(readLines(bytes, pieces: Array(repeating: 1, count: bytes.count)).0) == expected)
        }
    }

    @Test func utf16BigEndianWithBOM() {
        let bytes = utf16BE("a\r\nb\u{1F600}")
        let (lines, reader) = readLines(bytes, pieces: Array(repeating: 3, count: bytes.count))
        #expect(texts(lines) == ["a", "b\u{1F600}"])
        #expect(reader.encoding == "utf-16be")
    }

    @Test func brokenUTF16IsReplaced() {
        // A lone low surrogate, a high surrogate followed by a letter, and an odd trailing byte.
        let bytes: [UInt8] = [0xFF, 0xFE, 0x61, 0x00, 0x00, 0xDC, 0x62, 0x00, 0x3D, 0xD8, 0x63, 0x00, 0x64]
        #expect(texts(readLines(bytes).0) == ["a\u{FFFD}b\u{FFFD}c\u{FFFD}"])
        // A high surrogate at the very end.
        #expect(texts(readLines([0xFF, 0xFE, 0x61, 0x00, 0x3D, 0xD8]).0) == ["a\u{FFFD}"])
    }

    @Test func invalidUTF8AndNULBytes() {
        let bytes: [UInt8] = [0x61, 0xFF, 0x62, 0x00, 0x63, 0xC3, 0x0A, 0x00, 0x00, 0x0A, 0xE2, 0x82, 0xAC]
        let (lines, reader) = readLines(bytes)
        #expect(texts(lines) == ["a\u{FFFD}b\u{0}c\u{FFFD}", "\u{0}\u{0}", "\u{20AC}"])
        #expect(reader.encoding == "utf-8")
        for split in 0...bytes.count {
            #expect(texts(readLines(bytes, pieces: [split]).0) == texts(lines))
        }
    }

    @Test func longLineIsTruncatedCountedAndBounded() {
        let cap = 1 << 20
        var bytes = Array("first\n".utf8)
        bytes += [UInt8](repeating: 0x41, count: 5 << 20)
        bytes += Array("\r\nafter\n".utf8)
        bytes += [UInt8](repeating: 0x42, count: cap + 1)  // last line, no newline
        for pieces in [[], Array(repeating: 65_536, count: 200), [3, 1 << 20, 7]] {
            let (lines, reader) = readLines(bytes, pieces: pieces, maximumLineLength: cap)
            #expect(lines.count == 4)
            #expect(lines.map(\.truncated) == [false, true, false, true])
            #expect(lines.map(\.number) == [1, 2, 3, 4])
            #expect(lines[1].text.utf8.count == cap)
            #expect(lines[1].text.utf8.allSatisfy { $0 == 0x41 })
            #expect(lines[2].text == "after")
            #expect(lines[3].text.utf8.count == cap)
            #expect(reader.linesTruncated == 2)
            #expect(reader.pendingCapacity <= cap + cap / 8)
        }
    }

    @Test func exactlyAtTheCapIsNotTruncated() {
        let bytes = [UInt8](repeating: 0x61, count: 16) + [0x0A] + [UInt8](repeating: 0x62, count: 17)
        for split in 0...bytes.count {
            let (lines, reader) = readLines(bytes, pieces: [split], maximumLineLength: 16)
            #expect(lines.map(\.truncated) == [false, true])
            #expect(lines.map { $0.text.utf8.count } == [16, 16])
            #expect(reader.linesTruncated == 1)
        }
    }

    @Test func utf16TranscodingStaysBounded() {
        // 2 MiB of UTF-16LE in one chunk: the transcoding buffer holds one block, not the whole input.
        var bytes: [UInt8] = [0xFF, 0xFE]
        for _ in 0..<(1 << 20) { bytes += [0x78, 0x00] }
        let (lines, reader) = readLines(bytes, maximumLineLength: 4096)
        #expect(lines.count == 1)
        #expect(lines[0].truncated)
        #expect(reader.scratchCapacity <= 256 * 1024)
    }
}
