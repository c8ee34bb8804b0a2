import Crypto
@testable import EvidenceBundle
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Issue #14 item 3: verify keeps a large `manifest.json` in a nameless temporary file, mapped
/// and released as it is read, instead of in memory; the verdicts are the same as before.
@Suite struct LargeManifestVerifyTests {
    /// A bundle of `count` one-byte members with paths of about 480 bytes: its manifest is over
    /// `ManifestBytes.spoolThreshold`.
    func sample(_ count: Int) -> SampleBundle {
        var sample = SampleBundle()
        let folder = "evidence/C/" + (0..<3).map { _ in String(repeating: "d", count: 150) }.joined(separator: "/")
        sample.files = (0..<count).map { ("\(folder)/file-\($0).aspx", [UInt8(truncatingIfNeeded: $0)]) }
        return sample
    }

    @Test func aSpooledManifestReadsBackWithItsDigestAfterRelease() throws {
        let temp = try TemporaryDirectory()
        let sample = sample(4000)
        let path = try sample.write(in: temp)
        let expected = try ManifestCodec.encode(sample.manifest)
        #expect(expected.count > ManifestBytes.spoolThreshold)
        let reader = try TarReader(path: path)
        while let header = try reader.next() {
            guard header.path == Manifest.memberName else { continue }
            let bytes = try ManifestBytes.read(from: reader, size: header.size, limit: ManifestCodec.maximumSize)
            #expect(bytes.sha256 == sha256Hex(expected))
            bytes.release(before: bytes.count)
            // Released pages read again from the file: the same bytes.
            #expect(bytes.array == expected)
            var entries: [Manifest.Entry] = []
            let head = try ManifestCodec.decodeEntries(bytes, limit: ManifestCodec.maximumSize) { entries.append($0) }
            #expect(entries == sample.manifest.entries)
            #expect(head.seal == sample.manifest.seal)
            // Over the limit while being read: refused.
            let again = try TarReader(path: path)
            while let other = try again.next() {
                if other.path == Manifest.memberName { break }
            }
            #expect(throws: ExTriageError.self) {
                _ = try ManifestBytes.read(from: again, size: header.size, limit: expected.count - 1)
            }
        }
    }

    @Test func bothSignatureVersionsVerifyOverASpooledManifest() throws {
        let temp = try TemporaryDirectory()
        let key = Curve25519.Signing.PrivateKey()
        let sample = sample(4000)
        for version in [1, 2] {
            var members = try sample.members()
            let manifest = members[members.count - 1].bytes
            let signature = version == 1
                ? try ManifestSignature.sign(manifest: manifest, with: key, at: SampleBundle.time)
                : try ManifestSignature.sign(manifestSha256: sha256Hex(manifest), with: key, at: SampleBundle.time)
            members.append((ManifestSignature.memberName, try signature.encoded(), SampleBundle.time))
            let good = temp.path + "/v\(version).tar"
            try BundleSurgery.write(members, to: good)
            var verifier = BundleVerifier(trustedKeys: [key.publicKey])
            verifier.keepsManifestEntries = false
            let report = verifier.verify(path: good)
            #expect(report.verdict == .intactSigned, "version \(version): \(report.problems)")

            // The examiner renamed after signing: only the signature can tell.
            var edited = members
            edited[edited.count - 2].bytes = Array(String(decoding: manifest, as: UTF8.self)
                .replacingOccurrences(of: "A. Examiner", with: "B. Examiner").utf8)
            let bad = temp.path + "/v\(version)-edited.tar"
            try BundleSurgery.write(edited, to: bad)
            let refused = verifier.verify(path: bad)
            #expect(refused.verdict == .notIntact)
            #expect(!refused.signature.valid)
        }
    }
}
