import Evtx
import ExTriageCore
import Testing
import TestSupport

/// The EVTX reader's memory budget (issue #14 case 2, ADVERSARIAL-CASES C3, C11): whatever the
/// bytes, a stream holds at most `memoryCap`, a chunk's records expand to at most
/// `chunkOutputBudget`, and no chunk yields more records than fit in it.
@Suite struct MemoryBudgetTests {
    /// Reads `bytes` through one stream; the records, the summary and the most it held.
    static func read(_ bytes: [UInt8]) -> (records: [EvtxRecord], summary: EvtxSummary, peak: Int, cap: Int) {
        let stream = EvtxStream()
        var records: [EvtxRecord] = []
        bytes.withUnsafeBytes { stream.feed($0) { records.append($0) } }
        let summary = stream.finish { records.append($0) }
        return (records, summary, stream.peakHeldBytes, stream.memoryCap)
    }

    static func heldBytes(_ records: [EvtxRecord]) -> Int {
        records.reduce(0) { total, record in total + record.fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count } }
    }

    static func expectBounded(_ result: (records: [EvtxRecord], summary: EvtxSummary, peak: Int, cap: Int), chunks: Int,
                              _ comment: Comment) {
        #expect(result.peak <= result.cap, comment)
        #expect(result.cap <= 200 << 20, comment)
        #expect(result.records.count <= result.summary.records, comment)
        #expect(result.summary.records + result.summary.failed <= chunks * EvtxStream.maximumRecordsPerChunk, comment)
        #expect(heldBytes(result.records) <= chunks * EvtxStream.chunkOutputBudget, comment)
    }

    /// Small records sharing one template that refers to their value thousands of times: each
    /// record stays under the per-record budget, but a chunk of them used to expand to tens of
    /// megabytes (fan-out through a shared template is how a few KB drove the old reader to GBs).
    @Test func aSharedTemplateCannotMultiplyAChunkBeyondItsBudget() {
        let value = String(repeating: "x", count: 100)
        let events = (0..<200).map { index in
            var event = EvtxEvent(eventID: 4688, provider: "P", channel: "Security", computer: "H",
                                  time: Timestamp(seconds: 1_614_735_582 + Int64(index)), data: [("", value)])
            event.fanOut = 700
            return event
        }
        let bytes = EvtxWriter.write(events, shareTemplates: true)
        let chunks = (bytes.count - 4096) / 65_536
        let result = Self.read(bytes)
        Self.expectBounded(result, chunks: chunks, "fan-out")
        #expect(result.summary.failed > 0, "records past the chunk budget fail and are counted")
        #expect(result.records.count > 0, "records within the budget are still read")
    }

    /// A one-chunk file (69 KB, like the one that drove libevtx past 7.6 GB) with one byte
    /// flipped at each of many offsets, checksums fixed so the damage reaches the decoder, and
    /// again without fixing them.
    @Test func oneFlippedByteAnywhereStaysWithinTheBudget() {
        let base = EvtxWriter.write(EvtxStreamTests.events(60), shareTemplates: true)
        #expect(base.count == 4096 + 65_536)
        let used = 4096 + 512 + 12_000
        for offset in stride(from: 0, to: used, by: 5) {
            for fixChecksums in [true, false] where fixChecksums || offset % 25 == 0 {
                var bytes = base
                bytes[offset] ^= offset % 2 == 0 ? 0xFF : 0x01
                if fixChecksums, offset >= 4096 { CorruptInputTests.reseal(&bytes, chunkAt: 4096) }
                let result = Self.read(bytes)
                Self.expectBounded(result, chunks: 1, "flip at \(offset)")
                guard result.peak <= result.cap else { return }
            }
        }
    }
}
