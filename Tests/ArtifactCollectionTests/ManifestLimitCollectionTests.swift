@testable import ArtifactCollection
import EvidenceBundle
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Issue #14 item 4: a collection whose manifest a verifier would refuse writes no bundle.
@Suite struct ManifestLimitCollectionTests {
    func harness() throws -> Harness {
        let harness = try Harness()
        for index in 0..<20 {
            try harness.file("inetpub/wwwroot/" + String(repeating: "d", count: 200) + "/page-\(index).htm", "page \(index)")
        }
        return harness
    }

    /// No bundle under its final name and no sidecar (a `.partial` file may stay, as after any
    /// failed collection: its name says it is not a bundle).
    func noBundle(_ harness: Harness, _ name: String) -> Bool {
        let path = harness.temp.path + "/" + name
        return ![path, path + ".sha256"].contains { FileManager.default.fileExists(atPath: $0) }
    }

    @Test func aSelectionCertainToOverflowIsRefusedBeforeAnyFileIsRead() throws {
        let harness = try harness()
        // Twenty entries with two 220-byte paths each are certainly more than 4 KiB.
        #expect(throws: ExTriageError.self) { try harness.collect("small.tar", manifestLimit: 4096) }
        let none = noBundle(harness, "small.tar")
        #expect(none)
        #expect(!FileManager.default.fileExists(atPath: harness.temp.path + "/small.tar.partial"))
    }

    @Test func aManifestOverTheLimitAtTheEndLeavesNoBundle() throws {
        let harness = try harness()
        let full = try harness.collect("full.tar")
        let size = try ManifestCodec.encode(full.manifest).count
        let estimate = full.manifest.entries.reduce(0) {
            $0 + ManifestCodec.minimumEntrySize(path: $1.path, sourcePath: $1.sourcePath, volume: $1.volume, artifact: $1.artifact,
                                           times: ManifestCodec.timeCount($1))
        }
        // Above the early estimate, below the real size (run times differ by a few bytes at most).
        let limit = size - 200
        #expect(estimate < limit)
        #expect(throws: ExTriageError.self) { try harness.collect("cut.tar", manifestLimit: limit) }
        let none = noBundle(harness, "cut.tar")
        #expect(none)
        let fits = try harness.collect("fits.tar", manifestLimit: size + 200)
        var verifier = BundleVerifier()
        verifier.manifestSizeLimit = size + 200
        #expect(verifier.verify(path: fits.bundlePath).verdict == .intactUnsigned)
    }
}
