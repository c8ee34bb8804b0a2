import Foundation

/// Builds small disk images at test time with the real tools, no mount and no root
/// (recipes in NATIVE-LIBRARIES.md): ext4 via `mke2fs -d`, FAT via mtools, NTFS via `mkntfs` and
/// a libntfs-3g helper compiled from `Samples/tools/ntfs_populate.c`, MBR/GPT disks via `sfdisk`,
/// E01 via `ewfacquire`. A missing tool is an error that names it: the tests fail, never skip.
public enum DiskImageBuilder {
    public struct ToolError: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// An alternate data stream to add to an NTFS image.
    public struct Stream {
        public var file: String
        public var name: String
        public var content: [UInt8]
        public init(file: String, name: String, content: [UInt8]) {
            self.file = file
            self.name = name
            self.content = content
        }
    }

    public enum PartitionTable: String { case gpt, mbr }

    /// A file system to place in a partitioned disk.
    public struct Partition {
        public var image: String
        /// `ntfs`, `fat` or `linux` (the partition type code to use).
        public var type: String
        public init(image: String, type: String) {
            self.image = image
            self.type = type
        }
    }

    public static func ext4(from tree: String, to image: String, megabytes: Int = 16, label: String = "EXT") throws {
        try run("mke2fs", ["-q", "-F", "-t", "ext4", "-d", tree, "-L", label, image, "\(megabytes)M"],
                environment: ["E2FSPROGS_FAKE_TIME": "1614643200"])
    }

    public static func fat(from tree: String, to image: String, megabytes: Int = 16, label: String = "FATVOL") throws {
        try run("truncate", ["-s", "\(megabytes)M", image])
        try run("mkfs.vfat", ["-n", label, image])
        let top = try FileManager.default.contentsOfDirectory(atPath: tree).sorted().map { tree + "/" + $0 }
        guard !top.isEmpty else { return }
        try run("mcopy", ["-s", "-m", "-Q", "-i", image] + top + ["::/"], environment: ["MTOOLS_SKIP_CHECK": "1"])
    }

    public static func ntfs(from tree: String, to image: String, megabytes: Int = 24, label: String = "NTFSVOL",
                            streams: [Stream] = [], sparse: [(path: String, size: Int)] = [],
                            stomp: [(path: String, seconds: Int)] = [], delete: [String] = [],
                            journals: [(file: String, stream: String, offset: Int, content: [UInt8])] = []) throws {
        try run("truncate", ["-s", "\(megabytes)M", image])
        try run("mkntfs", ["-F", "-Q", "-q", "-L", label, image])
        var arguments = [image, tree]
        let scratch = (image as NSString).deletingLastPathComponent
        for (index, stream) in streams.enumerated() {
            let content = scratch + "/.stream-\(index)"
            guard FileManager.default.createFile(atPath: content, contents: Data(stream.content)) else {
                throw ToolError(description: "cannot write \(content)")
            }
            arguments += ["-s", stream.file, stream.name, content]
        }
        for item in sparse { arguments += ["-z", item.path, "\(item.size)"] }
        for item in stomp { arguments += ["-t", item.path, "\(item.seconds)"] }
        for path in delete { arguments += ["-d", path] }
        for (index, journal) in journals.enumerated() {
            let content = scratch + "/.journal-\(index)"
            guard FileManager.default.createFile(atPath: content, contents: Data(journal.content)) else {
                throw ToolError(description: "cannot write \(content)")
            }
            arguments += ["-j", journal.file, journal.stream, "\(journal.offset)", content]
        }
        try run(try ntfsPopulate(), arguments)
    }

    /// A disk with a partition table and the given file systems, each 1 MiB aligned.
    public static func disk(_ table: PartitionTable, partitions: [Partition], to image: String) throws {
        let sector = 512
        var start = 2048
        var script = "label: \(table == .gpt ? "gpt" : "dos")\n"
        var placements: [(String, Int)] = []
        for partition in partitions {
            let bytes = try size(of: partition.image)
            let sectors = (bytes + sector - 1) / sector
            let code: String
            switch (table, partition.type) {
            case (.gpt, "linux"): code = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
            case (.gpt, _): code = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"
            case (.mbr, "ntfs"): code = "7"
            case (.mbr, "fat"): code = "c"
            case (.mbr, _): code = "83"
            }
            script += "start=\(start), size=\(sectors), type=\(code)\n"
            placements.append((partition.image, start))
            start += (sectors + 2047) / 2048 * 2048
        }
        try run("truncate", ["-s", "\((start + 2048) * sector)", image])
        try run("sfdisk", ["-q", image], input: script)
        for (partition, at) in placements {
            try run("dd", ["if=\(partition)", "of=\(image)", "bs=512", "seek=\(at)", "conv=notrunc", "status=none"])
        }
    }

    /// An E01 set `<base>.E01...` from a raw image; `segmentMegabytes` makes several segments
    /// (with no compression, so each fills up).
    @discardableResult
    public static func e01(from raw: String, base: String, segmentMegabytes: Int? = nil) throws -> String {
        var arguments = ["-u", "-q", "-t", base, "-C", "CASE-E01", "-e", "Examiner", "-E", "EV-1", "-D", "test image",
                         "-N", "notes", "-m", "fixed", "-M", "physical", "-f", "encase6"]
        if let segmentMegabytes {
            arguments += ["-c", "none", "-S", "\(segmentMegabytes)M"]
        } else {
            arguments += ["-c", "deflate:fast"]
        }
        try run("ewfacquire", arguments + [raw])
        return base + ".E01"
    }

