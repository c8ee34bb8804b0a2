import Crypto
@testable import EvidenceBundle
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Issue #14 item 3: the collector spools manifest entries to disk and streams the manifest into
/// the tar, so its memory does not grow with the number of files; the bytes stay exactly those of
/// `ManifestCodec.encode`, and the signature (version 2) covers their digest.
@Suite struct ManifestEntrySpoolTests {
    /// Writes `manifest` through a spool as the only member of a tar; returns the member's bytes
    /// and the digest the spool reported.
    func streamed(_ manifest: Manifest, in temp: TemporaryDirectory, limit: Int = ManifestCodec.maximumSize) throws
        -> (bytes: [UInt8], sha256: String) {
        let spool = try ManifestEntrySpool(path: temp.path + "/out.tar.partial.entries", limit: limit)
        for entry in manifest.entries { try spool.append(entry) }
        var head = manifest
        head.entries = []
        let descriptor = open(temp.path + "/out.tar", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        let writer = try TarWriter(descriptor: descriptor, displayPath: "out.tar")
        let sha256 = try spool.write(head, to: writer, modified: SampleBundle.time)
        _ = try writer.close()
        let reader = try TarReader(path: temp.path + "/out.tar")
        let header = try #require(try reader.next())
        #expect(header.path == Manifest.memberName)
        return (try reader.readAll(limit: ManifestCodec.maximumSize), sha256)
    }

    /// `count` entries with paths of about `pathLength` bytes.
    func manyEntries(_ count: Int, pathLength: Int) -> Manifest {
        let sample = SampleBundle()
        var manifest = sample.manifest
        let folder = "evidence/C/" + String(repeating: "p", count: max(1, pathLength - 30)) + "/"
        manifest.entries = (0..<count).map { sample.entry(folder + "file-\($0).aspx", Array("content \($0)".utf8)) }
        manifest.seal = Manifest.Seal(entries: manifest.entries)
        return manifest
    }

    @Test func sameBytesAsEncodingTheWholeManifest() throws {
        let temp = try TemporaryDirectory()
        var empty = SampleBundle().manifest
        empty.entries = []
        empty.seal = Manifest.Seal(entries: [])
        for var manifest in [ManifestEntryDecoderTests.awkward, empty, manyEntries(3000, pathLength: 490)] {
            // The spool seals what it was given (`awkward` changes stored sizes after sealing).
            manifest.seal = Manifest.Seal(entries: manifest.entries)
            let (bytes, sha256) = try streamed(manifest, in: temp)
            #expect(bytes == (try ManifestCodec.encode(manifest)))
            #expect(sha256 == sha256Hex(bytes))
            #expect(try ManifestCodec.decode(bytes) == manifest)
        }
    }

    @Test func memoryHeldDoesNotGrowWithEntries() throws {
        let temp = try TemporaryDirectory()
        let spool = try ManifestEntrySpool(path: temp.path + "/x.entries")
        let manifest = manyEntries(8000, pathLength: 490)
        var most = 0
        for entry in manifest.entries {
            try spool.append(entry)
            most = max(most, spool.heldBytes)
        }
        // Over 8 MiB of entries went through; memory held the buffer (and one entry past it).
        #expect(spool.byteCount > 8 * ManifestEntrySpool.bufferSize)
        #expect(most < 2 * ManifestEntrySpool.bufferSize)
        #expect(spool.count == 8000)
        #expect(spool.seal == Manifest.Seal(entries: manifest.entries))
    }

    @Test func theTemporaryFileHasNoNameAndTheLimitHolds() throws {
        let temp = try TemporaryDirectory()
        let path = temp.path + "/b.tar.partial.entries"
        let spool = try ManifestEntrySpool(path: path, limit: 10_000)
        #expect(!FileManager.default.fileExists(atPath: path))
        let manifest = manyEntries(40, pathLength: 490)
        #expect(throws: ExTriageError.self) {
            for entry in manifest.entries { try spool.append(entry) }
        }
        // An existing file is never reused or overwritten.
        _ = try temp.write("taken.entries", "x")
        #expect(throws: ExTriageError.self) { try ManifestEntrySpool(path: temp.path + "/taken.entries") }
        // The whole manifest must fit too, not only its entries.
        let whole = try ManifestCodec.encode(manifest).count
        #expect(throws: ExTriageError.self) { try streamed(manifest, in: temp, limit: whole - 1) }
        #expect(try streamed(manifest, in: temp, limit: whole).bytes.count == whole)
    }

    @Test func versionTwoSignsTheDigestAndVersionOneStillVerifies() throws {
        let key = Curve25519.Signing.PrivateKey()
        let bytes = try ManifestCodec.encode(SampleBundle().manifest)
        var changed = bytes
        changed[changed.count / 2] ^= 0x01

        let two = try ManifestSignature.sign(manifestSha256: sha256Hex(bytes), with: key, at: SampleBundle.time)
        #expect(two.schemaVersion == 2)
        #expect(two.isValid(for: bytes))
        #expect(two.isValid(manifestSha256: sha256Hex(bytes)))
        #expect(!two.isValid(for: changed))
        var movedTime = two
        movedTime.signedAt = Timestamp(seconds: SampleBundle.time.seconds + 1)
        #expect(!movedTime.isValid(for: bytes))
        var otherDigest = two
        otherDigest.manifestSha256 = sha256Hex(changed)
        #expect(!otherDigest.isValid(for: changed))

        let one = try ManifestSignature.sign(manifest: bytes, with: key, at: SampleBundle.time)
        #expect(one.schemaVersion == 1)
        #expect(one.isValid(for: bytes))
        #expect(!one.isValid(for: changed))
        // Neither version's signature passes as the other's.
        var oneAsTwo = one
        oneAsTwo.schemaVersion = 2
        #expect(!oneAsTwo.isValid(for: bytes))
        var twoAsOne = two
        twoAsOne.schemaVersion = 1
        #expect(!twoAsOne.isValid(for: bytes))
        var unknown = two
        unknown.schemaVersion = 3
        #expect(!unknown.isValid(for: bytes))
    }

    @Test func aVersionTwoSignedBundleVerifiesAndAnEditedOneDoesNot() throws {
        let temp = try TemporaryDirectory()
        let key = Curve25519.Signing.PrivateKey()
        let sample = SampleBundle()
        func bundle(_ name: String, edit: Bool) throws -> String {
            var members = try sample.members()
            let index = members.firstIndex { $0.path == Manifest.memberName }!
            let signature = try ManifestSignature.sign(manifestSha256: sha256Hex(members[index].bytes), with: key, at: SampleBundle.time)
            if edit { members[index].bytes = Array(String(decoding: members[index].bytes, as: UTF8.self)
                .replacingOccurrences(of: "A. Examiner", with: "B. Examiner").utf8) }
            members.append((ManifestSignature.memberName, try signature.encoded(), SampleBundle.time))
            let path = temp.path + "/" + name
            try BundleSurgery.write(members, to: path)
            return path
        }
        let verifier = BundleVerifier(trustedKeys: [key.publicKey])
        let good = verifier.verify(path: try bundle("good.tar", edit: false))
        #expect(good.verdict == .intactSigned)
        #expect(good.signature.trusted)
        let edited = verifier.verify(path: try bundle("edited.tar", edit: true))
        #expect(edited.verdict == .notIntact)
        #expect(!edited.signature.valid)
    }
}
