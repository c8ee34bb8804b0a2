import EvidenceSource
import ExTriageCore

/// Case-insensitive lookups in a source, as NTFS resolves names.
struct SourceNavigator {
    let source: any EvidenceSource
    let volume: String

    /// Finds the directory at `names` (compared after lowercasing); nil when any part is missing.
    func directory(_ names: [String]) -> EvidencePath? {
        var path = EvidencePath.root
        for name in names {
            let wanted = name.lowercased()
            guard let entries = try? source.list(volume: volume, directory: path),
                  let match = entries.first(where: { $0.kind == .directory && $0.name.folded == wanted }) else { return nil }
            path = path.appending(match.name)
        }
        return path
    }

    /// Whether `directory` holds a file or directory called `name` (any case) of the given kind.
    func contains(_ directory: EvidencePath, _ name: String, kind: EntryKind) -> Bool {
        let wanted = name.lowercased()
        guard let entries = try? source.list(volume: volume, directory: directory) else { return false }
        return entries.contains { $0.kind == kind && $0.name.folded == wanted }
    }
}
