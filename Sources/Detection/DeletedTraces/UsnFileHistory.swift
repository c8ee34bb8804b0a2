import ExTriageCore

/// What one journal says about the files a check follows: each file's records (by MFT reference)
/// and the folder names the journal itself holds, to turn a parent reference into a path.
///
/// Bounded: at most `maximumFiles` files and `maximumFolders` folders are kept (the rest are
/// counted), and each file keeps its first records, its appearance and its deletion.
struct UsnFileHistory {
    static let maximumFiles = 100_000
    static let maximumFolders = 500_000
    static let maximumRecordsPerFile = 6

    struct File {
        var name: String
        var parent: FileReference
        /// The first record with FILE_CREATE, or RENAME_NEW_NAME into a followed name.
        var appeared: UsnRecord?
        var deleted: UsnRecord?
        var records: [UsnRecord] = []
    }

    private(set) var files: [FileReference: File] = [:]
    private(set) var folders: [FileReference: (name: String, parent: FileReference)] = [:]
    private(set) var dropped = 0

    /// Takes one record: folders for paths, and the files `follow` picks by name.
    mutating func add(_ record: UsnRecord, follow: (String) -> Bool) {
        if record.isDirectory {
            if folders[record.file] != nil || folders.count < Self.maximumFolders {
                folders[record.file] = (record.name, record.parent)
            } else {
                dropped += 1
            }
            return
        }
        guard files[record.file] != nil || follow(record.name) else { return }
        guard files[record.file] != nil || files.count < Self.maximumFiles else {
            dropped += 1
            return
        }
        var file = files[record.file] ?? File(name: record.name, parent: record.parent)
        if !record.has(.renameOldName) {
            file.name = record.name
            file.parent = record.parent
        }
        if file.appeared == nil, record.has(.fileCreate) || (record.has(.renameNewName) && follow(record.name)) {
            file.appeared = record
        }
        if file.deleted == nil, record.has(.fileDelete) { file.deleted = record }
        if file.records.count < Self.maximumRecordsPerFile { file.records.append(record) }
        files[record.file] = file
    }

    /// The folder path of `parent` as far as the journal knows it: complete from the volume root
    /// (`Program Files/.../owa/auth`), or partial, starting with `…/`, when an ancestor never
    /// appears in the journal. Nil when not even the parent is known.
    func path(of parent: FileReference) -> (path: String, complete: Bool)? {
        var names: [String] = []
        var current = parent
        var seen: Set<FileReference> = []
        while !current.isRoot {
            guard let folder = folders[current],
                  seen.insert(current).inserted, names.count < 64 else {
                return names.isEmpty ? nil : ("…/" + names.reversed().joined(separator: "/"), false)
            }
            names.append(folder.name)
            current = folder.parent
        }
        return (names.reversed().joined(separator: "/"), true)
    }
}
