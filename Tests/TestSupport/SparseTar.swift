import Foundation

/// Raw tar blocks for GNU sparse members, written byte by byte (libarchive will not write a sparse
/// map it did not read from disk): the forms libarchive reads, each claiming a petabyte behind
/// 512 stored bytes (ADVERSARIAL-CASES A17, A19).
public enum SparseTar {
    public enum Form: String, CaseIterable, Sendable {
        /// Old GNU type `S`, map in the header: one block at the petabyte's end.
        case oldGNU
        /// pax GNU.sparse 0.0 (`GNU.sparse.offset` / `numbytes`), 0.1 (`GNU.sparse.map`) and
        /// 1.0 (`GNU.sparse.major`/`minor`, the map at the start of the data).
        case pax00, pax01, pax10
        /// Old GNU, a map block beyond the claimed size (libarchive drops it from the entry's map).
        case mapPastTheEnd
        /// Old GNU, one block from 0 claiming the whole petabyte (libarchive calls that not sparse).
        case wholeClaim
    }

    public static let petabyte: Int64 = 1 << 50
    static let stored = [UInt8](repeating: 0x41, count: 512)

    /// The blocks of one sparse member named `name` in form `form`.
    public static func member(_ name: String, form: Form) -> [UInt8] {
        switch form {
        case .oldGNU:
            return gnuSparse(name, map: [(base256(petabyte - 512), octal(512, 12))], realSize: base256(petabyte)) + stored
        case .mapPastTheEnd:
            return gnuSparse(name, map: [(base256(petabyte), octal(512, 12))], realSize: octal(1024, 12)) + stored
        case .wholeClaim:
            return gnuSparse(name, map: [(octal(0, 12), base256(petabyte))], realSize: base256(petabyte)) + stored
        case .pax00:
            return pax(["path": name, "GNU.sparse.size": "\(petabyte)", "GNU.sparse.numblocks": "1",
                        "GNU.sparse.offset": "\(petabyte - 512)", "GNU.sparse.numbytes": "512"],
                       order: ["path", "GNU.sparse.size", "GNU.sparse.numblocks", "GNU.sparse.offset", "GNU.sparse.numbytes"])
                + ustar(name, size: 512, type: 0x30) + stored
        case .pax01:
            return pax(["path": name, "GNU.sparse.size": "\(petabyte)", "GNU.sparse.numblocks": "1", "GNU.sparse.map": "\(petabyte - 512),512"],
                       order: ["path", "GNU.sparse.size", "GNU.sparse.numblocks", "GNU.sparse.map"])
                + ustar(name, size: 512, type: 0x30) + stored
        case .pax10:
            var map = Array("1\n\(petabyte - 512)\n512\n".utf8)
            map += [UInt8](repeating: 0, count: 512 - map.count)
            return pax(["GNU.sparse.major": "1", "GNU.sparse.minor": "0", "GNU.sparse.name": name, "GNU.sparse.realsize": "\(petabyte)"],
                       order: ["GNU.sparse.major", "GNU.sparse.minor", "GNU.sparse.name", "GNU.sparse.realsize"])
                + ustar("GNUSparseFile.0/sparse", size: 1024, type: 0x30) + map + stored
        }
    }

    /// Writes `blocks` in front of the tar at `path` (a bundle then starts with that member).
    public static func prepend(_ blocks: [UInt8], to path: String) throws {
        let rest = try Data(contentsOf: URL(fileURLWithPath: path))
        try (Data(blocks) + rest).write(to: URL(fileURLWithPath: path))
    }

    /// An old-GNU header of type `S` with up to four map entries (offset, size fields of 12 bytes).
    static func gnuSparse(_ name: String, map: [([UInt8], [UInt8])], realSize: [UInt8]) -> [UInt8] {
        var block = header(name, size: 512, type: 0x53, magic: Array("ustar  \0".utf8))
        for (index, entry) in map.enumerated() {
            block.replaceSubrange((386 + 24 * index)..<(398 + 24 * index), with: entry.0)
            block.replaceSubrange((398 + 24 * index)..<(410 + 24 * index), with: entry.1)
        }
        block.replaceSubrange(483..<495, with: realSize)
        return sealed(block)
    }

    static func ustar(_ name: String, size: Int64, type: UInt8) -> [UInt8] {
        sealed(header(name, size: size, type: type, magic: Array("ustar\u{0}00".utf8)))
    }

    /// A pax `x` header block and its records, padded to whole blocks.
    static func pax(_ records: [String: String], order: [String]) -> [UInt8] {
        var body: [UInt8] = []
        for key in order {
            guard let value = records[key] else { continue }
            let rest = " \(key)=\(value)\n".utf8.count
            var length = rest + 1
            while String(length).count + rest != length { length = String(length).count + rest }
            body += Array("\(length) \(key)=\(value)\n".utf8)
        }
        let padded = body + [UInt8](repeating: 0, count: (512 - body.count % 512) % 512)
        return sealed(header("PaxHeaders/sparse", size: Int64(body.count), type: 0x78, magic: Array("ustar\u{0}00".utf8))) + padded
    }

    static func header(_ name: String, size: Int64, type: UInt8, magic: [UInt8]) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        let nameBytes = Array(name.utf8.prefix(100))
        block.replaceSubrange(0..<nameBytes.count, with: nameBytes)
        block.replaceSubrange(100..<108, with: octal(0o444, 8))
        block.replaceSubrange(108..<116, with: octal(0, 8))
        block.replaceSubrange(116..<124, with: octal(0, 8))
        block.replaceSubrange(124..<136, with: octal(size, 12))
        block.replaceSubrange(136..<148, with: octal(1_600_000_000, 12))
        block[156] = type
        block.replaceSubrange(257..<265, with: magic)
        block.replaceSubrange(265..<273, with: Array("extriage".utf8))
        block.replaceSubrange(297..<305, with: Array("extriage".utf8))
        return block
    }

    /// The header checksum (the field counted as spaces), as six octal digits, NUL, space.
    static func sealed(_ block: [UInt8]) -> [UInt8] {
        var out = block
        out.replaceSubrange(148..<156, with: [UInt8](repeating: 0x20, count: 8))
        let sum = out.reduce(0) { $0 + Int($1) }
        out.replaceSubrange(148..<156, with: octal(Int64(sum), 7) + [0x20])
        return out
    }

    /// `width - 1` octal digits and a NUL.
    static func octal(_ value: Int64, _ width: Int) -> [UInt8] {
        let digits = String(value, radix: 8)
        return Array((String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8) + [0]
    }

    /// GNU base-256: high bit set, big-endian two's complement.
    static func base256(_ value: Int64) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 12)
        for index in 0..<8 { out[11 - index] = UInt8(truncatingIfNeeded: value >> (8 * Int64(index))) }
        out[0] = 0x80
        return out
    }
}
