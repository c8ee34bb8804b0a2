@testable import ArtifactCollection
import EvidenceBundle
import EvidenceSource
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// The compromised sample, copied, as a directory and as an NTFS volume inside a GPT disk.
struct ImageHarness {
    let temp: TemporaryDirectory
    let tree: String
    let library: ProfileLibrary

    init() throws {
        temp = try TemporaryDirectory()
        tree = try Repository.copySample("exchange2016-compromised", into: temp)
        library = try ProfileLibrary.load(builtIn: Repository.profiles, overrides: [])
    }

    /// A GPT disk with one NTFS partition holding the tree (plus `streams`).
    func gptDisk(streams: [DiskImageBuilder.Stream] = [], name: String = "disk.raw") throws -> String {
        let ntfs = temp.path + "/" + name + ".ntfs"
        try DiskImageBuilder.ntfs(from: tree, to: ntfs, label: "EXCH", streams: streams)
        try DiskImageBuilder.disk(.gpt, partitions: [.init(image: ntfs, type: "ntfs")], to: temp.path + "/" + name)
        return temp.path + "/" + name
    }

    func collect(_ source: any EvidenceSource, _ name: String, hashImage: Bool = false) throws -> CollectionSummary {
        var request = CollectionRequest(
            source: source, output: temp.path + "/" + name,
            caseRecord: .init(caseId: "CASE-IMG", evidenceId: "E1", examiner: "Tester", notes: nil),
            profile: try library.resolve(profile: "exchange-triage"))
        request.hashImage = hashImage
        var summary = try Collector(request: request).run()
        summary.manifest = try summary.writtenManifest()
        return summary
    }
}

@Suite struct ImageCollectionTests {
    @Test func anE01CollectionHasTheDirectoryCollectionsMembersAndHashes() throws {
        let harness = try ImageHarness()
        let e01 = try DiskImageBuilder.e01(from: try harness.gptDisk(), base: harness.temp.path + "/disk")
        let fromDirectory = try harness.collect(try DirectorySource(path: harness.tree), "dir.tar").manifest
        let summary = try harness.collect(try SourceOpener.open(path: e01), "e01.tar", hashImage: true)
        let fromImage = summary.manifest
        #expect(summary.exitStatus == .success)
        #expect(fromImage.entries.count == fromDirectory.entries.count && fromImage.entries.count > 80)
        #expect(fromImage.entries.map(\.path) == fromDirectory.entries.map(\.path))
        #expect(fromImage.entries.map(\.sha256) == fromDirectory.entries.map(\.sha256))
        #expect(fromImage.entries.map(\.status) == fromDirectory.entries.map(\.status))
        #expect(fromImage.exchangeInstallPath == fromDirectory.exchangeInstallPath)
        // The stream pattern of the USN journal is not applicable to a directory; the image has the stream's `$Extend`.
        let filesystemIndependent = { (outcome: Manifest.Outcome) in !outcome.pattern.hasSuffix(":$J") }
        #expect(fromImage.outcomes.filter(filesystemIndependent).map(\.status) == fromDirectory.outcomes.filter(filesystemIndependent).map(\.status))

        let source = fromImage.source
        #expect(source.kind == "e01" && source.partitionTable == "gpt")
        #expect(source.volumes.count == 1 && source.volumes[0].name == "C" && source.volumes[0].fileSystem == "ntfs")
        #expect(source.volumes[0].offset == 1_048_576 && source.volumes[0].label == "EXCH")
        let image = try #require(source.image)
        #expect(image.size == UInt64(try DiskImageBuilder.size(of: harness.temp.path + "/disk.raw")))
        #expect(image.files.map(\.path) == [e01])
        let raw = try #require(FileManager.default.contents(atPath: harness.temp.path + "/disk.raw"))
        #expect(image.sha256 == ContentHasher.digests(of: Array(raw)).sha256)
        #expect(image.acquisitionMD5 == ContentHasher.digests(of: Array(raw)).md5)
        #expect(image.acquisitionHashesAgree == true)
        #expect(source.warnings == nil)
        #expect(fromImage.tool.libraries["libtsk"] != nil && fromImage.tool.libraries["libewf"] != nil)
        #expect(fromDirectory.source.image == nil && fromDirectory.source.partitionTable == nil)
        let custody = try String(contentsOfFile: summary.bundlePath + ".custody.jsonl", encoding: .utf8)
        #expect(custody.contains("image sha256 \(image.sha256 ?? "-")") && custody.contains("acquisition hash VERIFIED"))

        // NTFS details: MFT entry and $FILE_NAME times on image entries, none on directory ones.
        #expect(fromImage.entries.allSatisfy { $0.mftEntry != nil && $0.fileNameTimes?.created != nil })
        #expect(fromDirectory.entries.allSatisfy { $0.mftEntry == nil && $0.fileNameTimes == nil })
    }

    @Test func alternateDataStreamsBecomeFileColonStreamMembers() throws {
        let harness = try ImageHarness()
        let zone = Array("[ZoneTransfer]\r\nZoneId=3\r\n".utf8)
        let disk = try harness.gptDisk(streams: [.init(file: "inetpub/wwwroot/aspnet_client/discover.aspx", name: "Zone.Identifier", content: zone)])
        let summary = try harness.collect(try SourceOpener.open(path: disk), "ads.tar")
        #expect(summary.exitStatus == .success)
        let manifest = summary.manifest
        let memberPath = "evidence/C/inetpub/wwwroot/aspnet_client/discover.aspx:Zone.Identifier"
        let stream = try #require(manifest.entries.first { $0.path == memberPath })
        let file = try #require(manifest.entries.first { $0.path == "evidence/C/inetpub/wwwroot/aspnet_client/discover.aspx" })
        #expect(stream.stream == "Zone.Identifier" && file.stream == nil)
        #expect(stream.sourcePath == "inetpub/wwwroot/aspnet_client/discover.aspx" && stream.volume == "C")
        #expect(stream.sha256 == ContentHasher.digests(of: zone).sha256 && stream.size == UInt64(zone.count))
        #expect(stream.mftEntry == file.mftEntry && stream.artifact == file.artifact && stream.status == .collected)
        let contents = try BundleContents.read(summary.bundlePath)
        let member = try #require(contents.members.first { $0.path == memberPath })
        #expect(member.digests.sha256 == stream.sha256)
        // Members stay in byte order with the stream right after its file.
        let paths = contents.members.dropLast().map(\.path)
        #expect(paths == paths.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        #expect(manifest.seal.memberCount == manifest.entries.count)
    }

    @Test func hashImageIsRefusedForADirectory() throws {
        let harness = try ImageHarness()
        #expect(throws: ExTriageError.self) { try harness.collect(try DirectorySource(path: harness.tree), "x.tar", hashImage: true) }
    }
}
