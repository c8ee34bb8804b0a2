import EvidenceSource
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Every regular file of one volume, by path, with its bytes (the sample trees are under 1 MB).
/// NTFS metadata files (`$MFT`, ...) and ext's `lost+found` at the root are left out.
func allFiles(_ source: any EvidenceSource, volume: String = "C") throws -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    var queue: [EvidencePath] = [.root]
    while let directory = queue.popLast() {
        for entry in try source.list(volume: volume, directory: directory) {
            if directory.isRoot, entry.name.escaped.hasPrefix("$") || entry.name.escaped == "lost+found" { continue }
            let path = directory.appending(entry.name)
            switch entry.kind {
            case .directory: queue.append(path)
            case .file: out[path.escaped] = try readAll(source.open(volume: volume, path: path))
            default: Issue.record("unexpected \(entry.kind) at \(path)")
            }
        }
    }
    return out
}

func readAll(_ file: any EvidenceFile, chunk: Int = 65_536) throws -> [UInt8] {
    defer { file.close() }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: chunk)
    while true {
        let count = try buffer.withUnsafeMutableBytes { try file.read(into: $0) }
        if count == 0 { break }
        bytes += buffer[0..<count]
    }
    return bytes
}

/// The compromised Exchange sample, copied, built into every image kind the source reads.
final class SampleImages: @unchecked Sendable {
    let temp: TemporaryDirectory
    let tree: String

    init() throws {
        temp = try TemporaryDirectory()
        tree = try Repository.copySample("exchange2016-compromised", into: temp)
    }

    func path(_ name: String) -> String { temp.path + "/" + name }

    func ext4() throws -> String {
        try DiskImageBuilder.ext4(from: tree, to: path("ext4.raw"), label: "EXCHEXT")
        return path("ext4.raw")
    }

    func fat() throws -> String {
        try DiskImageBuilder.fat(from: tree, to: path("fat.raw"), label: "EXCHFAT")
        return path("fat.raw")
    }

    func ntfs(streams: [DiskImageBuilder.Stream] = [], sparse: [(path: String, size: Int)] = [],
              stomp: [(path: String, seconds: Int)] = [], delete: [String] = []) throws -> String {
        try DiskImageBuilder.ntfs(from: tree, to: path("ntfs.raw"), label: "EXCHNTFS", streams: streams, sparse: sparse, stomp: stomp,
                                  delete: delete)
        return path("ntfs.raw")
    }

    /// A GPT disk: an empty ext4 data partition first, then the NTFS system volume.
    func gpt() throws -> String {
        let empty = try temp.makeDirectory("empty")
        try DiskImageBuilder.ext4(from: empty, to: path("data.raw"), megabytes: 4, label: "DATA")
        try DiskImageBuilder.disk(.gpt, partitions: [.init(image: path("data.raw"), type: "linux"),
                                                     .init(image: try ntfs(), type: "ntfs")], to: path("gpt.raw"))
        return path("gpt.raw")
    }

    /// An MBR disk holding the FAT copy of the tree.
    func mbr() throws -> String {
        try DiskImageBuilder.disk(.mbr, partitions: [.init(image: try fat(), type: "fat")], to: path("mbr.raw"))
        return path("mbr.raw")
    }
}

