@testable import Detection
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Every built-in YARA rule fires on each of its positive samples and stays silent on each
/// negative one (Samples/rules/yara/<rule>/{positive,negative}/), scanned through the same engine
/// and externals as an analysis; and every public built-in rule has samples.
@Suite struct YaraRuleSampleTests {
    static let sampleRoot = Repository.root + "/Samples/rules/yara"
    static let sampledRules: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: sampleRoot)) ?? []).sorted()

    static func builtinRules() throws -> YaraRules {
        try YaraRules.compile(builtin: try WebShellScanOptions.builtinRuleFiles(profiles: Repository.profiles), external: [], strict: true)
    }

    /// Rule names that matched one sample file, with externals derived from its name.
    static func matches(_ file: String, rules: YaraRules) throws -> Set<String> {
        let bytes = try #require(FileManager.default.contents(atPath: file))
        let scanner = try YaraScanner(rules: rules, timeoutSeconds: 10)
        let outcome = Array(bytes).withUnsafeBytes { raw in
            scanner.scan(raw, externals: YaraExternals(volume: "C", sourcePath: "inetpub/wwwroot/app/" + (file as NSString).lastPathComponent,
                                                       head: UnsafeRawBufferPointer(rebasing: raw.prefix(8))))
        }
        guard case .scanned(let found) = outcome else {
            Issue.record("scan of \(file) did not finish: \(outcome)")
            return []
        }
        return Set(found.map(\.rule))
    }

    @Test(arguments: sampledRules)
    func ruleFiresOnPositivesOnly(_ rule: String) throws {
        let rules = try YaraRuleSampleTests.builtinRules()
        let folder = YaraRuleSampleTests.sampleRoot + "/" + rule
        let positives = try FileManager.default.contentsOfDirectory(atPath: folder + "/positive").sorted()
        let negatives = try FileManager.default.contentsOfDirectory(atPath: folder + "/negative").sorted()
        #expect(!positives.isEmpty && !negatives.isEmpty, "\(rule) needs a positive and a negative sample")
        for name in positives {
            #expect(try YaraRuleSampleTests.matches(folder + "/positive/" + name, rules: rules).contains(rule), "\(rule) missed positive \(name)")
        }
        for name in negatives {
            #expect(!(try YaraRuleSampleTests.matches(folder + "/negative/" + name, rules: rules).contains(rule)), "\(rule) fired on negative \(name)")
        }
    }

    /// A rule without samples fails here; so does a sample folder for a rule that no longer exists.
    @Test func everyPublicRuleHasSamples() throws {
        var declared: Set<String> = []
        for file in try WebShellScanOptions.builtinRuleFiles(profiles: Repository.profiles) {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("rule ") {
                declared.insert(String(line.dropFirst(5).split(separator: " ").first ?? ""))
            }
        }
        #expect(declared.count >= 20)
        #expect(declared == Set(YaraRuleSampleTests.sampledRules), "without samples: \(declared.subtracting(YaraRuleSampleTests.sampledRules)); stale: \(Set(YaraRuleSampleTests.sampledRules).subtracting(declared))")
    }

    /// Each rule carries the metadata a finding shows.
    @Test func everyRuleHasDescriptionReferenceAndAttack() throws {
        let rules = try YaraRuleSampleTests.builtinRules()
        let folder = YaraRuleSampleTests.sampleRoot
        var seen: Set<String> = []
        for rule in YaraRuleSampleTests.sampledRules {
            let positive = try FileManager.default.contentsOfDirectory(atPath: folder + "/" + rule + "/positive").sorted()[0]
            let bytes = try #require(FileManager.default.contents(atPath: folder + "/" + rule + "/positive/" + positive))
            let scanner = try YaraScanner(rules: rules, timeoutSeconds: 10)
            let found = Array(bytes).withUnsafeBytes { scanner.scan($0, externals: YaraExternals(extension: "." + (positive as NSString).pathExtension)) }.matches
            let match = try #require(found.first { $0.rule == rule })
            #expect(match.meta["description"]?.isEmpty == false, "\(rule) has no description")
            #expect(match.meta["reference"]?.isEmpty == false, "\(rule) has no reference")
            #expect(match.meta["mitre_attack"]?.hasPrefix("T") == true, "\(rule) has no ATT&CK id")
            #expect(Verdict(rawValue: match.meta["verdict"] ?? "") != nil, "\(rule) has no verdict")
            seen.insert(rule)
        }
        #expect(seen.count == YaraRuleSampleTests.sampledRules.count)
    }
}
