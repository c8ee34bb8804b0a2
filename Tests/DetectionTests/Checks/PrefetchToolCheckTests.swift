@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// HOST-PREFETCH-TOOLS over prefetch files written at test time: dump and remote-execution tools
/// are found with their run times; ordinary programs and archivers in Program Files stay quiet;
/// a cut file is recorded in the coverage row.
@Suite struct PrefetchToolCheckTests {
    static let volume = "\\VOLUME{01d70fe1a2b3c4d5-5e6f7a8b}"

    static func pf(_ executable: String, hash: String, from folder: String, runs: [String], extra: [String] = [],
                   version: Int = 30, truncate: Int? = nil, compress: Bool = false) throws -> (sourcePath: String, bytes: [UInt8]) {
        var spec: [String: Any] = ["version": version, "executable": executable, "hash": hash, "run_count": runs.count, "last_runs": runs,
                                   "files": ["\(volume)\\WINDOWS\\SYSTEM32\\NTDLL.DLL", "\(volume)\\\(folder)\\\(executable)"]
                                       + extra.map { "\(volume)\\\($0)" }]
        if let truncate { spec["truncate"] = truncate }
        if compress { spec["compress"] = true }
        return ("Windows/Prefetch/\(executable)-\(hash).pf", try SampleFormatWriters.prefetch(spec))
    }

    static func run(_ members: [(sourcePath: String, bytes: [UInt8])]) throws -> CheckRunner.Result {
        CheckHarness(binaryMembers: members).result([PrefetchToolCheck(rules: try TestData.detection().execution)])
    }

