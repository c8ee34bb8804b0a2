import EvidenceBundle

/// Every collected file by its source path lowercased, without holding a lowercased copy of
/// each path (issue #14 item 3): the folded path's hash maps to the entry's index, and a lookup
/// folds that entry's own path again to confirm it. Keys compare as `String`s do (canonical
/// equivalence), and where two entries fold alike (a file and its alternate data streams) the
/// later one is kept, as a `[String: Manifest.Entry]` built in entry order would keep it.
public struct FoldedPathIndex: Sequence, Sendable {
    public typealias Element = (key: String, value: Manifest.Entry)

    /// The manifest's entries (shared with it, not copied).
    private let entries: [Manifest.Entry]
    /// Entry index by folded-path hash; `collisions` holds the rare further paths of one hash.
    private var byHash: [Int: Int32] = [:]
    private var collisions: [Int: [Int32]] = [:]
    /// Indexes of the entries kept, in entry order.
    private let kept: [Int32]

    public init(_ entries: [Manifest.Entry]) {
        self.entries = entries
        byHash.reserveCapacity(entries.count)
        for index in entries.indices {
            let folded = entries[index].sourcePath.lowercased()
            let hash = folded.hashValue
            guard let held = byHash[hash] else {
                byHash[hash] = Int32(index)
                continue
            }
            if Self.folded(entries[Int(held)]) == folded {
                byHash[hash] = Int32(index)
            } else if let slot = collisions[hash]?.firstIndex(where: { Self.folded(entries[Int($0)]) == folded }) {
                collisions[hash]![slot] = Int32(index)
            } else {
                collisions[hash, default: []].append(Int32(index))
            }
        }
        kept = (Array(byHash.values) + collisions.values.joined()).sorted()
    }

    private static func folded(_ entry: Manifest.Entry) -> String { entry.sourcePath.lowercased() }

    /// The entry whose folded source path is `key`.
    public subscript(key: String) -> Manifest.Entry? {
        let hash = key.hashValue
        guard let held = byHash[hash] else { return nil }
        if Self.folded(entries[Int(held)]) == key { return entries[Int(held)] }
        return collisions[hash]?.lazy.map { self.entries[Int($0)] }.first { Self.folded($0) == key }
    }

    public var count: Int { kept.count }

    /// The entries kept, in entry order.
    public var values: LazyMapSequence<[Int32], Manifest.Entry> { kept.lazy.map { self.entries[Int($0)] } }

    /// The entries kept, sorted by member path, without copying them all first.
    public func valuesByPath() -> LazyMapSequence<[Int32], Manifest.Entry> {
        kept.sorted { entries[Int($0)].path < entries[Int($1)].path }.lazy.map { self.entries[Int($0)] }
    }

    /// Each kept entry with its folded path (made as it is reached), in entry order.
    public func makeIterator() -> AnyIterator<Element> {
        var position = kept.makeIterator()
        return AnyIterator {
            position.next().map { index in
                let entry = self.entries[Int(index)]
                return (Self.folded(entry), entry)
            }
        }
    }
}
