import Foundation

/// Where a bare NTFS image keeps things, read with The Sleuth Kit's `fsstat`, `ifind` and `istat`,
/// so fault tests cut or damage structures wherever the sample's content puts them.
public struct NTFSLayout {
    public let image: String
    public let clusterSize: Int

    public init(image: String) throws {
        self.image = image
        let stat = try DiskImageBuilder.run("fsstat", [image])
        guard let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("Cluster Size:") }),
              let size = Int(line.dropFirst("Cluster Size:".count).trimmingCharacters(in: .whitespaces)) else {
            throw DiskImageBuilder.ToolError(description: "fsstat gave no cluster size for \(image): \(stat)")
        }
        clusterSize = size
    }

    /// The MFT entry of a path (`/`-separated, from the root).
    public func inode(of path: String) throws -> Int {
        let text = try DiskImageBuilder.run("ifind", ["-n", path, image])
        guard let inode = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw DiskImageBuilder.ToolError(description: "ifind found no \(path) in \(image): \(text)")
        }
        return inode
    }

    /// The clusters of an inode's non-resident attribute (`$DATA`, `$INDEX_ALLOCATION`), in run order.
    public func clusters(ofInode inode: Int, attribute: String = "$DATA") throws -> [Int] {
        let text = try DiskImageBuilder.run("istat", [image, "\(inode)"])
        var clusters: [Int] = [], inside = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("Type: ") {
                inside = line.hasPrefix("Type: \(attribute) ") && line.contains("Non-Resident")
                continue
            }
            if inside { clusters += line.split(separator: " ").compactMap { Int($0) }.filter { $0 > 0 } }
        }
        return clusters
    }
}
