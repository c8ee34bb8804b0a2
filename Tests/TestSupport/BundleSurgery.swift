import EvidenceBundle
import ExTriageCore
import Foundation

/// Rewrites bundles for tampering tests: read every member into memory, change the list, write it
/// back with the project's own tar writer and the original times (so only the intended change
/// differs, as a careful forger would do it).
public enum BundleSurgery {
    public typealias Member = (path: String, bytes: [UInt8], modified: Timestamp?)

    public static func members(of path: String) throws -> [Member] {
        let reader = try TarReader(path: path)
        var out: [Member] = []
        while let header = try reader.next() {
            out.append((header.path, try reader.readAll(limit: 1 << 30), header.modified))
        }
        return out
    }

    public static func write(_ members: [Member], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(descriptor) }
        let writer = try TarWriter(descriptor: descriptor, displayPath: path)
        for member in members { try writer.addMember(path: member.path, bytes: member.bytes, modified: member.modified) }
        _ = try writer.close()
    }

    /// Flips one bit of the first byte after `marker` in the file, in place.
    public static func flipByte(in path: String, after marker: String) throws {
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let needle = Array(marker.utf8)
        guard let index = (0...(bytes.count - needle.count)).first(where: { Array(bytes[$0..<$0 + needle.count]) == needle }) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        bytes[index + needle.count] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    public static func truncate(_ path: String, to length: Int) throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(length).write(to: URL(fileURLWithPath: path))
    }
}
