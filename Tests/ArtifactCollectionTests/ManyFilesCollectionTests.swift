@testable import ArtifactCollection
import Crypto
import EvidenceBundle
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Issue #14 item 3: entries are spooled to a nameless file and the manifest streamed into the
/// tar (signed over its digest, signature version 2); the bundle verifies, and nothing but the
/// bundle and the files beside it is left, whether collect succeeds or fails.
@Suite struct ManyFilesCollectionTests {
    /// 1,500 files with paths of about 480 bytes: more than a megabyte of entries, so the spool
    /// writes its file and reads it back.
    func harness() throws -> Harness {
        let harness = try Harness()
        let folder = "inetpub/wwwroot/" + (0..<3).map { _ in String(repeating: "f", count: 140) }.joined(separator: "/")
        for index in 0..<1500 { try harness.file("\(folder)/page-\(index).htm", "page \(index)") }
        return harness
    }

    func leftovers(_ harness: Harness, besides names: [String]) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: harness.temp.path)
            .filter { !["volume", "profiles"].contains($0) && !names.contains($0) }
    }

    @Test func aSignedCollectionOfManyFilesVerifiesWithTheDigestSignature() throws {
        let harness = try harness()
        let key = Curve25519.Signing.PrivateKey()
        let summary = try harness.collect("many.tar", signingKey: SigningKey(key))
        #expect(summary.entryCount == 1500)
        #expect(summary.manifest.entries.count == 1500)
        #expect(summary.filesCollected == 1500)
        let contents = try BundleContents.read(summary.bundlePath)
        let manifestBytes = try #require(contents.manifestBytes)
        #expect(manifestBytes.count > 2 << 20)
        #expect(manifestBytes == (try ManifestCodec.encode(summary.manifest)))

        let verifier = BundleVerifier(trustedKeys: [key.publicKey])
        let report = verifier.verify(path: summary.bundlePath)
        #expect(report.verdict == .intactSigned)
        #expect(report.problems.isEmpty)
        let reader = try TarReader(path: summary.bundlePath)
        var signature: ManifestSignature?
        while let header = try reader.next() {
            if header.path == ManifestSignature.memberName {
                signature = try ManifestSignature.decode(try reader.readAll(limit: 64 * 1024))
            }
        }
        #expect(signature?.schemaVersion == 2)
        #expect(signature?.manifestSha256 == sha256Hex(manifestBytes))
        #expect(try leftovers(harness, besides: ["many.tar", "many.tar.sha256", "many.tar.custody.jsonl"]).isEmpty)
    }

    @Test func aFailedCollectionLeavesOnlyThePartialBundle() throws {
        let harness = try harness()
        let full = try harness.collect("full.tar")
        let size = try ManifestCodec.encode(full.manifest).count
        // Fits the early estimate, not the manifest made at the end.
        #expect(throws: ExTriageError.self) { try harness.collect("cut.tar", manifestLimit: size - 200) }
        #expect(try leftovers(harness, besides: ["full.tar", "full.tar.sha256", "full.tar.custody.jsonl", "cut.tar.partial"]).isEmpty)
    }
}
