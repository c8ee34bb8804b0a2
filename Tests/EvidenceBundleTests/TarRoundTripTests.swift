import EvidenceBundle
import ExTriageCore
import Foundation
import Testing
import TestSupport

@Suite struct ContentHasherTests {
    @Test func matchesKnownVectors() {
        let empty = ContentHasher.digests(of: [])
        #expect(empty.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(empty.sha1 == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(empty.md5 == "d41d8cd98f00b204e9800998ecf8427e")
        let abc = ContentHasher.digests(of: Array("abc".utf8))
        #expect(abc.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(abc.sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(abc.md5 == "900150983cd24fb0d6963f7d28e17f72")
    }

    @Test func parallelAndChunkedHashingAgreeWithOneShot() {
        let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let oneShot = ContentHasher.digests(of: bytes)
        let chunked = ContentHasher()
        let copyAtMillion: ContentHasher
        bytes.withUnsafeBytes { raw in
            chunked.update(UnsafeRawBufferPointer(rebasing: raw[0..<1_000_000]))
        }
        copyAtMillion = chunked.copy()
        bytes.withUnsafeBytes { raw in
            chunked.update(UnsafeRawBufferPointer(rebasing: raw[1_000_000..<1_000_100]))
            chunked.update(UnsafeRawBufferPointer(rebasing: raw[1_000_100...]))
        }
        #expect(chunked.finalize() == oneShot)
        #expect(copyAtMillion.finalize() == ContentHasher.digests(of: Array(bytes[0..<1_000_000])))
    }

    @Test func sha256OnlyGivesTheSameSHA256AndNoOtherDigest() {
        let bytes = (0..<1_500_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let strong = ContentHasher(sha256Only: true)
        bytes.withUnsafeBytes { raw in
            strong.update(UnsafeRawBufferPointer(rebasing: raw[0..<100]))
            strong.update(UnsafeRawBufferPointer(rebasing: raw[100...]))
        }
        let digests = strong.finalize()
        #expect(digests.sha256 == ContentHasher.digests(of: bytes).sha256)
        #expect(digests.sha1.isEmpty && digests.md5.isEmpty)
    }
}

@Suite struct TarRoundTripTests {
    func writeBundle(_ path: String, members: [(String, [UInt8])]) throws -> (UInt64, String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(fd) }
        let writer = try TarWriter(descriptor: fd, displayPath: path)
        for (name, bytes) in members {
            try writer.addMember(path: name, bytes: bytes, modified: Timestamp(seconds: 1_614_735_582))
        }
        return try writer.close()
    }

    @Test func membersReadBackExactlyAndDeterministically() throws {
        let temp = try TemporaryDirectory()
        let long = "evidence/C/" + String(repeating: "deep/", count: 60) + "é file with spaces.LOG"
        let members: [(String, [UInt8])] = [
            ("evidence/C/a.txt", Array("alpha".utf8)),
            (long, [UInt8](repeating: 0x41, count: 70_000)),
            ("evidence/C/empty", []),
        ]
        let (bytes, digest) = try writeBundle(temp.path + "/one.tar", members: members)
        let (_, digestAgain) = try writeBundle(temp.path + "/two.tar", members: members)
        #expect(digest == digestAgain)
        let data = try #require(FileManager.default.contents(atPath: temp.path + "/one.tar"))
        #expect(UInt64(data.count) == bytes)
        #expect(sha256Hex(Array(data)) == digest)

        let contents = try BundleContents.read(temp.path + "/one.tar")
        #expect(contents.members.map(\.path) == members.map(\.0))
        for (member, expected) in zip(contents.members, members) {
            #expect(member.kind == .file)
            #expect(member.size == Int64(expected.1.count))
            #expect(member.digests == ContentHasher.digests(of: expected.1))
        }
    }

    @Test func paddingFillsADeclaredSizeWithZeros() throws {
        let temp = try TemporaryDirectory()
        let path = temp.path + "/pad.tar"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let writer = try TarWriter(descriptor: fd, displayPath: path)
        try writer.beginMember(path: "short", size: 10, modified: nil)
        try Array("abc".utf8).withUnsafeBytes { try writer.write($0) }
        #expect(try writer.padMember() == 7)
        try writer.finishMember()
        _ = try writer.close()
        close(fd)
        let member = try #require(try BundleContents.read(path).members.first)
        #expect(member.digests == ContentHasher.digests(of: Array("abc".utf8) + [UInt8](repeating: 0, count: 7)))
    }

