#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CForensics
import ExTriageCore

/// One file (or alternate data stream) of an image, read front to back.
///
/// Non-resident, uncompressed data is read straight from the image along the file's run list,
/// in large reads, so every byte's image offset is known: a range that cannot be read (past
/// the end of a truncated image, a bad E01 chunk, a run outside the file system) is zero-filled
/// and listed in `unreadableRanges`, never passed off as data. Sparse runs and NTFS bytes past
/// the initialised size read as zeros, as Windows reads them. Resident, compressed and
/// encrypted data go through `tsk_fs_attr_read`.
final class ImageFile: EvidenceFile {
    /// A run of the attribute: where its bytes are in the file and in the image.
    struct Run {
        var fileOffset: UInt64
        var length: UInt64
        /// nil for a sparse run (zeros).
        var imageOffset: UInt64?
        /// Why the run cannot be read at all (a filler run, an address outside the file system).
        var defect: String?
        var end: UInt64 { fileOffset + length }
    }

    static let maximumRecordedRanges = 256

    /// Bytes this file reads: the stream's size less `skippedLeadingBytes`.
    let size: UInt64
    let skippedLeadingBytes: UInt64
    /// The stream's size; reading ends here.
    private let end: UInt64
    let times: FileTimes
    let record: FileRecordInfo?
    private(set) var unreadableRanges: [UnreadableRange] = []

    private let source: ImageSource
    private let fileSystem: TSKFileSystem
    private var file: UnsafeMutablePointer<TSK_FS_FILE>?
    private let attribute: UnsafePointer<TSK_FS_ATTR>?
    /// nil: read through `tsk_fs_attr_read`.
    private let runs: [Run]?
    private let initializedSize: UInt64
    private var position: UInt64 = 0
    private var runIndex = 0
    private var rangesDropped = false

    /// Opens the file at `path` (its named `stream` when given); with `skipLeadingSparse`, reading
    /// starts at the first run that is not sparse. The caller holds the source's lock.
    init(fileSystem: TSKFileSystem, path: EvidencePath, stream: String?, source: ImageSource, skipLeadingSparse: Bool = false) throws {
        let display = "/" + path.escaped + (stream.map { ":" + $0 } ?? "")
        let inode = try fileSystem.inode(of: path)
        guard let file = tsk_fs_file_open_meta(fileSystem.handle, nil, inode), let meta = file.pointee.meta else {
            throw ExTriageError(.io, "cannot read the file's metadata (MFT entry or inode \(inode))", path: display, cause: TSKError.last())
        }
        guard meta.pointee.type == TSK_FS_META_TYPE_REG else {
            tsk_fs_file_close(file)
            throw ExTriageError(.io, "not a regular file", path: display)
        }
        var attribute: UnsafePointer<TSK_FS_ATTR>?
        if let stream {
            for index in 0..<max(0, tsk_fs_file_attr_getsize(file)) {
                guard let candidate = tsk_fs_file_attr_get_idx(file, Int32(index)), candidate.pointee.type == TSK_FS_ATTR_TYPE_NTFS_DATA,
                      let name = candidate.pointee.name, String(cString: name) == stream else { continue }
                attribute = candidate
                break
            }
            guard attribute != nil else {
                tsk_fs_file_close(file)
                throw ExTriageError(.io, "no such alternate data stream", path: display)
            }
        } else {
            attribute = tsk_fs_file_attr_get(file)
            if attribute == nil { tsk_error_reset() }
        }
        guard attribute != nil || meta.pointee.size == 0 else {
            tsk_fs_file_close(file)
            throw ExTriageError(.io, "the file's data attribute cannot be read", path: display, cause: TSKError.last())
        }
        self.file = file
        self.attribute = attribute
        self.source = source
        self.fileSystem = fileSystem
        let end = UInt64(max(0, attribute?.pointee.size ?? 0))
        self.end = end
        times = TSKFileSystem.times(meta, ntfs: fileSystem.isNTFS)
        record = FileRecordInfo(entry: meta.pointee.addr, sequence: fileSystem.isNTFS ? UInt16(truncatingIfNeeded: meta.pointee.seq) : 0)
        let fileRuns = attribute.flatMap { ImageFile.runs(of: $0, in: fileSystem.handle) }
        if let attribute, let runs = fileRuns {
            self.runs = runs
            let declared = UInt64(max(0, attribute.pointee.nrd.initsize))
            initializedSize = fileSystem.isNTFS ? min(declared, end) : end
        } else {
            runs = nil
            initializedSize = end
        }
        let skipped = skipLeadingSparse ? min(end, ImageFile.leadingSparseBytes(fileRuns ?? [])) : 0
        skippedLeadingBytes = skipped
        size = end - skipped
        position = skipped
    }

