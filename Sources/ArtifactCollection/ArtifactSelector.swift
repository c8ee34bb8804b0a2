import EvidenceBundle
import EvidenceSource
import ExTriageCore

/// One profile pattern, resolved against the evidence (placeholders substituted).
struct ResolvedPattern {
    var artifactIndex: Int
    /// The pattern as written in the definition.
    var written: String
    var volumes: [String]
    var glob: GlobPattern?
    /// Why the pattern could not be applied (e.g. no Exchange install path), when `glob` is nil.
    var unresolvedReason: String?
}

/// A file chosen for collection: where it is, what the listing said, and which patterns chose it.
struct SelectedFile {
    var volume: String
    var path: EvidencePath
    var entry: SourceEntry
    /// The first artifact (in profile order) whose pattern matched.
    var artifactIndex: Int
    var patternIndexes: [Int]
    /// The bundle member name; unique, assigned once selection is complete.
    var memberPath: String = ""
    /// Set for an alternate data stream of the file at `path` (member `<file member>:<stream>`).
    var stream: String?
    /// Why the member name is not the plain escaped path (it collided with another), if it is not.
    var memberNote: String?
    /// Set when only a pattern naming one of its streams (`$Extend/$UsnJrnl:$J`) chose the file:
    /// those streams are collected, not the file and its other streams.
    var onlyStreams: Set<String>?
}

extension String {
    /// `/` as `%2F`, so a stream name cannot add a folder to a member path.
    var replacingSlashes: String {
        var out = ""
        for character in self { if character == "/" { out += "%2F" } else { out.append(character) } }
        return out
    }

