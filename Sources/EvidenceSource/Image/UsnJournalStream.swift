import ExTriageCore

/// The NTFS change journal's data, `$Extend/$UsnJrnl:$J`: a sparse stream whose head NTFS frees
/// as the journal wraps, so its logical size grows for ever while only the tail (the journal's
/// maximum size, 32 MiB by default) holds records. Read from its first allocated byte: the
/// sparse head is zeros, never read, never stored; the manifest entry says how much was skipped.
enum UsnJournalStream {
    static func skipsLeadingSparse(path: EvidencePath, stream: String) -> Bool {
        stream == "$J" && path.folded == "$extend/$usnjrnl"
    }
}
