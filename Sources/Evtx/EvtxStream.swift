import Dispatch
import ExTriageCore

/// Reads an EVTX file from its bytes as they stream past, in pieces of any size, with bounded
/// memory: the 4 KiB file header, then batches of 64 KiB chunks decoded in parallel and emitted
/// in file order. Nothing is written to disk.
///
/// Allocated records of a batch are emitted when the next batch starts decoding (or at `finish`),
/// so decoding runs on other threads meanwhile; records recovered from chunk slack
/// are emitted by `finish`, without those whose number an allocated record has (a copy left
/// behind when a chunk was rewritten).
///
/// Format: libyal's "Windows XML Event Log (EVTX)" notes; the Rust `evtx` crate (omerbenamram).
public final class EvtxStream {
    public let options: EvtxOptions
    private var summary = EvtxSummary()
    private var header: [UInt8] = []
    private var headerDone = false
    private var notEVTX = false
    /// Whole chunks waiting to be decoded, and the partial one being filled.
    private var batch: [[UInt8]] = []
    private var partial: [UInt8] = []
    /// The batch decoding on other threads (`options.parallel`), emitted when the next one starts.
    private var inFlight: DecodingBatch?
    private var chunkIndex = 0
    private var bytesSeen = 0
    /// Allocated record-number ranges (merged), for skipping recovered copies of live records.
    private var allocated: [ClosedRange<UInt64>] = []
    private var pendingRecovered: [(number: UInt64, time: Timestamp?, record: EvtxRecord?)] = []
    /// What the pending recovered records hold, in decoding units (about bytes).
    private var pendingRecoveredCost = 0
    static let maximumPendingRecovered = 50_000
    static let maximumPendingRecoveredCost = 32 << 20
    static let headerSize = 4096

    /// The most this stream ever holds, in bytes (about: decoding units count the bytes of the
    /// fields made, plus a fixed cost per field and record): the header, a batch of chunks with
    /// everything their records expand to (`ChunkContext.chunkBudget` each, however hostile the
    /// binary XML), the chunk being filled, and the recovered records waiting for the end; with
    /// `parallel`, two batches (one emitting, the next decoding). About 161 MiB with the default
    /// 8-chunk batch (two in flight).
    public var memoryCap: Int {
        let batches = options.parallel ? 2 : 1
        return Self.headerSize + batches * options.batchChunks * (ChunkDecoder.size + ChunkContext.chunkBudget) + ChunkDecoder.size
            + Self.maximumPendingRecoveredCost
    }
    /// The most this stream held at once so far, counted as `memoryCap` counts.
    public private(set) var peakHeldBytes = 0
    /// The most one chunk's records may expand to, in decoding units (about bytes held); a
    /// record that would go beyond fails and is counted.
    public static let chunkOutputBudget = ChunkContext.chunkBudget
    /// No 64 KiB chunk yields more records than this (allocated and recovered together).
    public static let maximumRecordsPerChunk = ChunkDecoder.maximumRecords

    public init(options: EvtxOptions = EvtxOptions()) {
        self.options = options
        partial.reserveCapacity(ChunkDecoder.size)
    }

