import EvidenceBundle
import EvidenceSource
import ExTriageCore

/// Everything one `collect` run needs: the evidence, the output, the case, the profile.
public struct CollectionRequest: Sendable {
    public var source: any EvidenceSource
    /// The final bundle path (`.tar`); written as `<output>.partial` first.
    public var output: String
    public var caseRecord: Manifest.CaseRecord
    public var profile: ResolvedProfile
    /// Store memory dumps whole instead of head-only.
    public var collectDumps: Bool
    /// Replace an existing bundle at `output`.
    public var force: Bool
    /// Bytes kept of a file in trace mode.
    public var traceHeadBytes: UInt64 = 1 << 20
    /// Read size per chunk.
    public var chunkSize: Int = 4 << 20
    /// Signs the manifest (`manifest.sig`) and the first custody event when set.
    public var signingKey: SigningKey?
    /// Disk images: hash the whole image (all E01 segments' media) before collecting, and
    /// compare with the acquisition digests an E01 stores.
    public var hashImage = false
    /// Tests only: a write step of the output that fails with this `errno` (a full disk, say).
    var injectedOutputFailure: (step: OutputFile.Step, errno: Int32)?
    /// The largest manifest written: a bundle whose manifest a verifier would refuse is never
    /// produced. Tests lower it; verifiers read up to `ManifestCodec.maximumSize`.
    public var manifestSizeLimit = ManifestCodec.maximumSize

    public init(source: any EvidenceSource, output: String, caseRecord: Manifest.CaseRecord, profile: ResolvedProfile,
                collectDumps: Bool = false, force: Bool = false) {
        self.source = source
        self.output = output
        self.caseRecord = caseRecord
        self.profile = profile
        self.collectDumps = collectDumps
        self.force = force
    }
}

/// Receives progress while a collection runs (the CLI draws it on a terminal).
public protocol CollectionObserver: AnyObject {
    /// Selection is done: this many files and bytes will be read.
    func planned(files: Int, bytes: UInt64)
    /// A file is about to be read.
    func started(file: String, artifact: String)
    /// More bytes of the current file were read.
    func advanced(bytes: UInt64)
    /// Something the responder should know at once (a leftover partial bundle, ...).
    func warning(_ message: String)
}

/// What a finished collection did, for the end-of-run summary and the exit code.
public struct CollectionSummary: Sendable {
    public var bundlePath: String
    public var bundleSHA256: String
    public var bundleBytes: UInt64
    public var filesCollected: Int
    public var filesPartial: Int
    public var filesFailed: Int
    public var linksSkipped: Int
    public var patternsMissing: Int
    public var patternsEmpty: Int
    public var bytesRead: UInt64
    public var seconds: Double
    /// The manifest as written, without its entries: they went to the bundle one at a time and
    /// are not held (`writtenManifest()` reads them back).
    public var manifest: Manifest
    /// The signer's fingerprint when the manifest was signed.
    public var signer: String?
    /// How many entries the manifest lists.
    public var entryCount = 0
    /// A disk image could not supply some bytes of a file (an entry has `unreadableRanges`).
    public var sourceLostBytes = false

    /// `.incomplete` when any outcome is `failed`, or the source lost bytes: a file with ranges the
    /// image could not supply, or a source warning (a missing E01 segment, an unreadable file system).
    /// A file cut at its size cap is `partial` by design and does not count.
    public var exitStatus: ExitStatus {
        let failed = manifest.outcomes.contains { $0.status == .failed }
        let lost = sourceLostBytes || manifest.entries.contains { !($0.unreadableRanges ?? []).isEmpty }
        let warned = !(manifest.source.warnings ?? []).isEmpty
        return failed || lost || warned ? .incomplete : .success
    }
}

extension CollectionSummary {
    /// The whole manifest, entries included, read back from the bundle written.
    public func writtenManifest() throws -> Manifest {
        let reader = try TarReader(path: bundlePath)
        while let header = try reader.next() {
            if header.path == Manifest.memberName {
                return try ManifestCodec.decode(try reader.readAll(limit: ManifestCodec.maximumSize))
            }
        }
        throw ExTriageError(.notABundle, "the bundle has no manifest.json", path: bundlePath)
    }
}
