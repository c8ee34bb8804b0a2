@testable import ArtifactCollection
import EvidenceBundle
import EvidenceSource
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Collecting the USN journal from an NTFS image built at test time: mkntfs makes `$Extend`, the
/// libntfs-3g helper (`ntfs_populate -j`) adds `$UsnJrnl` with a `$J` stream whose first MiB is a
/// sparse hole (ntfs-3g keeps no journal of its own, so the stream's bytes are a journal written
/// by `usn_writer.py`). Only `$J` is taken, from its first allocated byte, and the skipped length
/// is in the entry; a directory source records the stream pattern as not applicable.
@Suite struct UsnJournalCollectionTests {
    static let hole = 1 << 20

    static func journal() throws -> [UInt8] {
        try SampleFormatWriters.usnJournal(["version": 2, "records": [
            SampleFormatWriters.usnRecord("x.aspx", file: (70211, 3), parent: (1252, 1), time: "2021-03-03T06:58:10Z", reason: 0x100),
            SampleFormatWriters.usnRecord("x.aspx", file: (70211, 3), parent: (1252, 1), time: "2021-03-03T07:12:44Z", reason: 0x8000_0200),
        ]])
    }

    static func collect(_ source: any EvidenceSource, _ output: String, temp: TemporaryDirectory) throws -> Manifest {
        let library = try ProfileLibrary.load(builtIn: Repository.profiles, overrides: [])
        let request = CollectionRequest(source: source, output: output,
                                        caseRecord: .init(caseId: "CASE-USN", evidenceId: nil, examiner: "Tester", notes: nil),
                                        profile: try library.resolve(profile: "exchange-triage"))
        return try Collector(request: request).run().writtenManifest()
    }

    @Test func onlyTheJStreamIsTakenWithoutItsSparseHead() throws {
        let temp = try TemporaryDirectory()
        let tree = temp.path + "/tree"
        try FileManager.default.createDirectory(atPath: tree + "/Windows/System32", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: tree + "/Windows/System32/hosts", contents: Data("127.0.0.1 localhost\n".utf8))
        let content = try Self.journal()
        let image = temp.path + "/c.ntfs"
        try DiskImageBuilder.ntfs(from: tree, to: image, journals: [("$Extend/$UsnJrnl", "$J", Self.hole, content)])
        let manifest = try Self.collect(try SourceOpener.open(path: image), temp.path + "/c.tar", temp: temp)

        let taken = manifest.entries.filter { $0.sourcePath.lowercased().hasPrefix("$extend/") }
        #expect(taken.map(\.path) == ["evidence/C/$Extend/$UsnJrnl:$J"], "the stream alone: not $UsnJrnl's own data, not $Max")
        let entry = try #require(taken.first)
        #expect(entry.stream == "$J" && entry.artifact == "windows.filesystem.usn-journal" && entry.status == .collected)
        #expect(entry.size == UInt64(content.count) && entry.sha256 == ContentHasher.digests(of: content).sha256,
                "the member is the stream from its first allocated byte: the journal bytes, no zeros before them")
        #expect(entry.reason?.contains("first \(Self.hole) bytes are sparse") == true)
        let contents = try BundleContents.read(temp.path + "/c.tar")
        #expect(contents.members.first { $0.path == entry.path }?.digests.sha256 == entry.sha256)
        let row = try #require(manifest.outcomes.first { $0.pattern == "$Extend/$UsnJrnl:$J" && $0.path == nil })
        #expect(row.status == .collected && row.count == 1)
    }

    @Test func aDirectorySourceRecordsTheStreamPatternAsNotApplicableAndTakesACopiedJournal() throws {
        let temp = try TemporaryDirectory()
        let tree = temp.path + "/tree"
        try FileManager.default.createDirectory(atPath: tree + "/$Extend", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: tree + "/Windows/System32", withIntermediateDirectories: true)
        let content = try Self.journal()
        _ = FileManager.default.createFile(atPath: tree + "/$Extend/$UsnJrnl%3A$J", contents: Data(content))
        let manifest = try Self.collect(try DirectorySource(path: tree), temp.path + "/d.tar", temp: temp)
        let row = try #require(manifest.outcomes.first { $0.pattern == "$Extend/$UsnJrnl:$J" && $0.path == nil })
        #expect(row.status == .missing && row.reason?.hasPrefix("not applicable") == true)
        let copied = try #require(manifest.entries.first { $0.path == "evidence/C/$Extend/$UsnJrnl%3A$J" })
        #expect(copied.sha256 == ContentHasher.digests(of: content).sha256 && copied.stream == nil)
    }
}
