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
                            stomp: [(path: String, seconds: Int)] = []) throws {
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

    public static func size(of path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    /// Compiles the libntfs-3g helper once per process.
    private static let helper = HelperCache()

    private final class HelperCache: @unchecked Sendable {
        private let lock = NSLock()
        private var built: String?
        func get() throws -> String {
            lock.lock()
            defer { lock.unlock() }
            if let built { return built }
            let directory = NSTemporaryDirectory() + "/extriage-ntfs-helper-\(getpid())"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let binary = directory + "/ntfs_populate"
            try DiskImageBuilder.run("gcc", ["-O1", "-o", binary, Repository.root + "/Samples/tools/ntfs_populate.c", "-lntfs-3g"])
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
