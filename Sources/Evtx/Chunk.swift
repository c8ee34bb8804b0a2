import ExTriageCore

/// What one 64 KiB chunk gave.
struct ChunkResult {
    /// Allocated records the pre-filter wanted, in order.
    var records: [EvtxRecord] = []
    var count = 0
    var failed = 0
    var first: Timestamp?
    var last: Timestamp?
    /// The lowest and highest allocated record numbers read (for skipping recovered copies).
    var numbers: ClosedRange<UInt64>?
    /// Records found in the slack after the allocated ones: number, time, the record if wanted.
    var recovered: [(number: UInt64, time: Timestamp?, record: EvtxRecord?)] = []
    var recoveryFailed = 0
    /// Set when the chunk was skipped.
    var problem: String?
    /// An unused (all-zero) chunk: neither read nor bad.
    var unused = false
    /// Decoding units spent (`ChunkContext.chunkBudget` at most): about the bytes its records hold.
    var cost = 0
    /// Of `cost`, what the recovered records took.
    var recoveredCost = 0

    mutating func see(_ time: Timestamp?) {
        guard let time else { return }
        first = min(first ?? time, time)
        last = max(last ?? time, time)
    }
}

enum ChunkDecoder {
    static let size = 65_536
    static let headerSize = 512
    static let recordHeaderSize = 24
    /// The smallest framed record: header, the trailing size copy, one fragment word.
    static let minimumRecordSize = recordHeaderSize + 4 + 4
    /// No chunk holds more records than this, allocated and recovered together.
    static let maximumRecords = (size - headerSize) / minimumRecordSize

    /// Checks the chunk's header and checksums, then decodes its records and the slack after them.
    static func decode(_ chunk: UnsafeRawBufferPointer, options: EvtxOptions) -> ChunkResult {
        var result = ChunkResult()
        guard chunk.count == size else {
            result.problem = "cut short (\(chunk.count) of \(size) bytes)"
            return result
        }
        guard chunk.starts(with: signature) else {
            if chunk.allSatisfy({ $0 == 0 }) { result.unused = true } else { result.problem = "no ElfChnk signature" }
            return result
        }
        let headerCRC = EvtxCRC32.update(EvtxCRC32.checksum(UnsafeRawBufferPointer(rebasing: chunk[0..<120])),
                                         UnsafeRawBufferPointer(rebasing: chunk[128..<512]))
        guard headerCRC == UInt32(ValueText.unsigned(chunk, 124, 4)) else {
            result.problem = "header checksum mismatch"
            return result
        }
        let free = Int(ValueText.unsigned(chunk, 48, 4))
        guard free >= headerSize, free <= size else {
            result.problem = "free space offset \(free) outside the chunk"
            return result
        }
        guard EvtxCRC32.checksum(UnsafeRawBufferPointer(rebasing: chunk[headerSize..<free])) == UInt32(ValueText.unsigned(chunk, 52, 4)) else {
            result.problem = "records checksum mismatch"
            return result
        }
        var context = ChunkContext(chunk: chunk)
        var offset = headerSize
        while offset + recordHeaderSize <= free {
            guard let recordSize = framedSize(chunk, at: offset, limit: free) else {
                // Zero padding after the last record is normal; anything else is a broken record.
                if !UnsafeRawBufferPointer(rebasing: chunk[offset..<free]).allSatisfy({ $0 == 0 }) { result.failed += 1 }
                break
            }
            switch context.decodeRecord(at: offset, size: recordSize, recovered: false, options: options) {
            case .decoded(let number, let time, let record):
                result.count += 1
                result.see(time)
                result.numbers = result.numbers.map { min($0.lowerBound, number)...max($0.upperBound, number) } ?? number...number
                if let record { result.records.append(record) }
            case .failed:
                result.failed += 1
            }
            offset += recordSize
        }
        let allocatedCost = context.chunkSpent
        // Slack: record signatures after the allocated records, each framed and decoded on its own.
        var candidate = max(offset, free)
        while candidate + recordHeaderSize + 4 <= size {
            guard chunk.loadUnaligned(fromByteOffset: candidate, as: UInt32.self) == 0x0000_2A2A else {
                candidate += 1
                continue
            }
            guard let recordSize = framedSize(chunk, at: candidate, limit: size) else {
                candidate += 1
                continue
            }
            switch context.decodeRecord(at: candidate, size: recordSize, recovered: true, options: options) {
            case .decoded(let number, let time, let record):
                result.recovered.append((number, time, record))
                candidate += recordSize
            case .failed:
                result.recoveryFailed += 1
                candidate += 1
            }
        }
        result.cost = context.chunkSpent
        result.recoveredCost = result.cost - allocatedCost
        return result
    }

    static let signature: [UInt8] = Array("ElfChnk\0".utf8)

    /// The record's size when its signature, size and trailing size copy agree and it fits before `limit`.
    static func framedSize(_ chunk: UnsafeRawBufferPointer, at offset: Int, limit: Int) -> Int? {
        guard offset + recordHeaderSize <= limit, chunk.loadUnaligned(fromByteOffset: offset, as: UInt32.self) == 0x0000_2A2A else { return nil }
        let size = Int(ValueText.unsigned(chunk, offset + 4, 4))
        guard size >= minimumRecordSize, size <= limit - offset,
              Int(ValueText.unsigned(chunk, offset + size - 4, 4)) == size else { return nil }
        return size
    }
}
