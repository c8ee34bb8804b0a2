@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// A log cleared by an admin with nothing else going on stays informational; beside an intrusion it counts.
@Suite struct CorroborationTests {
    static func finding(_ check: CheckID, _ verdict: Verdict) -> Finding {
        Finding(checkId: check, title: "t", severity: .high, verdict: verdict, evidence: [], explanation: "Why.")
    }

    @Test func anUncorroboratedLogClearIsInformationalAndSaysWhy() {
        let rules = [NeedsCorroboration(check: "EVT-AF-LOG-CLEARED", alone: .informational)]
        let alone = Corroboration.apply([Self.finding("EVT-AF-LOG-CLEARED", .likely), Self.finding("EXT-C01", .informational)], rules: rules)
        #expect(alone[0].verdict == .informational)
        #expect(alone[0].explanation.contains("Nothing else in this bundle is above informational"))
        let beside = Corroboration.apply([Self.finding("EVT-AF-LOG-CLEARED", .likely), Self.finding("EXT-C10", .attempt)], rules: rules)
        #expect(beside[0].verdict == .likely && beside[0].explanation == "Why.")
    }

    /// Two checks that both need company do not vouch for each other.
    @Test func checksThatNeedCorroborationDoNotCorroborateEachOther() {
        let rules = [NeedsCorroboration(check: "A", alone: .informational), NeedsCorroboration(check: "B", alone: .attempt)]
        let out = Corroboration.apply([Self.finding("A", .likely), Self.finding("B", .likely)], rules: rules)
        #expect(out.map(\.verdict) == [.informational, .attempt])
    }

    /// The built-in log-clearing rule declares it, through its Sigma rule's `extriage: alone:`.
    @Test func theLogClearingRuleNeedsCorroboration() throws {
        let check = try #require(try TestData.detection().sigma.builtIn.first { $0.id == "EVT-AF-LOG-CLEARED" })
        #expect(check.extras.alone == .informational)
        let event = EventHarness.event(try #require(check.extras.positive.first).event, at: 0)
        var harness = CheckHarness()
        harness.binaryMembers = [("Windows/System32/winevt/Logs/Security.evtx", EvtxWriter.write([event], firstRecord: 1))]
        let result = harness.result([check])
        #expect(result.exhibits.compactMap { $0 as? NeedsCorroboration }.map(\.check) == ["EVT-AF-LOG-CLEARED"])
    }
}