    @Test func refusesNonTarInput() throws {
        let temp = try TemporaryDirectory()
        let zip = try temp.write("renamed.tar", [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 600))
        #expect(throws: ExTriageError.self) {
            let reader = try TarReader(path: zip)
            _ = try reader.next()
        }
    }

    @Test func truncatedMemberDataIsAnError() throws {
        let temp = try TemporaryDirectory()
        _ = try writeBundle(temp.path + "/full.tar", members: [("evidence/C/big", [UInt8](repeating: 1, count: 100_000))])
        let data = try #require(FileManager.default.contents(atPath: temp.path + "/full.tar"))
        let cut = try temp.write("cut.tar", Array(data.prefix(50_000)))
        #expect(throws: ExTriageError.self) { _ = try BundleContents.read(cut) }
    }
}

@Suite struct ManifestTests {
    func entry(_ path: String, _ content: String) -> Manifest.Entry {
        Manifest.Entry(path: path, sourcePath: path, sourcePathHex: nil, volume: "C", size: UInt64(content.utf8.count),
                       digests: ContentHasher.digests(of: Array(content.utf8)), times: (nil, nil, nil, nil),
                       artifact: "test.artifact", status: .collected, reason: nil, stored: nil)
    }

    func manifest(_ entries: [Manifest.Entry]) -> Manifest {
        Manifest(tool: .init(name: "extriage", version: "test", libraries: [:]),
                 case: .init(caseId: "C-1", evidenceId: nil, examiner: "A. Examiner", notes: "line\nbreak"),
                 collector: .init(host: "h", user: "u", platform: "p"),
                 source: .init(kind: "directory", path: "/x", volumes: [.init(name: "C", fileSystem: nil, label: nil)]),
                 exchangeInstallPath: nil, profile: .init(name: "p", sha256: "00", artifacts: []),
                 options: .init(collectDumps: false, traceHeadBytes: 1 << 20),
                 startedAt: Timestamp(seconds: 1), finishedAt: Timestamp(seconds: 2),
                 entries: entries, outcomes: [.init(artifact: "test.artifact", pattern: "*", status: .collected, count: 2, reason: nil)])
    }

    @Test func encodesStableKeysAndRoundTrips() throws {
        let original = manifest([entry("evidence/C/a", "a"), entry("evidence/C/b", "b")])
        let bytes = try ManifestCodec.encode(original)
        let text = String(decoding: bytes, as: UTF8.self)
        for key in ["\"schemaVersion\" : 1", "\"tool\"", "\"caseId\" : \"C-1\"", "\"evidenceId\"", "\"source\"", "\"profile\"",
                    "\"startedAt\" : \"1970-01-01T00:00:01Z\"", "\"entries\"", "\"outcomes\"", "\"seal\"", "\"memberCount\" : 2"]
            where key != "\"evidenceId\"" {
            #expect(text.contains(key), "missing \(key)")
        }
        #expect(try ManifestCodec.decode(bytes) == original)
        #expect(try ManifestCodec.encode(original) == bytes)
    }

    @Test func sealChangesWhenMembersChangeOrMove() {
        let a = entry("evidence/C/a", "a"), b = entry("evidence/C/b", "b")
        let seal = Manifest.Seal(entries: [a, b])
        #expect(seal.memberCount == 2 && seal.totalBytes == 2)
        #expect(seal != Manifest.Seal(entries: [b, a]))
        #expect(seal != Manifest.Seal(entries: [a]))
        #expect(seal != Manifest.Seal(entries: [a, entry("evidence/C/b", "c")]))
    }

    @Test func rejectsGarbageAndOtherVersions() throws {
        #expect(throws: ExTriageError.self) { try ManifestCodec.decode(Array("{not json".utf8)) }
        var other = manifest([])
        other.schemaVersion = 99
        let bytes = try ManifestCodec.encode(other)
        #expect(throws: ExTriageError.self) { try ManifestCodec.decode(bytes) }
    }
}
