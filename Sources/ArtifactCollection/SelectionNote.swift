import EvidenceSource
import ExTriageCore

/// Something matched that is recorded but not collected (a link, a device), or a part of the
/// evidence that could not be searched (a folder that cannot be listed or read).
struct SelectionNote {
    var patternIndex: Int
    var volume: String
    var path: EvidencePath
    var status: OutcomeStatusText
    /// Why, for the row of this path.
    var reason: String
    /// One sentence naming the path, for the pattern's summary row.
    var summary: String
    /// A folder that could not be searched (not listed, not read, too deep).
    var blocksSearch = false

    init(patternIndex: Int, volume: String, path: EvidencePath, status: OutcomeStatusText, reason: String, summary: String? = nil) {
        self.patternIndex = patternIndex
        self.volume = volume
        self.path = path
        self.status = status
        self.reason = reason
        self.summary = summary ?? "\(volume):/\(path.escaped): \(reason)"
    }

    /// The source shown in a row: `C:/inetpub/logs`.
    var shownPath: String { "\(volume):/\(path.escaped)" }

    /// A directory the source refused to list.
    static func unlisted(pattern: Int, volume: String, path: EvidencePath, error: any Error) -> SelectionNote {
        let cause = SelectionNote.cause(error)
        return SelectionNote(patternIndex: pattern, volume: volume, path: path, status: .failed,
                             reason: "directory could not be listed: \(cause)",
                             summary: "the directory \(volume):/\(path.escaped) could not be listed: \(cause)").blockingSearch
    }

    /// A directory deeper than the walk goes.
    static func tooDeep(pattern: Int, volume: String, path: EvidencePath, limit: Int) -> SelectionNote {
        SelectionNote(patternIndex: pattern, volume: volume, path: path, status: .failed,
                      reason: "directory nesting deeper than \(limit) levels; not descended",
                      summary: "the directory \(volume):/\(path.escaped) was not descended: nested deeper than \(limit) levels").blockingSearch
    }

    /// A listed entry, possibly a folder, whose own record (MFT entry, inode) cannot be read, so
    /// nothing below it can be searched.
    static func unreadableFolder(pattern: Int, volume: String, path: EvidencePath, entry: SourceEntry) -> SelectionNote {
        let what = entry.listedKind == .directory ? "the directory" : "the entry (possibly a directory)"
        let reason = "\(what) could not be read\(SelectionNote.detail(entry)); nothing below it was searched"
        return SelectionNote(patternIndex: pattern, volume: volume, path: path, status: .failed, reason: reason,
                             summary: "\(what) \(volume):/\(path.escaped) could not be read\(SelectionNote.detail(entry))").blockingSearch
    }

    /// A matched entry whose metadata cannot be read.
    static func unreadableEntry(pattern: Int, volume: String, path: EvidencePath, entry: SourceEntry) -> SelectionNote {
        SelectionNote(patternIndex: pattern, volume: volume, path: path, status: .failed,
                      reason: "the entry's metadata could not be read\(SelectionNote.detail(entry))",
                      summary: "the entry \(volume):/\(path.escaped) could not be read\(SelectionNote.detail(entry))")
    }

    private var blockingSearch: SelectionNote {
        var note = self
        note.blocksSearch = true
        return note
    }

    /// `: MFT entry 68 cannot be read: <cause>`, or the record number alone, or nothing.
    private static func detail(_ entry: SourceEntry) -> String {
        if let problem = entry.problem { return ": " + problem }
        return entry.record.map { " (record \($0.entry))" } ?? ""
    }

    /// An error's message and cause, without repeating the path the note already names.
    private static func cause(_ error: any Error) -> String {
        guard let error = error as? ExTriageError else { return "\(error)" }
        return error.message + (error.cause.map { ": " + $0 } ?? "")
    }
}

enum OutcomeStatusText: String { case skipped, failed }
