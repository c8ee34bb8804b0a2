@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// HOST-USN-DELETED over journals written at test time: a page created and deleted in a web folder
/// is `likely` with its records as evidence (complete and partial folder paths); Windows' and
/// Exchange's own churn (WER dumps, Windows Update cabs, ASP.NET compile files, rotated logs),
/// pages that stay and pages deleted days later stay quiet; a dump whose folder is unknown is `attempt`.
@Suite struct UsnDeletedFileCheckTests {
    static let create: UInt32 = 0x100, delete: UInt32 = 0x200, close: UInt32 = 0x8000_0000, extend: UInt32 = 0x2
    static let directory: UInt32 = 0x10

    static func folder(_ name: String, _ ref: UInt64, in parent: UInt64) -> [String: Any] {
        SampleFormatWriters.usnRecord(name, file: (ref, 1), parent: (parent, parent == 5 ? 5 : 1), time: "2020-12-14T10:02:11Z",
                                      reason: create | close, attributes: directory)
    }

    /// FILE_CREATE, DATA_EXTEND and CLOSE at `created`, FILE_DELETE|CLOSE at `deleted` (nil: never deleted).
    static func file(_ name: String, _ ref: UInt64, in parent: UInt64, created: String, deleted: String?) -> [[String: Any]] {
        var records = [create, create | extend, create | extend | close].map {
            SampleFormatWriters.usnRecord(name, file: (ref, 2), parent: (parent, 1), time: created, reason: $0)
        }
        if let deleted { records.append(SampleFormatWriters.usnRecord(name, file: (ref, 2), parent: (parent, 1), time: deleted, reason: delete | close)) }
        return records
    }

    static var webFolders: [[String: Any]] { [
        folder("inetpub", 40, in: 5), folder("wwwroot", 41, in: 40), folder("aspnet_client", 1250, in: 41),
        // Exchange's folders below an ancestor (entry 3120) the journal never saw.
        folder("Exchange Server", 88110, in: 3120), folder("V15", 88111, in: 88110), folder("FrontEnd", 88500, in: 88111),
        folder("HttpProxy", 88501, in: 88500), folder("owa", 88502, in: 88501), folder("auth", 88503, in: 88502),
    ] }

    static func run(_ records: [[String: Any]], path: String = "$Extend/$UsnJrnl:$J") throws -> CheckRunner.Result {
        let bytes = try SampleFormatWriters.usnJournal(["version": 2, "leading_zeros": 4096, "records": records])
        return CheckHarness(binaryMembers: [(path, bytes)]).result([UsnDeletedFileCheck(rules: try TestData.detection().deletedTraces)])
    }

    static func ours(_ result: CheckRunner.Result) -> [Finding] { result.findings.filter { $0.checkId == "HOST-USN-DELETED" } }

    @Test func aPagePlantedAndDeletedInAWebFolderIsLikelyWithItsRecords() throws {
        var records = Self.webFolders
        records += Self.file("healthcheck.aspx", 70211, in: 1250, created: "2021-03-03T06:58:10Z", deleted: "2021-03-03T07:12:44Z")
        records += Self.file("x0.ashx", 70212, in: 88503, created: "2021-03-03T08:00:00Z", deleted: "2021-03-03T08:01:30Z")
        let result = try Self.run(records)
        let findings = Self.ours(result)
        #expect(findings.count == 2 && findings.allSatisfy { $0.verdict == .likely && $0.attack.contains("T1505.003") })
        let shell = try #require(findings.first { $0.title.hasSuffix("healthcheck.aspx") })
        #expect(shell.evidence.allSatisfy { $0.details?["Path"] == "inetpub/wwwroot/aspnet_client/healthcheck.aspx" && $0.originalPath == "$Extend/$UsnJrnl:$J" })
        #expect(shell.pivots[.filePath] == ["inetpub/wwwroot/aspnet_client/healthcheck.aspx"])
        #expect(shell.evidence.first?.details?["Reason"] == "FILE_CREATE" && shell.evidence.last?.details?["Reason"] == "FILE_DELETE|CLOSE")
        #expect(shell.evidence.first?.timestamp == Timestamp(iso8601: "2021-03-03T06:58:10Z"))
        #expect(shell.evidence.last?.timestamp == Timestamp(iso8601: "2021-03-03T07:12:44Z"))
        #expect(shell.evidence.last?.details?["FileReference"] == "entry 70211 seq 2" && shell.evidence.last?.details?["ParentReference"] == "entry 1250 seq 1")
        #expect(shell.explanation.contains("14 min"))
        let partial = try #require(findings.first { $0.title.hasSuffix("x0.ashx") })
        #expect(partial.evidence.first?.details?["Path"] == "…/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/x0.ashx")
        let row = try #require(result.coverage.first { $0.checkId == "HOST-USN-DELETED" })
        #expect(row.status == .ran && row.records == 17 && row.malformed == 0)
    }

