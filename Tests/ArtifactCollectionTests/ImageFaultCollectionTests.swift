@testable import ArtifactCollection
import EvidenceBundle
import EvidenceSource
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Image faults end up as manifest data: warnings, partial/failed outcomes naming byte ranges.
@Suite struct ImageFaultCollectionTests {
    @Test func anE01WithAMissingSegmentIsCollectedWithTheDamageRecorded() throws {
        let harness = try ImageHarness()
        let raw = try harness.gptDisk()
        let base = harness.temp.path + "/multi"
        try DiskImageBuilder.e01(from: raw, base: base, segmentMegabytes: 1)
        // Remove the segment that holds the web shell's bytes (stored uncompressed, so findable).
        let shell = try #require(FileManager.default.contents(atPath: harness.tree + "/inetpub/wwwroot/aspnet_client/system_web/qGtWmKzP.aspx"))
        let segments = try FileManager.default.contentsOfDirectory(atPath: harness.temp.path).filter { $0.hasPrefix("multi.E") }.sorted()
        #expect(segments.count > 10)
        let victim = try #require(segments.dropFirst().first { name in
            (FileManager.default.contents(atPath: harness.temp.path + "/" + name)?.range(of: shell.prefix(256))) != nil
        })
        #expect(victim != segments.last)
        try FileManager.default.removeItem(atPath: harness.temp.path + "/" + victim)

        let summary = try harness.collect(try SourceOpener.open(path: base + ".E01"), "multi.tar", hashImage: true)
        let manifest = summary.manifest
        #expect(summary.exitStatus == .incomplete)
        let warnings = try #require(manifest.source.warnings)
        #expect(warnings.contains { $0.contains(victim) })
        let image = try #require(manifest.source.image)
        // The acquisition hash lives in the last segment, which is past the gap and not used.
        #expect(image.acquisitionMD5 == nil && image.acquisitionHashesAgree == nil && image.unreadable?.isEmpty == false)
        #expect(warnings.contains { $0.contains("no acquisition hash") })
        #expect(image.files.count < segments.count)

        let damaged = manifest.entries.filter { $0.unreadableRanges != nil }
        #expect(!damaged.isEmpty)
        #expect(damaged.allSatisfy { $0.status == .partial })
        let shellEntry = try #require(manifest.entries.first { $0.sourcePath.hasSuffix("qGtWmKzP.aspx") })
        #expect(shellEntry.unreadableRanges?.first?.cause.contains("E01 data unreadable") == true)
        let row = try #require(manifest.outcomes.first { $0.path == "C:/inetpub/wwwroot/aspnet_client/system_web/qGtWmKzP.aspx" })
        #expect(row.status == .failed && (row.reason ?? "").contains("file bytes 0-"))

        // What was readable is byte-for-byte what the directory gives.
        let fromDirectory = try harness.collect(try DirectorySource(path: harness.tree), "dir.tar").manifest
        let directoryHashes = Dictionary(uniqueKeysWithValues: fromDirectory.entries.map { ($0.path, $0.sha256) })
        for entry in manifest.entries where entry.unreadableRanges == nil {
            if let expected = directoryHashes[entry.path] { #expect(entry.sha256 == expected, "\(entry.path)") }
        }
        // The bundle itself is sound: members match the manifest.
        let contents = try BundleContents.read(summary.bundlePath)
        for (member, entry) in zip(contents.members.dropLast(), manifest.entries) { #expect(member.digests == entry.memberDigests) }
    }

    @Test func aDamagedE01ChunkIsNamedAndTheAcquisitionHashNoLongerAgrees() throws {
        let harness = try ImageHarness()
        let raw = try harness.gptDisk()
        let base = harness.temp.path + "/one"
        // One segment, uncompressed, so the web shell's bytes can be found and flipped in it.
        try DiskImageBuilder.e01(from: raw, base: base, segmentMegabytes: 64)
        let shell = try #require(FileManager.default.contents(atPath: harness.tree + "/inetpub/wwwroot/aspnet_client/system_web/qGtWmKzP.aspx"))
        var e01 = try #require(FileManager.default.contents(atPath: base + ".E01"))
        let at = try #require(e01.range(of: shell.prefix(256)))
        e01[at.lowerBound + 10] ^= 0xFF
        try e01.write(to: URL(fileURLWithPath: base + ".E01"))

        let summary = try harness.collect(try SourceOpener.open(path: base + ".E01"), "chunk.tar", hashImage: true)
        let manifest = summary.manifest
        let image = try #require(manifest.source.image)
        #expect(image.acquisitionMD5 != nil && image.acquisitionHashesAgree == false)
        #expect(image.unreadable?.count == 1)
        #expect(manifest.source.warnings?.contains { $0.contains("differ from the acquisition digests") } == true)
        let entry = try #require(manifest.entries.first { $0.sourcePath.hasSuffix("qGtWmKzP.aspx") })
        #expect(entry.status == .partial && entry.unreadableRanges?.first?.cause.contains("E01 data unreadable") == true)
        #expect(entry.sha256 != ContentHasher.digests(of: Array(shell)).sha256)
        #expect(summary.exitStatus == .incomplete)
        // The custody log's first event records the failed image verification.
        let custody = try String(contentsOfFile: summary.bundlePath + ".custody.jsonl", encoding: .utf8)
        #expect(custody.contains("acquisition hash FAILED"))
    }

    @Test func aFileWhoseMFTRecordIsCorruptIsAFailedOutcome() throws {
        let harness = try ImageHarness()
        let raw = try harness.gptDisk()
        var data = try #require(FileManager.default.contents(atPath: raw))
        let needle = Data("qGtWmKzP.aspx".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        var corrupted = false
        var from = data.startIndex
        while !corrupted, let found = data.range(of: needle, in: from..<data.endIndex) {
            let record = found.lowerBound / 1024 * 1024
            if data[record..<record + 4] == Data("FILE".utf8), data[record + 0x16] & 0x02 == 0 {
                let usa = Int(data[record + 4]) | Int(data[record + 5]) << 8
                data[record + usa] ^= 0xFF
                corrupted = true
            }
            from = found.upperBound
        }
        #expect(corrupted)
        try data.write(to: URL(fileURLWithPath: raw))
        let summary = try harness.collect(try SourceOpener.open(path: raw), "mft.tar")
        #expect(summary.exitStatus == .incomplete)
        let row = try #require(summary.manifest.outcomes.first { $0.path == "C:/inetpub/wwwroot/aspnet_client/system_web/qGtWmKzP.aspx" })
        #expect(row.status == .failed)
        #expect(!summary.manifest.entries.contains { $0.sourcePath.hasSuffix("qGtWmKzP.aspx") })
        #expect(summary.manifest.entries.contains { $0.sourcePath == "inetpub/wwwroot/aspnet_client/discover.aspx" })
    }
}
