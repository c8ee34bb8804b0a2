@testable import Detection
import EvidenceBundle
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Every web-shell finding says whether the request logs show the file being called: how often,
/// when and by whom, or that the logs covering a span show no request, or that there are none.
@Suite struct WebShellUsageTests {
    static let shell = "inetpub/wwwroot/aspnet_client/used.aspx"
    static let quiet = "inetpub/wwwroot/aspnet_client/quiet.aspx"

    static func findings(logs: [(String, String)]) throws -> [Finding] {
        let data = try TestData.detection()
        var harness = CheckHarness(members: logs, exchangeInstallPath: WebShellLocationTests.exchange)
        harness.entries = [WebShellLocationTests.entry(shell), WebShellLocationTests.entry(quiet)]
        return harness.run([WebShellRequestCheck(locations: data.webShells.locations), WebShellLocationCheck(locations: data.webShells.locations)])
    }

    static func finding(_ findings: [Finding], _ path: String) throws -> Finding {
        try #require(findings.first { $0.checkId == "EXT-C09" && $0.evidence.first?.originalPath == path })
    }

    @Test func aRequestedShellSaysHowOftenWhenAndByWhom() throws {
        let rows = [
            "2021-03-03 07:10:00 10.0.0.10 POST /aspnet_client/used.aspx - 443 - 203.0.113.9 antSword/v2.1 - 200 0 0 15",
            "2021-03-03 09:30:00 10.0.0.10 POST /aspnet_client/used.aspx - 443 - 198.51.100.4 antSword/v2.1 - 200 0 0 15",
            "2021-03-04 12:00:00 10.0.0.10 GET /owa/ - 443 - 192.0.2.1 Mozilla - 200 0 0 15",
        ]
        let findings = try Self.findings(logs: [(LogText.w3svc1, LogText.iis(rows))])
        let used = try #require(try Self.finding(findings, Self.shell).usage)
        #expect(used.status == .requested && used.requests == 2)
        #expect(used.first == Timestamp(iso8601: "2021-03-03T07:10:00Z") && used.last == Timestamp(iso8601: "2021-03-03T09:30:00Z"))
        #expect(used.clients == ["198.51.100.4", "203.0.113.9"])

        // The other shell was never called, in logs that cover 07:10 to the next day's noon.
        let quiet = try Self.finding(findings, Self.quiet)
        let never = try #require(quiet.usage)
        #expect(never.status == .notRequested && never.requests == 0)
        #expect(never.text == "no request in the logs that cover 2021-03-03T07:10:00Z–2021-03-04T12:00:00Z")
        #expect(quiet.explanation.contains(never.text))
    }

    @Test func withoutRequestLogsNothingIsClaimed() throws {
        let findings = try Self.findings(logs: [])
        let usage = try #require(try Self.finding(findings, Self.quiet).usage)
        #expect(usage.status == .noRequestLogs && usage.text == "no request logs collected")
    }
}
