@testable import Detection
import EvidenceBundle
import ExTriageCore
import Foundation
import TestSupport

/// Runs checks through the real `CheckRunner` over members given as text or bytes, without a
/// bundle: each member streams past in chunks, then the checks finish against a manifest that
/// lists every member and `bundleFiles`.
struct CheckHarness {
    var members: [(sourcePath: String, text: String)] = []
    var binaryMembers: [(sourcePath: String, bytes: [UInt8])] = []
    /// Files in the manifest whose bytes are not streamed.
    var bundleFiles: [String] = []
    var exchangeInstallPath = "Program Files/Microsoft/Exchange Server/V15"
    /// Findings the log checks would have made (the attack window, exploitation seen).
    var logFindings: [Finding] = []
    /// Manifest entries given whole (times, flags, sizes), in place of made-up ones for their paths.
    var entries: [Manifest.Entry] = []

    /// The findings of `checks` (not the fixed `logFindings`, nor the runner's log-coverage notes).
    func run(_ checks: [any Check]) -> [Finding] {
        let ids = Set(checks.map(\.id))
        return result(checks).findings.filter { ids.contains($0.checkId) }
    }

    /// `chunked` members stream chunk by chunk as given (made on the fly, never held whole).
    func result(_ checks: [any Check], chunked: [(sourcePath: String, chunks: AnySequence<[UInt8]>)] = []) -> CheckRunner.Result {
        let runner = CheckRunner(checks: checks + (logFindings.isEmpty ? [] : [FixedLogFindings(findings: logFindings)]))
        for (sourcePath, bytes) in streamed {
            guard runner.begin(member: "evidence/C/" + sourcePath) else { continue }
            for start in stride(from: 0, to: bytes.count, by: 1000) {
                bytes[start..<min(bytes.count, start + 1000)].withUnsafeBytes { runner.consume($0) }
            }
            runner.end()
        }
        for (sourcePath, chunks) in chunked {
            guard runner.begin(member: "evidence/C/" + sourcePath) else { continue }
            for chunk in chunks { chunk.withUnsafeBytes { runner.consume($0) } }
            runner.end()
        }
        return runner.finish(manifest: manifest(extra: chunked.map(\.sourcePath)))
    }

    var streamed: [(String, [UInt8])] { members.map { ($0.sourcePath, Array($0.text.utf8)) } + binaryMembers.map { ($0.sourcePath, $0.bytes) } }

    func manifest(extra: [String] = []) -> Manifest {
        let given = Set(entries.map(\.sourcePath))
        let made = (streamed.map(\.0) + bundleFiles + extra).filter { !given.contains($0) }.map { path in
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
                        startedAt: Timestamp(seconds: 0), finishedAt: Timestamp(seconds: 0), entries: made + entries, outcomes: [])
    }
}

/// A log check that reads nothing and returns fixed findings: what `logFindings` later checks see.
struct FixedLogFindings: Check {
    static let checkID: CheckID = "TEST-LOG-FINDINGS"
    let id = FixedLogFindings.checkID
    let title = "fixed log findings"
    let input = CheckInput.logRecords(LogSelector(needles: [], families: { _ in false }))
    let findings: [Finding]

    func finish(_ state: inout Void, in context: FinishContext) -> CheckOutput { CheckOutput(findings: findings) }
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

/// The repository's detection data, loaded once for the tests that need rules, builds or YARA.
enum TestData {
    static let loaded = Result { try DetectionData.load(profiles: Repository.profiles) }

    static func detection() throws -> DetectionData { try loaded.get() }

    /// The checks of the repository's data that read `input`'s kind.
    static func checks(reading kind: (CheckInput) -> Bool) throws -> [any Check] {
        try detection().checks.filter { kind($0.input) }
    }

    static func isEvents(_ input: CheckInput) -> Bool { if case .events = input { return true } else { return false } }
}
