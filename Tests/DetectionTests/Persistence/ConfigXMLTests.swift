@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// A configuration file that is not well formed is read up to where it breaks, and the check says
/// so in its coverage instead of reporting a clean read.
@Suite struct ConfigXMLTests {
    typealias F = PersistenceFixtures

    @Test func aWellFormedFileHasNoBreak() {
        let read = ConfigXML.read(Array("<?xml version=\"1.0\"?>\n<configuration>\n  <add name=\"a\"/>\n</configuration>\n".utf8))
        #expect(read.elements.map(\.name) == ["configuration", "add"])
        #expect(read.brokenAt == nil)
    }

    @Test func aCutOrBrokenFileGivesTheLineWhereReadingStopped() {
        let cut = ConfigXML.read(Array("<configuration>\n  <add name=\"a\"/>\n  <add name=\"b\" image=\"C:\\x".utf8))
        #expect(cut.elements.map { $0["name"] } == [nil, "a"])
        #expect(cut.brokenAt == 3)
        let unclosed = ConfigXML.read(Array("<configuration>\n<agents>\n<agent name=\"x\"/>\n".utf8))
        #expect(unclosed.elements.count == 3 && unclosed.brokenAt == 4)
        let comment = ConfigXML.read(Array("<a/>\n<!-- never closed".utf8))
        #expect(comment.brokenAt == 2)
        let noXML = ConfigXML.read([0x00, 0xFF, 0x13, 0x80, 0x41])
        #expect(noXML.elements.isEmpty && noXML.brokenAt == 1)
        #expect(ConfigXML.read([]).brokenAt == nil)
    }

    @Test func theCheckNamesACutAgentsConfigInItsCoverage() throws {
        let full = F.agentsConfig(F.microsoftAgents)
        let cut = String(full.prefix(full.count / 2))
        let harness = CheckHarness(members: [(sourcePath: F.agentsConfigPath, text: cut)], exchangeInstallPath: F.exchange)
        let result = harness.result([TransportAgentCheck(points: try F.points())])
        let row = try #require(result.coverage.first { $0.checkId == "HOST-TRANSPORT-AGENT" })
        #expect(row.reason?.contains("not well formed") == true)
        #expect(row.reason?.contains(F.agentsConfigPath) == true)
        #expect(row.malformed == 1)

        let whole = CheckHarness(members: [(sourcePath: F.agentsConfigPath, text: full)], exchangeInstallPath: F.exchange)
            .result([TransportAgentCheck(points: try F.points())])
        #expect(whole.coverage.first { $0.checkId == "HOST-TRANSPORT-AGENT" }?.reason == nil)
    }
}
