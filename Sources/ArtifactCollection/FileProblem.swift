import EvidenceBundle
import ExTriageCore

/// A selected file that was not collected whole: it failed (nothing usable was stored) or was
/// stored partially. One per file index in a collection; each becomes a file row in the outcomes.
struct FileProblem {
    var file: SelectedFile
    /// `failed` or `partial`.
    var status: OutcomeStatus
    var reason: String

    /// What a captured member's entry says went wrong, if anything: a read error fails the
    /// file (the member holds the bytes read, zero-padded); ranges an image could not supply
    /// fail it when they cover all of it and make it partial otherwise.
    static func afterCapture(_ file: SelectedFile, entry: Manifest.Entry, bytesRead: UInt64, readError: String?) -> FileProblem? {
        if let readError {
            return FileProblem(file: file, status: .failed,
                               reason: "read error after \(bytesRead) bytes (\(readError)); the member holds the bytes read, zero-padded")
        }
        guard let lost = entry.unreadableRanges, !lost.isEmpty else { return nil }
        let missing = lost.reduce(UInt64(0)) { $0 + $1.length }
        let reason = "unreadable in the image, zeros in the member: " + lost.prefix(16).map {
            "file bytes \($0.offset)-\($0.offset + $0.length - 1)" + ($0.imageOffset.map { " (image offset \($0))" } ?? "") + ": \($0.cause)"
        }.joined(separator: "; ") + (lost.count > 16 ? "; ..." : "")
        return FileProblem(file: file, status: missing >= entry.size ? .failed : .partial, reason: reason)
    }
}