    /// A fixed VHD: the raw disk followed by the 512-byte VHD footer (Microsoft's VHD format
    /// specification: big-endian fields, CHS geometry, one's-complement checksum).
    public static func fixedVHD(from raw: String, to vhd: String) throws {
        let size = try self.size(of: raw)
        try FileManager.default.copyItem(atPath: raw, toPath: vhd)
        var footer = [UInt8](repeating: 0, count: 512)
        func put(_ value: UInt64, at offset: Int, bytes: Int) {
            for index in 0..<bytes { footer[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(bytes - 1 - index))) }
        }
        footer.replaceSubrange(0..<8, with: Array("conectix".utf8))
        put(2, at: 8, bytes: 4)                       // features: reserved bit
        put(0x0001_0000, at: 12, bytes: 4)            // format version 1.0
        put(UInt64.max, at: 16, bytes: 8)             // data offset: none for a fixed disk
        footer.replaceSubrange(28..<32, with: Array("xtrg".utf8))
        put(0x0001_0000, at: 32, bytes: 4)
        footer.replaceSubrange(36..<40, with: Array("Wi2k".utf8))
        put(UInt64(size), at: 40, bytes: 8)           // original size
        put(UInt64(size), at: 48, bytes: 8)           // current size
        let sectors = min(size / 512, 65535 * 16 * 255)
        var perTrack = 17, heads = (sectors / 17 + 1023) / 1024, cylinderTimesHeads = sectors / 17
        if sectors >= 65535 * 16 * 63 {
            perTrack = 255; heads = 16; cylinderTimesHeads = sectors / perTrack
        } else {
            if heads < 4 { heads = 4 }
            if cylinderTimesHeads >= heads * 1024 || heads > 16 { perTrack = 31; heads = 16; cylinderTimesHeads = sectors / 31 }
            if cylinderTimesHeads >= heads * 1024 { perTrack = 63; heads = 16; cylinderTimesHeads = sectors / 63 }
        }
        put(UInt64(cylinderTimesHeads / heads), at: 56, bytes: 2)
        footer[58] = UInt8(heads)
        footer[59] = UInt8(perTrack)
        put(2, at: 60, bytes: 4)                      // disk type: fixed
        for index in 0..<16 { footer[68 + index] = UInt8(index * 17 & 0xFF) }
        let sum = footer.reduce(UInt32(0)) { $0 &+ UInt32($1) }
        put(UInt64(~sum), at: 64, bytes: 4)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: vhd))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(footer))
    }

    /// A monolithic flat VMDK: a text descriptor `<name>.vmdk` and the raw disk as `<name>-flat.vmdk`.
    public static func flatVMDK(from raw: String, to descriptor: String) throws {
        let extent = String(descriptor.dropLast(5)) + "-flat.vmdk"
        try FileManager.default.copyItem(atPath: raw, toPath: extent)
        let text = """
            # Disk DescriptorFile
            version=1
            CID=fffffffe
            parentCID=ffffffff
            createType="monolithicFlat"

            # Extent description
            RW \(try size(of: raw) / 512) FLAT "\((extent as NSString).lastPathComponent)" 0

            # The Disk Data Base
            ddb.virtualHWVersion = "4"
            ddb.adapterType = "ide"

            """
        try text.write(toFile: descriptor, atomically: true, encoding: .utf8)
    }

    public static func size(of path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    /// Compiles the libntfs-3g helper once per version of its source (a content hash names it),
    /// so test runs share one binary instead of leaving one per process in the temporary folder.
    private static let helper = HelperCache()

    private final class HelperCache: @unchecked Sendable {
        private let lock = NSLock()
        private var built: String?
        func get() throws -> String {
            lock.lock()
            defer { lock.unlock() }
            if let built { return built }
            let source = Repository.root + "/Samples/tools/ntfs_populate.c"
            let text = try [UInt8](Data(contentsOf: URL(fileURLWithPath: source)))
            let hash = text.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
            let binary = NSTemporaryDirectory() + "/extriage-ntfs-populate-\(String(hash, radix: 16))"
            if !FileManager.default.isExecutableFile(atPath: binary) {
                let scratch = binary + ".\(getpid()).tmp"
                try DiskImageBuilder.run("gcc", ["-O1", "-o", scratch, source, "-lntfs-3g"])
                guard rename(scratch, binary) == 0 else { throw ToolError(description: "cannot install \(binary)") }
            }
            built = binary
            return binary
        }
    }

    static func ntfsPopulate() throws -> String { try helper.get() }

    /// Runs a tool found on PATH (or in /usr/sbin, /sbin); throws with its output when it fails.
    @discardableResult
    public static func run(_ tool: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> String {
        let path = try locate(tool)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw ToolError(description: "\(tool) \(arguments.joined(separator: " ")) failed (exit \(process.terminationStatus)): \(text)")
        }
        return text
    }

    static func locate(_ tool: String) throws -> String {
        if tool.hasPrefix("/") { return tool }
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        for directory in directories where FileManager.default.isExecutableFile(atPath: directory + "/" + tool) {
            return directory + "/" + tool
        }
        throw ToolError(description: "the tool '\(tool)' is required to build test images but is not installed (run `make deps`)")
    }
}
