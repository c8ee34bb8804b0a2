@testable import Detection
import ExTriageCore
import Foundation
import Testing
import TestSupport

@Suite struct ProxyLogonSSRFCheckTests {
    func findings(_ rows: [String]) -> [Finding] {
        CheckHarness(members: [(LogText.httpProxyPath, LogText.httpProxy(rows))]).run([ProxyLogonSSRFCheck()])
    }

    @Test func proxyLogon241IsConfirmedWithTheWholeChainAsEvidence() throws {
        let result = findings([
            LogText.proxyRow(time: "2021-03-03T06:49:42.162Z", anchor: "ServerInfo~a]@exch01.corp.local:444/autodiscover/autodiscover.xml?#"),
            LogText.proxyRow(time: "2021-03-03T06:49:46.210Z", anchor: "ServerInfo~a]@exch01.corp.local:444/ecp/proxyLogon.ecp?#", status: 241),
        ])
        let finding = try #require(result.first)
        #expect(result.count == 1)
        #expect(finding.verdict == .confirmed && finding.cves == ["CVE-2021-26855"])
        #expect(finding.evidence.map(\.line) == [6, 7])
        #expect(finding.evidence.first?.timestamp == Timestamp(iso8601: "2021-03-03T06:49:42.162Z"))
        #expect(finding.pivots["clientIp"] == ["203.0.113.45"])
        #expect(finding.pivots["stage"] == ["autodiscover", "proxyLogon.ecp"])
    }

    @Test func gradesAttemptsAndLikelyHits() throws {
        let autodiscoverOnly = findings([LogText.proxyRow(anchor: "ServerInfo~a]@exch01:444/autodiscover/autodiscover.xml?#", ip: "198.51.100.23")])
        #expect(autodiscoverOnly.first?.verdict == .attempt)
        let localhost = findings([LogText.proxyRow(anchor: "ServerInfo~localhost/ecp/default.flt?~3", ip: "198.51.100.23")])
        #expect(localhost.first?.verdict == .attempt)
        let emsmdb = findings([LogText.proxyRow(anchor: "ServerInfo~a]@exch01:444/mapi/emsmdb/?#")])
        #expect(emsmdb.first?.verdict == .likely)
        let failed = findings([LogText.proxyRow(anchor: "ServerInfo~a]@exch01:444/ecp/proxyLogon.ecp?#", status: 500)])
        #expect(failed.first?.verdict == .attempt)
        let cookie = findings([LogText.proxyRow(anchor: "", hint: "BackEndCookie", cookie: "Server~a]@exch01:444/EWS/Exchange.asmx?#~1942063232")])
        #expect(cookie.first?.verdict == .likely)
        #expect(cookie.first?.pivots["target"] == ["/EWS/Exchange.asmx?#"])
    }

    @Test func ordinaryAnchorsAreNotHits() {
        #expect(findings([
            LogText.proxyRow(authenticated: true, anchor: "ServerVersion~Version 15.1 (Build 2176.2)", hint: "AnchorMailboxHeader"),
            LogText.proxyRow(authenticated: true, anchor: "Smtp~jdoe@corp.local", hint: "AnchorMailboxHeader"),
            LogText.proxyRow(authenticated: true, anchor: "Sid~S-1-5-21-1-2-3-1104", hint: "AnchorMailboxHeader"),
        ]).isEmpty)
    }
}

@Suite struct ECPVirtualDirectoryInjectionCheckTests {
    let injected = #"2021-03-03T06:49:53.772Z,EXCH01,ECP.Request,"S:TIME=58;S:SID=a;S:CMD=Set-OabVirtualDirectory.ExternalUrl='http://f/<script language=""JScript"" runat=""server"">function Page_Load(){eval(Request[""klk123456""],""unsafe"");}</script>'.Identity='6c1f5e2a';S:REQID=;S:URL=/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=x&schema=OABVirtualDirectory;S:BLD=15.1.2176.2""#
    let normal = #"2021-03-03T05:00:00.000Z,EXCH01,ECP.Request,"S:TIME=40;S:CMD=Set-OabVirtualDirectory.ExternalUrl='https://mail.corp.example/OAB'.Identity='6c1f5e2a';S:URL=/ecp/DDI/DDIService.svc/SetObject?schema=OABVirtualDirectory""#
    let cleanup = #"2021-03-03T06:50:30.000Z,EXCH01,ECP.Request,"S:TIME=40;S:CMD=Set-OabVirtualDirectory.ExternalUrl=$null.Identity='6c1f5e2a';S:URL=/ecp/DDI/DDIService.svc/SetObject?schema=OABVirtualDirectory""#

