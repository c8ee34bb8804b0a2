@testable import Detection
import EvidenceBundle
import ExTriageCore
import Foundation
import TestSupport

/// Feeds log text to checks the way the analyzer does (line reader, W3C parser, pre-filter) and
/// returns their findings, without a bundle.
struct CheckHarness {
    var members: [(sourcePath: String, text: String)] = []
    var bundleFiles: [String] = []
    var exchangeInstallPath = "Program Files/Microsoft/Exchange Server/V15"

    func run(_ checks: [any LogCheck]) -> [Finding] {
        for (sourcePath, text) in members {
            guard let family = LogFamily.classify(sourcePath: sourcePath) else { continue }
            let interested = checks.filter { $0.reads(family) }
            let context = MemberContext(member: "evidence/C/" + sourcePath, sourcePath: sourcePath, sha256: String(repeating: "0", count: 64), family: family)
            var scan = MemberScan(checks: interested, context: context)
            var lines = LineReader()
            let bytes = Array(text.utf8)
            bytes.withUnsafeBytes { raw in lines.feed(raw) { scan.take($0) } }
            lines.finish { scan.take($0) }
            scan.finish()
        }
        let facts = BundleFacts(manifest: manifest())
        return checks.flatMap { $0.finish(facts) }
    }

    func manifest() -> Manifest {
        let entries = bundleFiles.map { path in
            Manifest.Entry(path: "evidence/C/" + path, sourcePath: path, sourcePathHex: nil, volume: "C", size: 1,
                           digests: ContentHasher.digests(of: Array(path.utf8)), times: (nil, nil, nil, nil),
                           artifact: "test", status: .collected, reason: nil, stored: nil)
        }
        return Manifest(tool: .init(name: "extriage", version: "test", libraries: [:]),
                        case: .init(caseId: "T", evidenceId: nil, examiner: "T", notes: nil),
                        collector: .init(host: "h", user: "u", platform: "p"),
                        source: .init(kind: "directory", path: "/", volumes: []),
                        exchangeInstallPath: .init(volume: "C", path: exchangeInstallPath, discoveredBy: "test"),
                        profile: .init(name: "t", sha256: "", artifacts: []), options: .init(collectDumps: false, traceHeadBytes: 0),
                        startedAt: Timestamp(seconds: 0), finishedAt: Timestamp(seconds: 0), entries: entries, outcomes: [])
    }
}

/// Log text builders in the real formats.
enum LogText {
    static let httpProxyFields = "DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,ErrorCode,Method,ProxyAction,TargetServer,TargetServerVersion,RoutingType,RoutingHint,BackEndCookie"
    static let iisFields = "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"

    static func httpProxy(_ rows: [String], version: String = "15.01.2176.002") -> String {
        "#Software: Microsoft Exchange Server\r\n#Version: \(version)\r\n#Log-type: HttpProxy Logs\r\n#Date: 2021-03-03T06:00:00.000Z\r\n#Fields: \(httpProxyFields)\r\n"
            + rows.map { $0 + "\r\n" }.joined()
    }

    /// One HttpProxy row: only the fields the checks read vary.
    static func proxyRow(time: String = "2021-03-03T06:49:46.210Z", stem: String = "/ecp/y.js", authenticated: Bool = false,
                         anchor: String, agent: String = "python-requests/2.25.1", ip: String = "203.0.113.45",
                         status: Int = 200, method: String = "POST", hint: String = "X-BEResource-Cookie", cookie: String = "") -> String {
        "\(time),8aed55fb-fb2e-4cb9-947d-c50e4c386a1e,15,1,2176,2,,Ecp,mail.corp.example,\(stem),,,\(authenticated),,,\(anchor),\(agent),\(ip),EXCH01,\(status),\(status),,\(method),Proxy,,15.01.2176.000,,\(hint),\(cookie)"
    }

    static func iis(_ lines: [String]) -> String {
        "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2021-03-03 00:00:00\r\n#Fields: \(iisFields)\r\n"
            + lines.map { $0 + "\r\n" }.joined()
    }

    static func ecpServer(_ rows: [String]) -> String {
        "#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: ECP Server Log\r\n#Date: 2021-03-03T00:00:00.000Z\r\n#Fields: TimeStamp,ServerName,EventId,EventData\r\n"
            + rows.map { $0 + "\r\n" }.joined()
    }

    static let httpProxyPath = "Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG"
    static let w3svc1 = "inetpub/logs/LogFiles/W3SVC1/u_ex210303.log"
    static let w3svc2 = "inetpub/logs/LogFiles/W3SVC2/u_ex210303.log"
    static let ecpServerPath = "Program Files/Microsoft/Exchange Server/V15/Logging/ECP/Server/ECPServer20210303-1.LOG"
    static let oabPath = "Program Files/Microsoft/Exchange Server/V15/Logging/OABGeneratorLog/OABGenerator_20210303-1.LOG"
}
