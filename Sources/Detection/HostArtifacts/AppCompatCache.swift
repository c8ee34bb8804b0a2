import ExTriageCore
import WindowsRegistry

/// The Application Compatibility Cache (ShimCache) as Windows 8 to 11 and Server 2012 to 2022
/// store it in SYSTEM `Control\Session Manager\AppCompatCache\AppCompatCache`: a header whose
/// first 32-bit word is its own size, then entries `10ts`/`00ts`, entry size, path (UTF-16LE,
/// byte length first), the file's last-modified FILETIME, and shim data. An entry means Windows
/// looked at the file (on Windows 10 not proof that it ran). Older layouts (XP to 7) are not read.
struct AppCompatCache {
    struct Entry: Sendable, Hashable {
        var position: Int
        var path: String
        var modified: Timestamp?
    }

    var entries: [Entry] = []
    /// Why reading stopped early, if it did.
    var problem: String?

    init(_ data: [UInt8]) {
        func u32(_ at: Int) -> Int? {
            guard at >= 0, at + 4 <= data.count else { return nil }
            return Int(data[at]) | Int(data[at + 1]) << 8 | Int(data[at + 2]) << 16 | Int(data[at + 3]) << 24
        }
        guard let header = u32(0), header >= 0x30, header <= 0x80, header < data.count else {
            problem = "not a Windows 8/10 AppCompatCache (header size \(u32(0).map(String.init) ?? "missing"))"
            return
        }
        var offset = header
        while offset + 12 <= data.count {
            let signature = Array(data[offset..<offset + 4])
            guard signature == Array("10ts".utf8) || signature == Array("00ts".utf8) else {
                problem = "entry \(entries.count + 1) at offset \(offset) has no 10ts signature"
                return
            }
            guard let size = u32(offset + 8), offset + 12 + size <= data.count, size >= 2 else {
                problem = "entry \(entries.count + 1) at offset \(offset) runs past the value"
                return
            }
            let body = offset + 12
            let pathSize = Int(data[body]) | Int(data[body + 1]) << 8
            guard pathSize % 2 == 0, 2 + pathSize + 8 <= size else {
                problem = "entry \(entries.count + 1) at offset \(offset) has a bad path size"
                return
            }
            let units = stride(from: body + 2, to: body + 2 + pathSize, by: 2).map { UInt16(data[$0]) | UInt16(data[$0 + 1]) << 8 }
            let time = data[(body + 2 + pathSize)..<(body + 10 + pathSize)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            entries.append(Entry(position: entries.count + 1, path: String(decoding: units, as: UTF16.self), modified: FileTime.timestamp(time)))
            offset = body + size
        }
    }
}
