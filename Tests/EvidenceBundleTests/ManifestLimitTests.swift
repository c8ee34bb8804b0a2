@testable import EvidenceBundle
import ExTriageCore
import Testing
import TestSupport

/// Issue #14 item 4: the writer never produces a manifest the reader refuses, tested at the limit.
@Suite struct ManifestLimitTests {
    @Test func aManifestOfExactlyTheLimitIsWrittenAndVerifiesOneByteLessIsRefused() throws {
        let temp = try TemporaryDirectory()
        let sample = SampleBundle()
        let size = try ManifestCodec.encode(sample.manifest).count
        #expect(try ManifestCodec.encode(sample.manifest, limit: size).count == size)
        #expect(throws: ExTriageError.self) { try ManifestCodec.encode(sample.manifest, limit: size - 1) }

        let path = try sample.write(in: temp)
        var verifier = BundleVerifier()
        verifier.manifestSizeLimit = size
        #expect(verifier.verify(path: path).verdict == .intactUnsigned)
        verifier.manifestSizeLimit = size - 1
        #expect(verifier.verify(path: path).verdict == .notIntact)
    }

    @Test func theRefusalSaysHowLargeAndWhatToDo() {
        let error = ManifestCodec.tooLarge(bytes: 300 << 20, atLeast: true, entries: 200_000, limit: 256 << 20)
        #expect(error.code == .outputUnwritable)
        #expect(error.message.contains("200000 files") && error.message.contains("at least"))
        #expect(error.message.contains("several bundles"))
    }

    @Test func writerAndReaderShareOneLimit() {
        #expect(BundleVerifier().manifestSizeLimit == ManifestCodec.maximumSize)
    }

    @Test func entryByEntryEncodingIsByteForByteTheWholeDocument() throws {
        var manifest = SampleBundle().manifest
        manifest.entries[0].stored = .init(size: 1, digests: ContentHasher.digests(of: [1]))
        manifest.entries[0].flags = ["minidump"]
        manifest.entries[1].fileNameTimes = .init(modified: SampleBundle.time, accessed: nil, changed: nil, created: SampleBundle.time)
        let whole = Array(try ManifestCodec.makeEncoder().encode(manifest)) + [0x0A]
        #expect(try ManifestCodec.encode(manifest) == whole)
        manifest.entries = []
        #expect(try ManifestCodec.encode(manifest) == Array(try ManifestCodec.makeEncoder().encode(manifest)) + [0x0A])
    }

    @Test func theEarlyEstimateNeverExceedsWhatAnEntryTakes() throws {
        var sample = SampleBundle()
        sample.files = [("evidence/C/a", []), ("evidence/C/b", [1])]
        var manifest = sample.manifest
        for index in manifest.entries.indices {
            manifest.entries[index].modified = index == 0 ? nil : Timestamp(seconds: 0)
            manifest.entries[index].created = index == 0 ? nil : Timestamp(seconds: 0)
            manifest.entries[index].mode = .trace
            manifest.entries[index].status = .partial
        }
        let withEntries = try ManifestCodec.encode(manifest).count
        let least = manifest.entries.reduce(0) {
            $0 + ManifestCodec.minimumEntrySize(path: $1.path, sourcePath: $1.sourcePath, volume: $1.volume, artifact: $1.artifact,
                                           times: ManifestCodec.timeCount($1))
        }
        manifest.entries = []
        let withoutEntries = try ManifestCodec.encode(manifest).count
        #expect(withEntries - withoutEntries >= least)
    }
}