    func findings(_ rows: [String]) -> [Finding] {
        CheckHarness(members: [(LogText.ecpServerPath, LogText.ecpServer(rows))]).run([ECPVirtualDirectoryInjectionCheck()])
    }

    @Test func scriptInAURLIsConfirmedAndThePasswordExtracted() throws {
        let finding = try #require(findings([normal, injected, cleanup]).first)
        #expect(finding.verdict == .confirmed && finding.cves == ["CVE-2021-27065"])
        #expect(finding.pivots["shellParameter"] == ["klk123456"])
        #expect(finding.evidence.map(\.line) == [7])
        #expect(finding.explanation.contains("clean-up"))
    }

    @Test func ordinaryURLsAreNotFindings() {
        #expect(findings([normal, cleanup]).isEmpty)
    }

    @Test(arguments: ["http://f/", "http://o/#", "javascript:alert(1)", "not a url"])
    func nonURIsAreConfirmed(_ value: String) {
        #expect(!ECPVirtualDirectoryInjectionCheck.isAbsoluteHTTPURI(value))
    }

    @Test func shellParametersAreFoundInTheirShapes() {
        #expect(ShellParameter.names(in: #"eval(Request.Item["p4ss"],"unsafe")"#) == ["p4ss"])
        #expect(ShellParameter.names(in: "Request.Form('cmd')") == ["cmd"])
        #expect(ShellParameter.names(in: "no request here").isEmpty)
    }
}

@Suite struct ResetVirtualDirectoryCheckTests {
    @Test func machineAccountResetIsConfirmedAdminResetIsNot() {
        let confirmed = CheckHarness(members: [(LogText.w3svc2, LogText.iis([
            #"2021-03-03 06:49:57 10.0.0.10 POST /ecp/DDI/DDIService.svc/SetObject msExchEcpCanary=x&schema=ResetOABVirtualDirectory 444 CORP\EXCH01$ 10.0.0.10 python-requests/2.25.1 - 200 0 0 1494"#,
        ]))]).run([ResetVirtualDirectoryCheck()])
        #expect(confirmed.map(\.verdict) == [.confirmed])
        let admin = CheckHarness(members: [(LogText.w3svc2, LogText.iis([
            #"2021-03-03 06:49:57 10.0.0.10 POST /ecp/DDI/DDIService.svc/SetObject msExchEcpCanary=x&schema=ResetOABVirtualDirectory 444 CORP\admin 10.0.0.10 Mozilla/5.0 - 200 0 0 1494"#,
        ]))]).run([ResetVirtualDirectoryCheck()])
        #expect(admin.map(\.verdict) == [.attempt])
        let other = CheckHarness(members: [(LogText.w3svc2, LogText.iis([
            #"2021-03-03 06:49:57 10.0.0.10 POST /ecp/DDI/DDIService.svc/GetList schema=VirtualDirectory 444 CORP\admin 10.0.0.10 Mozilla/5.0 - 200 0 0 14"#,
        ]))]).run([ResetVirtualDirectoryCheck()])
        #expect(other.isEmpty)
    }

    @Test func httpProxyResetRowIsConfirmed() {
        let result = CheckHarness(members: [(LogText.httpProxyPath, LogText.httpProxy([
            LogText.proxyRow(anchor: "ServerInfo~a]@exch01:444/ecp/DDI/DDIService.svc/SetObject?schema=ResetOABVirtualDirectory#"),
        ]))]).run([ResetVirtualDirectoryCheck()])
        #expect(result.map(\.verdict) == [.confirmed])
        #expect(result.first?.pivots["clientIp"] == ["203.0.113.45"])
    }
}

@Suite struct OABGeneratorWriteCheckTests {
    func oab(_ messages: [String]) -> String {
        "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: OABGen Logs\r\n#Fields: DateTime,ServerName,Message\r\n"
            + messages.enumerated().map { "2021-03-03T06:50:1\($0.offset).093Z,EXCH01,\"\($0.element)\"\r\n" }.joined()
    }