    @Test func procdumpFromProgramDataAndPsexesvcAreLikelyWithRunTimes() throws {
        let result = try Self.run([
            try Self.pf("PROCDUMP64.EXE", hash: "1A2B3C4D", from: "PROGRAMDATA", runs: ["2021-03-03T07:46:58Z", "2021-03-03T07:20:30Z"]),
            try Self.pf("PSEXESVC.EXE", hash: "AD70946C", from: "WINDOWS", runs: ["2021-03-03T08:12:45Z"], version: 23),
            try Self.pf("RUNDLL32.EXE", hash: "11223344", from: "WINDOWS\\SYSTEM32", runs: ["2021-03-03T07:47:12Z"],
                        extra: ["WINDOWS\\SYSTEM32\\COMSVCS.DLL"]),
            try Self.pf("PROCDUMP.EXE", hash: "55667788", from: "TOOLS\\SYSINTERNALS", runs: ["2020-12-01T10:00:00Z"], version: 17),
        ])
        let credential = result.findings.filter { $0.category == FindingCategory.credentialAccess }
        let likely = try #require(credential.first { $0.verdict == .likely })
        let procdump = try #require(likely.evidence.first { $0.details?["Executable"] == "PROCDUMP64.EXE" })
        #expect(procdump.originalPath == "Windows/Prefetch/PROCDUMP64.EXE-1A2B3C4D.pf")
        #expect(procdump.timestamp == Timestamp(iso8601: "2021-03-03T07:46:58Z"))
        #expect(procdump.details?["LastRuns"] == "2021-03-03T07:46:58Z, 2021-03-03T07:20:30Z")
        #expect(procdump.details?["Path"] == "\\PROGRAMDATA\\PROCDUMP64.EXE")
        #expect(likely.evidence.contains { $0.details?["Executable"] == "RUNDLL32.EXE" })
        #expect(credential.first { $0.verdict == .attempt }?.evidence.compactMap { $0.details?["Executable"] } == ["PROCDUMP.EXE"],
                "ProcDump outside writable folders is dual-use")
        let lateral = try #require(result.findings.first { $0.category == FindingCategory.lateralMovement })
        #expect(lateral.verdict == .likely && lateral.evidence.first?.details?["Executable"] == "PSEXESVC.EXE")
        #expect(lateral.evidence.first?.timestamp == Timestamp(iso8601: "2021-03-03T08:12:45Z"))
    }

    @Test func ordinaryProgramsAndInstalledArchiversStayQuietButStagingArchiversDoNot() throws {
        let quiet = try Self.run([
            try Self.pf("SVCHOST.EXE", hash: "7BA3C2A1", from: "WINDOWS\\SYSTEM32", runs: ["2021-03-03T07:00:00Z"]),
            try Self.pf("7Z.EXE", hash: "0F0F0F0F", from: "PROGRAM FILES\\7-ZIP", runs: ["2021-03-01T07:00:00Z"]),
            try Self.pf("RUNDLL32.EXE", hash: "99887766", from: "WINDOWS\\SYSTEM32", runs: ["2021-03-03T07:00:00Z"],
                        extra: ["WINDOWS\\SYSTEM32\\SHELL32.DLL"]),
        ])
        #expect(quiet.findings.filter { $0.checkId == "HOST-PREFETCH-TOOLS" }.isEmpty)
        #expect(quiet.coverage.first { $0.checkId == "HOST-PREFETCH-TOOLS" }?.records == 3)
        let staging = try Self.run([try Self.pf("RAR.EXE", hash: "0A0B0C0D", from: "INETPUB\\WWWROOT\\ASPNET_CLIENT", runs: ["2021-03-03T08:40:00Z"])])
        #expect(staging.findings.first?.category == FindingCategory.staging && staging.findings.first?.verdict == .likely)
    }

    @Test func aWindows10CompressedPrefetchFileIsReadAndJudged() throws {
        let result = try Self.run([
            try Self.pf("PROCDUMP64.EXE", hash: "73DCD079", from: "PROGRAMDATA", runs: ["2021-03-03T07:46:31Z", "2021-03-03T07:46:20Z"],
                        compress: true),
            try Self.pf("CONHOST.EXE", hash: "1F3E9D7E", from: "WINDOWS\\SYSTEM32", runs: ["2021-03-03T08:40:02Z"], compress: true),
        ])
        let likely = try #require(result.findings.first { $0.checkId == "HOST-PREFETCH-TOOLS" && $0.verdict == .likely })
        let procdump = try #require(likely.evidence.first)
        #expect(procdump.details?["Executable"] == "PROCDUMP64.EXE" && procdump.details?["Path"] == "\\PROGRAMDATA\\PROCDUMP64.EXE")
        #expect(procdump.details?["LastRuns"] == "2021-03-03T07:46:31Z, 2021-03-03T07:46:20Z")
        #expect(result.coverage.first { $0.checkId == "HOST-PREFETCH-TOOLS" }?.records == 2)
    }

    @Test func aCutPrefetchFileIsRecorded() throws {
        let result = try Self.run([try Self.pf("PROCDUMP64.EXE", hash: "1A2B3C4D", from: "PROGRAMDATA", runs: ["2021-03-03T07:46:58Z"],
                                              truncate: 150)])
        #expect(result.findings.filter { $0.checkId == "HOST-PREFETCH-TOOLS" }.isEmpty)
        let row = try #require(result.coverage.first { $0.checkId == "HOST-PREFETCH-TOOLS" })
        #expect(row.malformed == 1)
        #expect(row.reason?.contains("Windows/Prefetch/PROCDUMP64.EXE-1A2B3C4D.pf: not a readable prefetch file") == true)
    }

    @Test func aBadTierInTheToolListIsReportedWithItsLine() throws {
        let temp = try TemporaryDirectory()
        let file = try temp.write("host-execution.yaml", """
            version: 1
            groups:
              - kind: dumper
                names: [a.exe]
                verdict: sure
                attack: T1003.001
                category: credential-access
            rundll32DumpDlls: [comsvcs.dll]
            writableFolders: ['\\temp\\']

            """)
        #expect { _ = try ExecutionRules.load(file: file) } throws: { error in
            "\(error)".contains("host-execution.yaml:5:") && "\(error)".contains("must be one of likely, attempt, informational, none")
        }
    }
}
