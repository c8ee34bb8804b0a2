import Evtx
import ExTriageCore
import Testing
import TestSupport

/// Damaged and hostile input (ADVERSARIAL-CASES C1–C3, C11): exact counts, never a crash, a hang
/// or unbounded memory.
@Suite struct CorruptInputTests {
    static let chunk = 65_536

    /// Record starts (file offsets) per chunk.
    static func recordOffsets(_ bytes: [UInt8]) -> [[Int]] {
        var chunks: [[Int]] = []
        var start = 4096
        while start + chunk <= bytes.count {
            var offsets: [Int] = []
            var offset = start + 512
            let free = start + (Int(bytes[start + 48]) | Int(bytes[start + 49]) << 8)
            while offset + 24 <= free, bytes[offset] == 0x2A, bytes[offset + 1] == 0x2A {
                offsets.append(offset)
                offset += Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16
            }
            chunks.append(offsets)
            start += chunk
        }
        return chunks
    }

    /// Recomputes a chunk's records and header checksums after an edit.
    static func reseal(_ bytes: inout [UInt8], chunkAt start: Int) {
        let free = Int(bytes[start + 48]) | Int(bytes[start + 49]) << 8 | Int(bytes[start + 50]) << 16
        let records = CRC32.checksum(bytes[(start + 512)..<(start + free)])
        for index in 0..<4 { bytes[start + 52 + index] = UInt8(truncatingIfNeeded: records >> (8 * UInt32(index))) }
        let header = CRC32.checksum(Array(bytes[start..<(start + 120)]) + Array(bytes[(start + 128)..<(start + 512)]))
        for index in 0..<4 { bytes[start + 124 + index] = UInt8(truncatingIfNeeded: header >> (8 * UInt32(index))) }
    }

    static let file = EvtxWriter.write(EvtxStreamTests.events(900))

    @Test func aChunkWithABadRecordsChecksumIsSkippedAndCounted() throws {
        var bytes = Self.file
        let chunks = Self.recordOffsets(bytes)
        #expect(chunks.count >= 3)
        bytes[chunks[1][3] + 60] ^= 0x01
        let (records, summary) = EvtxStream.read(bytes)
        #expect(summary.badChunks == 1 && summary.corrupted && summary.failed == 0)
        #expect(summary.records == 900 - chunks[1].count && records.count == summary.records)
        #expect(summary.chunkProblems.first?.contains("chunk 1: records checksum") == true)
    }

    @Test func aChunkWithABadHeaderOrSignatureIsSkipped() throws {
        let chunks = Self.recordOffsets(Self.file)
        var header = Self.file
        header[4096 + 8] ^= 0xFF
        let (_, one) = EvtxStream.read(header)
        #expect(one.badChunks == 1 && one.records == 900 - chunks[0].count)
        var magic = Self.file
        magic[4096 + 65_536 * 2] = 0x58
        let (_, two) = EvtxStream.read(magic)
        #expect(two.badChunks == 1 && two.records == 900 - chunks[2].count)
        #expect(two.chunkProblems.first?.contains("ElfChnk") == true)
    }

    @Test func cutFilesKeepTheWholeChunks() throws {
        let chunks = Self.recordOffsets(Self.file)
        let (_, cut) = EvtxStream.read(Array(Self.file.prefix(4096 + 65_536 + 20_000)))
        #expect(cut.records == chunks[0].count && cut.badChunks == 1 && cut.corrupted && cut.problem == nil)
        let (_, empty) = EvtxStream.read([])
        #expect(empty.problem?.contains("0 bytes") == true && empty.records == 0)
        let (_, headerOnly) = EvtxStream.read(Array(Self.file.prefix(4096)))
        #expect(headerOnly.problem == nil && headerOnly.records == 0 && !headerOnly.corrupted)
        let (_, short) = EvtxStream.read(Array(Self.file.prefix(1000)))
        #expect(short.problem != nil)
        // Every 100th byte: no crash, records never more than the whole.
        for length in stride(from: 0, to: 4096 + 3 * 65_536, by: 4099) {
            let (records, summary) = EvtxStream.read(Array(Self.file.prefix(length)))
            #expect(records.count == summary.records && summary.records <= 900)
        }
    }

    @Test func elfFileMagicWithGarbageAndAZeroChunk() throws {
        var bytes = Array("ElfFile\0".utf8) + [UInt8](repeating: 0x41, count: 4088 + 65_536)
        bytes += [UInt8](repeating: 0, count: 65_536)
        let (records, summary) = EvtxStream.read(bytes)
        #expect(records.isEmpty && summary.badChunks == 1 && summary.chunks == 0 && summary.corrupted)
        let (_, notEVTX) = EvtxStream.read(Array("this is not an event log\n".utf8))
        #expect(notEVTX.problem?.contains("not an EVTX") == true)
    }