    /// Bytes at the start covered only by sparse runs (none when the data is resident or the first run holds data).
    static func leadingSparseBytes(_ runs: [Run]) -> UInt64 {
        var covered: UInt64 = 0
        for run in runs {
            guard run.fileOffset == covered, run.imageOffset == nil, run.defect == nil else { break }
            covered = run.end
        }
        return covered
    }

    /// The run list of a plain non-resident attribute; nil for resident, compressed or encrypted data.
    static func runs(of attribute: UnsafePointer<TSK_FS_ATTR>, in fs: UnsafeMutablePointer<TSK_FS_INFO>) -> [Run]? {
        let flags = attribute.pointee.flags.rawValue
        guard flags & TSK_FS_ATTR_NONRES.rawValue != 0,
              flags & (TSK_FS_ATTR_COMP.rawValue | TSK_FS_ATTR_ENC.rawValue) == 0 else { return nil }
        let blockSize = UInt64(fs.pointee.block_size)
        let blockCount = UInt64(fs.pointee.block_count)
        var runs: [Run] = []
        var next = attribute.pointee.nrd.run
        while let run = next {
            let r = run.pointee
            next = r.next
            guard r.len > 0 else { continue }
            var item = Run(fileOffset: r.offset * blockSize, length: r.len * blockSize, imageOffset: nil, defect: nil)
            if r.flags.rawValue & TSK_FS_ATTR_RUN_FLAG_FILLER.rawValue != 0 {
                item.defect = "the file system gives no location for these bytes (filler run)"
            } else if r.flags.rawValue & TSK_FS_ATTR_RUN_FLAG_SPARSE.rawValue == 0 {
                if r.addr >= blockCount || r.len > blockCount - r.addr {
                    item.defect = "the run points outside the file system (blocks \(r.addr)-\(r.addr + r.len - 1) of \(blockCount))"
                } else {
                    item.imageOffset = UInt64(fs.pointee.offset) + r.addr * blockSize
                }
            }
            runs.append(item)
        }
        return runs.sorted { $0.fileOffset < $1.fileOffset }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard position < end, buffer.count > 0 else { return 0 }
        let wanted = Int(min(UInt64(buffer.count), end - position))
        let target = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted])
        try source.lock.locked {
            if let runs { readRuns(runs, into: target) } else { try readThroughTSK(into: target) }
        }
        position += UInt64(wanted)
        return wanted
    }

    private func readThroughTSK(into target: UnsafeMutableRawBufferPointer) throws {
        guard let attribute, let base = target.baseAddress else {
            throw ExTriageError(.io, "the file has no readable data attribute")
        }
        let count = tsk_fs_attr_read(attribute, TSK_OFF_T(position), base.assumingMemoryBound(to: CChar.self), target.count,
                                     TSK_FS_FILE_READ_FLAG_NONE)
        let good = max(0, count)
        if good < target.count {
            let cause = count < 0 ? TSKError.last() : "short read"
            zero(target, from: good)
            record(UnreadableRange(offset: position + UInt64(good), length: UInt64(target.count - good), imageOffset: nil, cause: cause))
        }
    }

    private func readRuns(_ runs: [Run], into target: UnsafeMutableRawBufferPointer) {
        var done = 0
        while done < target.count {
            let offset = position + UInt64(done)
            let left = target.count - done
            if offset >= initializedSize {  // NTFS: past the valid data length reads as zeros
                zero(target, from: done)
                return
            }
            if runIndex >= runs.count || runs[runIndex].fileOffset > offset || runs[runIndex].end <= offset {
                runIndex = runs.firstIndex { $0.end > offset } ?? runs.count
            }
            let limit = min(UInt64(left), initializedSize - offset)
            guard runIndex < runs.count else {
                let piece = Int(limit)
                zero(target, from: done, count: piece)
                record(UnreadableRange(offset: offset, length: UInt64(piece), imageOffset: nil, cause: "no data run covers these bytes"))
                done += piece
                continue
            }
            let run = runs[runIndex]
            if run.fileOffset > offset {
                let piece = Int(min(limit, run.fileOffset - offset))
                zero(target, from: done, count: piece)
                record(UnreadableRange(offset: offset, length: UInt64(piece), imageOffset: nil, cause: "no data run covers these bytes"))
                done += piece
                continue
            }
            let piece = Int(min(limit, run.end - offset))
            let slice = UnsafeMutableRawBufferPointer(rebasing: target[done..<done + piece])
            if let defect = run.defect {
                zero(slice, from: 0)
                record(UnreadableRange(offset: offset, length: UInt64(piece), imageOffset: nil, cause: defect))
            } else if let start = run.imageOffset {
                readImage(at: start + (offset - run.fileOffset), into: slice, fileOffset: offset)
            } else {
                zero(slice, from: 0)  // sparse
            }
            done += piece
        }
    }

    /// Reads image bytes; on an error, retries block by block so only the bad blocks are lost.
    private func readImage(at imageOffset: UInt64, into slice: UnsafeMutableRawBufferPointer, fileOffset: UInt64) {
        let blockSize = Int(max(512, fileSystem.handle.pointee.block_size))
        do {
            let count = try source.readImageUnlocked(at: imageOffset, into: slice, fileSystem: fileSystem)
            if count < slice.count {
                zero(slice, from: count)
                record(UnreadableRange(offset: fileOffset + UInt64(count), length: UInt64(slice.count - count),
                                       imageOffset: imageOffset + UInt64(count),
                                       cause: "past the end of the image (\(source.imageSize) bytes): the image is truncated"))
            }
        } catch {
            guard slice.count > blockSize else {
                zero(slice, from: 0)
                let cause = (error as? MediaReadError)?.cause ?? "\(error)"
                record(UnreadableRange(offset: fileOffset, length: UInt64(slice.count), imageOffset: imageOffset, cause: cause))
                return
            }
            var start = 0
            while start < slice.count {
                let end = min(slice.count, start + blockSize)
                readImage(at: imageOffset + UInt64(start), into: UnsafeMutableRawBufferPointer(rebasing: slice[start..<end]),
                          fileOffset: fileOffset + UInt64(start))
                start = end
            }
        }
    }

    private func zero(_ buffer: UnsafeMutableRawBufferPointer, from start: Int, count: Int? = nil) {
        let end = count.map { start + $0 } ?? buffer.count
        guard start < end, let base = buffer.baseAddress else { return }
        (base + start).initializeMemory(as: UInt8.self, repeating: 0, count: end - start)
    }

    /// Records a lost range, merged with the previous one when they touch and share a cause.
    private func record(_ range: UnreadableRange) {
        if var last = unreadableRanges.last, last.offset + last.length == range.offset, last.cause == range.cause {
            last.length += range.length
            unreadableRanges[unreadableRanges.count - 1] = last
        } else if unreadableRanges.count < ImageFile.maximumRecordedRanges {
            unreadableRanges.append(range)
        } else if var last = unreadableRanges.last {
            last.length = range.offset + range.length - last.offset
            if !rangesDropped { last.cause += " (and further ranges, merged)" }
            rangesDropped = true
            unreadableRanges[unreadableRanges.count - 1] = last
        }
    }

    func sizeNow() -> UInt64? { size }

    func close() {
        guard let file else { return }
        source.lock.locked { tsk_fs_file_close(file) }
        self.file = nil
    }

    deinit { close() }
}

extension ImageSource {
    /// Reads image bytes with the lock already held. A shadow-copy file system reads through its
    /// own TSK image (the store's view), never the live medium under it.
    func readImageUnlocked(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer, fileSystem: TSKFileSystem) throws -> Int {
        if let media, fileSystem.handle.pointee.img_info == bridge?.image { return try media.read(at: offset, into: buffer) }
        guard let base = buffer.baseAddress, let image = fileSystem.handle.pointee.img_info else { return 0 }
        let count = tsk_img_read(image, TSK_OFF_T(offset), base.assumingMemoryBound(to: CChar.self), buffer.count)
        if count < 0 { throw MediaReadError(offset: offset, length: UInt64(buffer.count), cause: TSKError.last()) }
        return count
    }
}
