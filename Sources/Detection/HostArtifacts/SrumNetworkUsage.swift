import ExTriageCore
import ExtensibleStorage

/// SRUM's network usage (`Windows/System32/sru/SRUDB.dat`, an ESE database read with libesedb):
/// the table `{973F5D5C-1D90-4944-BE8E-24B94231A174}` holds one row per hour, application, user and
/// interface with `BytesSent`/`BytesRecvd`; `AppId` and `UserId` index `SruDbIdMapTable`, whose
/// `IdBlob` is the application's path (UTF-16LE) or the user's SID (binary). References: Khatri,
/// "SRUM forensics" (2015); libyal "ESE database format", SRUM section.
struct SrumNetworkUsage {
    struct Row: Equatable {
        /// The hour SRUM recorded (its `TimeStamp`, an OLE automation date in UTC).
        var time: Timestamp?
        var application: String
        var user: String?
        var bytesSent: UInt64
        var bytesReceived: UInt64
    }

    static let networkTable = "{973F5D5C-1D90-4944-BE8E-24B94231A174}"
    static let idMapTable = "SruDbIdMapTable"
    /// Rows read at most; a database with more is read over its first rows and says so.
    static let rowLimit = 2_000_000

    var rows: [Row] = []
    /// Why the table was read in part or not at all.
    var problems: [String] = []

    /// Reads the network usage of an opened SRUM database.
    init(_ database: EseDatabase) {
        guard let map = database.table(Self.idMapTable) else {
            problems.append("no \(Self.idMapTable) table: not a SRUM database")
            return
        }
        var names: [Int64: String] = [:]
        for index in 0..<min(map.recordCount, Self.rowLimit) {
            guard let record = map.record(index), let id = record["IdIndex"].flatMap(Self.integer) else { continue }
            let type = record["IdType"].flatMap(Self.integer) ?? 0
            guard let blob = record["IdBlob"] else { continue }
            names[id] = type == 3 ? Self.sid(blob) : Self.utf16(blob)
        }
        guard let network = database.table(Self.networkTable) else {
            problems.append("no network usage table \(Self.networkTable)")
            return
        }
        if network.recordCount > Self.rowLimit { problems.append("network usage read over its first \(Self.rowLimit) of \(network.recordCount) rows") }
        for index in 0..<min(network.recordCount, Self.rowLimit) {
            guard let record = network.record(index) else { continue }
            let app = record["AppId"].flatMap(Self.integer)
            let user = record["UserId"].flatMap(Self.integer)
            rows.append(Row(time: record["TimeStamp"].flatMap(Self.oleDate),
                            application: app.map { names[$0] ?? "AppId \($0)" } ?? "unknown",
                            user: user.flatMap { names[$0] },
                            bytesSent: record["BytesSent"].flatMap(Self.integer).map { UInt64(max(0, $0)) } ?? 0,
                            bytesReceived: record["BytesRecvd"].flatMap(Self.integer).map { UInt64(max(0, $0)) } ?? 0))
        }
        problems += database.problems.prefix(10)
    }

    /// A little-endian integer column of 1, 2, 4 or 8 bytes.
    static func integer(_ bytes: [UInt8]) -> Int64? {
        guard [1, 2, 4, 8].contains(bytes.count) else { return nil }
        let value = bytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        switch bytes.count {
        case 1: return Int64(value)
        case 2: return Int64(Int16(truncatingIfNeeded: value))
        case 4: return Int64(Int32(truncatingIfNeeded: value))
        default: return Int64(bitPattern: value)
        }
    }

    /// An ESE DateTime column: an OLE automation date (days since 1899-12-30 as a double).
    static func oleDate(_ bytes: [UInt8]) -> Timestamp? {
        guard bytes.count == 8 else { return nil }
        let days = Double(bitPattern: bytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        guard days.isFinite, days > 0, days < 2_958_466 else { return nil }
        return Timestamp(seconds: Int64(((days - 25_569) * 86_400).rounded()))
    }

    static func utf16(_ bytes: [UInt8]) -> String {
        let units = stride(from: 0, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8 }
        return String(decoding: units.prefix { $0 != 0 }, as: UTF16.self)
    }

    /// A binary SID as `S-1-5-21-...`.
    static func sid(_ bytes: [UInt8]) -> String {
        guard bytes.count >= 8, bytes.count >= 8 + Int(bytes[1]) * 4 else { return Hex.encode(bytes) }
        let authority = bytes[2..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let subs = (0..<Int(bytes[1])).map { index in
            let at = 8 + index * 4
            return String(UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24)
        }
        return (["S", String(bytes[0]), String(authority)] + subs).joined(separator: "-")
    }

    /// The program's file name, lower-cased, from a SRUM application entry (a device path, or a
    /// packaged app's `!!name.exe!...` form).
    static func programName(_ application: String) -> String {
        var text = application.lowercased()
        if text.hasPrefix("!!"), let end = text.dropFirst(2).firstIndex(of: "!") { text = String(text[text.index(text.startIndex, offsetBy: 2)..<end]) }
        return String(text.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last ?? Substring(text))
    }
}
