@testable import Detection
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// HOST-SHIMCACHE-TOOLS and HOST-AMCACHE-TOOLS over hives written at test time, and the
/// AppCompatCache parser over a cut value.
@Suite struct ShimCacheAndAmcacheCheckTests {
    typealias W = SampleFormatWriters

    /// A Windows 10 AppCompatCache value: a 0x34-byte header, then `10ts` entries.
    static func appCompatCache(_ entries: [(String, UInt64)]) -> [UInt8] {
        func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        var out = le(UInt32(0x34)) + [UInt8](repeating: 0, count: 0x30)
        for (path, time) in entries {
            let raw = Array(path.utf16).flatMap { le($0) }
            let body = le(UInt16(raw.count)) + raw + le(time) + le(UInt32(0))
            out += Array("10ts".utf8) + le(UInt32(0)) + le(UInt32(body.count)) + body
        }
        return out
    }

    static let march3 = UInt64(132_592_311_040_000_000)  // 2021-03-03T07:45:04Z

    static func system(_ cache: [UInt8]) throws -> [UInt8] {
        try W.hive(["name": "SYSTEM", "time": "2021-03-03T09:40:00Z", "root": W.key("ROOT", keys: [
            W.key("Select", values: [W.value("Current", "dword", 1)]),
            W.path("ControlSet001\\Control\\Session Manager\\AppCompatCache",
                   values: [W.value("AppCompatCache", "binary", cache.map { String(format: "%02x", $0) }.joined())]),
        ])])
    }

    static func run(_ check: any Check, _ path: String, _ bytes: [UInt8]) -> CheckRunner.Result {
        CheckHarness(binaryMembers: [(path, bytes)]).result([check])
    }

    @Test func shimCacheToolsAreFoundByPathWithPositionAndFileTime() throws {
        let cache = Self.appCompatCache([("C:\\Windows\\PSEXESVC.exe", Self.march3), ("C:\\Windows\\system32\\conhost.exe", Self.march3),
                                         ("C:\\ProgramData\\procdump64.exe", Self.march3), ("C:\\Program Files\\7-Zip\\7z.exe", Self.march3)])
        let result = Self.run(ShimCacheToolCheck(rules: try TestData.detection().execution), "Windows/System32/config/SYSTEM", try Self.system(cache))
        let findings = result.findings.filter { $0.checkId == "HOST-SHIMCACHE-TOOLS" }
        let psexec = try #require(findings.first { $0.category == FindingCategory.lateralMovement }?.evidence.first)
        #expect(psexec.record == 1 && psexec.details?["Path"] == "C:\\Windows\\PSEXESVC.exe")
        #expect(psexec.timestamp == Timestamp(iso8601: "2021-03-03T07:45:04Z"))
        let dump = try #require(findings.first { $0.category == FindingCategory.credentialAccess })
        #expect(dump.verdict == .likely && dump.evidence.map(\.record) == [3])
        #expect(findings.count == 2, "conhost and 7-Zip from Program Files stay quiet")
    }

    @Test func aCutCacheKeepsItsEntriesAndSaysWhereItStopped() {
        let cache = Self.appCompatCache([("C:\\Windows\\PSEXESVC.exe", Self.march3), ("C:\\ProgramData\\procdump64.exe", Self.march3)])
        let parsed = AppCompatCache(Array(cache.dropLast(10)))
        #expect(parsed.entries.map(\.path) == ["C:\\Windows\\PSEXESVC.exe"])
        #expect(parsed.problem == "entry 2 at offset 124 runs past the value")
        #expect(AppCompatCache([0x80, 0, 0, 0]).problem?.hasPrefix("not a Windows 8/10 AppCompatCache") == true)
    }

    @Test func amcacheToolsCarryTheirSHA1AndOrdinaryProgramsStayQuiet() throws {
        let sha1 = "1f0c2b6d6cbb0a4e6d8b8d2e7e3f5a9c0b1d2e3f"
        func record(_ name: String, _ path: String, _ id: String) -> [String: Any] {
            W.key("\(name)|0123456789abcdef", time: "2021-03-03T07:46:33Z", values: [
                W.value("FileId", "sz", "0000" + id), W.value("LowerCaseLongPath", "sz", path), W.value("Name", "sz", name)])
        }
        let hive = try W.hive(["name": "Amcache.hve", "time": "2021-03-03T09:38:00Z", "root": W.key("{11517B7C-E79D-4e20-961B-75A811715ADD}", keys: [
            W.key("Root", keys: [
                W.key("InventoryApplicationFile", keys: [
                    record("procdump64.exe", "c:\\programdata\\procdump64.exe", sha1),
                    record("vmtoolsd.exe", "c:\\program files\\vmware\\vmware tools\\vmtoolsd.exe", String(repeating: "a", count: 40)),
                ]),
                // The Windows 8 / Server 2012 layout: values 15 (path) and 101 (SHA-1).
                W.path("File\\{5d2f0b4c-1111-2222-3333-444455556666}\\1a", time: "2021-03-03T07:50:00Z",
                       values: [W.value("15", "sz", "C:\\Users\\Public\\mimikatz.exe"), W.value("101", "sz", "0000" + String(repeating: "b", count: 40))]),
            ]),
        ])])
        let result = Self.run(AmcacheToolCheck(rules: try TestData.detection().execution), "Windows/AppCompat/Programs/Amcache.hve", hive)
        let finding = try #require(result.findings.first { $0.checkId == "HOST-AMCACHE-TOOLS" })
        #expect(finding.verdict == .likely)
        let procdump = try #require(finding.evidence.first { $0.details?["Path"] == "c:\\programdata\\procdump64.exe" })
        #expect(procdump.details?["SHA1"] == sha1 && procdump.timestamp == Timestamp(iso8601: "2021-03-03T07:46:33Z"))
        #expect(finding.evidence.contains { $0.details?["SHA1"] == String(repeating: "b", count: 40) })
        #expect(finding.pivots["sha1"]?.contains(sha1) == true)
        #expect(!finding.evidence.contains { $0.details?["Path"]?.contains("vmtoolsd") == true })
    }
}