    @Test func aRecordClaimingAHugeSizeFailsAndTheChunkStops() throws {
        var bytes = Self.file
        let chunks = Self.recordOffsets(bytes)
        let second = chunks[0][1]
        for (index, byte) in [0xF0, 0xFF, 0xFF, 0x7F].enumerated() { bytes[second + 4 + index] = UInt8(byte) }
        Self.reseal(&bytes, chunkAt: 4096)
        let (_, summary) = EvtxStream.read(bytes)
        #expect(summary.badChunks == 0 && summary.failed == 1)
        #expect(summary.records == 900 - chunks[0].count + 1)
    }

    @Test func aTemplateThatRefersToItselfFailsItsRecord() throws {
        var bytes = EvtxWriter.write(EvtxStreamTests.events(3), shareTemplates: true)
        let first = Self.recordOffsets(bytes)[0][0]
        // The first record's inline definition starts 10 bytes into its binary XML (after 0x0F 01 01 00, then 0x0C 01, id, offset at +10);
        // its fragment's first element becomes a template instance pointing back at the definition.
        let xml = first + 24
        let definition = Int(bytes[xml + 10]) | Int(bytes[xml + 11]) << 8 | Int(bytes[xml + 12]) << 16
        let fragment = 4096 + definition + 24 + 4
        bytes.replaceSubrange(fragment..<(fragment + 14), with: [0x0C, 0x01, 0, 0, 0, 0] + Self.le32(definition) + Self.le32(0))
        Self.reseal(&bytes, chunkAt: 4096)
        let (records, summary) = EvtxStream.read(bytes)
        #expect(summary.failed == 3 && summary.records == 0 && records.isEmpty)
    }

    @Test func recordsAfterTheFreeSpaceOffsetAreRecovered() throws {
        var bytes = EvtxWriter.write(EvtxStreamTests.events(10), firstRecord: 500)
        let offsets = Self.recordOffsets(bytes)[0]
        // Pretend only the first seven records are allocated: the last three now lie in slack.
        let free = offsets[7] - 4096
        for index in 0..<4 { bytes[4096 + 48 + index] = UInt8(truncatingIfNeeded: free >> (8 * index)) }
        Self.reseal(&bytes, chunkAt: 4096)
        // And a copy of a live record (number 501) further on in the slack is not offered again.
        let copy = Array(bytes[offsets[1]..<offsets[2]])
        let at = 4096 + 40_000
        bytes.replaceSubrange(at..<(at + copy.count), with: copy)
        let (records, summary) = EvtxStream.read(bytes)
        #expect(summary.records == 10 && summary.recovered == 3 && summary.recoveredDuplicates == 1)
        #expect(records.map(\.recordNumber) == (500...509).map { $0 })
        #expect(records.map(\.recovered) == Array(repeating: false, count: 7) + [true, true, true])
    }

    @Test func everySplitPointGivesTheSameRecords() throws {
        let bytes = EvtxWriter.write(EvtxStreamTests.events(4))
        let (whole, summary) = EvtxStream.read(bytes)
        let used = Self.recordOffsets(bytes)[0].last.map { $0 + 600 } ?? 5000
        let points = Array(0..<used) + Array(stride(from: used, through: bytes.count, by: 997))
        for split in points {
            let stream = EvtxStream(options: EvtxOptions(batchChunks: 1))
            var records: [EvtxRecord] = []
            bytes.withUnsafeBytes { all in
                stream.feed(UnsafeRawBufferPointer(rebasing: all[0..<split])) { records.append($0) }
                stream.feed(UnsafeRawBufferPointer(rebasing: all[split...])) { records.append($0) }
            }
            let again = stream.finish { records.append($0) }
            guard again == summary, records.map(\.recordNumber) == whole.map(\.recordNumber),
                  records.map({ $0.fields.map(\.value) }) == whole.map({ $0.fields.map(\.value) }) else {
                Issue.record("split at \(split) differs")
                return
            }
        }
    }

    @Test func thePrefilterSeesIDAndProviderBeforeFieldsAreMade() throws {
        var events = EvtxStreamTests.events(5)
        events.append(EvtxEvent(eventID: 7045, provider: "Service Control Manager", channel: "System", time: EvtxStreamTests.base,
                                data: [("ServiceName", "x")]))
        let options = EvtxOptions { id, provider in id == 7045 || provider == "nobody" }
        let (records, summary) = EvtxStream.read(EvtxWriter.write(events), options: options)
        #expect(summary.records == 6 && records.map(\.eventID) == [7045] && records.first?.provider == "Service Control Manager")
    }

    /// Flipped bytes in a valid file, chunk checksums then fixed so the damage reaches the BinXML decoder.
    @Test func flippedBytesNeverCrash() throws {
        var generator = SystemRandomNumberGenerator()
        let base = EvtxWriter.write(EvtxStreamTests.events(60), shareTemplates: true)
        for _ in 0..<300 {
            var bytes = base
            for _ in 0..<40 {
                let at = Int.random(in: (4096 + 512)..<(4096 + 20_000), using: &generator)
                bytes[at] = UInt8.random(in: 0...255, using: &generator)
            }
            Self.reseal(&bytes, chunkAt: 4096)
            let (records, summary) = EvtxStream.read(bytes)
            #expect(records.count <= summary.records && summary.records + summary.failed <= 200)
        }
    }

    static func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
}
