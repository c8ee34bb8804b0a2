@testable import Detection
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// The PE version-resource reader over tiny PE files written at test time, and EXT-EXSETUP-VERSION.
@Suite struct PEVersionInfoTests {
    static let microsoft: [(String, String)] = [("CompanyName", "Microsoft Corporation"), ("FileVersion", "15.02.0986.005"),
                                                 ("OriginalFilename", "ExSetup.exe")]

    @Test func theFixedVersionAndStringsAreRead() throws {
        let info = try #require(PEVersionInfo(TinyPE.file(version: TinyPE.versionInfo(fileVersion: [15, 2, 986, 5], strings: Self.microsoft))))
        #expect(info.fileVersion == "15.2.986.5" && info.productVersion == "15.2.986.5")
        #expect(info.strings["OriginalFilename"] == "ExSetup.exe" && info.namesMicrosoft)
        let foreign = try #require(PEVersionInfo(TinyPE.file(version: TinyPE.versionInfo(fileVersion: [1, 0, 0, 0], strings: [("CompanyName", "Evil Ltd")]))))
        #expect(!foreign.namesMicrosoft)
    }

    @Test func notAPEOrNoVersionResourceIsNil() {
        #expect(PEVersionInfo(TinyPE.file(version: nil)) == nil)
        #expect(PEVersionInfo(Array("MZ not really a program".utf8)) == nil)
        #expect(PEVersionInfo([]) == nil)
    }

    /// Every truncation and many random corruptions answer without trapping, in bounded time.
    @Test func truncatedAndCorruptedFilesNeverTrap() {
        let file = TinyPE.file(version: TinyPE.versionInfo(fileVersion: [15, 2, 986, 5], strings: Self.microsoft))
        for cut in 0..<file.count { #expect(PEVersionInfo(Array(file.prefix(cut))) == nil) }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            var damaged = file
            for _ in 0..<4 { damaged[Int.random(in: 0..<damaged.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            _ = PEVersionInfo(damaged)
        }
        // A length field pointing far past the end, and a directory claiming 65535 entries.
        var huge = file
        huge.replaceSubrange(0x200 + 14..<0x200 + 16, with: [0xFF, 0xFF])
        _ = PEVersionInfo(huge)
    }
}

@Suite struct ExSetupVersionCheckTests {
    static let path = "Program Files/Microsoft/Exchange Server/V15/Bin/ExSetup.exe"

    func findings(_ bytes: [UInt8]) throws -> CheckRunner.Result {
        CheckHarness(binaryMembers: [(Self.path, bytes)]).result([ExSetupVersionCheck(builds: try TestData.detection().builds)])
    }

    @Test func anUnpatchedBuildIsPostureWithTheFixesItLacks() throws {
        let result = try findings(TinyPE.file(version: TinyPE.versionInfo(fileVersion: [15, 2, 858, 5], strings: PEVersionInfoTests.microsoft)))
        let finding = try #require(result.findings.first)
        #expect(finding.verdict == .informational && finding.title == "Exchange build 15.2.858.5 from ExSetup.exe vulnerable")
        #expect(finding.cves.contains("CVE-2021-34473") && !finding.cves.contains("CVE-2021-26855"))
        #expect(finding.evidence.first?.excerpt == "FileVersion 15.2.858.5, CompanyName Microsoft Corporation")
        #expect(!finding.explanation.contains("does not name Microsoft"))
    }

    @Test func aForeignResourceIsSaidAndAnUnreadableFileIsRecorded() throws {
        let foreign = try findings(TinyPE.file(version: TinyPE.versionInfo(fileVersion: [15, 2, 858, 5], strings: [("CompanyName", "Evil Ltd")])))
        #expect(foreign.findings.first?.explanation.contains("does not name Microsoft Corporation") == true)
        let broken = try findings(Array("MZ".utf8))
        #expect(broken.findings.isEmpty)
        let row = try #require(broken.coverage.first { $0.checkId == "EXT-EXSETUP-VERSION" })
        #expect(row.reason?.contains("no readable version resource") == true && row.malformed == 1)
    }
}
