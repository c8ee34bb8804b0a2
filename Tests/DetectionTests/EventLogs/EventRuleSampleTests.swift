@testable import Detection
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Runs event checks over real EVTX files written by `EvtxWriter`, the way the analyzer does
/// (member streaming, libevtx, the event-ID pre-filter), and returns each record's verdict.
struct EventHarness {
    static let computer = "EXCH01.corp.local"

    /// Verdicts by record number (records are numbered from 1 in the order given).
    static func verdicts(_ events: [EvtxEvent], checks: [any Check], logFindings: [Finding] = []) throws -> [UInt64: [Verdict]] {
        var out: [UInt64: [Verdict]] = [:]
        for finding in try findings(events, checks: checks, logFindings: logFindings) {
            for evidence in finding.evidence {
                if let record = evidence.record { out[UInt64(record), default: []].append(finding.verdict) }
            }
        }
        return out
    }

    static func findings(_ events: [EvtxEvent], checks: [any Check], logFindings: [Finding] = []) throws -> [Finding] {
        var harness = CheckHarness(logFindings: logFindings)
        // Consecutive events of one channel go to one file whose record numbers are their positions (1-based).
        var index = 0
        while index < events.count {
            let channel = events[index].channel
            var end = index
            while end < events.count, events[end].channel == channel { end += 1 }
            let name = (channel.isEmpty ? "Application" : channel.replacingOccurrences(of: "/", with: "%4")) + ".evtx"
            harness.binaryMembers.append(("Windows/System32/winevt/Logs/" + name, EvtxWriter.write(Array(events[index..<end]), firstRecord: UInt64(index + 1))))
            index = end
        }
        return harness.run(checks)
    }

    static func event(_ sample: EventRule.SampleEvent, at offset: Int) -> EvtxEvent {
        EvtxEvent(eventID: UInt16(truncatingIfNeeded: sample.id), provider: sample.provider, channel: sample.channel, computer: computer,
                  time: Timestamp(seconds: 1_614_757_500 + Int64(offset)), level: sample.level, data: sample.data, userDataRoot: sample.userDataRoot)
    }
}

/// Every YAML event rule fires on its positive sample events with the stated tier and stays
/// silent on its negative ones, read back from a real EVTX file.
@Suite struct EventRuleSampleTests {
    static let rules: [EventRule] = (try? EventRuleLoader.load(directory: Repository.profiles + "/rules/events")) ?? []

    @Test func rulesLoad() throws {
        let rules = try EventRuleLoader.load(directory: Repository.profiles + "/rules/events")
        #expect(rules.count >= 20)
        for rule in rules { #expect(FindingCategory.all.contains(rule.category)) }
    }

    @Test(arguments: rules.map(\.id))
    func samplesBehave(_ id: String) throws {
        let rule = try #require(Self.rules.first { $0.id == id })
        let events = rule.positive.enumerated().map { EventHarness.event($0.element.event, at: $0.offset) }
            + rule.negative.enumerated().map { EventHarness.event($0.element, at: 100 + $0.offset) }
        let found = try EventHarness.verdicts(events, checks: [EventRuleCheck(rule: rule)])
        for (index, sample) in rule.positive.enumerated() {
            #expect(found[UInt64(index + 1)] == [sample.verdict], "\(rule.id): positive sample \(index + 1) gave \(found[UInt64(index + 1)] ?? [])")
        }
        for index in rule.negative.indices {
            let record = UInt64(rule.positive.count + index + 1)
            #expect(found[record] == nil, "\(rule.id): negative sample \(index + 1) matched \(found[record] ?? [])")
        }
    }

    @Test func findingsCarryRecordTimeComputerFieldsTechniqueAndCategory() throws {
        let rule = try #require(Self.rules.first { !$0.positive.isEmpty })
        let event = EventHarness.event(rule.positive[0].event, at: 0)
        let finding = try #require(try EventHarness.findings([event], checks: [EventRuleCheck(rule: rule)]).first)
        let evidence = try #require(finding.evidence.first)
        #expect(evidence.record == 1 && evidence.timestamp == event.time)
        #expect(evidence.details?["Computer"] == EventHarness.computer)
        #expect(evidence.details?["EventID"] == String(event.eventID))
        #expect(!finding.attack.isEmpty && finding.category == rule.category)
        #expect(evidence.member.hasSuffix(".evtx"))
    }

    @Test func brokenRulesAreRejectedWithFileAndKey() {
        let good = """
            version: 1
            id: EVT-T
            title: t
            description: d
            category: credential-access
            events: {ids: [1], providers: [Microsoft-Windows-Sysmon]}
            where: {CommandLine: {contains: [procdump]}}
            verdicts: [{verdict: likely}]
            severity: high
            attack: [T1003.001]
            explanation: e
            samples:
              positive: [{event: {id: 1, data: {CommandLine: procdump -ma lsass}}, verdict: likely}]
              negative: [{id: 1, data: {CommandLine: notepad}}]
            """
        #expect((try? EventRuleLoader.parse(good, file: "ok.yaml")) != nil)
        #expect(throws: (any Error).self) { try EventRuleLoader.parse(good.replacingOccurrences(of: "contains:", with: "includes:"), file: "bad.yaml") }
        #expect(throws: (any Error).self) { try EventRuleLoader.parse(good.replacingOccurrences(of: "credential-access", with: "stuff"), file: "bad.yaml") }
        #expect(throws: (any Error).self) { try EventRuleLoader.parse(good.replacingOccurrences(of: "attack: [T1003.001]", with: ""), file: "bad.yaml") }
        #expect(throws: (any Error).self) { try EventRuleLoader.parse(good + "\ncolour: red", file: "bad.yaml") }
    }
}