    @Test func windowsAndExchangeChurnStaysQuiet() throws {
        var records = Self.webFolders
        records += [Self.folder("AppCrash_w3wp.exe_3c1a9c5d", 70020, in: 2210), Self.folder("1f9c0c3a6b4e2d8f7a5c3b1e9d7f5a3c", 70030, in: 2301),
                    Self.folder("Temporary ASP.NET Files", 2440, in: 2400), Self.folder("root", 2450, in: 2440),
                    Self.folder("Logging", 88120, in: 88111), Self.folder("HttpProxy", 88121, in: 88120)]
        records += Self.file("triagedump.dmp", 70021, in: 70020, created: "2021-03-03T05:12:40Z", deleted: "2021-03-03T05:13:02Z")
        records += Self.file("Windows10.0-KB5000803-x64.cab", 70031, in: 70030, created: "2021-03-03T05:40:11Z", deleted: "2021-03-03T05:44:58Z")
        records += Self.file("App_Web_k4p2x9qz.0.cs", 70041, in: 2450, created: "2021-03-03T06:58:30Z", deleted: "2021-03-03T06:58:31Z")
        records += Self.file("hash.web", 70042, in: 2450, created: "2021-03-03T06:58:30Z", deleted: "2021-03-03T06:58:31Z")
        records += Self.file("HttpProxy_2021020101-1.LOG", 70050, in: 88121, created: "2021-02-01T01:00:00Z", deleted: "2021-03-03T01:00:00Z")
        records += Self.file("diag.zip", 70051, in: 88121, created: "2021-03-03T01:00:00Z", deleted: "2021-03-03T01:05:00Z")
        records += Self.file("logon.aspx", 70060, in: 88503, created: "2021-03-03T02:00:00Z", deleted: nil)
        records += Self.file("old.aspx", 70061, in: 1250, created: "2021-02-20T02:00:00Z", deleted: "2021-03-03T02:00:00Z")
        let result = try Self.run(records)
        #expect(Self.ours(result).isEmpty)
        #expect(result.coverage.first { $0.checkId == "HOST-USN-DELETED" }?.status == .ran)
    }

    @Test func aDumpWhoseFolderIsUnknownIsAnAttemptAndAnArchiveInAWebFolderToo() throws {
        var records = Self.webFolders
        records += Self.file("lsass.dmp", 70301, in: 9999, created: "2021-03-03T07:20:41Z", deleted: "2021-03-03T07:31:00Z")
        records += Self.file("out.7z", 70302, in: 1250, created: "2021-03-03T08:20:00Z", deleted: "2021-03-03T08:40:00Z")
        let findings = Self.ours(try Self.run(records))
        let dump = try #require(findings.first { $0.title.hasSuffix("lsass.dmp") })
        #expect(dump.verdict == .attempt && dump.category == FindingCategory.credentialAccess)
        #expect(dump.evidence.first?.details?["Path"] == "<folder entry 9999 seq 1 not in the journal>/lsass.dmp")
        let archive = try #require(findings.first { $0.title.hasSuffix("out.7z") })
        #expect(archive.verdict == .attempt && archive.category == FindingCategory.staging)
    }

    @Test func theNamesCollectorsGiveTheJournalAreRead() throws {
        var records = Self.webFolders
        records += Self.file("a.aspx", 70400, in: 1250, created: "2021-03-03T06:00:00Z", deleted: "2021-03-03T06:10:00Z")
        for path in ["$Extend/$UsnJrnl:$J", "$Extend/$UsnJrnl%3A$J", "$Extend/$J"] {
            #expect(Self.ours(try Self.run(records, path: path)).count == 1, "\(path)")
        }
        #expect(Self.ours(try Self.run(records, path: "Users/x/$J.txt")).isEmpty)
    }

    @Test func garbageIsRecordedInTheCoverageRowAndNoJournalIsNotApplicable() throws {
        let noise = [UInt8](repeating: 0xA5, count: 8192)
        let result = CheckHarness(binaryMembers: [("$Extend/$UsnJrnl:$J", noise)])
            .result([UsnDeletedFileCheck(rules: try TestData.detection().deletedTraces)])
        let row = try #require(result.coverage.first { $0.checkId == "HOST-USN-DELETED" })
        #expect(row.malformed == 1 && row.reason?.contains("unreadable stretch") == true)
        let none = CheckHarness(members: [("inetpub/wwwroot/a.txt", "x")]).result([UsnDeletedFileCheck(rules: try TestData.detection().deletedTraces)])
        #expect(none.coverage.first { $0.checkId == "HOST-USN-DELETED" }?.status == .notApplicable)
    }
}
