import EvidenceBundle
import EvidenceSource
import ExTriageCore

/// Reads one file once, front to back, feeding each chunk to the hashers and the tar writer.
///
/// The member's declared size is fixed before the first byte is written (tar needs it), so the
/// first chunk is read before the header: it decides trace mode (the `MDMP` magic). Anything
/// that makes the member differ from the file (a size cap, trace mode, a file that changed or
/// failed mid-read) is stated in the entry: status `partial`, a reason, and `stored` digests.
struct FileCapture {
    static let minidumpMagic: [UInt8] = [0x4D, 0x44, 0x4D, 0x50]
    /// Memory dumps by name: trace mode whatever artifact matched them.
    static let dumpExtensions = [".dmp", ".mdmp", ".hdmp"]

    enum Outcome {
        /// A member was written; the entry describes it.
        case member(Manifest.Entry, bytesRead: UInt64, readError: String?)
        /// Nothing was written for this file.
        case failed(reason: String)
    }

    let writer: TarWriter
    let buffer: UnsafeMutableRawBufferPointer
    let traceHeadBytes: UInt64
    let collectDumps: Bool
    let observer: (any CollectionObserver)?

    /// Captures one selected file. Throws only when the bundle itself cannot be written (fatal).
    func capture(_ selected: SelectedFile, from source: any EvidenceSource, definition: ArtifactDefinition) throws -> Outcome {
        let file: any EvidenceFile
        do {
            if let stream = selected.stream {
                file = try source.open(volume: selected.volume, path: selected.path, stream: stream)
            } else {
                file = try source.open(volume: selected.volume, path: selected.path)
            }
        } catch {
            return .failed(reason: "cannot open: \(error)")
        }
        defer { file.close() }
        let declaredSize = file.size
        let hasher = ContentHasher()

        var (chunk, firstError) = readChunk(file)
        if chunk == 0, let firstError {
            return .failed(reason: "cannot read: \(firstError)")
        }
        var readError = firstError.map { "\($0)" }
        let isMinidump = chunk >= 4 && Array(buffer[0..<4]) == FileCapture.minidumpMagic
        let dumpName = FileCapture.dumpExtensions.contains { selected.path.name?.folded.hasSuffix($0) ?? false }
        let trace = !collectDumps && (definition.mode == .trace || isMinidump || dumpName)
        let storedSize = min(declaredSize, trace ? traceHeadBytes : definition.sizeCap)
        try writer.beginMember(path: selected.memberPath, size: storedSize, modified: file.times.modified)

        var stored: UInt64 = 0
        var total: UInt64 = 0
        var headState: ContentHasher?
        while chunk > 0 {
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<chunk])
            let toStore = Int(min(UInt64(chunk), storedSize - stored))
            let store = { if toStore > 0 { try writer.write(UnsafeRawBufferPointer(rebasing: bytes[0..<toStore])) } }
            if toStore < chunk, headState == nil {
                try hasher.update(UnsafeRawBufferPointer(rebasing: bytes[0..<toStore]), meanwhile: store)
                headState = hasher.copy()
                hasher.update(UnsafeRawBufferPointer(rebasing: bytes[toStore...]))
            } else {
                try hasher.update(bytes, meanwhile: store)
            }
            stored += UInt64(toStore)
            total += UInt64(chunk)
            observer?.advanced(bytes: UInt64(chunk))
            guard readError == nil else { break }
            let (count, error) = readChunk(file)
            chunk = count
            readError = error.map { "\($0)" }
        }
        let sizeAfter = file.sizeNow()
        var padded: UInt64 = 0
        if stored < storedSize {
            headState = hasher.copy()
            padded = try writer.padMember()
            headState?.updateZeros(count: padded)
        }
        try writer.finishMember()

        var reasons: [String] = []
        if isMinidump { reasons.append("starts with the minidump magic MDMP") }
        if dumpName && !isMinidump && definition.mode != .trace { reasons.append("named like a memory dump") }
        if total > stored {
            if trace {
                reasons.append("trace mode: whole file hashed, only the first \(stored) bytes stored")
            } else if declaredSize > definition.sizeCap {
                reasons.append("larger than the size cap of \(ByteCount.format(definition.sizeCap)): whole file hashed, only the first \(stored) bytes stored")
            }
        }
        if let readError {
            reasons.append("read error after \(total) bytes (\(readError))")
        } else if total != declaredSize || (sizeAfter.map { $0 != declaredSize } ?? false) {
            reasons.append("file changed size while read: \(declaredSize) bytes when opened, \(total) read, \(sizeAfter.map(String.init) ?? "?") after")
        }
        if padded > 0 {
            reasons.append("member padded with \(padded) zero bytes after offset \(stored) to its declared size")
        }
        let unreadable = file.unreadableRanges
        if !unreadable.isEmpty {
            let lost = unreadable.reduce(UInt64(0)) { $0 + $1.length }
            reasons.append("\(lost) bytes in \(unreadable.count) range(s) could not be read from the image and are zeros in the member: "
                           + unreadable.prefix(8).map(\.description).joined(separator: "; ") + (unreadable.count > 8 ? "; ..." : ""))
        }
        let changedContent = total != stored || padded > 0
        let partial = changedContent || readError != nil || total != declaredSize || !unreadable.isEmpty
        let storedContent = changedContent
            ? Manifest.StoredContent(size: storedSize, digests: (headState ?? hasher).finalize()) : nil
        let times = file.times
        var entry = Manifest.Entry(
            path: selected.memberPath,
            sourcePath: selected.path.escaped,
            sourcePathHex: selected.path.isValidUTF8 ? nil : Hex.encode(selected.path.rawBytes),
            volume: selected.volume,
            size: total,
            digests: hasher.finalize(),
            times: (times.modified, times.accessed, times.changed, times.created),
            artifact: definition.name,
            status: partial ? .partial : .collected,
            reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "),
            stored: storedContent
        )
        entry.mode = trace ? .trace : .content
        if isMinidump { entry.flags = ["minidump"] }
        entry.stream = selected.stream
        entry.mftEntry = file.record?.entry
        entry.mftSequence = file.record.flatMap { $0.sequence == 0 ? nil : $0.sequence }
        entry.fileNameTimes = times.fileName.map { .init(modified: $0.modified, accessed: $0.accessed, changed: $0.changed, created: $0.created) }
        if !unreadable.isEmpty {
            entry.unreadableRanges = unreadable
        }
        return .member(entry, bytesRead: total, readError: readError)
    }

    /// Fills the buffer as far as the file allows (0 at end of file); a read error comes back
    /// with the bytes read before it, which are kept.
    private func readChunk(_ file: any EvidenceFile) -> (Int, Error?) {
        var filled = 0
        while filled < buffer.count {
            do {
                let count = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                if count == 0 { break }
                filled += count
            } catch {
                return (filled, error)
            }
        }
        return (filled, nil)
    }
}
