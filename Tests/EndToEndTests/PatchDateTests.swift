import Foundation
import Testing
import TestSupport

/// Patching is not cleaning: a bundle whose logs show the build changing says when the fix came
/// and that exploitation before it left what it left, in every format.
@Suite(.serialized) struct PatchDateTests {
    static let fields = "DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,ErrorCode,Method,ProxyAction,TargetServer,TargetServerVersion,RoutingType,RoutingHint,BackEndCookie"

    static func log(version: String, date: String, rows: [String]) -> String {
        "#Software: Microsoft Exchange Server\r\n#Version: \(version)\r\n#Log-type: HttpProxy Logs\r\n#Date: \(date)\r\n#Fields: \(fields)\r\n"
            + rows.map { $0 + "\r\n" }.joined()
    }

    /// A ProxyLogon SSRF row (X-BEResource cookie to the back end, answered 200) at `time`.
    static func ssrf(_ time: String) -> String {
        "\(time),8aed55fb-fb2e-4cb9-947d-c50e4c386a1e,15,1,2176,2,,Ecp,mail.corp.example,/ecp/y.js,,,false,,,ServerInfo~a]@EXCH01.corp.local:444/autodiscover/autodiscover.xml?#,python-requests/2.25.1,203.0.113.45,EXCH01,200,200,,POST,Proxy,,15.01.2176.000,,X-BEResource-Cookie,"
    }

    static func quietRow(_ time: String) -> String {
        "\(time),9aed55fb-fb2e-4cb9-947d-c50e4c386a1e,15,1,2176,9,,Owa,mail.corp.example,/owa/,,,true,CORP\\\\user,,Smtp~user@corp.example,Mozilla/5.0,198.51.100.7,EXCH01,200,200,,GET,Proxy,,15.01.2176.009,,Smtp~user@corp.example,"
    }

    @Test func exploitationBeforeThePatchIsSaidInJSONAndText() throws {
        let temp = try TemporaryDirectory()
        let logs = "vol/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/"
        try temp.write(logs + "HttpProxy_2021030306-1.LOG", Self.log(version: "15.01.2176.002", date: "2021-03-03T06:00:00.000Z",
                                                                      rows: [Self.ssrf("2021-03-03T06:49:46.210Z")]))
        try temp.write(logs + "HttpProxy_2021030806-1.LOG", Self.log(version: "15.01.2176.009", date: "2021-03-08T06:00:00.000Z",
                                                                      rows: [Self.quietRow("2021-03-08T06:10:00.000Z")]))
        let bundle = temp.path + "/p.tar"
        let collect = try Run.extriage(["collect", "--source", temp.path + "/vol", "--output", bundle, "--case", "C", "--examiner", "E", "--quiet"])
        #expect(collect.status == 0, "\(collect.stderr)")
        let run = try Run.extriage(["analyze", bundle, "--format", "json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stderr)")
        let patchedAt = try #require(report["cvePatchedAt"] as? [String: String], "\(report.keys.sorted())")
        #expect(patchedAt["CVE-2021-26855"]?.hasPrefix("2021-03-08") == true, "\(patchedAt)")
        let reasons = report["cveReasons"] as? [String: String] ?? [:]
        let note = report["verdictNote"] as? String ?? ""
        #expect((reasons["CVE-2021-26855"] ?? note).contains("exploited before the patch of 2021-03-08"), "\(reasons) \(note)")
        let text = try Run.extriage(["analyze", bundle])
        #expect(text.stdout.contains("exploited before the patch of 2021-03-08"), "\(text.stdout.prefix(3000))")
        #expect(text.stdout.contains("patching did not remove what was left"))
        let html = try Run.extriage(["analyze", bundle, "--format", "html"])
        #expect(html.stdout.contains("2021-03-08"))
    }
}
