@testable import Detection
import ExTriageCore
import Foundation
import Testing
import TestSupport

@Suite struct MailboxExportCheckTests {
    static let path = "Program Files/Microsoft/Exchange Server/V15/Logging/CmdletInfra/Powershell-Proxy/Cmdlet/Rps_Cmdlet_2021081012-1.LOG"
    static let fields = "DateTime,RequestId,AuthenticatedUser,ClientApplication,Cmdlet,Parameters,ExecutionResult"

    static func log(_ rows: [String]) -> String {
        "\u{FEFF}#Software: Microsoft Exchange Server\r\n#Version: 15.02.0858.005\r\n#Log-type: Rps Cmdlet Logs\r\n#Date: 2021-08-10T12:00:00.000Z\r\n#Fields: \(fields)\r\n"
            + rows.map { $0 + "\r\n" }.joined()
    }

    static func row(_ time: String, _ cmdlet: String, _ parameters: String, result: String = "Success") -> String {
        "\(time),0f8b5b62-ff0a-4bd4-9b91-1f3a7d2b5a11,CORP\\Administrator,,\(cmdlet),\"\(parameters.replacingOccurrences(of: "\"", with: "\"\""))\",\(result)"
    }

    func findings(_ rows: [String], bundleFiles: [String] = []) -> [Finding] {
        CheckHarness(members: [(Self.path, Self.log(rows))], bundleFiles: bundleFiles).run([MailboxExportCheck()])
    }

    @Test func exportToAnAspxThroughTheAdminShareIsLikelyWithItsPathAsPivot() throws {
        let result = findings([
            Self.row("2021-08-10T12:01:00.000Z", "New-ManagementRoleAssignment", "-Role \"Mailbox Import Export\" -User \"CORP\\Administrator\""),
            Self.row("2021-08-10T12:02:00.000Z", "New-MailboxExportRequest",
                     "-Mailbox \"administrator@corp.local\" -IncludeFolders \"#Drafts#\" -FilePath \"\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\xqwp.aspx\""),
            Self.row("2021-08-10T12:03:00.000Z", "Remove-MailboxExportRequest", "-Identity \"administrator\\MailboxExport\" -Confirm \"False\""),
        ], bundleFiles: ["inetpub/wwwroot/aspnet_client/xqwp.aspx"])
        let finding = try #require(result.first)
        #expect(result.count == 1)
        #expect(finding.verdict == .likely && finding.cves.contains("CVE-2021-31207"))
        #expect(finding.pivots[.mailboxExportPath] == ["\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\xqwp.aspx"])
        #expect(finding.evidence.compactMap(\.line).sorted() == [6, 7, 8])
        #expect(finding.explanation.contains("is in the bundle"))
    }

    @Test func certificateRequestToAPageIsLikelyAndAFailedExportAnAttempt() throws {
        let certificate = findings([Self.row("2021-08-10T12:05:00.000Z", "New-ExchangeCertificate",
                                             "-GenerateRequest -BinaryEncoded -RequestFile:'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\cr.aspx' -SubjectName \"CN=x\"")])
        #expect(certificate.first?.verdict == .likely)
        #expect(certificate.first?.explanation.contains("not in the bundle") == true)
        let failed = findings([Self.row("2021-08-10T12:06:00.000Z", "New-MailboxExportRequest",
                                        "-Mailbox \"a@corp.local\" -FilePath \"\\\\localhost\\c$\\inetpub\\wwwroot\\aspnet_client\\b.aspx\"", result: "Error")])
        #expect(failed.map(\.verdict) == [.attempt])
    }

    @Test func ordinaryExportsAndRoleGrantsStayInformational() throws {
        let result = findings([
            Self.row("2021-08-10T09:00:00.000Z", "New-ManagementRoleAssignment", "-Role \"Mailbox Import Export\" -User \"CORP\\exadmin\""),
            Self.row("2021-08-10T09:01:00.000Z", "New-MailboxExportRequest", "-Mailbox \"leaver@corp.local\" -FilePath \"\\\\fs01\\pst$\\leaver.pst\""),
            Self.row("2021-08-10T09:02:00.000Z", "Get-Mailbox", "-ResultSize \"Unlimited\""),
        ])
        #expect(result.count == 2)
        #expect(result.allSatisfy { $0.verdict == .informational })
        #expect(result.flatMap { $0.pivots[.mailboxExportPath] ?? [] } == ["\\\\fs01\\pst$\\leaver.pst"])
    }

    @Test func argumentsAndPathsParse() {
        #expect(MailboxExportCheck.argument("-FilePath", in: "-Mailbox x -FilePath \\\\h\\s\\a b.pst") == "\\\\h\\s\\a")
        #expect(MailboxExportCheck.argument("-FilePath", in: "-FilePath:'C:\\x.aspx'") == "C:\\x.aspx")
        #expect(MailboxExportCheck.argument("-FilePath", in: "-FilePathX \"C:\\x\"") == nil)
        #expect(MailboxExportCheck.argument("-FilePath", in: "-FilePath \"") == nil)
        #expect(MailboxExportCheck.localPath("\\\\127.0.0.1\\c$\\inetpub\\a.aspx") == "c:\\inetpub\\a.aspx")
        #expect(MailboxExportCheck.localPath("\\\\fs01\\pst$\\a.pst") == "\\\\fs01\\pst$\\a.pst")
        #expect(MailboxExportCheck.isWebTarget("D:\\Exchange\\V15\\ClientAccess\\ecp\\x.txt"))
        #expect(!MailboxExportCheck.isWebTarget("\\\\fs01\\pst$\\a.pst"))
    }
}

@Suite struct LogRuleDecodingTests {
    @Test func percentDecodingUndoesEncodingAndDoubleEncoding() {
        #expect(LogRule.Condition.percentDecoded("/%50owershell") == "/Powershell")
        #expect(LogRule.Condition.percentDecoded("%2540evil") == "@evil")
        #expect(LogRule.Condition.percentDecoded("a+b%zz%4") == "a b%zz%4")
        #expect(LogRule.Condition.percentDecoded("plain") == "plain")
    }

    @Test func aDecodedConditionMatchesWhatTheRawSpellingHides() throws {
        let rule = try LogRuleLoader.parse("""
            version: 1
            id: T
            title: t
            description: d
            families: [iis]
            needles: ['autodiscover']
            where:
              cs-uri-query|decoded: '/powershell'
            verdicts:
              - verdict: likely
            severity: high
            attack: [T1190]
            explanation: e
            samples:
              fields: 'cs-uri-query'
              positive:
                - line: '/%50owershell'
                  verdict: likely
              negative:
                - '/ews'
            """, file: "t.yaml")
        #expect(rule.verdict(for: { $0 == "cs-uri-query" ? "@x/%50owershell" : nil }) == .likely)
        #expect(rule.verdict(for: { $0 == "cs-uri-query" ? "@x/ews" : nil }) == nil)
        #expect(rule.verdict(for: { _ in nil }) == nil)
    }
}
