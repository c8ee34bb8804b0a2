@testable import Detection
import EvidenceBundle
import ExTriageCore
import Testing
import TestSupport

/// Minidumps named by their module list, dump names, ProcDump, and scored staging archives.
@Suite struct DumpAndStagingCheckTests {
    /// A minidump head: header, directory (system info, module list), modules with names.
    static func minidump(modules: [String], time: UInt32 = 1_614_757_632) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 32)
        func put32(_ value: UInt32, _ at: Int) { for index in 0..<4 { bytes[at + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index))) } }
        bytes.replaceSubrange(0..<4, with: Array("MDMP".utf8))
        put32(0xA793, 4); put32(2, 8); put32(32, 12); put32(time, 20)
        bytes += [UInt8](repeating: 0, count: 24)  // directory: 2 entries
        let systemInfo = bytes.count
        bytes += [UInt8](repeating: 0, count: 56)
        put32(10, systemInfo + 8); put32(0, systemInfo + 12); put32(14393, systemInfo + 16)
        let list = bytes.count
        bytes += [UInt8](repeating: 0, count: 4 + 108 * modules.count)
        put32(UInt32(modules.count), list)
        for (index, module) in modules.enumerated() {
            let nameAt = bytes.count
            let units = Array(module.utf16)
            bytes += [UInt8](repeating: 0, count: 4)
            put32(UInt32(units.count * 2), nameAt)
            for unit in units { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
            bytes += [0, 0]
            put32(UInt32(nameAt), list + 4 + index * 108 + 20)
        }
        put32(7, 32); put32(56, 36); put32(UInt32(systemInfo), 40)
        put32(4, 44); put32(UInt32(4 + 108 * modules.count), 48); put32(UInt32(list), 52)
        return bytes + [UInt8](repeating: 0xAB, count: 8192)
    }

    static func run(_ check: any Check, _ members: [(String, [UInt8])], files: [String] = [], logFindings: [Finding] = []) -> [Finding] {
        CheckHarness(binaryMembers: members, bundleFiles: files, logFindings: logFindings).run([check])
    }

    @Test func minidumpsAreNamedByTheirFirstModule() throws {
        let lsass = Self.minidump(modules: ["C:\\Windows\\System32\\lsass.exe", "C:\\Windows\\SYSTEM32\\ntdll.dll"])
        let w3wp = Self.minidump(modules: ["c:\\windows\\system32\\inetsrv\\w3wp.exe"])
        let cut = Array(lsass.prefix(40))
        let findings = Self.run(MinidumpCheck(), [
            ("Windows/Temp/debug01.tmp", lsass), ("ProgramData/Microsoft/Windows/WER/ReportQueue/a/memory.hdmp", w3wp),
            ("root/x.bin", cut), ("inetpub/wwwroot/readme.txt", Array("MDMP is not at the start".utf8)),
        ], files: ["root/lsass.zip", "Users/Public/procdump64.exe", "Program Files/Sysinternals/procdump.exe"])
        let byVerdict = Dictionary(grouping: findings.flatMap { finding in finding.evidence.map { (finding.verdict, $0) } }, by: \.0)
        let confirmed = byVerdict[.confirmed]?.map(\.1) ?? []
        #expect(confirmed.map(\.originalPath) == ["Windows/Temp/debug01.tmp"])
        #expect(confirmed.first?.details?["FirstModule"] == "C:\\Windows\\System32\\lsass.exe")
        #expect(confirmed.first?.details?["OSVersion"] == "10.0.14393")
        #expect(confirmed.first?.timestamp == Timestamp(seconds: 1_614_757_632))
        let likely = Set(byVerdict[.likely]?.map(\.1.originalPath) ?? [])
        #expect(likely == ["root/x.bin", "root/lsass.zip", "Users/Public/procdump64.exe"])
        let informational = Set(byVerdict[.informational]?.map(\.1.originalPath) ?? [])
        #expect(informational == ["ProgramData/Microsoft/Windows/WER/ReportQueue/a/memory.hdmp", "Program Files/Sysinternals/procdump.exe"])
        #expect(findings.allSatisfy { $0.category == "credential-access" && $0.attack == ["T1003.001"] })
    }

    @Test func archivesAreScoredAndRiseOnlyBesideExploitation() throws {
        let sevenZip: [UInt8] = [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C, 0, 4] + [UInt8](repeating: 7, count: 100)
        var zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 20, 0, 1, 0] + [UInt8](repeating: 0, count: 22)
        zip += Array("lsass.dmp".utf8)
        let members = [("ProgramData/it.7z", sevenZip), ("inetpub/wwwroot/aspnet_client/a.zip", zip),
                       ("ProgramData/AppRecovery/Config/configuration.zip", [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 40)),
                       ("ProgramData/notes.txt", Array("plain".utf8))]
        let quiet = Self.run(StagingArchiveCheck(), members)
        #expect(quiet.map(\.verdict) == [.informational])
        #expect(quiet.first?.evidence.count == 3)
        let exploit = Finding(checkId: "C05", title: "t", severity: .critical, verdict: .confirmed, cves: ["CVE-2021-27065"], evidence: [], explanation: "e")
        let loud = Self.run(StagingArchiveCheck(), members, logFindings: [exploit])
        let likely = loud.first { $0.verdict == .likely }?.evidence ?? []
        #expect(Set(likely.map(\.originalPath)) == ["inetpub/wwwroot/aspnet_client/a.zip"])
        let scores = Dictionary(uniqueKeysWithValues: loud.flatMap(\.evidence).map { ($0.originalPath, Int($0.details?["Score"] ?? "") ?? 0) })
        #expect(scores["ProgramData/it.7z"] == 40)
        #expect(scores["inetpub/wwwroot/aspnet_client/a.zip"] == 100)
        #expect(scores["ProgramData/AppRecovery/Config/configuration.zip"] == -30)
    }
}
