@testable import Detection
import ExTriageCore
import Foundation
import Testing
import TestSupport

@Suite struct AmsiBlockCheckTests {
    static let path = "Program Files/Microsoft/Exchange Server/V15/Logging/HttpRequestFiltering/HttpRequestFiltering_2022120509-1.log"

    @Test func detectedRequestsAreAttemptsWithTheirLines() throws {
        let log = "\u{FEFF}#Software: Microsoft Exchange Server\r\n#Fields: DateTime,Protocol,UrlStem,ScanResult\r\n"
            + "2022-12-05T09:14:02.110Z,Ecp,/ecp/Test-AbCdEfGhIj.js,NotDetected\r\n"
            + "2022-12-05T09:15:44.902Z,Autodiscover,/autodiscover/autodiscover.json,Detected\r\n"
        let findings = CheckHarness(members: [(Self.path, log)]).run([AmsiBlockCheck()])
        let finding = try #require(findings.first)
        #expect(findings.count == 1 && finding.verdict == .attempt)
        #expect(finding.evidence.map(\.line) == [4])
        #expect(finding.evidence.first?.timestamp == Timestamp(iso8601: "2022-12-05T09:15:44.902Z"))
    }

    @Test func nothingDetectedMeansNoFindingAndOtherLogsAreNotRead() {
        let clean = "#Fields: DateTime,UrlStem,ScanResult\r\n2022-12-05T09:14:02.110Z,/owa/,NotDetected\r\n"
        #expect(CheckHarness(members: [(Self.path, clean)]).run([AmsiBlockCheck()]).isEmpty)
        let elsewhere = "Program Files/Microsoft/Exchange Server/V15/Logging/OWA/owa.log"
        #expect(CheckHarness(members: [(elsewhere, "x,Detected\r\n")]).run([AmsiBlockCheck()]).isEmpty)
        // Damaged bytes: no crash, no finding; a quoted field still counts.
        #expect(CheckHarness(members: [(Self.path, "\u{0}\u{1}Detected\u{FFFD}")]).run([AmsiBlockCheck()]).isEmpty)
        #expect(CheckHarness(members: [(Self.path, "2022-12-05T09:15:44Z,\"Detected\"\r\n")]).run([AmsiBlockCheck()]).count == 1)
    }
}
