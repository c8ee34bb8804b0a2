import ExTriageCore
import Foundation
import Testing
import TestSupport

/// The report's host is the evidence's host, with where that name comes from; the machine that
/// ran `collect` is only the manifest's collector.
@Suite struct HostNameTests {
    static let httpProxy = "Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG"

    /// Collects `files` (path → bytes) on this machine and returns the JSON report's `bundle` object.
    func reportedBundle(_ files: [String: [UInt8]]) throws -> [String: Any] {
        let temp = try TemporaryDirectory()
        for (path, bytes) in files { try temp.write("tree/" + path, bytes) }
        let bundle = temp.path + "/b.tar"
        let collect = try Run.extriage(["collect", "--source", temp.path + "/tree", "--output", bundle, "--case", "HOST",
                                        "--examiner", "Tester", "--quiet"])
        #expect(collect.status == 0, "\(collect.stderr)")
        let run = try Run.extriage(["analyze", bundle, "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        return try #require(object?["bundle"] as? [String: Any], "\(run.stderr)")
    }

    static var machine: String { ProcessInfo.processInfo.hostName }

    @Test func theLogsServerNameIsTheHostNotTheCollectingMachine() throws {
        let log = "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n"
            + "#Date: 2021-03-03T06:00:00.000Z\r\n#Fields: DateTime,RequestId,UrlStem,ClientIpAddress,ServerHostName,HttpStatus\r\n"
            + "2021-03-03T06:49:46.210Z,8aed55fb,/owa/,203.0.113.45,EXCH01,200\r\n"
        let bundle = try reportedBundle([Self.httpProxy: Array(log.utf8)])
        #expect(bundle["host"] as? String == "EXCH01")
        #expect(bundle["hostSource"] as? String == "HttpProxy/Ecp log ServerHostName field")
    }

    @Test func theEventLogsComputerFieldNamesTheHostWhenNoLogDoes() throws {
        let event = EvtxEvent(eventID: 7036, provider: "Service Control Manager", channel: "System", computer: "EXCH02.corp.local",
                              time: Timestamp(seconds: 1_614_754_186), data: [("param1", "Windows Update"), ("param2", "running")])
        let bundle = try reportedBundle(["Windows/System32/winevt/Logs/System.evtx": EvtxWriter.write([event])])
        #expect(bundle["host"] as? String == "EXCH02.corp.local")
        #expect(bundle["hostSource"] as? String == "event logs Computer field")
    }

    @Test func evidenceThatNamesNoHostSaysSoAndNeverGivesTheCollectingMachine() throws {
        let bundle = try reportedBundle(["inetpub/wwwroot/iisstart.htm": Array("<html></html>\n".utf8)])
        #expect(bundle["host"] == nil || bundle["host"] is NSNull, "host: \(String(describing: bundle["host"])), machine \(Self.machine)")
        #expect(bundle["hostSource"] as? String == "not in the evidence")
    }
}
