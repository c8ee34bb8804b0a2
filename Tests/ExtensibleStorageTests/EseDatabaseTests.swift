import ExTriageCore
import ExtensibleStorage
import Foundation
import Testing

/// libesedb behind EseDatabase. No tool on Debian writes an ESE database and none is made here,
/// so these tests cover what can be made honestly: a file that is no ESE database, an ESE header
/// whose pages are damaged (dirty state, no catalog), each refused with a clear error and no crash.
/// Reading tables and records from a real database runs only when `EXTRIAGE_TEST_SRUDB` names a
/// SRUDB.dat (a real one is evidence and is never committed); otherwise that test is skipped.
@Suite struct EseDatabaseTests {
    /// An ESE file header (checksum, signature, format version 0x620, database state) followed by
    /// `pages` zeroed 4 KiB pages: the header is an ESE header, the B-trees it points to are missing.
    static func header(state: UInt32, pages: Int = 4) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 4096 * (2 + pages))
        func put(_ value: UInt32, at offset: Int) {
            for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index))) }
        }
        put(0x89AB_CDEF, at: 4)
        put(0x620, at: 8)
        put(0, at: 40)
        put(state, at: 52)
        put(0x11, at: 216)
        put(4096, at: 236)
        // The header's XOR checksum: 0x89abcdef over every 32-bit word after the first, as ESE computes it.
        var checksum: UInt32 = 0x89AB_CDEF
        for offset in stride(from: 4, to: 4096, by: 4) {
            checksum ^= UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
        }
        put(checksum, at: 0)
        bytes.replaceSubrange(4096..<8192, with: bytes[0..<4096])
        return bytes
    }

    @Test func aFileThatIsNoEseDatabaseIsRefusedWithTheReason() {
        #expect {
            _ = try EseDatabase(bytes: Array("regf and other things".utf8) + [UInt8](repeating: 0, count: 4096), name: "x/SRUDB.dat")
        } throws: { error in
            (error as? ExTriageError)?.message.contains("not an ESE database") == true && (error as? ExTriageError)?.path == "x/SRUDB.dat"
        }
        #expect(throws: ExTriageError.self) { _ = try EseDatabase(bytes: [], name: "empty") }
    }

    @Test func aDamagedDatabaseWithADirtyShutdownIsRefusedOrReadWithoutACrash() throws {
        let bytes = Self.header(state: 2)
        do {
            let database = try EseDatabase(bytes: bytes, name: "SRUDB.dat")
            #expect(database.state == .dirtyShutdown)
            #expect(database.table("SruDbIdMapTable") == nil, "a database without a catalog has no table")
        } catch let error as ExTriageError {
            #expect(error.message.hasPrefix("not a readable ESE database"))
        }
        // Cut inside the header: refused before libesedb sees it.
        #expect(throws: ExTriageError.self) { _ = try EseDatabase(bytes: Array(bytes.prefix(300)), name: "cut") }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["EXTRIAGE_TEST_SRUDB"] != nil,
                   "needs a real SRUDB.dat named by EXTRIAGE_TEST_SRUDB: no ESE writer exists on Debian to make one at test time"))
    func aRealSrumDatabaseHasItsIdMapAndNetworkUsageTables() throws {
        let path = try #require(ProcessInfo.processInfo.environment["EXTRIAGE_TEST_SRUDB"])
        let bytes = try #require(FileManager.default.contents(atPath: path).map { [UInt8]($0) })
        let database = try EseDatabase(bytes: bytes, name: path)
        let map = try #require(database.table("SruDbIdMapTable"))
        #expect(Set(["IdType", "IdIndex", "IdBlob"]).isSubset(of: Set(map.columns)))
        let network = try #require(database.table("{973F5D5C-1D90-4944-BE8E-24B94231A174}"))
        #expect(Set(["TimeStamp", "AppId", "BytesSent", "BytesRecvd"]).isSubset(of: Set(network.columns)))
        if network.recordCount > 0 { #expect(network.record(0)?["AppId"] != nil) }
    }
}
