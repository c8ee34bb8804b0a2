import EvidenceBundle
import ExTriageCore

/// A bundle read back independently: each member's header and the digests of its bytes.
public struct BundleContents {
    public struct Member: Equatable {
        public var path: String
        public var kind: MemberHeader.Kind
        public var size: Int64
        public var digests: Digests
    }

    public var members: [Member]
    public var manifestBytes: [UInt8]?

    public var manifest: Manifest? { manifestBytes.flatMap { try? ManifestCodec.decode($0) } }

    /// Reads every member with libarchive and hashes its bytes.
    public static func read(_ path: String) throws -> BundleContents {
        let reader = try TarReader(path: path)
        var members: [Member] = []
        var manifestBytes: [UInt8]?
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while let header = try reader.next() {
            if header.path == Manifest.memberName {
                manifestBytes = try reader.readAll(limit: ManifestCodec.maximumSize)
                members.append(Member(path: header.path, kind: header.kind, size: header.size,
                                      digests: ContentHasher.digests(of: manifestBytes ?? [])))
                continue
            }
            let hasher = ContentHasher()
            while true {
                let count = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
                if count == 0 { break }
                buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            }
            members.append(Member(path: header.path, kind: header.kind, size: header.size, digests: hasher.finalize()))
        }
        return BundleContents(members: members, manifestBytes: manifestBytes)
    }
}