    /// Control characters and `\` as `%XX`: a name from a file system that allows them (a copied
    /// tree on Linux) must not make an unsafe member path, which `verify` refuses.
    var escapingUnsafeNameCharacters: String {
        var out = ""
        for scalar in unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\\" {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Walks the evidence guided by the patterns: only directories that some pattern can still
/// match are listed, so a whole volume is not enumerated to find a few folders.
final class ArtifactSelector {
    private struct State: Hashable, Comparable {
        var pattern: Int
        var segment: Int
        static func < (lhs: State, rhs: State) -> Bool { (lhs.pattern, lhs.segment) < (rhs.pattern, rhs.segment) }
    }

    /// Files by volume and raw path bytes: names that only look alike stay apart.
    private struct FileKey: Hashable {
        var volume: String
        var raw: [UInt8]
    }

    /// Deeper trees are not descended (and the cut is recorded): no legitimate Windows path is this deep.
    static let maximumDepth = 128

    let source: any EvidenceSource
    let patterns: [ResolvedPattern]
    private var files: [FileKey: SelectedFile] = [:]
    private(set) var notes: [SelectionNote] = []
    private(set) var matchCounts: [Int]
    private(set) var directoriesListed = 0

    init(source: any EvidenceSource, patterns: [ResolvedPattern]) {
        self.source = source
        self.patterns = patterns
        self.matchCounts = Array(repeating: 0, count: patterns.count)
    }

    func run() {
        for volume in source.volumes.map(\.name) {
            let start = patterns.indices.filter { patterns[$0].glob != nil && patterns[$0].volumes.contains(volume) }
                .map { State(pattern: $0, segment: 0) }
            if !start.isEmpty { walk(volume: volume, directory: .root, states: Set(start), depth: 0) }
        }
    }

    /// Files in member-path byte order, each with a unique member name. Names are compared as
    /// bytes (never with Unicode normalisation); a name that escapes to one already taken, e.g. a
    /// literal `x%FF.aspx` beside a non-UTF-8 `x<FF>.aspx`, gets a `~<n>` suffix and a note in its
    /// entry, so both are kept and the rename is visible.
    ///
    /// Hands the files over: the selector forgets them (and their raw-path keys), so a
    /// collection of many files holds each path once while it runs.
    func takeOrderedFiles() -> [SelectedFile] {
        var names = MemberNames()
        var named: [SelectedFile] = []
        named.reserveCapacity(files.count)
        let ordered = files.sorted { lhs, rhs in
            lhs.key.volume != rhs.key.volume ? PathKey.precedes(lhs.key.volume, rhs.key.volume)
                : lhs.key.raw.lexicographicallyPrecedes(rhs.key.raw)
        }
        files = [:]
        for (_, var file) in ordered {
            let plain = "evidence/\(file.volume)/\(file.path.escaped.escapingUnsafeNameCharacters)"
            if file.onlyStreams == nil {
                (file.memberPath, file.memberNote) = names.claim(plain)
                named.append(file)
            } else {
                file.memberPath = plain
            }
            for stream in file.entry.streams where file.onlyStreams?.contains(stream.name) ?? true {
                var member = file
                member.stream = stream.name
                member.entry.size = stream.size
                member.entry.streams = []
                (member.memberPath, member.memberNote) = names.claim(file.memberPath + ":" + PathComponent(stream.name).escaped.replacingSlashes.escapingUnsafeNameCharacters)
                named.append(member)
            }
        }
        return named.sorted { PathKey.precedes($0.memberPath, $1.memberPath) }
    }

    private func walk(volume: String, directory: EvidencePath, states: Set<State>, depth: Int) {
        guard depth < ArtifactSelector.maximumDepth else {
            for state in states.sorted() {
                notes.append(.tooDeep(pattern: state.pattern, volume: volume, path: directory, limit: ArtifactSelector.maximumDepth))
            }
            return
        }
        let entries: [SourceEntry]
        do {
            entries = try source.list(volume: volume, directory: directory)
            directoriesListed += 1
        } catch {
            for pattern in Set(states.map(\.pattern)).sorted() {
                notes.append(.unlisted(pattern: pattern, volume: volume, path: directory, error: error))
            }
            return
        }
        for entry in entries {
            let path = directory.appending(entry.name)
            // An entry whose record cannot be read may be a folder: follow the patterns as if it
            // were one, so what it hides is a failure, not silence.
            let mayBeFolder = entry.kind == .unreadable && entry.listedKind != .file
            var shape = entry
            if mayBeFolder { shape.kind = .directory }
            var next = Set<State>()
            var matched: [Int] = []
            for state in states.sorted() { advance(state, shape, &next, &matched) }
            matched.sort()
            if !matched.isEmpty, entry.listedKind != .directory { record(volume: volume, path: path, entry: entry, patterns: matched) }
            if entry.kind == .file { selectStreams(of: entry, volume: volume, path: path, states: states) }
            if mayBeFolder {
                for pattern in Set(next.map(\.pattern)).subtracting(matched).sorted() {
                    notes.append(.unreadableFolder(pattern: pattern, volume: volume, path: path, entry: entry))
                }
            } else if entry.kind == .directory, !next.isEmpty {
                walk(volume: volume, directory: path, states: next, depth: depth + 1)
            }
        }
    }

    /// Patterns whose last segment names a stream (`$UsnJrnl:$J`, matched against `<file name>:<stream>`)
    /// choose that stream alone: a file chosen whole keeps all its streams.
    private func selectStreams(of entry: SourceEntry, volume: String, path: EvidencePath, states: Set<State>) {
        for stream in entry.streams {
            var shape = entry
            shape.name = PathComponent(entry.name.escaped + ":" + stream.name)
            var next = Set<State>()
            var matched: [Int] = []
            for state in states.sorted() { advance(state, shape, &next, &matched) }
            guard !matched.isEmpty else { continue }
            let key = FileKey(volume: volume, raw: path.rawBytes)
            for pattern in matched { matchCounts[pattern] += 1 }
            let artifact = matched.map { patterns[$0].artifactIndex }.min() ?? 0
            if var existing = files[key] {
                existing.patternIndexes = Array(Set(existing.patternIndexes + matched)).sorted()
                existing.artifactIndex = min(existing.artifactIndex, artifact)
                existing.onlyStreams?.insert(stream.name)
                files[key] = existing
            } else {
                var selected = SelectedFile(volume: volume, path: path, entry: entry, artifactIndex: artifact, patternIndexes: matched)
                selected.onlyStreams = [stream.name]
                files[key] = selected
            }
        }
    }

    private func advance(_ state: State, _ entry: SourceEntry, _ next: inout Set<State>, _ matched: inout [Int]) {
        guard let glob = patterns[state.pattern].glob, state.segment < glob.segmentCount else { return }
        if glob.isAnyDepth(state.segment) {
            advance(State(pattern: state.pattern, segment: state.segment + 1), entry, &next, &matched)
            if entry.kind == .directory { next.insert(state) }
            return
        }
        guard glob.segment(state.segment, matches: entry.name.folded) else { return }
        if state.segment == glob.segmentCount - 1 {
            if !matched.contains(state.pattern) { matched.append(state.pattern) }
        } else if entry.kind == .directory {
            next.insert(State(pattern: state.pattern, segment: state.segment + 1))
        }
    }

    private func record(volume: String, path: EvidencePath, entry: SourceEntry, patterns matched: [Int]) {
        switch entry.kind {
        case .directory:
            return
        case .symlink:
            for pattern in matched {
                notes.append(SelectionNote(patternIndex: pattern, volume: volume, path: path, status: .skipped,
                                           reason: "symbolic link to '\(entry.linkTarget ?? "?")'; links are recorded, never followed"))
            }
        case .other:
            for pattern in matched {
                notes.append(SelectionNote(patternIndex: pattern, volume: volume, path: path, status: .skipped,
                                           reason: "not a regular file (device, pipe or socket)"))
            }
        case .unreadable:
            for pattern in matched { notes.append(.unreadableEntry(pattern: pattern, volume: volume, path: path, entry: entry)) }
        case .file:
            for pattern in matched { matchCounts[pattern] += 1 }
            let key = FileKey(volume: volume, raw: path.rawBytes)
            let artifact = matched.map { patterns[$0].artifactIndex }.min() ?? 0
            if var existing = files[key] {
                existing.patternIndexes = (existing.patternIndexes + matched).sorted()
                existing.artifactIndex = min(existing.artifactIndex, artifact)
                existing.onlyStreams = nil  // chosen whole
                files[key] = existing
            } else {
                files[key] = SelectedFile(volume: volume, path: path, entry: entry, artifactIndex: artifact, patternIndexes: matched)
            }
        }
    }
}
