#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CArchive
import EvidenceBundle
import EvidenceSource
import ExTriageCore

/// Runs one collection: select files by profile, capture each once into a pax tar, then write
/// the manifest last, streamed from the entries spooled to disk (`ManifestEntrySpool`); the `.sha256` sidecar and the custody log are written before the `.partial`
/// file is renamed, so a final-named bundle always has both beside it.
public final class Collector {
    let request: CollectionRequest
    weak var observer: (any CollectionObserver)?

    public init(request: CollectionRequest, observer: (any CollectionObserver)? = nil) {
        self.request = request
        self.observer = observer
    }

    public func run() throws -> CollectionSummary {
        let startedAt = Timestamp.now()
        let output = try OutputFile(path: request.output, force: request.force)
        if request.source.contains(hostPath: output.directory) {
            throw ExTriageError(.invalidArgument, "the output must not be inside the evidence source", path: request.output)
        }
        if let image = request.source as? ImageSource,
           [output.path, output.partialPath, output.path + ".sha256", output.path + ".custody.jsonl"].contains(where: image.isImageFile) {
            throw ExTriageError(.invalidArgument, "the output would overwrite the evidence image", path: request.output)
        }
        if output.leftoverPartial { observer?.warning("replacing \(output.partialPath) left by an interrupted collection") }

        let imageDigest = try request.hashImage ? hashImage() : nil
        let installPath = InstallPathDiscovery(source: request.source).discover()
        let patterns = resolvePatterns(installPath: installPath)
        let selector = ArtifactSelector(source: request.source, patterns: patterns)
        selector.run()
        var files = selector.takeOrderedFiles()
        observer?.planned(files: files.count, bytes: files.reduce(0) { $0 &+ $1.entry.size })
        try refuseOversizeManifest(files)

        try output.retireCustodyLog()
        let descriptor = try output.openPartial()
        // Entries go to a file as they are made: memory keeps each file's status, not its entry.
        let spool: ManifestEntrySpool
        do {
            spool = try ManifestEntrySpool(path: output.partialPath + ".entries", limit: request.manifestSizeLimit)
        } catch {
            output.abandon()
            throw error
        }
        var memberStatuses = [OutcomeStatus?](repeating: nil, count: files.count)
        var lostBytes = false
        var fileProblems: [Int: FileProblem] = [:]
        var bytesRead: UInt64 = 0
        let summary: (bytes: UInt64, sha256: String)
        do {
            let writer = try TarWriter(descriptor: descriptor, displayPath: output.partialPath)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: request.chunkSize, alignment: 64)
            defer { buffer.deallocate() }
            let capture = FileCapture(writer: writer, buffer: buffer, traceHeadBytes: request.traceHeadBytes,
                                      collectDumps: request.collectDumps, observer: observer)
            for (index, file) in files.enumerated() {
                let definition = request.profile.definitions[file.artifactIndex].value
                observer?.started(file: file.memberPath, artifact: definition.name)
                switch try capture.capture(file, from: request.source, definition: definition) {
                case .member(let entry, let count, let readError):
                    try spool.append(entry)
                    memberStatuses[index] = entry.status
                    if !(entry.unreadableRanges ?? []).isEmpty { lostBytes = true }
                    bytesRead += count
                    fileProblems[index] = FileProblem.afterCapture(file, entry: entry, bytesRead: count, readError: readError)
                case .failed(let reason):
                    fileProblems[index] = FileProblem(file: file, status: .failed, reason: reason)
                }
            }
            let finishedAt = Timestamp.now()
            let outcomeRows = outcomes(patterns, selector, files, memberStatuses, fileProblems)
            files = []
            var manifest = makeManifest(startedAt: startedAt, finishedAt: finishedAt, installPath: installPath, imageDigest: imageDigest,
                                        entries: [], outcomes: outcomeRows)
            manifest.seal = spool.seal
            let manifestSha256 = try spool.write(manifest, to: writer, modified: finishedAt)
            var signer: String?
            if let key = request.signingKey {
                // Version 2: over the digest of the manifest as it was streamed, never held whole.
                let signature = try ManifestSignature.sign(manifestSha256: manifestSha256, with: key.key, at: Timestamp.now())
                try writer.addMember(path: ManifestSignature.memberName, bytes: try signature.encoded(), modified: finishedAt)
                signer = signature.fingerprint
            }
            summary = try writer.close()
            let (_, custodyLine) = try CustodyLog.makeLine(
                after: [], actor: request.caseRecord.examiner, action: .collected,
                note: "collected from \(request.source.kind) \(request.source.location) for case \(request.caseRecord.caseId)"
                    + SourceDescription.custodyNote(manifest.source),
                bundleSha256: summary.sha256, manifestSigner: signer, key: request.signingKey?.key)
            output.injectedFailure = request.injectedOutputFailure
            try output.commit(descriptor: descriptor, sha256: summary.sha256, custodyLine: custodyLine)
            return CollectionSummary(
                bundlePath: output.path, bundleSHA256: summary.sha256, bundleBytes: summary.bytes,
                filesCollected: memberStatuses.filter { $0 == .collected }.count,
                filesPartial: memberStatuses.filter { $0 == .partial }.count,
                filesFailed: fileProblems.values.filter { $0.status == .failed }.count + selector.notes.filter { $0.status == .failed }.count,
                linksSkipped: selector.notes.filter { $0.status == .skipped }.count,
                patternsMissing: manifest.outcomes.filter { $0.path == nil && $0.status == .missing }.count,
                patternsEmpty: manifest.outcomes.filter { $0.path == nil && $0.status == .empty }.count,
                bytesRead: bytesRead, seconds: finishedAt.secondsSince(startedAt), manifest: manifest, signer: signer,
                entryCount: spool.count, sourceLostBytes: lostBytes)
        } catch {
            output.abandon()
            throw error
        }
    }

    /// Refuses, before any file is read, a selection whose manifest would certainly be larger than
    /// the limit: each entry holds its member and source paths, artifact, the times the listing
    /// showed and at least the fixed overhead.
    func refuseOversizeManifest(_ files: [SelectedFile]) throws {
        var least = 0
        for file in files {
            least += ManifestCodec.minimumEntrySize(path: file.memberPath, sourcePath: file.path.escaped, volume: file.volume,
                                                    artifact: request.profile.definitions[file.artifactIndex].value.name,
                                                    times: [file.entry.times.modified, file.entry.times.accessed, file.entry.times.changed,
                                                            file.entry.times.created].filter { $0 != nil }.count)
        }
        if least > request.manifestSizeLimit {
            throw ManifestCodec.tooLarge(bytes: least, atLeast: true, entries: files.count, limit: request.manifestSizeLimit)
        }
    }

    /// Substitutes placeholders: `%ExchangeInstallPath%` on the volume it was found on, the
    /// Windows folders on every volume.
    func resolvePatterns(installPath: InstallPathDiscovery.Found?) -> [ResolvedPattern] {
        let allVolumes = request.source.volumes.map(\.name)
        var out: [ResolvedPattern] = []
        for (artifactIndex, loaded) in request.profile.definitions.enumerated() {
            for written in loaded.value.paths {
                var pattern = ResolvedPattern(artifactIndex: artifactIndex, written: written, volumes: allVolumes)
                var parts = written.split(separator: "/").map(String.init)
                var prefix: [PathComponent] = []
                switch parts.first {
                case "%ExchangeInstallPath%":
                    guard let installPath else {
                        pattern.unresolvedReason = "no Exchange install path was found on the evidence"
                        out.append(pattern)
                        continue
                    }
                    prefix = installPath.path.components
                    // The install's volume and its shadow copies (`C`, `C@vss1`, ...).
                    pattern.volumes = request.source.volumes.filter { $0.name == installPath.volume || $0.shadowCopy?.of == installPath.volume }
                        .map(\.name)
                    parts.removeFirst()
                case "%SystemRoot%":
                    prefix = [PathComponent("Windows")]
                    parts.removeFirst()
                case "%ProgramData%":
                    prefix = [PathComponent("ProgramData")]
                    parts.removeFirst()
                default:
                    break
                }
                if parts.last?.contains(":") == true, request.source.kind == "directory" {
                    pattern.unresolvedReason = "not applicable: a directory source has no NTFS streams (a copied tree carries them as files)"
                    out.append(pattern)
                    continue
                }
                do {
                    pattern.glob = try GlobPattern(literalPrefix: prefix, glob: parts.joined(separator: "/"))
                } catch {
                    pattern.unresolvedReason = "pattern could not be compiled: \(error)"
                }
                out.append(pattern)
            }
        }
        return out
    }

    /// One summary row per pattern, then one row per file that failed or was skipped.
    /// `memberStatuses[i]` is the status of the entry made for `files[i]` (member names are unique).
    func outcomes(_ patterns: [ResolvedPattern], _ selector: ArtifactSelector, _ files: [SelectedFile],
                  _ memberStatuses: [OutcomeStatus?], _ fileProblems: [Int: FileProblem]) -> [Manifest.Outcome] {
        var statuses = Array(repeating: [OutcomeStatus](), count: patterns.count)
        for (index, file) in files.enumerated() {
            let status: OutcomeStatus = fileProblems[index]?.status == .failed ? .failed : (memberStatuses[index] ?? .failed)
            for pattern in file.patternIndexes { statuses[pattern].append(status) }
        }
        // Where an undiscovered install path may hide: folders no pattern could search.
        var unsearched: [String] = []
        for note in selector.notes where note.blocksSearch && !unsearched.contains(where: { $0.utf8.elementsEqual(note.shownPath.utf8) }) {
            unsearched.append(note.shownPath)
        }
        let unsearchedHint = unsearched.isEmpty ? ""
            : "; it may lie in a folder that could not be searched: " + unsearched.prefix(3).joined(separator: ", ") + (unsearched.count > 3 ? ", ..." : "")
        var failures = Array(repeating: [SelectionNote](), count: patterns.count)
        for note in selector.notes where note.status == .failed { failures[note.patternIndex].append(note) }

        var rows: [Manifest.Outcome] = []
        for (index, pattern) in patterns.enumerated() {
            let artifact = request.profile.definitions[pattern.artifactIndex].value.name
            var row = Manifest.Outcome(artifact: artifact, pattern: pattern.written, status: .collected, count: selector.matchCounts[index], reason: nil)
            if let reason = pattern.unresolvedReason {
                row.status = .missing
                row.reason = reason + (pattern.written.hasPrefix("%ExchangeInstallPath%") ? unsearchedHint : "")
            } else if let verdict = PatternVerdict(fileStatuses: statuses[index], failures: failures[index]).outcome {
                (row.status, row.reason) = verdict
            } else {
                // The base folder may be on any volume the pattern applies to (an image's first
                // volume is often the EFI partition), so every one is asked, not just the first.
                let baseExists = pattern.glob.map { glob in
                    pattern.volumes.contains { volume in
                        SourceNavigator(source: request.source, volume: volume).directory(glob.literalPrefix.dropLastIfFile(glob)) != nil
                    }
                } ?? false
                row.status = baseExists ? .empty : .missing
                row.reason = baseExists ? "the folder exists but no file matched" : "no such folder on the evidence"
            }
            rows.append(row)
        }
        for (_, problem) in fileProblems.sorted(by: { $0.key < $1.key }) {
            let file = problem.file
            let pattern = file.patternIndexes.first ?? 0
            rows.append(Manifest.Outcome(artifact: request.profile.definitions[file.artifactIndex].value.name,
                                         pattern: patterns[pattern].written, status: problem.status, count: 1, reason: problem.reason,
                                         path: "\(file.volume):/\(file.path.escaped)" + (file.stream.map { ":" + $0 } ?? "")))
        }
        for note in selector.notes {
            let pattern = patterns[note.patternIndex]
            rows.append(Manifest.Outcome(artifact: request.profile.definitions[pattern.artifactIndex].value.name,
                                         pattern: pattern.written, status: note.status == .failed ? .failed : .skipped,
                                         count: 1, reason: note.reason, path: note.shownPath))
        }
        return rows
    }

    func makeManifest(startedAt: Timestamp, finishedAt: Timestamp, installPath: InstallPathDiscovery.Found?,
                      imageDigest: ImageDigest? = nil, entries: [Manifest.Entry], outcomes: [Manifest.Outcome]) -> Manifest {
        let libarchive = archive_version_details().map { String(cString: $0) } ?? "libarchive"
        var libraries = ["libarchive": libarchive]
        if request.source is ImageSource { libraries.merge(ImageSource.libraryVersions) { first, _ in first } }
        return Manifest(
            tool: .init(name: ToolInfo.name, version: ToolInfo.version, libraries: libraries),
            case: request.caseRecord,
            collector: .init(host: Environment.hostName, user: Environment.userName, platform: Environment.platform),
            source: SourceDescription.record(of: request.source, digest: imageDigest),
            exchangeInstallPath: installPath.map { .init(volume: $0.volume, path: $0.path.escaped, discoveredBy: $0.method) },
            profile: .init(name: request.profile.profile.value.name, sha256: request.profile.sha256,
                           artifacts: request.profile.definitions.map { .init(name: $0.value.name, sha256: $0.sha256, origin: $0.origin == "built-in" ? "built-in" : $0.file) }),
            options: .init(collectDumps: request.collectDumps, traceHeadBytes: request.traceHeadBytes),
            startedAt: startedAt, finishedAt: finishedAt, entries: entries, outcomes: outcomes)
    }
}

extension Array where Element == String {
    /// The literal prefix minus a final name that is the pattern's file segment, so only folders are looked up.
    func dropLastIfFile(_ glob: GlobPattern) -> [String] {
        count == glob.segmentCount ? Array(dropLast()) : self
    }
}

extension Timestamp {
    func secondsSince(_ other: Timestamp) -> Double {
        Double(seconds - other.seconds) + Double(nanoseconds - other.nanoseconds) / 1e9
    }
}

/// Facts about the collecting machine, recorded as "who collected it".
enum Environment {
    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static var userName: String {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return "uid \(geteuid())" }
        return String(cString: name) + " (uid \(geteuid()))"
    }

    static var platform: String {
        var info = utsname()
        guard uname(&info) == 0 else { return "unknown" }
        let field: (UnsafeRawBufferPointer) -> String = { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let system = withUnsafeBytes(of: info.sysname, field)
        let release = withUnsafeBytes(of: info.release, field)
        let machine = withUnsafeBytes(of: info.machine, field)
        return "\(system) \(release) \(machine)"
    }
}
