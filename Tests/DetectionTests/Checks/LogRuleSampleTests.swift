@testable import Detection
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Every YAML log rule fires on its positive samples with the stated tier and stays silent on
/// its negative ones; run through the same parser and pre-filter as a real analysis.
@Suite struct LogRuleSampleTests {
    static let rules: [LogRule] = (try? LogRuleLoader.load(directory: Repository.profiles + "/rules/logs")) ?? []

    @Test func rulesLoad() throws {
        let rules = try LogRuleLoader.load(directory: Repository.profiles + "/rules/logs")
        #expect(rules.count >= 8)
    }

    @Test(arguments: rules.map(\.id))
    func samplesBehave(_ id: String) throws {
        let rule = try #require(LogRuleSampleTests.rules.first { $0.id == id })
        let separator = rule.samples.fields.contains(",") ? "," : " "
        _ = separator
        for (line, verdict) in rule.samples.positive {
            let found = evaluate(rule, line)
            #expect(found == [verdict], "\(rule.id): positive sample gave \(found): \(line)")
        }
        for line in rule.samples.negative {
            let found = evaluate(rule, line)
            #expect(found.isEmpty, "\(rule.id): negative sample matched \(found): \(line)")
        }
    }

    func evaluate(_ rule: LogRule, _ line: String) -> [Verdict] {
        let text = "#Fields: \(rule.samples.fields)\n\(line)\n"
        let path = LogRuleSampleTests.samplePath(for: rule)
        let check = LogRuleCheck(rule: rule)
        let findings = CheckHarness(members: [(path, text)]).run([check])
        return findings.map(\.verdict)
    }

    /// A source path of the family the rule reads.
    static func samplePath(for rule: LogRule) -> String {
        let exchange = "Program Files/Microsoft/Exchange Server/V15/Logging/"
        switch rule.families.first ?? "" {
        case "iis", "iis-frontend": return LogText.w3svc1
        case "iis-backend": return LogText.w3svc2
        case "ecp-server": return exchange + "ECP/Server/ECPServer20210303-1.LOG"
        case "ecp-activity": return exchange + "ECP/Activity/ECPActivity_1_20210303-1.LOG"
        case "oab-generator": return exchange + "OABGeneratorLog/OABGenerator_20210303-1.LOG"
        case "rps-http": return exchange + "CmdletInfra/Powershell-Proxy/Http/Rps_Http_2022120709-1.LOG"
        case "rps-cmdlet": return exchange + "CmdletInfra/Powershell-Proxy/Cmdlet/Rps_Cmdlet_2022120709-1.LOG"
        case "httperr": return "Windows/System32/LogFiles/HTTPERR/httperr1.log"
        case let family where family.hasPrefix("httpproxy/"): return exchange + "HttpProxy/\(family.dropFirst(10))/HttpProxy_2021030306-1.LOG"
        default: return exchange + "HttpProxy/Ecp/HttpProxy_2021030306-1.LOG"
        }
    }

    @Test func brokenRulesAreRejectedWithFileAndKey() {
        let bad = """
            version: 1
            id: EXT-BAD
            title: t
            description: d
            families: [iis]
            needles: [x]
            where: {cs-uri-stem: '(unclosed'}
            verdicts: [{verdict: likely}]
            severity: high
            attack: [T1190]
            explanation: e
            samples: {fields: "a b", positive: [{line: "x y", verdict: likely}], negative: ["z"]}
            """
        #expect(throws: (any Error).self) { try LogRuleLoader.parse(bad, file: "bad.yaml") }
        #expect(throws: (any Error).self) { try LogRuleLoader.parse(bad.replacingOccurrences(of: "(unclosed", with: "ok") + "\ncolour: red", file: "bad.yaml") }
        #expect(throws: (any Error).self) { try LogRuleLoader.parse(bad.replacingOccurrences(of: "(unclosed", with: "ok").replacingOccurrences(of: "families: [iis]", with: "families: [nope]"), file: "bad.yaml") }
        #expect((try? LogRuleLoader.parse(bad.replacingOccurrences(of: "(unclosed", with: "ok"), file: "ok.yaml")) != nil)
    }
}
