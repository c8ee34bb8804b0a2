import Foundation
@testable import Sigma
import Testing

/// Correlation rules: loading, references by id and name, and the accumulator.
struct SigmaCorrelationTests {
    static let base = """
    title: Failed logon
    id: 5638f7c0-ac70-491d-8465-2a65075e0d86
    name: failed_logon
    logsource: {product: windows, service: security}
    detection: {selection: {EventID: 4625}, condition: selection}
    ---
    title: Successful logon
    id: s1
    name: successful_logon
    logsource: {product: windows, service: security}
    detection: {selection: {EventID: 4624}, condition: selection}
    """

    func set(_ correlation: String) throws -> SigmaRuleSet { try Fixture.ruleSet(Self.base + "\n---\n" + correlation) }

    func at(_ seconds: Double) -> Date { Date(timeIntervalSince1970: 1_600_000_000 + seconds) }

    @Test func eventCountFiresPerGroupWithinTheTimespan() throws {
        let set = try set("""
        title: Many failed logons
        id: c-count
        level: high
        correlation:
            type: event_count
            rules: [5638f7c0-ac70-491d-8465-2a65075e0d86]
            group-by: [TargetUserName]
            timespan: 10m
            condition: {gte: 3}
        """)
        #expect(set.correlations.map(\.id) == ["c-count"])
        #expect(set.correlatedRuleIDs == ["5638f7c0-ac70-491d-8465-2a65075e0d86"])
        let failed = try #require(set.rules.first)
        var correlator = SigmaCorrelator(set)
        var hits: [SigmaCorrelationHit] = []
        hits += correlator.observe(rule: failed, at: at(0), event: Fixture.event(["TargetUserName": "alice"]))
        hits += correlator.observe(rule: failed, at: at(60), event: Fixture.event(["TargetUserName": "bob"]))
        hits += correlator.observe(rule: failed, at: at(120), event: Fixture.event(["TargetUserName": "Alice"]))
        #expect(hits.isEmpty)
        hits += correlator.observe(rule: failed, at: at(700), event: Fixture.event(["TargetUserName": "alice"]))
        #expect(hits.isEmpty, "the first alice event is older than 10 minutes by now")
        hits += correlator.observe(rule: failed, at: at(710), event: Fixture.event(["TargetUserName": "alice"]))
        #expect(hits.count == 1)
        let hit = try #require(hits.first)
        #expect(hit.correlationID == "c-count")
        #expect(hit.level == "high")
        #expect(hit.group == ["TargetUserName": "alice"])
        #expect(hit.count == 3)
        #expect(hit.first == at(120))
        #expect(hit.last == at(710))
        let again = correlator.observe(rule: failed, at: at(720), event: Fixture.event(["TargetUserName": "alice"]))
        #expect(again.isEmpty, "a fired window starts over")
        #expect(correlator.observe(rule: failed, at: at(730), event: Fixture.event([:])).isEmpty, "no group value: not counted")
    }

    @Test func valueCountCountsDistinctValues() throws {
        let set = try set("""
        title: Password spray
        id: c-values
        correlation:
            type: value_count
            rules: [failed_logon]
            group-by: [IpAddress]
            timespan: 1h
            condition: {field: TargetUserName, gt: 2}
        """)
        let failed = set.rules[0]
        var correlator = SigmaCorrelator(set)
        var fired: [SigmaCorrelationHit] = []
        for (offset, user) in ["a", "b", "A", "b", "c"].enumerated() {
            fired += correlator.observe(rule: failed, at: at(Double(offset)), event: Fixture.event(["IpAddress": "10.0.0.9", "TargetUserName": user]))
        }
        #expect(fired.count == 1)
        #expect(fired.first?.count == 5)
        #expect(fired.first?.group == ["IpAddress": "10.0.0.9"])
    }

