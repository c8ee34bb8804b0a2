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
        // A file under the web root spanning several 1 MiB segments, each 4 KiB block marked with
        // its number. A segment from the middle of a long run of its clusters holds nothing else,
        // wherever the rest of the sample puts the file system's own structures.
        let planted = "inetpub/wwwroot/aspnet_client/system_web/spanning.bin"
        let blockCount = 1536
        var content: [UInt8] = []
        for block in 0..<blockCount {
            let marker = Array(Self.marker(block).utf8)
            content += marker + [UInt8](repeating: UInt8(0x61 + block % 26), count: 4096 - marker.count)
        }
        try Data(content).write(to: URL(fileURLWithPath: harness.tree + "/" + planted))
        let raw = try harness.gptDisk()
        let layout = try NTFSLayout(image: raw + ".ntfs")
        let clusters = try layout.clusters(ofInode: try layout.inode(of: planted))
        try #require(clusters.count * layout.clusterSize == content.count)
        var run = 0..<0, start = 0
        for index in 1...clusters.count where index == clusters.count || clusters[index] != clusters[index - 1] + 1 {
            if index - start > run.count { run = start..<index }
            start = index
        }
        try #require(run.count * layout.clusterSize >= 3 << 20, "the planted file has no run of 3 MiB: \(clusters)")
        let middleOffset = (run.lowerBound + run.count / 2) * layout.clusterSize
        let base = harness.temp.path + "/multi"
        try DiskImageBuilder.e01(from: raw, base: base, segmentMegabytes: 1)
        let segments = try FileManager.default.contentsOfDirectory(atPath: harness.temp.path).filter { $0.hasPrefix("multi.E") }.sorted()
        #expect(segments.count > 10)
        let middle = Data(Self.marker(middleOffset / 4096).utf8)
        let victim = try #require(segments.first { name in
            (FileManager.default.contents(atPath: harness.temp.path + "/" + name)?.range(of: middle)) != nil
        })
        #expect(victim != segments.first && victim != segments.last)
        try FileManager.default.removeItem(atPath: harness.temp.path + "/" + victim)

        let summary = try harness.collect(try SourceOpener.open(path: base + ".E01"), "multi.tar", hashImage: true)
        let manifest = summary.manifest
        // Lost bytes make the collection incomplete (exit 1) even with no file lost whole.
        #expect(summary.exitStatus == .incomplete)
        let warnings = try #require(manifest.source.warnings)
        #expect(warnings.contains { $0.contains(victim) })
        let image = try #require(manifest.source.image)
        // The acquisition hash lives in the last segment, which is past the gap and not used.
        #expect(image.acquisitionMD5 == nil && image.acquisitionHashesAgree == nil && image.unreadable?.isEmpty == false)
        #expect(warnings.contains { $0.contains("no acquisition hash") })
        #expect(image.files.count < segments.count)

        // The planted file lost the bytes from the missing segment on (later segments are not
        // used): a partial entry, the lost ranges named, zeros in their place. Whatever else lost
        // bytes lies past the gap too, never before the segment that held the middle block.
        let damaged = manifest.entries.filter { $0.unreadableRanges != nil }
        #expect(damaged.allSatisfy { $0.status == .partial })
        let partition = try #require(manifest.source.volumes.first?.offset)
        let middleInImage = partition + UInt64(clusters[middleOffset / layout.clusterSize] * layout.clusterSize)
        // A 1 MiB segment holds less than 1 MiB of the image.
        #expect(damaged.allSatisfy { $0.unreadableRanges?.allSatisfy { ($0.imageOffset ?? 0) > middleInImage - (1 << 20) } == true })
        let entry = try #require(damaged.first { $0.sourcePath == planted })
        let lost = try #require(entry.unreadableRanges)
        #expect(lost.allSatisfy { $0.cause.contains("E01 data unreadable") })
        #expect(lost.contains { $0.offset <= UInt64(middleOffset) && UInt64(middleOffset) < $0.offset + $0.length })
        #expect(lost.reduce(0) { $0 + $1.length } < UInt64(content.count))
        var readable = content
        for range in lost { readable.replaceSubrange(Int(range.offset)..<Int(range.offset + range.length), with: repeatElement(0, count: Int(range.length))) }
        #expect(entry.sha256 == ContentHasher.digests(of: readable).sha256)
        let row = try #require(manifest.outcomes.first { $0.path == "C:/" + planted })
        #expect(row.status == .partial && (row.reason ?? "").contains("file bytes \(lost[0].offset)-\(lost[0].offset + lost[0].length - 1)"))

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

    static func marker(_ block: Int) -> String { "block-\(String(repeating: "0", count: 8 - String(block).count))\(block)|" }

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
