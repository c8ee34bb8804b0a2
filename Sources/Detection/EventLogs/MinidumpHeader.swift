import ExTriageCore

/// What the head of a Windows minidump says (`MINIDUMP_HEADER`, the stream directory, the
/// module list and system info), as far as the bytes at hand reach (EXCHANGE-ARTIFACTS.md C13).
public struct MinidumpHeader: Sendable {
    var version: UInt32
    var streams: UInt32
    /// `TimeDateStamp`: when the dump was written.
    var time: Timestamp?
    var flags: UInt64
    /// Module paths in order; the first is the dumped process. Empty when the list lies beyond the head.
    var modules: [String]
    /// `10.0.14393`, when the system info stream is in the head.
    var osVersion: String?
    /// Whether the module list stream was listed but not within the bytes available.
    var moduleListCut: Bool

    static let signature: [UInt8] = Array("MDMP".utf8)

    /// The dumped process's file name (`lsass.exe`), when known.
    var processName: String? { modules.first.map(ImagePath.fileName) }

    /// Parses what it can; nil when the bytes do not start with a minidump header.
    public static func parse(_ bytes: [UInt8]) -> MinidumpHeader? {
        guard bytes.count >= 32, Array(bytes[0..<4]) == signature else { return nil }
        let version = u32(bytes, 4)
        guard version & 0xFFFF == 0xA793 else { return nil }
        let streams = u32(bytes, 8)
        let directory = Int(u32(bytes, 12))
        let stamp = u32(bytes, 20)
        var header = MinidumpHeader(version: version, streams: streams, time: stamp > 0 ? Timestamp(seconds: Int64(stamp)) : nil,
                                    flags: u64(bytes, 24), modules: [], osVersion: nil, moduleListCut: false)
        for index in 0..<min(Int(streams), 4096) {
            let entry = directory + index * 12
            guard entry + 12 <= bytes.count else { break }
            let type = u32(bytes, entry)
            let rva = Int(u32(bytes, entry + 8))
            switch type {
            case 4:
                guard rva + 4 <= bytes.count else { header.moduleListCut = true; continue }
                let count = min(Int(u32(bytes, rva)), 10_000)
                for module in 0..<count {
                    let start = rva + 4 + module * 108
                    guard start + 108 <= bytes.count else { header.moduleListCut = true; break }
                    guard let name = string(bytes, at: Int(u32(bytes, start + 20))) else { header.moduleListCut = true; break }
                    header.modules.append(name)
                }
            case 7:
                guard rva + 24 <= bytes.count else { continue }
                header.osVersion = "\(u32(bytes, rva + 8)).\(u32(bytes, rva + 12)).\(u32(bytes, rva + 16))"
            default:
                continue
            }
        }
        return header
    }

    /// A `MINIDUMP_STRING` (byte length, UTF-16LE).
    static func string(_ bytes: [UInt8], at offset: Int) -> String? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        let length = Int(u32(bytes, offset))
        guard length <= 4096, offset + 4 + length <= bytes.count else { return nil }
        var units: [UInt16] = []
        var index = offset + 4
        while index + 1 < offset + 4 + length {
            units.append(UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8)
            index += 2
        }
        return String(decoding: units, as: UTF16.self)
    }

    static func u32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        guard offset + 4 <= bytes.count else { return 0 }
        return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }

    static func u64(_ bytes: [UInt8], _ offset: Int) -> UInt64 {
        UInt64(u32(bytes, offset)) | UInt64(u32(bytes, offset + 4)) << 32
    }
}

/// File names and places of LSASS dumps, dumping tools and archives of dumps (C13).
enum DumpNames {
    /// Lower-cased file name patterns of LSASS dumps and their archives.
    static func isLsassDumpName(_ name: String) -> Bool {
        let lower = name.lowercased()
        if lower.hasPrefix("lsass") && !lower.hasSuffix(".exe") && !lower.hasSuffix(".dll") && !lower.hasSuffix(".txt") { return true }
        if lower.hasPrefix("nanodump") || lower.hasPrefix("lsassdump") || lower.hasPrefix("lsassdmp") { return true }
        if ["andrew.dmp", "coredump.dmp", "pplblade.dmp", "notlsass.zip"].contains(lower) { return true }
        if lower.hasSuffix(".dmp.zip") || lower.hasSuffix(".dmp.rar") || lower.hasSuffix(".dmp.7z") || lower.hasSuffix(".dmp.cab") { return true }
        return lower.hasPrefix("sqldmpr") && lower.hasSuffix(".mdmp")
    }

    /// `procdump.exe`, `procdump64.exe`, `procdump64a.exe`.
    static func isProcdump(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasPrefix("procdump") && lower.hasSuffix(".exe")
    }

    /// Folders where dumps were dropped (lower-cased source paths).
    static func isDropPlace(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasPrefix("root/") || lower.hasPrefix("windows/temp/") || lower.hasPrefix("inetpub/") || lower.hasPrefix("programdata/")
            || lower.hasPrefix("users/public/") || lower.hasPrefix("perflogs/") || (lower.hasPrefix("users/") && lower.contains("/appdata/local/temp/"))
    }
}
