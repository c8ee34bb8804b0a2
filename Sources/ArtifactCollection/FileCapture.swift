import EvidenceBundle
import EvidenceSource
import ExTriageCore

/// Reads one file once, front to back, feeding each chunk to the hashers and the tar writer.
///
/// The steps: open the file; read the first chunk and decide how to store it (`StoragePlan`:
/// the member's size must be fixed before its first byte is written, and the chunk shows the
/// `MDMP` magic); copy it through the hashers into the member (`FileCopy`); describe it in a
/// manifest entry (`CapturedFile`).
struct FileCapture {
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
            file = try FileCapture.open(selected, in: source)
        } catch {
            return .failed(reason: "cannot open: \(error)")
        }
        defer { file.close() }
        let declaredSize = file.size
        let first = readChunk(file)
        if first.count == 0, let error = first.error {
            return .failed(reason: "cannot read: \(error)")
        }
        let plan = StoragePlan(head: buffer[0..<min(first.count, StoragePlan.minidumpMagic.count)],
                               foldedName: selected.path.name?.folded, definition: definition,
                               declaredSize: declaredSize, collectDumps: collectDumps, traceHeadBytes: traceHeadBytes)
        let copy = try copy(file, firstChunk: first, plan: plan, member: selected.memberPath)
        let captured = CapturedFile(selected: selected, definition: definition, plan: plan, copy: copy, declaredSize: declaredSize,
                                    times: file.times, record: file.record, unreadable: file.unreadableRanges,
                                    skippedLeading: file.skippedLeadingBytes)
        return .member(captured.entry, bytesRead: copy.total, readError: copy.readError)
    }

    /// The file, or its alternate data stream.
    static func open(_ selected: SelectedFile, in source: any EvidenceSource) throws -> any EvidenceFile {
        if let stream = selected.stream {
            return try source.open(volume: selected.volume, path: selected.path, stream: stream)
        }
        return try source.open(volume: selected.volume, path: selected.path)
    }
}
