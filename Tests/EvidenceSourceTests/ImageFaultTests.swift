import EvidenceSource
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Damaged or wrong inputs: recorded, never fatal for the whole image, never invented bytes.
@Suite struct ImageFaultTests {
    /// Reads every file of volume C; returns each file's bytes and unreadable ranges.
    func readEverything(_ source: any EvidenceSource) throws -> [String: (bytes: [UInt8], lost: [UnreadableRange])] {
        var out: [String: (bytes: [UInt8], lost: [UnreadableRange])] = [:]
        var queue: [EvidencePath] = [.root]
        while let directory = queue.popLast() {
            for entry in try source.list(volume: "C", directory: directory) {
                if directory.isRoot, entry.name.escaped.hasPrefix("$") { continue }
                let path = directory.appending(entry.name)
                if entry.kind == .directory { queue.append(path) }
                guard entry.kind == .file else { continue }
                let file = try source.open(volume: "C", path: path)
                let bytes = try readAll(file)
                out[path.escaped] = (bytes, file.unreadableRanges)
            }
        }
        return out
    }

    @Test func aTruncatedImageGivesZeroFilledRangesNamedPastTheEnd() throws {
        let images = try SampleImages()
        // A file whose only data cluster is written last: cut the image inside that cluster.
        let tailFile = "Windows/Temp/zz-tail.bin"
        let image = try images.ntfs(sparse: [(tailFile, 200_000)])
        let raw = try #require(FileManager.default.contents(atPath: image))
        let marker = try #require(raw.range(of: Data("sparse-tail\n".utf8)))
        let cut = marker.lowerBound / 4096 * 4096 + 512
        try DiskImageBuilder.run("truncate", ["-s", "\(cut)", image])

        let expected = try allFiles(DirectorySource(path: images.tree))
        let got = try readEverything(try SourceOpener.open(path: image))
        for (path, bytes) in expected { #expect(got[path]?.bytes == bytes && got[path]?.lost == [], "\(path)") }
        let tail = try #require(got[tailFile])
        #expect(tail.bytes.count == 200_000 && tail.bytes.allSatisfy { $0 == 0 })
        let lost = try #require(tail.lost.first)
        #expect(tail.lost.count == 1 && lost.cause.contains("truncated"))
        #expect(lost.imageOffset == UInt64(cut) && lost.offset + lost.length == 200_000)
        // The cluster holding the tail starts at file offset 196608; the first 512 bytes of it survive.
        #expect(lost.offset == UInt64((200_000 - 12) / 4096 * 4096 + 512))
    }

    @Test func aBadlyTruncatedImageStillListsWhatItCanAndNamesTheRest() throws {
        let images = try SampleImages()
        let image = try images.ntfs()
        // Lose the second half of the volume, but keep the whole MFT (wherever the sample's size
        // puts it): every record stays readable, and what is lost is directory indexes and file data.
        let layout = try NTFSLayout(image: image)
        let mftEnd = try layout.clusters(ofInode: 0).map { ($0 + 1) * layout.clusterSize }.max() ?? 0
        let cut = max(try DiskImageBuilder.size(of: image) * 55 / 100, mftEnd)
        #expect(cut < (try DiskImageBuilder.size(of: image)) * 9 / 10, "the MFT fills the volume: nothing left to cut")
        try DiskImageBuilder.run("truncate", ["-s", "\(cut)", image])
        let expected = try allFiles(DirectorySource(path: images.tree))
        let source = try SourceOpener.open(path: image)
        var listed = 0, unlistable: [String] = [], damaged = 0
        var queue: [EvidencePath] = [.root]
        while let directory = queue.popLast() {
            let entries: [SourceEntry]
            do { entries = try source.list(volume: "C", directory: directory) } catch {
                unlistable.append("\(error)")
                continue
            }
            listed += 1
            for entry in entries where !(directory.isRoot && entry.name.escaped.hasPrefix("$")) {
                let path = directory.appending(entry.name)
                if entry.kind == .directory { queue.append(path) }
                guard entry.kind == .file else { continue }
                let file = try source.open(volume: "C", path: path)
                let bytes = try readAll(file)
                if !file.unreadableRanges.isEmpty { damaged += 1 }
                #expect(file.unreadableRanges.allSatisfy { ($0.imageOffset ?? 0) >= UInt64(cut) })
                // No invented bytes: what was readable is the original, what was lost reads as zeros.
                var original = try #require(expected[path.escaped], "\(path)")
                for range in file.unreadableRanges {
                    let end = min(original.count, Int(range.offset + range.length))
                    let lost = min(end, Int(range.offset))..<end
                    original.replaceSubrange(lost, with: repeatElement(0, count: lost.count))
                }
                #expect(bytes == original, "\(path)")
            }
        }
        #expect(listed > 5)
        #expect(damaged + unlistable.count > 0)
        #expect(unlistable.allSatisfy { $0.contains("cannot list directory") })
    }

    @Test func aSystemVolumeWhoseWindowsFolderCannotBeListedIsStillVolumeC() throws {
        let images = try SampleImages()
        let image = try images.ntfs()
        // Cut the image where the Windows folder's index block starts (found with TSK), past the
        // whole MFT: the folder's record is readable, its listing is not, so System32 cannot be seen.
        // (A zeroed index block is not enough: TSK also lists a folder's children from the MFT.)
        let layout = try NTFSLayout(image: image)
        let index = try #require(try layout.clusters(ofInode: try layout.inode(of: "Windows"), attribute: "$INDEX_ALLOCATION").first)
        let mftEnd = try layout.clusters(ofInode: 0).map { ($0 + 1) * layout.clusterSize }.max() ?? 0
        try #require(index * layout.clusterSize >= mftEnd, "this test needs the Windows index after the MFT")
        try DiskImageBuilder.run("truncate", ["-s", "\(index * layout.clusterSize)", image])

        let source = try #require(try SourceOpener.open(path: image) as? ImageSource)
        #expect(source.volumes.map(\.name) == ["C"])
        #expect(source.warnings.contains { $0.contains("named C") && $0.contains("could not be confirmed") }, "\(source.warnings)")
        #expect(throws: ExTriageError.self) { try source.list(volume: "C", directory: EvidencePath(parsing: "Windows")) }
        let root = try source.list(volume: "C", directory: .root)
        #expect(root.contains { $0.name.escaped == "inetpub" && $0.kind == .directory })
        #expect(root.contains { $0.name.escaped == "Windows" && $0.kind == .directory })
    }

    @Test func somethingThatIsNotADiskImageGetsAClearError() throws {
        let temp = try TemporaryDirectory()
        var generator = SystemRandomNumberGenerator()
        let random = try temp.write("random.img", (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let zeros = try temp.write("zeros.img", [UInt8](repeating: 0, count: 1 << 20))
        let empty = try temp.write("empty.img", [UInt8]())
        for path in [random, zeros] {
            do {
                _ = try SourceOpener.open(path: path)
                Issue.record("\(path) was accepted as an image")
            } catch let error as ExTriageError {
                #expect(error.code == .sourceUnreadable)
                #expect(error.message.contains("not a disk image"), "\(error)")
            }
        }
        #expect(throws: ExTriageError.self) { try SourceOpener.open(path: empty) }
        #expect(throws: ExTriageError.self) { try SourceOpener.open(path: temp.path + "/missing.E01") }
        // A file with the E01 signature but nothing after it.
        let fake = try temp.write("fake.E01", [0x45, 0x56, 0x46, 0x09, 0x0D, 0x0A, 0xFF, 0x00] + [UInt8](repeating: 0, count: 100))
        #expect(throws: ExTriageError.self) { try SourceOpener.open(path: fake) }
    }

    @Test func aCorruptMFTRecordMakesThatFileUnreadableAndNothingElse() throws {
        let images = try SampleImages()
        let image = try images.ntfs()
        let target = "qGtWmKzP.aspx"
        try NTFSSurgery.corruptRecord(naming: target, in: image)
        let source = try SourceOpener.open(path: image)
        let folder = EvidencePath(parsing: "inetpub/wwwroot/aspnet_client/system_web")
        let listing = try source.list(volume: "C", directory: folder)
        let broken = try #require(listing.first { $0.name.escaped == target })
        #expect(broken.kind == .unreadable)
        #expect(throws: ExTriageError.self) { try source.open(volume: "C", path: folder.appending(PathComponent(target))) }
        let expected = try allFiles(DirectorySource(path: images.tree))
        var others = 0
        for entry in try source.list(volume: "C", directory: EvidencePath(parsing: "inetpub/wwwroot/aspnet_client"))
        where entry.kind == .file {
            let path = "inetpub/wwwroot/aspnet_client/" + entry.name.escaped
            #expect(try readAll(source.open(volume: "C", path: EvidencePath(parsing: path))) == expected[path])
            others += 1
        }
        #expect(others >= 1)
    }
}

/// Damages NTFS structures in an image file, for fault tests.
enum NTFSSurgery {
    /// Breaks the MFT record (1 KiB, `FILE` signature) whose $FILE_NAME holds `name`: its update
    /// sequence no longer matches, as after a torn write.
    static func corruptRecord(naming name: String, in image: String) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: image))
        defer { try? handle.close() }
        let data = try handle.readToEnd() ?? Data()
        let needle = Data(name.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        var searchFrom = data.startIndex
        while let found = data.range(of: needle, in: searchFrom..<data.endIndex) {
            let record = (found.lowerBound / 1024) * 1024
            // A file's own record (flags bit 1 clear), not its folder's index that also names it.
            if data[record..<record + 4] == Data("FILE".utf8), data[record + 0x16] & 0x02 == 0 {
                let usaOffset = Int(data[record + 4]) | Int(data[record + 5]) << 8
                try handle.seek(toOffset: UInt64(record + usaOffset))
                let current = data[record + usaOffset]
                handle.write(Data([current ^ 0xFF]))
                return
            }
            searchFrom = found.upperBound
        }
        throw DiskImageBuilder.ToolError(description: "no MFT record named \(name) in \(image)")
    }
}
