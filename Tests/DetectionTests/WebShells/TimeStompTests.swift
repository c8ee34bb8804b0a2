@testable import Detection
import EvidenceBundle
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Time-stomping shows: `$STANDARD_INFORMATION` times set back before the `$FILE_NAME` ones (or
/// whole seconds where NTFS wrote fractions) are flagged on web files and dropped binaries, noted
/// on the file's web-shell finding, and the `$FILE_NAME` creation goes on the timeline.
@Suite struct TimeStompTests {
    static let owaAuth = WebShellLocationTests.owaAuth
    static let real = Timestamp(seconds: 1_614_787_200, nanoseconds: 123_456_700)  // 2021-03-03T16:00:00.1234567Z

    /// An image entry: `$SI` creation and modification at `si`, `$FN` times at `real`.
    static func entry(_ path: String, si: Timestamp) -> Manifest.Entry {
        var entry = WebShellLocationTests.entry(path)
        entry.created = si
        entry.modified = si
        entry.fileNameTimes = .init(modified: real, accessed: real, changed: real, created: real)
        return entry
    }

    static let setBack = Timestamp(seconds: 1_577_836_800)  // 2020-01-01T00:00:00Z, whole seconds

    static func run(_ entries: [Manifest.Entry]) throws -> [Finding] {
        let data = try TestData.detection()
        var harness = CheckHarness(exchangeInstallPath: WebShellLocationTests.exchange)
        harness.entries = entries
        return harness.run([TimeStompCheck(locations: data.webShells.locations, rules: data.timeStomping), WebShellLocationCheck(locations: data.webShells.locations)])
    }

    @Test func aBackdatedPageInTheWebFoldersIsLikelyAndOnTheTimeline() throws {
        let logon = Self.owaAuth + "logon.aspx"  // allow-listed: no location finding of its own
        let findings = try Self.run([Self.entry(logon, si: Self.setBack)])
        let stomp = try #require(findings.first { $0.checkId == TimeStompCheck.checkID })
        #expect(stomp.verdict == .likely && stomp.attack == ["T1070.006"])
        #expect(stomp.explanation.contains("2020-01-01T00:00:00Z is before its $FILE_NAME creation time 2021-03-03T16:00:00"))
        #expect(stomp.explanation.contains("no fraction of a second"))
        #expect(stomp.evidence.first?.timestamp == Self.real)
        #expect(stomp.evidence.first?.details?["timestamp"] == "$FILE_NAME created")
    }

    @Test func theWebShellFindingCarriesTheNote() throws {
        let shell = Self.owaAuth + "shell.aspx"
        let findings = try Self.run([Self.entry(shell, si: Self.setBack)])
        let webShell = try #require(findings.first { $0.checkId == "EXT-C09" })
        #expect(webShell.verdict == .likely)
        #expect(webShell.notes?.contains { $0.hasPrefix("time-stomped: its $STANDARD_INFORMATION creation time") } == true)
        #expect(webShell.evidence.contains { $0.timestamp == Self.real })
        #expect(webShell.evidence.first?.details?["fileNameCreated"] == Self.real.iso8601)
        // One finding per file: the standalone one is carried.
        #expect(!findings.contains { $0.checkId == TimeStompCheck.checkID })
    }

    @Test func otherCasesAreInformationalAndUntouchedFilesAreNot() throws {
        let tool = "ProgramData/x/procdump64.exe"
        let system = "Windows/System32/kernel32.dll"
        let fraction = "inetpub/wwwroot/iisstart.htm"
        let clean = Self.owaAuth + "logoff.aspx"
        var wholeSeconds = Self.entry(fraction, si: Timestamp(seconds: Self.real.seconds))  // same second, fraction dropped
        wholeSeconds.size = 10
        let findings = try Self.run([Self.entry(tool, si: Self.setBack), Self.entry(system, si: Self.setBack), wholeSeconds,
                                     Self.entry(clean, si: Self.real)])
        let stomps = findings.filter { $0.checkId == TimeStompCheck.checkID }
        #expect(stomps.first { $0.evidence.first?.originalPath == tool }?.verdict == .informational)
        #expect(!stomps.contains { $0.evidence.first?.originalPath == system })  // system folders: WinSxS links differ legitimately
        #expect(!stomps.contains { $0.evidence.first?.originalPath == clean })
        let fractionOnly = stomps.first { $0.evidence.first?.originalPath == fraction }
        #expect(fractionOnly?.verdict == .informational && fractionOnly?.explanation.contains("set back") == false)
    }

    @Test func directoryCollectionsHaveNoFileNameTimesAndNothingIsClaimed() throws {
        var entry = WebShellLocationTests.entry(Self.owaAuth + "logon.aspx")
        entry.created = Self.setBack
        #expect(TimeStomp(entry, slackSeconds: 5) == nil)
        #expect(try Self.run([entry]).isEmpty)
    }

    /// The compared files and the slack are data; a bad file names its problems.
    @Test func theRulesAreDataAndBadDataIsNamed() throws {
        let rules = try TestData.detection().timeStomping
        #expect(rules.slackSeconds == 5 && rules.droppedExtensions.contains("exe") && rules.systemFolders.contains("windows/winsxs/"))
        let temp = try TemporaryDirectory()
        let file = try temp.write("timestomp.yaml", "version: 1\nslackSeconds: 5\ndroppedExtensions: [exe]\nsystemFolders: [Windows/System32]\n")
        #expect { _ = try TimeStompRules.load(file: file) } throws: { "\($0)".contains("timestomp.yaml:4: key 'systemFolders'") }
    }
}
