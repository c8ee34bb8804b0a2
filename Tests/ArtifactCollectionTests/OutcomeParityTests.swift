@testable import ArtifactCollection
import EvidenceBundle
import EvidenceSource
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// A small Windows tree collected as a directory and from a GPT disk image of it whose first
/// partition is an EFI-style FAT volume (as on a real server): the outcomes must not depend on
/// which one was read.
struct ParityHarness {
    let temp: TemporaryDirectory
    let tree: String
    let library: ProfileLibrary

    init(_ files: [String: String]) throws {
        temp = try TemporaryDirectory()
        for (path, text) in files { try temp.write("tree/" + path, text) }
        tree = temp.path + "/tree"
        library = try ProfileLibrary.load(builtIn: Repository.profiles, overrides: [])
    }

    /// GPT: partition 1 FAT holding `EFI/Microsoft/Boot`, partition 2 NTFS holding the tree; as E01.
    func e01() throws -> String {
        try temp.write("esp/EFI/Microsoft/Boot/bootmgfw.efi", "placeholder")
        try DiskImageBuilder.fat(from: temp.path + "/esp", to: temp.path + "/esp.fat", megabytes: 8, label: "SYSTEM")
        try DiskImageBuilder.ntfs(from: tree, to: temp.path + "/c.ntfs", label: "EXCH")
        try DiskImageBuilder.disk(.gpt, partitions: [.init(image: temp.path + "/esp.fat", type: "fat"),
                                                     .init(image: temp.path + "/c.ntfs", type: "ntfs")],
                                  to: temp.path + "/disk.raw")
        return try DiskImageBuilder.e01(from: temp.path + "/disk.raw", base: temp.path + "/disk")
    }

    func collect(_ source: any EvidenceSource, _ name: String) throws -> Manifest {
        let request = CollectionRequest(
            source: source, output: temp.path + "/" + name,
            caseRecord: .init(caseId: "CASE-PARITY", evidenceId: "E1", examiner: "Tester", notes: nil),
            profile: try library.resolve(profile: "exchange-triage"))
        return try Collector(request: request).run().writtenManifest()
    }

    /// Both manifests, directory first.
    func both() throws -> (directory: Manifest, image: Manifest) {
        let directory = try collect(try DirectorySource(path: tree), "dir.tar")
        let image = try collect(try SourceOpener.open(path: try e01()), "e01.tar")
        return (directory, image)
    }
}

/// One comparable line per outcome row. The USN journal's rows are left out: NTFS metadata
/// (`$Extend`, made by mkntfs) exists only in the image, and a stream pattern is not applicable to
/// a directory (`UsnJournalCollectionTests`).
private func rows(_ manifest: Manifest) -> [String] {
    manifest.outcomes.filter { $0.artifact != "windows.filesystem.usn-journal" }.map { "\($0.artifact) | \($0.pattern) | \($0.status) | \($0.count) | \($0.reason ?? "-") | \($0.path ?? "-")" }
}

private func outcome(_ manifest: Manifest, _ pattern: String) -> Manifest.Outcome? {
    manifest.outcomes.first { $0.pattern == pattern && $0.path == nil }
}

@Suite struct OutcomeParityTests {
    static let tree = [
        "Windows/System32/drivers/etc/hosts": "127.0.0.1 localhost\n",
        "Windows/Temp/setup.log": "installer log\n",
        "Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030205-1.LOG": "#Software: Microsoft Exchange Server\n",
        "inetpub/wwwroot/aspnet_client/readme.txt": "placeholder\n",
    ]

    @Test func theSameTreeGivesTheSameOutcomesFromADirectoryAndFromItsImage() throws {
        let harness = try ParityHarness(Self.tree)
        let (directory, image) = try harness.both()
        #expect(image.source.volumes.map(\.name) == ["vol1", "C"])
        #expect(rows(image) == rows(directory))
        #expect(image.entries.map(\.path) == directory.entries.map(\.path))
        // Folders that exist give `empty`, absent ones `missing`, from either source.
        #expect(outcome(image, "%SystemRoot%/Temp/**/lsassd*")?.status == .empty)
        #expect(outcome(image, "%ProgramData%/**/lsassd*")?.status == .missing)
    }

    @Test func aWindowsTempWithoutLsassDumpsIsEmptyNotMissing() throws {
        let harness = try ParityHarness(Self.tree)
        let (directory, image) = try harness.both()
        for manifest in [directory, image] {
            let row = try #require(outcome(manifest, "%SystemRoot%/Temp/**/lsassd*"))
            #expect(row.status == .empty && row.count == 0, "\(manifest.source.kind): \(row.status)")
        }
    }

    @Test func anLsassDumpBelowWindowsTempIsCollectedFromBoth() throws {
        var files = Self.tree
        files["Windows/Temp/x/lsassd.dmp"] = "MDMP fake dump\n"
        let harness = try ParityHarness(files)
        let (directory, image) = try harness.both()
        for manifest in [directory, image] {
            let row = try #require(outcome(manifest, "%SystemRoot%/Temp/**/lsassd*"))
            #expect(row.status == .collected && row.count == 1, "\(manifest.source.kind): \(row.status)")
            #expect(manifest.entries.contains { $0.path == "evidence/C/Windows/Temp/x/lsassd.dmp" })
        }
        #expect(rows(image) == rows(directory))
    }
}