    @Test func writesOutsideTheOABFolderAreGraded() {
        var harness = CheckHarness(members: [(LogText.oabPath, oab([
            #"Download failed and temporary file 'C:\inetpub\wwwroot\aspnet_client\system_web\qGtWmKzP.aspx' needs to be removed"#,
            #"Download failed and temporary file 'C:\Windows\Temp\x.bin' needs to be removed"#,
            #"Download failed and temporary file 'C:\Program Files\Microsoft\Exchange Server\V15\ClientAccess\OAB\Temp\LZXhzdmgalp.djs' needs to be removed"#,
        ]))])
        harness.bundleFiles = ["inetpub/wwwroot/aspnet_client/system_web/qGtWmKzP.aspx"]
        let result = harness.run([OABGeneratorWriteCheck()])
        #expect(result.map(\.verdict) == [.confirmed, .likely])
        #expect(result.first?.evidence.first?.excerpt.contains("in the bundle: evidence/C/inetpub/wwwroot/aspnet_client/system_web/qGtWmKzP.aspx") == true)
        #expect(result.last?.evidence.count == 1)
    }

    @Test func aNonDefaultInstallPathIsRespected() {
        var harness = CheckHarness(members: [(LogText.oabPath.replacingOccurrences(of: "Program Files/Microsoft/Exchange Server/V15", with: "Exchange/V15"), oab([
            #"Download failed and temporary file 'D:\Exchange\V15\ClientAccess\OAB\Temp\abc.djs' needs to be removed"#,
        ]))])
        harness.exchangeInstallPath = "Exchange/V15"
        #expect(harness.run([OABGeneratorWriteCheck()]).isEmpty)
    }
}

@Suite struct WebShellRequestCheckTests {
    @Test func shellUseIsLikelyProbesAreAttemptsAllowListedPagesAreSilent() throws {
        var harness = CheckHarness(members: [(LogText.w3svc1, LogText.iis([
            "2021-03-03 07:03:05 10.0.0.10 POST /aspnet_client/system_web/qGtWmKzP.aspx - 443 - 203.0.113.45 Mozilla/5.0 - 200 0 0 365",
            "2021-03-03 07:30:00 10.0.0.10 GET /owa/auth/one.aspx - 443 - 192.0.2.77 curl/7.68 - 404 0 2 5",
            "2021-03-03 07:31:00 10.0.0.10 GET /owa/auth/logon.aspx replaceCurrent=1 443 - 192.0.2.10 Mozilla/5.0 - 200 0 0 5",
            "2021-03-03 07:32:00 10.0.0.10 GET /owa/auth/15.1.2176/scripts/premium/flogon.js - 443 - 192.0.2.10 Mozilla/5.0 - 200 0 0 5",
        ]))])
        harness.bundleFiles = ["inetpub/wwwroot/aspnet_client/system_web/qGtWmKzP.aspx"]
        let locations = try TestData.detection().webShells.locations
        let result = harness.run([WebShellRequestCheck(locations: locations)])
        #expect(result.map(\.title) == ["Requests to /aspnet_client/system_web/qgtwmkzp.aspx", "Requests to /owa/auth/one.aspx"])
        #expect(result.map(\.verdict) == [.likely, .attempt])
        #expect(result.first?.explanation.contains("the file is in the bundle") == true)
    }

    @Test(arguments: [("/owa/auth/RedirSuiteServerProxy.aspx", true), ("/owa/auth/RedirSuiteServiceProxy.aspx", false),
                      ("/ecp/auth/TimeoutLogoff.aspx", false), ("/ecp/auth/TimeoutLogout.aspx", false), ("/ecp/auth/x.aspx", true), ("/OAB/log.aspx", true),
                      ("/owa/auth/Current/themes/x.aspx", true), ("/owa/auth/Current/themes/logon.css", false),
                      ("/ecp/default.aspx", false), ("/aspnet_client/x.ashx", true)])
    func locations(_ stem: String, _ suspicious: Bool) throws {
        #expect(try TestData.detection().webShells.locations.isSuspiciousRequest(stem: stem) == suspicious)
    }
}

@Suite struct BuildStatusCheckTests {
    func table() throws -> BuildTable {
        try BuildTable.load(file: Repository.profiles + "/rules/exchange-builds.yaml")
    }

