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

    static func event(_ sample: SigmaRuleExtras.SampleEvent, at offset: Int) -> EvtxEvent {
        EvtxEvent(eventID: UInt16(truncatingIfNeeded: sample.id), provider: sample.provider, channel: sample.channel, computer: computer,
                  time: Timestamp(seconds: 1_614_757_500 + Int64(offset)), level: sample.level, data: sample.data, userDataRoot: sample.userDataRoot)
    }
}

/// Every built-in Sigma rule fires on its positive sample events with the stated tier and stays
/// silent on its negative ones, read back from a real EVTX file through the engine.
@Suite struct SigmaRuleSampleTests {
    static let checks: [SigmaRuleCheck] = ((try? TestData.detection())?.sigma.builtIn) ?? []

    @Test func rulesLoad() throws {
        let checks = try TestData.detection().sigma.builtIn
        #expect(checks.count >= 24)
        for check in checks {
            #expect(FindingCategory.all.contains(check.extras.category))
            #expect(!check.extras.positive.isEmpty && !check.extras.negative.isEmpty, "\(check.id) has no samples")
        }
    }

    @Test(arguments: checks.map(\.id.rawValue))
    func samplesBehave(_ id: String) throws {
        let check = try #require(Self.checks.first { $0.id.rawValue == id })
        let positive = check.extras.positive, negative = check.extras.negative
        let events = positive.enumerated().map { EventHarness.event($0.element.event, at: $0.offset) }
            + negative.enumerated().map { EventHarness.event($0.element, at: 100 + $0.offset) }
        let found = try EventHarness.verdicts(events, checks: [check])
        for (index, sample) in positive.enumerated() {
            #expect(found[UInt64(index + 1)] == [sample.verdict], "\(id): positive sample \(index + 1) gave \(found[UInt64(index + 1)] ?? [])")
        }
        for index in negative.indices {
            let record = UInt64(positive.count + index + 1)
            #expect(found[record] == nil, "\(id): negative sample \(index + 1) matched \(found[record] ?? [])")
        }
    }

    @Test func findingsCarryRecordTimeComputerFieldsTechniqueAndCategory() throws {
        let check = try #require(Self.checks.first { !$0.extras.positive.isEmpty })
        let event = EventHarness.event(check.extras.positive[0].event, at: 0)
        let finding = try #require(try EventHarness.findings([event], checks: [check]).first)
        let evidence = try #require(finding.evidence.first)
        #expect(evidence.record == 1 && evidence.timestamp == event.time)
        #expect(evidence.details?["Computer"] == EventHarness.computer)
        #expect(evidence.details?["EventID"] == String(event.eventID))
        #expect(!finding.attack.isEmpty && finding.category == check.extras.category)
        #expect(evidence.member.hasSuffix(".evtx"))
    }
}
