import EvidenceBundle
import EvidenceSource
import ExTriageCore

/// Capture step 3: everything known about one captured file, turned into its manifest entry.
///
/// Anything that makes the member differ from the file (a size cap, trace mode, a file that
/// changed or failed mid-read, ranges an image could not supply) is stated in the entry:
/// status `partial`, a reason, and `stored` digests.
struct CapturedFile {
    var selected: SelectedFile
    var definition: ArtifactDefinition
    var plan: StoragePlan
    var copy: FileCopy
    /// The file's size when opened.
    var declaredSize: UInt64
    var times: FileTimes
    var record: FileRecordInfo?
    var unreadable: [UnreadableRange]
    /// Sparse bytes at the start of the stream that were not read (`EvidenceFile.skippedLeadingBytes`).
    var skippedLeading: UInt64 = 0

    /// Why the member is not simply the whole file, in the order a reader needs them.
    var reasons: [String] {
        var reasons = plan.reasons
        if let note = selected.memberNote { reasons.append(note) }
        if skippedLeading > 0 {
            reasons.append("the stream's first \(skippedLeading) bytes are sparse (zeros, freed journal space) and were not read: "
                           + "the member holds stream bytes \(skippedLeading)-\(skippedLeading + declaredSize)")
        }
        if copy.total > copy.stored {
            if plan.trace {
                reasons.append("trace mode: whole file hashed, only the first \(copy.stored) bytes stored")
            } else if declaredSize > definition.sizeCap {
                reasons.append("larger than the size cap of \(ByteCount.format(definition.sizeCap)): whole file hashed, only the first \(copy.stored) bytes stored")
            }
        }
        if let readError = copy.readError {
            reasons.append("read error after \(copy.total) bytes (\(readError))")
        } else if copy.total != declaredSize || (copy.sizeAfter.map { $0 != declaredSize } ?? false) {
            reasons.append("file changed size while read: \(declaredSize) bytes when opened, \(copy.total) read, \(copy.sizeAfter.map(String.init) ?? "?") after")
        }
        if let rewritten = rewrittenWhileRead {
            reasons.append("file changed while read (\(rewritten)): the member mixes old and new content")
        }
        if copy.padded > 0 {
            reasons.append("member padded with \(copy.padded) zero bytes after offset \(copy.stored) to its declared size")
        }
        if !unreadable.isEmpty {
            let lost = unreadable.reduce(UInt64(0)) { $0 + $1.length }
            reasons.append("\(lost) bytes in \(unreadable.count) range(s) could not be read from the image and are zeros in the member: "
                           + unreadable.prefix(8).map(\.description).joined(separator: "; ") + (unreadable.count > 8 ? "; ..." : ""))
        }
        return reasons
    }

    /// The member is not the whole file exactly as it was when opened.
    var isPartial: Bool {
        copy.changedContent || copy.readError != nil || copy.total != declaredSize || !unreadable.isEmpty
            || rewrittenWhileRead != nil
    }

    /// Which of the modification and change times moved between opening and the end of reading
    /// (a file rewritten in place keeps its size), as `modified <before> -> <after>`; nil if none.
    var rewrittenWhileRead: String? {
        guard let after = copy.timesAfter else { return nil }
        let moved = [("modified", times.modified, after.modified), ("changed", times.changed, after.changed)]
            .filter { $0.1 != $0.2 }
            .map { "\($0.0) \($0.1.map { "\($0)" } ?? "unknown") -> \($0.2.map { "\($0)" } ?? "unknown")" }
        return moved.isEmpty ? nil : moved.joined(separator: ", ")
    }

    var entry: Manifest.Entry {
        let reasons = reasons
        var entry = Manifest.Entry(
            path: selected.memberPath,
            sourcePath: selected.path.escaped,
            sourcePathHex: selected.path.isValidUTF8 ? nil : Hex.encode(selected.path.rawBytes),
            volume: selected.volume,
            size: copy.total,
            digests: copy.fileDigests,
            times: (times.modified, times.accessed, times.changed, times.created),
            artifact: definition.name,
            status: isPartial ? .partial : .collected,
            reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "),
            stored: copy.memberDigests.map { Manifest.StoredContent(size: plan.storedSize, digests: $0) }
        )
        entry.mode = plan.mode
        if plan.isMinidump { entry.flags = ["minidump"] }
        entry.stream = selected.stream
        entry.mftEntry = record?.entry
        entry.mftSequence = record.flatMap { $0.sequence == 0 ? nil : $0.sequence }
        entry.fileNameTimes = times.fileName.map { .init(modified: $0.modified, accessed: $0.accessed, changed: $0.changed, created: $0.created) }
        if !unreadable.isEmpty {
            entry.unreadableRanges = unreadable
        }
        return entry
    }
}