    @Test func vulnerableAndPatchedBuildsAreTold() throws {
        let builds = try table()
        let vulnerable = CheckHarness(members: [(LogText.httpProxyPath, LogText.httpProxy([LogText.proxyRow(anchor: "Smtp~a@b")], version: "15.01.2176.002"))])
            .run([BuildStatusCheck(builds: builds)])
        #expect(vulnerable.first?.title == "Exchange build 15.1.2176.2 vulnerable")
        #expect(vulnerable.first?.verdict == .informational)
        #expect(vulnerable.first?.cves.contains("CVE-2021-26855") == true)
        #expect(vulnerable.first?.explanation.contains("fixed in 15.1.2176.9") == true)
        let patched = builds.status(of: try #require(ExchangeBuild("15.02.1118.020")))
        // 2019 CU12 + Nov 2022 SU has every 2020-2022 fix; the 2023-2026 SUs and 2019 CU14's Extended Protection default are missing.
        func isLater(_ name: String) -> Bool { ["2023 SU", "2024 SU", "2025 SU", "2026 SU", "CU14"].contains(where: name.contains) }
        #expect(patched.filter { !$0.patched }.map(\.name).allSatisfy(isLater))
        #expect(patched.filter { !$0.patched }.flatMap(\.cves).contains("CVE-2024-21410"))
        // 2019 CU12 + Feb 2023 SU (the last SU for CU12 but March 2023): only CVE-2024-21410 and the updates after it.
        let february2023 = builds.status(of: try #require(ExchangeBuild("15.2.1118.25"))).filter { !$0.patched }
        #expect(february2023.first?.cves == ["CVE-2024-21410"])
        #expect(february2023.dropFirst().map(\.name).allSatisfy(isLater))
        #expect(!february2023.contains { $0.name.hasPrefix("January 2023") || $0.name.hasPrefix("February 2023") })
        #expect(february2023.contains { $0.name.hasPrefix("March 2023") } && february2023.contains { $0.name.hasPrefix("June 2026") })
        let cu10 = builds.status(of: try #require(ExchangeBuild("15.2.922.7"))).filter { !$0.patched }.map(\.name)
        #expect(cu10.dropFirst(7).allSatisfy(isLater))
        #expect(Array(cu10.prefix(7)) == [
            "November 2022 SU (ProxyNotShell)", "November 2022 SU (OWASSRF CVE-2022-41080)", "July 2021 SU (ProxyToken CVE-2021-33766)",
            "November 2021 SU (CVE-2021-42321, Get-App deserialisation)",
            "Exchange 2019 CU14 with Extended Protection (CVE-2024-21410; on Exchange 2016 turn Extended Protection on)",
            "January 2023 SU (CVE-2023-21745, -21761, -21762, -21763, -21764)",
            "February 2023 SU (CVE-2023-21529, -21706, -21707, -21710, remote code execution)"])
    }

    @Test func theECPPlaceholderVersionIsIgnored() throws {
        let result = CheckHarness(members: [(LogText.ecpServerPath, LogText.ecpServer(["2021-03-03T05:00:00.000Z,EXCH01,ECP.Request,\"S:TIME=1\""]))])
            .run([BuildStatusCheck(builds: try table())])
        #expect(result.isEmpty)
    }
}

@Suite struct CheckRegistryTests {
    /// Every Swift file under Sources/Detection/Checks is a registered check of the same name,
    /// and every check id (Swift or rule) is used once.
    @Test func everyCheckFileIsRegistered() throws {
        let directory = Repository.root + "/Sources/Detection/Checks"
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".swift") }.map { String($0.dropLast(6)) })
        let data = try TestData.detection()
        let registered = CheckRegistry.swiftCheckTypeNames(data)
        #expect(files == registered, "unregistered: \(files.subtracting(registered)); missing files: \(registered.subtracting(files))")
        let ids = data.checks.map(\.id)
        #expect(Set(ids).count == ids.count, "a check id is used twice: \(ids)")
    }

    /// Each CVE a report states is assessed by a check that declares it, so a rule file alone can add one.
    @Test func theStatedCVEsComeFromDeclarations() throws {
        let declared = Set(try TestData.detection().checks.flatMap(\.assesses.cves))
        #expect(declared == ["CVE-2021-26855", "CVE-2021-27065", "CVE-2021-26858", "CVE-2021-26857", "CVE-2021-34473",
                             "CVE-2021-31207", "CVE-2022-41040", "CVE-2022-41080", "CVE-2021-33766", "CVE-2021-42321", "CVE-2020-0688", "CVE-2021-34523"])
    }
}
