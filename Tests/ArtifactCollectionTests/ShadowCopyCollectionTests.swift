@testable import ArtifactCollection
import EvidenceBundle
import EvidenceSource
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// `collect --shadow-copies`: the profile's files from each store become `evidence/C@vss<N>/`
/// members, the manifest names each store's identifier and creation time, and without the
/// option (or from a directory) the manifest says why there are none.
@Suite struct ShadowCopyCollectionTests {
    static let shell = "inetpub/wwwroot/aspnet_client/system_web/qGtWmKzP.aspx"
    static let security = "Windows/System32/winevt/Logs/Security.evtx"
    static let proxyLog = "Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Mapi/HttpProxy_2021030307-1.log"

    static func image(_ harness: ImageHarness) throws -> ShadowCopyImage {
        try ShadowCopyImage(tree: harness.tree, to: harness.temp.path + "/c.ntfs", delete: [shell], shorten: [(security, 4096)])
    }

    @Test func storesAreCollectedAsVolumesAndRecordedInTheManifest() throws {
        let harness = try ImageHarness()
        let built = try Self.image(harness)
        let summary = try harness.collect(try SourceOpener.open(path: built.image, shadowCopies: true), "vss.tar")
        let manifest = summary.manifest
        #expect(summary.exitStatus == .success)
        let paths = Set(manifest.entries.map(\.path))
        #expect(paths.contains("evidence/C@vss1/" + Self.shell) && !paths.contains("evidence/C/" + Self.shell))
        // Exchange's logs are reached on the snapshot too, from the install found on the live volume.
        #expect(paths.contains("evidence/C@vss1/" + Self.proxyLog) && paths.contains("evidence/C/" + Self.proxyLog))
        #expect(manifest.exchangeInstallPath?.volume == "C")
        let live = try #require(manifest.entries.first { $0.path == "evidence/C/" + Self.security })
        let earlier = try #require(manifest.entries.first { $0.path == "evidence/C@vss1/" + Self.security })
        #expect(live.size == 4096 && earlier.size == 69_632)
        let original = try #require(FileManager.default.contents(atPath: harness.tree + "/" + Self.shell))
        let shell = try #require(manifest.entries.first { $0.path == "evidence/C@vss1/" + Self.shell })
        #expect(shell.sha256 == ContentHasher.digests(of: Array(original)).sha256)

        let volume = try #require(manifest.source.volumes.first { $0.name == "C@vss1" })
        #expect(volume.shadowCopy == Manifest.ShadowCopyRecord(of: "C", store: 1, identifier: ShadowCopyImage.storeIdentifier,
                                                               created: Timestamp(seconds: Int64(ShadowCopyImage.created))))
        #expect(manifest.source.shadowCopies == Manifest.ShadowCopiesRecord(status: "read", stores: 1))
        #expect(manifest.source.volumes.first { $0.name == "C" }?.shadowCopy == nil)
        // The bundle verifies: the new manifest fields are signed and read back like the rest.
        let report = BundleVerifier().verify(path: summary.bundlePath)
        #expect(report.verdict == .intactUnsigned, "\(report.problems.map(\.message))")
    }

    @Test func withoutTheOptionOrFromADirectoryTheManifestSaysWhy() throws {
        let harness = try ImageHarness()
        let built = try Self.image(harness)
        let image = try harness.collect(try SourceOpener.open(path: built.image), "plain.tar").manifest
        #expect(image.source.shadowCopies == Manifest.ShadowCopiesRecord(status: "not requested"))
        #expect(!image.entries.contains { $0.volume.contains("@vss") })
        let directory = try harness.collect(try SourceOpener.open(path: harness.tree, shadowCopies: true), "dir.tar").manifest
        #expect(directory.source.shadowCopies == Manifest.ShadowCopiesRecord(status: "not applicable"))
    }

    @Test func aDamagedStoreIsAWarningAndTheLiveVolumeIsStillCollected() throws {
        let harness = try ImageHarness()
        let built = try Self.image(harness)
        try built.damage(at: built.layout.blockList)
        let summary = try harness.collect(try SourceOpener.open(path: built.image, shadowCopies: true), "damaged.tar")
        let manifest = summary.manifest
        #expect(summary.exitStatus == .incomplete)  // exit 2: the image could not supply a store
        #expect(manifest.source.shadowCopies?.status == "read" && manifest.source.shadowCopies?.stores == 0)
        #expect(manifest.source.shadowCopies?.failures?.first?.contains("C shadow copy store 1") == true)
        #expect(manifest.source.warnings?.contains { $0.hasPrefix("shadow copy not readable: C shadow copy store 1") } == true)
        #expect(manifest.entries.contains { $0.path == "evidence/C/" + Self.security })
        #expect(!manifest.entries.contains { $0.volume != "C" })
    }
}