@Suite struct ImageSourceTests {
    @Test(arguments: ["ext4", "fat", "ntfs", "gpt", "mbr", "e01", "vhd", "vmdk"])
    func imageGivesTheSameFilesAsTheDirectory(kind: String) throws {
        let images = try SampleImages()
        let expected = try allFiles(DirectorySource(path: images.tree))
        let image: String
        switch kind {
        case "ext4": image = try images.ext4()
        case "fat": image = try images.fat()
        case "ntfs": image = try images.ntfs()
        case "gpt": image = try images.gpt()
        case "mbr": image = try images.mbr()
        case "vhd":
            image = images.path("disk.vhd")
            try DiskImageBuilder.fixedVHD(from: try images.gpt(), to: image)
        case "vmdk":
            image = images.path("disk.vmdk")
            try DiskImageBuilder.flatVMDK(from: try images.gpt(), to: image)
        default: image = try DiskImageBuilder.e01(from: try images.gpt(), base: images.path("disk"))
        }
        let source = try SourceOpener.open(path: image)
        #expect(source.kind == (["e01", "vhd", "vmdk"].contains(kind) ? kind : "raw"))
        #expect(source.volumes.contains { $0.name == "C" })
        let got = try allFiles(source)
        #expect(got.count == expected.count && got.count > 90)
        #expect(got.keys.sorted().filter { expected[$0] == nil } == [], "files only in the image")
        #expect(expected.keys.sorted().filter { got[$0] == nil } == [], "files only in the directory")
        for (path, bytes) in expected where got[path] != bytes {
            Issue.record("\(kind): \(path) differs (\(got[path]?.count ?? -1) bytes read, \(bytes.count) expected)")
        }
    }

    @Test func partitionedDiskNamesTheWindowsVolumeCAndRecordsTheLayout() throws {
        let images = try SampleImages()
        let source = try #require(try SourceOpener.open(path: try images.gpt()) as? ImageSource)
        #expect(source.partitionTable == "gpt")
        #expect(source.volumes.map(\.name) == ["vol1", "C"])
        let data = source.volumes[0], system = source.volumes[1]
        #expect(data.fileSystem == "ext4" && data.label == "DATA" && data.number == 1 && data.offset == 1_048_576)
        #expect(system.fileSystem == "ntfs" && system.label == "EXCHNTFS" && system.number == 2)
        #expect((system.offset ?? 0) > (data.offset ?? 0) + 4 * 1_048_576 - 1)

        let mapped = try ImageSource(path: images.path("gpt.raw"), format: .raw, volumeMap: ["1": "D"])
        #expect(mapped.volumes.map(\.name) == ["D", "C"])
        let renamed = try ImageSource(path: images.path("gpt.raw"), format: .raw, volumeMap: ["vol2": "E"])
        #expect(renamed.volumes.map(\.name) == ["vol1", "E"])
        #expect(throws: ExTriageError.self) { try ImageSource(path: images.path("gpt.raw"), format: .raw, volumeMap: ["7": "X"]) }

        let mbr = try #require(try SourceOpener.open(path: try images.mbr()) as? ImageSource)
        #expect(mbr.partitionTable == "mbr")
        #expect(mbr.volumes.count == 1 && mbr.volumes[0].name == "C" && mbr.volumes[0].label == "EXCHFAT")
        #expect(mbr.volumes[0].fileSystem?.hasPrefix("fat") == true)
    }

    @Test func unpartitionedFileSystemsAreOneVolume() throws {
        let images = try SampleImages()
        for bare in [try images.fat(), try images.ntfs()] {
            let source = try #require(try SourceOpener.open(path: bare) as? ImageSource)
            #expect(source.partitionTable == "none" && source.volumes.count == 1 && source.volumes[0].name == "C")
        }
        let ext = try #require(try SourceOpener.open(path: try images.ext4()) as? ImageSource)
        #expect(ext.partitionTable == "none")
        #expect(ext.volumes.count == 1 && ext.volumes[0].name == "C" && ext.volumes[0].offset == 0)
        #expect(ext.volumes[0].fileSystem == "ext4" && ext.volumes[0].label == "EXCHEXT")
        let listing = try ext.list(volume: "C", directory: EvidencePath(parsing: "Windows/Temp"))
        #expect(listing.map(\.name.escaped).contains("debug01.tmp"))
        #expect(listing.allSatisfy { $0.times.modified != nil && $0.record != nil })
    }

    @Test func aDirectoryIsStillADirectorySource() throws {
        let images = try SampleImages()
        let source = try SourceOpener.open(path: images.tree)
        #expect(source.kind == "directory")
        #expect(throws: ExTriageError.self) { try SourceOpener.open(path: images.tree, volumeMap: ["1": "D"]) }
    }
}
