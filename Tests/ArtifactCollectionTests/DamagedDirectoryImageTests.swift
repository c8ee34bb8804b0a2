@testable import ArtifactCollection
import EvidenceBundle
import EvidenceSource
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// A directory whose own MFT record is damaged hides everything below it: a failure naming the
/// folder and its MFT entry, never a silent "complete" (issue #14, case 6).
@Suite struct DamagedDirectoryImageTests {
    /// The GPT disk's NTFS partition starts 1 MiB in (`DiskImageBuilder.disk`).
    static let partitionOffset = 1 << 20
    static let mftRecordSize = 1024

    /// Zeroes the MFT record of `path` in the disk `raw`; returns its MFT entry.
    static func zeroRecord(of path: String, in raw: String) throws -> Int {
        let layout = try NTFSLayout(image: raw + ".ntfs")
        let entry = try layout.inode(of: path)
        let mft = try layout.clusters(ofInode: 0)
        let inMFT = entry * mftRecordSize
        let cluster = try #require(mft.indices.contains(inMFT / layout.clusterSize) ? mft[inMFT / layout.clusterSize] : nil)
        let offset = partitionOffset + cluster * layout.clusterSize + inMFT % layout.clusterSize
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: raw))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        #expect(try handle.read(upToCount: 4) == Data("FILE".utf8), "MFT entry \(entry) of \(path) is not at \(offset)")
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: Data(count: mftRecordSize))
        return entry
    }

    @Test func aZeroedFolderRecordIsAFailureNamingTheFolderAndItsEntry() throws {
        let harness = try ImageHarness()
        let raw = try harness.gptDisk()
        let entry = try Self.zeroRecord(of: "inetpub/logs", in: raw)
        let summary = try harness.collect(try SourceOpener.open(path: raw), "zeroed.tar")
        let manifest = summary.manifest
        #expect(summary.exitStatus == .incomplete)
        #expect(!manifest.entries.contains { $0.sourcePath.hasPrefix("inetpub/logs/") })

        let row = try #require(manifest.outcomes.first { $0.path == "C:/inetpub/logs" && $0.artifact == "iis.logs.w3c" })
        #expect(row.status == .failed)
        #expect(row.reason?.contains("the directory could not be read: MFT entry \(entry) cannot be read") == true, "\(row.reason ?? "")")
        let patternRow = try #require(manifest.outcomes.first { $0.pattern == "inetpub/logs/LogFiles/W3SVC*/*.log" && $0.path == nil })
        #expect(patternRow.status == .failed)
        #expect(patternRow.reason?.hasPrefix("the directory C:/inetpub/logs could not be read: MFT entry \(entry)") == true, "\(patternRow.reason ?? "")")
        // Everything else is still collected.
        #expect(manifest.entries.contains { $0.sourcePath == "inetpub/wwwroot/aspnet_client/discover.aspx" })
    }

    @Test func aZeroedProgramFilesRecordIsAFailureAndNamedWhereTheInstallPathMayBe() throws {
        let harness = try ImageHarness()
        let raw = try harness.gptDisk()
        let entry = try Self.zeroRecord(of: "Program Files", in: raw)
        let summary = try harness.collect(try SourceOpener.open(path: raw), "zeroed.tar")
        let manifest = summary.manifest
        #expect(summary.exitStatus == .incomplete)
        #expect(manifest.exchangeInstallPath == nil)
        let row = try #require(manifest.outcomes.first { $0.path == "C:/Program Files" && $0.status == .failed })
        #expect(row.reason?.contains("MFT entry \(entry)") == true)
        let exchange = try #require(manifest.outcomes.first { $0.pattern.hasPrefix("%ExchangeInstallPath%") })
        #expect(exchange.status == .missing)
        #expect(exchange.reason?.hasSuffix("it may lie in a folder that could not be searched: C:/Program Files") == true, "\(exchange.reason ?? "")")
    }
}
