@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// Attacker commands in PSReadLine history by line; an administrator's commands stay quiet.
@Suite struct PowerShellHistoryCheckTests {
    static let path = "Users/Administrator/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt"

    static func findings(_ lines: [String], path: String = path) -> [Finding] {
        CheckHarness(binaryMembers: [(path, Array(lines.joined(separator: "\r\n").utf8))]).run([PowerShellHistoryCheck()])
    }

    @Test func dumpingAndWebPageExportsAreLikelyByLine() throws {
        let findings = Self.findings([
            "Get-Mailbox -ResultSize 10",
            "rundll32.exe C:\\windows\\system32\\comsvcs.dll, MiniDump 624 C:\\windows\\temp\\d.tmp full",
            "C:\\ProgramData\\p64.exe -accepteula -ma lsass.exe C:\\ProgramData\\l.dmp",
            "reg save HKLM\\SAM C:\\ProgramData\\s.hiv",
            "New-MailboxExportRequest -Mailbox admin -FilePath \\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\x.aspx",
            "wevtutil cl Security",
        ])
        let likely = try #require(findings.first { $0.verdict == .likely })
        #expect(likely.evidence.map(\.line) == [2, 4, 5])
        #expect(likely.evidence.first?.excerpt.hasSuffix("full") == true, "the line ends before its CR")
        #expect(Set(likely.attack) == ["T1003.001", "T1003.002", "T1505.003"])
        let clearing = try #require(findings.first { $0.verdict == .informational })
        #expect(clearing.evidence.map(\.line) == [6] && clearing.category == FindingCategory.antiForensics)
    }

    @Test func administratorsCommandsAndOtherFilesStayQuiet() {
        #expect(Self.findings([
            "Get-ExchangeServer | Format-List Name,AdminDisplayVersion",
            "tasklist /svc | findstr lsass",
            "New-MailboxExportRequest -Mailbox ann -FilePath \\\\fs01\\pst$\\ann.pst",
            "Get-EventLog -LogName Application -Newest 20",
        ]).isEmpty)
        #expect(Self.findings(["sekurlsa::logonpasswords"], path: "Users/Public/notes.txt").isEmpty)
    }
}
