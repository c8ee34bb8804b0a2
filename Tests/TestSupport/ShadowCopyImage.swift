import Foundation

/// An NTFS image with one Volume Shadow Copy, made at test time: the tree is written to an NTFS
/// image (the snapshot's state), a copy becomes the live volume and is changed (files deleted,
/// files cut short with `ntfscp`), and `Samples/tools/vss_snapshot.py` writes the VSS header,
/// catalog and a store holding the snapshot's versions of the changed blocks.
public struct ShadowCopyImage {
    /// Where the script put things (volume offsets), so tests can damage them.
    public struct Layout: Decodable {
        public var volumeSize: Int
        public var fileSystemSize: Int
        public var catalog: Int
        public var storeHeader: Int
        public var blockList: Int
        public var data: Int
        public var changedBlocks: Int
        public var storeIdentifier: String
        public var created: Int
    }

    public let image: String
    public let layout: Layout

    /// The default store identifier and creation time (2021-03-03T12:00:00Z).
    public static let storeIdentifier = "a1b2c3d4-0001-4000-8000-00000000e001"
    public static let created = 1_614_772_800

    /// - Parameters:
    ///   - delete: paths (relative to the tree) deleted from the live volume after the snapshot.
    ///   - shorten: paths cut to their first `bytes` on the live volume (a cleared or trimmed log).
    public init(tree: String, to image: String, megabytes: Int = 32, label: String = "SYSTEM", delete: [String] = [],
                shorten: [(path: String, bytes: Int)] = [], created: Int = ShadowCopyImage.created) throws {
        let before = image + ".before"
        try DiskImageBuilder.ntfs(from: tree, to: before, megabytes: megabytes, label: label)
        try? FileManager.default.removeItem(atPath: image)
        try FileManager.default.copyItem(atPath: before, toPath: image)
        let scratch = image + ".scratch"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        if !delete.isEmpty {
            try DiskImageBuilder.run(try DiskImageBuilder.ntfsPopulate(), [image, scratch] + delete.flatMap { ["-d", $0] })
        }
        for (index, item) in shorten.enumerated() {
            let original = try Data(contentsOf: URL(fileURLWithPath: tree + "/" + item.path))
            let cut = scratch + "/cut-\(index)"
            try original.prefix(item.bytes).write(to: URL(fileURLWithPath: cut))
            try DiskImageBuilder.run("ntfscp", ["-f", "-q", image, cut, item.path])
        }
        let output = try DiskImageBuilder.run("python3", [Repository.root + "/Samples/tools/vss_snapshot.py", before, image,
                                                          "--created", "\(created)", "--store-id", ShadowCopyImage.storeIdentifier])
        try? FileManager.default.removeItem(atPath: before)
        try? FileManager.default.removeItem(atPath: scratch)
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("{") }) else {
            throw DiskImageBuilder.ToolError(description: "vss_snapshot.py printed no layout: \(output)")
        }
        self.image = image
        layout = try JSONDecoder().decode(Layout.self, from: Data(line.utf8))
    }

    /// Overwrites `count` bytes at a volume offset with 0xFF (a damaged catalog or store).
    public func damage(at offset: Int, count: Int = 16) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: image))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: Data(repeating: 0xFF, count: count))
    }
}
