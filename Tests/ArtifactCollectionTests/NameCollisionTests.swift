@testable import ArtifactCollection
import EvidenceBundle
import EvidenceSource
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Names that differ only by Unicode normalisation, or escape to the same text, stay apart
/// (issue #14, case 5).
@Suite struct NameCollisionTests {
    /// `café.aspx` spelt with a precomposed `é` (NFC) and with `e` + U+0301 (NFD).
    static let nfc: [UInt8] = Array("caf".utf8) + [0xC3, 0xA9] + Array(".aspx".utf8)
    static let nfd: [UInt8] = Array("cafe".utf8) + [0xCC, 0x81] + Array(".aspx".utf8)

    /// Creates a file whose name is exactly `name`, byte for byte (no String round trip).
    static func create(directory: String, name: [UInt8], content: String) throws {
        let path = Array(directory.utf8) + [0x2F] + name
        let descriptor = open(path.map { CChar(bitPattern: $0) } + [0], O_WRONLY | O_CREAT | O_EXCL, 0o644)
        try #require(descriptor >= 0, "cannot create \(path)")
        defer { close(descriptor) }
        let bytes = Array(content.utf8)
        #expect(write(descriptor, bytes, bytes.count) == bytes.count)
    }

    @Test func namesThatDifferOnlyByNormalisationStayTwoMembers() throws {
        let harness = try Harness()
        let folder = try harness.temp.makeDirectory("volume/inetpub/wwwroot")
        try Self.create(directory: folder, name: Self.nfc, content: "<% precomposed %>")
        try Self.create(directory: folder, name: Self.nfd, content: "<% decomposed %>")
        let summary = try harness.collect()
        #expect(summary.exitStatus == .success)

        let prefix = Array("evidence/C/inetpub/wwwroot/".utf8)
        let entries = summary.manifest.entries
        // Byte order: NFD's `e` (0x65) sorts before NFC's `é` (0xC3 0xA9).
        #expect(entries.map { Array($0.path.utf8) } == [prefix + Self.nfd, prefix + Self.nfc])
        #expect(Set(entries.map(\.sha256)).count == 2)

        // The tar holds each name byte for byte, in manifest order, with its own content.
        let members = try BundleContents.read(summary.bundlePath).members.dropLast()
        #expect(members.map { Array($0.path.utf8) } == [prefix + Self.nfd, prefix + Self.nfc])
        #expect(zip(members, entries).allSatisfy { $0.digests.sha256 == $1.sha256 })

        let report = BundleVerifier().verify(path: summary.bundlePath)
        #expect(report.verdict == .intactUnsigned, "\(report.problems.map(\.message))")

        // Unpacking writes the first (NFD) and refuses the second with the reason (a normalising file
        // system such as APFS would make one replace the other).
        let result = try BundleUnpacker(manifest: summary.manifest).unpack(bundle: summary.bundlePath, to: harness.temp.path + "/unpacked")
        #expect(result.written == 1)
        let refused = try #require(result.skipped.first)
        #expect(result.skipped.count == 1 && Array(refused.member.utf8) == prefix + Self.nfc)
        #expect(refused.reason.contains("Unicode normalisation"))
        let written = try FileManager.default.contentsOfDirectory(atPath: harness.temp.path + "/unpacked/evidence/C/inetpub/wwwroot")
        #expect(written.map { Array($0.utf8) } == [Self.nfd])
    }

    @Test func escapedNameCollisionsAreRenamedWithANote() throws {
        let harness = try Harness()
        let folder = try harness.temp.makeDirectory("volume/inetpub/wwwroot")
        try Self.create(directory: folder, name: Array("x".utf8) + [0xFF] + Array(".aspx".utf8), content: "raw byte")
        try Self.create(directory: folder, name: Array("x%FF.aspx".utf8), content: "literal escape")
        let entries = try harness.collect().manifest.entries
        #expect(entries.map(\.path) == ["evidence/C/inetpub/wwwroot/x%FF.aspx", "evidence/C/inetpub/wwwroot/x%FF.aspx~1"])
        #expect(entries[0].reason == nil)
        #expect(entries[1].reason?.contains("member renamed to evidence/C/inetpub/wwwroot/x%FF.aspx~1") == true)
    }
}