    /// The next bytes of the file; records completed by them are passed to `emit`, in order.
    public func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (EvtxRecord) -> Void) {
        bytesSeen += bytes.count
        guard !notEVTX else { return }
        var rest = bytes
        if !headerDone {
            let take = min(Self.headerSize - header.count, rest.count)
            header += UnsafeRawBufferPointer(rebasing: rest[0..<take])
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            if header.count >= 8, !header.starts(with: Array("ElfFile\0".utf8)) {
                notEVTX = true
                summary.problem = "not an EVTX file (no ElfFile signature)"
                return
            }
            guard header.count == Self.headerSize else { return }
            headerDone = true
            readHeader()
        }
        while !rest.isEmpty {
            let take = min(ChunkDecoder.size - partial.count, rest.count)
            partial += UnsafeRawBufferPointer(rebasing: rest[0..<take])
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            if partial.count == ChunkDecoder.size {
                batch.append(partial)
                partial = []
                partial.reserveCapacity(ChunkDecoder.size)
                if batch.count >= options.batchChunks { decodeBatch(emit) }
            }
        }
    }

    /// The end of the file: the last batch, a cut final chunk, then the recovered records.
    public func finish(_ emit: (EvtxRecord) -> Void) -> EvtxSummary {
        if !notEVTX {
            if !headerDone {
                summary.problem = bytesSeen == 0 ? "empty file (0 bytes)" : "not an EVTX file (\(bytesSeen) bytes, shorter than the 4096-byte header)"
            } else {
                decodeBatch(emit)
                emitDecoded(emit)
                if !partial.isEmpty {
                    summary.badChunks += 1
                    summary.corrupted = true
                    note("chunk \(chunkIndex): cut short (\(partial.count) of \(ChunkDecoder.size) bytes)")
                    partial = []
                }
                flushRecovered(emit, all: true)
            }
        }
        return summary
    }

    private func readHeader() {
        header.withUnsafeBytes { bytes in
            let crc = EvtxCRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<120]))
            if crc != UInt32(ValueText.unsigned(bytes, 124, 4)) {
                summary.corrupted = true
                note("file header checksum mismatch")
            }
            summary.dirty = ValueText.unsigned(bytes, 120, 4) & 1 != 0
        }
    }

    private func note(_ problem: String) {
        if summary.chunkProblems.count < 20 { summary.chunkProblems.append(problem) }
    }

    /// Starts decoding the collected chunks; with `parallel`, on other threads while the records
    /// of the batch before are emitted here (so at most two batches are held).
    private func decodeBatch(_ emit: (EvtxRecord) -> Void) {
        guard !batch.isEmpty else { return }
        let chunks = batch
        batch = []
        guard options.parallel else {
            let results = chunks.map { chunk in chunk.withUnsafeBytes { ChunkDecoder.decode($0, options: options) } }
            absorb(results, emit)
            return
        }
        let next = DecodingBatch(chunks: chunks, options: options)
        emitDecoded(emit)
        inFlight = next
    }

    /// Waits for the batch being decoded, if any, and emits its records.
    private func emitDecoded(_ emit: (EvtxRecord) -> Void) {
        guard let batch = inFlight else { return }
        inFlight = nil
        absorb(batch.results(), emit)
    }

    /// Counts a batch's chunks and records, in file order, and emits its wanted records.
    private func absorb(_ results: [ChunkResult], _ emit: (EvtxRecord) -> Void) {
        let decodingNext = (inFlight?.chunkCount ?? 0) * ChunkDecoder.size
        let held = header.count + decodingNext + results.count * ChunkDecoder.size + partial.count
            + results.reduce(0) { $0 + $1.cost } + pendingRecoveredCost
        peakHeldBytes = max(peakHeldBytes, held)
        for result in results {
            defer { chunkIndex += 1 }
            if result.unused { continue }
            if let problem = result.problem {
                summary.badChunks += 1
                summary.corrupted = true
                note("chunk \(chunkIndex): \(problem)")
                continue
            }
            summary.chunks += 1
            summary.records += result.count
            summary.failed += result.failed
            if let first = result.first { summary.first = min(summary.first ?? first, first) }
            if let last = result.last { summary.last = max(summary.last ?? last, last) }
            if let numbers = result.numbers { addAllocated(numbers) }
            summary.recoveryFailed += result.recoveryFailed
            pendingRecovered += result.recovered
            pendingRecoveredCost += result.recoveredCost
            result.records.forEach(emit)
        }
        if pendingRecovered.count > Self.maximumPendingRecovered || pendingRecoveredCost > Self.maximumPendingRecoveredCost {
            flushRecovered(emit, all: true)
        }
    }

    private func addAllocated(_ range: ClosedRange<UInt64>) {
        if let last = allocated.last, range.lowerBound <= last.upperBound &+ 1, range.upperBound >= last.lowerBound {
            allocated[allocated.count - 1] = min(last.lowerBound, range.lowerBound)...max(last.upperBound, range.upperBound)
        } else {
            allocated.append(range)
        }
    }

    /// Recovered records whose number no allocated record has, counted and emitted.
    private func flushRecovered(_ emit: (EvtxRecord) -> Void, all: Bool) {
        allocated.sort { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt64>] = []
        for range in allocated {
            if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        allocated = merged
        var seen: Set<UInt64> = []
        for candidate in pendingRecovered {
            if isAllocatedSorted(candidate.number) || !seen.insert(candidate.number).inserted {
                summary.recoveredDuplicates += 1
                continue
            }
            summary.records += 1
            summary.recovered += 1
            if let time = candidate.time {
                summary.first = min(summary.first ?? time, time)
                summary.last = max(summary.last ?? time, time)
            }
            if let record = candidate.record { emit(record) }
        }
        pendingRecovered = []
        pendingRecoveredCost = 0
    }

    private func isAllocatedSorted(_ number: UInt64) -> Bool {
        var low = 0
        var high = allocated.count
        while low < high {
            let middle = (low + high) / 2
            if allocated[middle].upperBound < number { low = middle + 1 } else { high = middle }
        }
        return low < allocated.count && allocated[low].contains(number)
    }
}

/// Chunks decoded on the global queue, one work item each, into their own result slots.
final class DecodingBatch: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<ChunkResult>
    private let group = DispatchGroup()
    /// How many chunks it decodes (their bytes count against `EvtxStream.memoryCap`).
    let chunkCount: Int

    init(chunks: [[UInt8]], options: EvtxOptions) {
        chunkCount = chunks.count
        slots = .allocate(capacity: chunks.count)
        slots.initialize(repeating: ChunkResult())
        let queue = DispatchQueue.global(qos: .userInitiated)
        for index in chunks.indices {
            queue.async(group: group) {
                self.slots[index] = chunks[index].withUnsafeBytes { ChunkDecoder.decode($0, options: options) }
            }
        }
    }

    /// Every work item holds the batch, so nothing is decoding any more here.
    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    /// The chunks' results in order, once every one is decoded.
    func results() -> [ChunkResult] {
        group.wait()
        return Array(slots)
    }
}

extension EvtxStream {
    /// Reads a whole file held in memory (tests, small inputs), feeding it in `piece`-byte pieces.
    public static func read(_ bytes: [UInt8], options: EvtxOptions = EvtxOptions(), piece: Int = 1 << 20) -> ([EvtxRecord], EvtxSummary) {
        let stream = EvtxStream(options: options)
        var records: [EvtxRecord] = []
        bytes.withUnsafeBytes { all in
            var offset = 0
            while offset < all.count {
                let end = min(all.count, offset + max(1, piece))
                stream.feed(UnsafeRawBufferPointer(rebasing: all[offset..<end])) { records.append($0) }
                offset = end
            }
        }
        let summary = stream.finish { records.append($0) }
        return (records, summary)
    }
}
