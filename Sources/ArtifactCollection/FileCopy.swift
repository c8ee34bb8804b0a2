import EvidenceBundle
import EvidenceSource
import ExTriageCore

/// Capture step 2: what reading a file once, through the hashers and into its member, gave.
struct FileCopy {
    /// Bytes read from the file.
    var total: UInt64 = 0
    /// Bytes of the file written to the member.
    var stored: UInt64 = 0
    /// Zero bytes added to reach the member's declared size (the file came up short).
    var padded: UInt64 = 0
    /// The error that ended reading early, if one did.
    var readError: String?
    /// The file's size and times as the source reported them when reading ended.
    var sizeAfter: UInt64?
    var timesAfter: FileTimes?
    /// Digests of every byte read.
    var fileDigests = Digests(sha256: "", sha1: "", md5: "")
    /// Digests of the member's bytes, present only when they are not the file's.
    var memberDigests: Digests?

    /// The member is not the file as read: a head only, or padded.
    var changedContent: Bool { total != stored || padded > 0 }
}

/// One read of a file into the buffer: the bytes read, and the error that stopped it.
struct FileChunk {
    var count: Int
    var error: String?
}

extension FileCapture {
    /// Writes one member of `plan.storedSize` bytes from `file`, whose first chunk is already in
    /// the buffer, hashing every byte of the file (also those not stored). Throws only when the
    /// bundle cannot be written.
    func copy(_ file: any EvidenceFile, firstChunk: FileChunk, plan: StoragePlan, member: String) throws -> FileCopy {
        try writer.beginMember(path: member, size: plan.storedSize, modified: file.times.modified)
        let hasher = ContentHasher()
        var copy = FileCopy(readError: firstChunk.error)
        var chunk = firstChunk.count
        var headState: ContentHasher?
        while chunk > 0 {
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<chunk])
            let toStore = Int(min(UInt64(chunk), plan.storedSize - copy.stored))
            let store = { if toStore > 0 { try writer.write(UnsafeRawBufferPointer(rebasing: bytes[0..<toStore])) } }
            if toStore < chunk, headState == nil {
                try hasher.update(UnsafeRawBufferPointer(rebasing: bytes[0..<toStore]), meanwhile: store)
                headState = hasher.copy()
                hasher.update(UnsafeRawBufferPointer(rebasing: bytes[toStore...]))
            } else {
                try hasher.update(bytes, meanwhile: store)
            }
            copy.stored += UInt64(toStore)
            copy.total += UInt64(chunk)
            observer?.advanced(bytes: UInt64(chunk))
            guard copy.readError == nil else { break }
            let next = readChunk(file)
            chunk = next.count
            copy.readError = next.error
        }
        copy.sizeAfter = file.sizeNow()
        copy.timesAfter = file.timesNow()
        if copy.stored < plan.storedSize {
            headState = hasher.copy()
            copy.padded = try writer.padMember()
            headState?.updateZeros(count: copy.padded)
        }
        try writer.finishMember()
        copy.fileDigests = hasher.finalize()
        if copy.changedContent { copy.memberDigests = (headState ?? hasher).finalize() }
        return copy
    }

    /// Fills the buffer as far as the file allows (0 at end of file); a read error comes back
    /// with the bytes read before it, which are kept.
    func readChunk(_ file: any EvidenceFile) -> FileChunk {
        var filled = 0
        while filled < buffer.count {
            do {
                let count = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                if count == 0 { break }
                filled += count
            } catch {
                return FileChunk(count: filled, error: "\(error)")
            }
        }
        return FileChunk(count: filled)
    }
}
