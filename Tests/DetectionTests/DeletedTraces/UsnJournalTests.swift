@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// The USN journal reader over journals written at test time by `Samples/tools/usn_writer.py`:
/// V2 and V3 records, a zero (sparse) head, a cut last record, garbage; fed whole or in chunks.
@Suite struct UsnJournalTests {
    static let create: UInt32 = 0x100, delete: UInt32 = 0x200, close: UInt32 = 0x8000_0000, extend: UInt32 = 0x2

    static func records(_ bytes: [UInt8], chunk: Int? = nil) -> (records: [UsnRecord], reader: UsnJournalReader) {
        var reader = UsnJournalReader()
        var records: [UsnRecord] = []
        if let chunk {
            for start in stride(from: 0, to: bytes.count, by: chunk) {
                reader.feed(Array(bytes[start..<min(bytes.count, start + chunk)])) { records.append($0) }
            }
        } else {
            reader.feed(bytes) { records.append($0) }
        }
        reader.finish()
        return (records, reader)
    }

    static func journal(leadingZeros: Int = 0, truncate: Int? = nil, count: Int = 3) throws -> [UInt8] {
        var records: [[String: Any]] = []
        for index in 0..<count {
            records.append(SampleFormatWriters.usnRecord("file\(index).aspx", file: (UInt64(70_000 + index), 3), parent: (1252, 1),
                                                         time: "2021-03-03T06:58:1\(index).1234567Z", reason: create | close,
                                                         version: index == 1 ? 3 : 2))
        }
        var spec: [String: Any] = ["version": 2, "leading_zeros": leadingZeros, "records": records]
        if let truncate { spec["truncate"] = truncate }
        return try SampleFormatWriters.usnJournal(spec)
    }

    @Test func v2AndV3RecordsAreDecodedWithTheirFields() throws {
        let bytes = try Self.journal()
        let (records, reader) = Self.records(bytes)
        #expect(records.count == 3 && reader.malformed == 0 && reader.truncated == 0)
        #expect(records.map(\.majorVersion) == [2, 3, 2])
        let v3 = records[1]
        #expect(v3.name == "file1.aspx" && v3.file == FileReference(entry: 70_001, sequence: 3) && v3.parent == FileReference(entry: 1252, sequence: 1))
        #expect(v3.reason == Self.create | Self.close && UsnReason.names(of: v3.reason) == "FILE_CREATE|CLOSE")
        #expect(v3.timestamp == Timestamp(seconds: Timestamp(iso8601: "2021-03-03T06:58:11Z")!.seconds, nanoseconds: 123_456_000), "the writer keeps microseconds")
        #expect(records.allSatisfy { UInt64($0.usn) == $0.offset }, "the writer sets Usn to the record's offset")
        #expect(records[0].name == "file0.aspx" && records[0].offset == 0 && !records[0].isDirectory)
    }

    @Test func aZeroHeadIsSkippedAndFeedingInChunksGivesTheSameRecords() throws {
        let bytes = try Self.journal(leadingZeros: 65536)
        let (whole, reader) = Self.records(bytes)
        #expect(whole.count == 3 && whole.first?.usn == 65536 && reader.zeroBytesSkipped >= 65536 && reader.malformed == 0)
        let (chunked, _) = Self.records(bytes, chunk: 7)
        #expect(chunked == whole)
    }

    @Test func aCutLastRecordIsCountedNotDecoded() throws {
        let full = try Self.journal()
        let (records, _) = Self.records(full)
        let cut = Int(records[2].offset) + 30
        let (left, reader) = Self.records(try Self.journal(truncate: cut))
        #expect(left.count == 2 && reader.truncated == 1)
    }

    @Test func garbageIsCountedAndRecordsAfterItAreStillRead() throws {
        var seed: UInt64 = 0x5EED
        let noise = (0..<4096).map { _ -> UInt8 in
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: seed >> 33) | 0x01  // never a zero length
        }
        let journal = try Self.journal()
        let (records, reader) = Self.records(noise + journal)
        #expect(reader.malformed >= 1)
        #expect(records.suffix(3).map(\.name) == ["file0.aspx", "file1.aspx", "file2.aspx"])
        let (onlyNoise, noiseReader) = Self.records(noise + noise)
        #expect(onlyNoise.isEmpty && noiseReader.malformed >= 1)
    }
}