    @Test func temporalAndTemporalOrdered() throws {
        let yaml = """
        title: Fail then success
        id: c-ordered
        correlation:
            type: temporal_ordered
            rules: [failed_logon, successful_logon]
            group-by: [TargetUserName]
            timespan: 5m
        ---
        title: Both in any order
        id: c-temporal
        correlation:
            type: temporal
            rules: [successful_logon, failed_logon]
            group-by: [TargetUserName]
            timespan: 5m
        """
        let set = try set(yaml)
        let failed = set.rules[0], success = set.rules[1]
        var correlator = SigmaCorrelator(set)
        let user = Fixture.event(["TargetUserName": "bob"])
        #expect(correlator.observe(rule: success, at: at(0), event: user).isEmpty)
        let first = correlator.observe(rule: failed, at: at(10), event: user)
        #expect(first.map(\.correlationID) == ["c-temporal"], "success then failure is not the ordered sequence")
        let second = correlator.observe(rule: success, at: at(20), event: user)
        #expect(second.map(\.correlationID) == ["c-ordered"])
        #expect(second.first?.ruleIDs == ["s1", "5638f7c0-ac70-491d-8465-2a65075e0d86"], "every rule in the window, in time order")
    }

    @Test func chainsAndWindowEndConditions() throws {
        let yaml = """
        title: Few failures
        id: c-few
        name: few_failures
        correlation:
            type: event_count
            rules: [failed_logon]
            group-by: [TargetUserName]
            timespan: 1m
            condition: {gte: 2}
        ---
        title: Failures then success
        id: c-chain
        correlation:
            type: temporal_ordered
            rules: [few_failures, successful_logon]
            group-by: [TargetUserName]
            timespan: 10m
        ---
        title: Exactly one failure
        id: c-exactly-one
        correlation:
            type: event_count
            rules: [failed_logon]
            group-by: [TargetUserName]
            timespan: 1m
            condition: {eq: 1}
        """
        let set = try set(yaml)
        let failed = set.rules[0], success = set.rules[1]
        var correlator = SigmaCorrelator(set)
        let carol = Fixture.event(["TargetUserName": "carol"])
        var hits = correlator.observe(rule: failed, at: at(0), event: carol)
        hits += correlator.observe(rule: failed, at: at(5), event: carol)
        #expect(hits.map(\.correlationID) == ["c-few"])
        hits = correlator.observe(rule: success, at: at(30), event: carol)
        #expect(hits.map(\.correlationID) == ["c-chain"])
        _ = correlator.observe(rule: failed, at: at(200), event: Fixture.event(["TargetUserName": "dave"]))
        #expect(correlator.finish().map(\.correlationID).contains("c-exactly-one"))
    }

    @Test func aliasesMapGroupFieldsPerRule() throws {
        let set = try set("""
        title: Same host both ways
        id: c-alias
        correlation:
            type: temporal
            rules: [failed_logon, successful_logon]
            group-by: [host]
            timespan: 1m
            aliases:
                host:
                    failed_logon: IpAddress
                    successful_logon: WorkstationName
        """)
        var correlator = SigmaCorrelator(set)
        #expect(correlator.observe(rule: set.rules[0], at: at(0), event: Fixture.event(["IpAddress": "ws01"])).isEmpty)
        let hits = correlator.observe(rule: set.rules[1], at: at(1), event: Fixture.event(["WorkstationName": "WS01"]))
        #expect(hits.map(\.group) == [["host": "ws01"]])
    }

    @Test func unsupportedCorrelationsAreSkipped() throws {
        let yaml = Self.base + """

        ---
        title: Sum
        id: c-sum
        correlation: {type: value_sum, rules: [failed_logon], group-by: [a], timespan: 1h, condition: {field: b, gt: 1}}
        ---
        title: Unknown rule
        id: c-unknown
        correlation: {type: event_count, rules: [nope], group-by: [a], timespan: 1h, condition: {gt: 1}}
        ---
        title: Bad span
        id: c-span
        correlation: {type: event_count, rules: [failed_logon], group-by: [a], timespan: soon, condition: {gt: 1}}
        """
        let set = try Fixture.ruleSet(yaml, strict: false)
        #expect(set.correlations.isEmpty)
        #expect(set.skipped.map(\.id) == ["c-sum", "c-span", "c-unknown"])
        #expect(set.skipped[0].reason.hasPrefix("correlation type 'value_sum' is not supported"))
        #expect(set.skipped[2].reason == "correlation refers to rules that are not loaded: nope")
        #expect(SigmaCorrelation.parseTimespan("90m") == 5400)
        #expect(SigmaCorrelation.parseTimespan("2d") == 172_800)
    }
}
