import ExTriageCore
import Foundation
@testable import Sigma
import Testing

/// Loading: metadata and tags, files and folders, skips and strict mode, rule collections,
/// filters, duplicates, describe().
struct SigmaLoaderTests {
    static let fullRule = """
    title: Exchange Worker Spawns Shell
    id: 11111111-1111-4111-8111-111111111111
    name: w3wp_shell
    status: experimental
    level: High
    description: w3wp.exe starting cmd.exe
    author: test
    references:
        - https://example.invalid/proxylogon
    tags:
        - attack.persistence
        - attack.t1505.003
        - attack.T1190
        - attack.g0125
        - attack.initial_access
        - cve.2021-26855
        - cve.2021.27065
        - detection.emerging-threats
    logsource:
        category: process_creation
        product: windows
    detection:
        selection:
            ParentImage|endswith: '\\w3wp.exe'
            Image|endswith: '\\cmd.exe'
        condition: selection
    fields:
        - CommandLine
    falsepositives:
        - Admin scripts
    """

    @Test func metadataAndTags() throws {
        let rule = try #require(try Fixture.ruleSet(Self.fullRule).rules.first)
        #expect(rule.id == "11111111-1111-4111-8111-111111111111")
        #expect(rule.name == "w3wp_shell")
        #expect(rule.title == "Exchange Worker Spawns Shell")
        #expect(rule.status == "experimental")
        #expect(rule.level == "high")
        #expect(rule.description == "w3wp.exe starting cmd.exe")
        #expect(rule.references == ["https://example.invalid/proxylogon"])
        #expect(rule.techniques == ["T1505.003", "T1190"])
        #expect(rule.tactics == ["persistence", "initial-access"])
        #expect(rule.cves == ["CVE-2021-26855", "CVE-2021-27065"])
        #expect(rule.tags.count == 8)
        #expect(rule.fields == ["CommandLine"])
        #expect(rule.falsePositives == ["Admin scripts"])
        #expect(rule.logsource == SigmaLogSource(product: "windows", category: "process_creation"))
        #expect(rule.channels == ["Microsoft-Windows-Sysmon/Operational", "Security"])
        #expect(rule.eventIDs(channel: "Security") == [4688])
        #expect(rule.file == "inline.yml")
        #expect(rule.conditionText == "selection")
    }

    @Test func filesAndFoldersRecursively() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sigma-load-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Self.fullRule.write(to: folder.appendingPathComponent("sub/a.yml"), atomically: true, encoding: .utf8)
        try Self.fullRule.replacingOccurrences(of: "11111111-1111-4111-8111-111111111111", with: "b")
            .replacingOccurrences(of: "w3wp_shell", with: "other")
            .write(to: folder.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        try "not: [valid".write(to: folder.appendingPathComponent("c.yml"), atomically: true, encoding: .utf8)
        try "ignored".write(to: folder.appendingPathComponent("readme.md"), atomically: true, encoding: .utf8)
        let set = try SigmaRuleSet.load(paths: [folder.path])
        #expect(set.rules.map(\.id) == ["b", "11111111-1111-4111-8111-111111111111"])
        #expect(set.skipped.count == 1)
        #expect(set.skipped.first?.file.hasSuffix("/c.yml") == true)
        #expect(set.skipped.first?.reason.hasPrefix("is not valid YAML") == true)
        #expect(throws: ExTriageError.self) { try SigmaRuleSet.load(paths: [folder.path], strict: true) }
        let single = try SigmaRuleSet.load(paths: [folder.appendingPathComponent("b.yaml").path], strict: true)
        #expect(single.rules.count == 1)
        #expect(throws: ExTriageError.self) { try SigmaRuleSet.load(paths: [folder.appendingPathComponent("missing").path]) }
    }

    @Test func skipsNameTheFileAndTheReason() throws {
        let yaml = """
        title: Linux thing
        id: l1
        logsource: {product: linux, service: auditd}
        detection: {selection: {a: b}, condition: selection}
        ---
        title: No detection
        id: n1
        logsource: {product: windows, service: security}
        ---
        title: Duplicate
        id: l2
        logsource: {product: windows, service: system}
        detection: {selection: {EventID: 7045}, condition: selection}
        ---
        title: Duplicate again
        id: L2
        logsource: {product: windows, service: system}
        detection: {selection: {EventID: 7045}, condition: selection}
        """
        let set = try Fixture.ruleSet(yaml, strict: false)
        #expect(set.rules.map(\.id) == ["l2"])
        #expect(set.skipped.map(\.reason) == [
            "logsource 'product=linux service=auditd' is not mapped to any channel or log",
            "not a Sigma rule, correlation or filter (no detection, correlation or filter section)",
            "duplicate id (first in inline.yml)",
        ])
        #expect(set.skipped.map(\.id) == ["l1", "n1", "L2"])
        let rows = set.describe()
        #expect(rows.count == 4)
        #expect(rows.filter { $0.status == .loaded }.map(\.id) == ["l2"])
        #expect(rows.first { $0.id == "l1" }?.status.description == "unsupported: logsource 'product=linux service=auditd' is not mapped to any channel or log")
        #expect(rows.allSatisfy { $0.file == "inline.yml" })
        #expect(set.skipReasonSummary().first?.count == 1)
    }

    @Test func ruleCollectionsWithActionGlobal() throws {
        let yaml = """
        action: global
        title: Suspicious service
        status: test
        level: medium
        logsource:
            product: windows
        detection:
            selection:
                ServiceName: 'evil'
            condition: selection
        ---
        id: c-system
        logsource:
            service: system
        detection:
            selection:
                EventID: 7045
        ---
        id: c-security
        logsource:
            service: security
        detection:
            selection:
                EventID: 4697
        """
        let set = try Fixture.ruleSet(yaml)
        #expect(set.rules.map(\.id) == ["c-system", "c-security"])
        #expect(set.rules.map(\.title) == ["Suspicious service", "Suspicious service"])
        #expect(set.rules.map { $0.channels } == [["System"], ["Security"]])
        let system = set.rules[0]
        #expect(system.hits(["EventID": "7045", "ServiceName": "EVIL"]))
        #expect(!system.hits(["EventID": "7045", "ServiceName": "good"]))
        #expect(system.eventIDs(channel: "System") == [7045])
    }

    @Test func filtersDropMatchesOfTheRulesTheyName() throws {
        let yaml = Self.fullRule + """

        ---
        title: Known admin tool
        id: f1
        logsource: {category: process_creation, product: windows}
        filter:
            rules:
                - w3wp_shell
            selection:
                CommandLine|contains: 'healthcheck.cmd'
            condition: selection
        """
        let set = try Fixture.ruleSet(yaml)
        #expect(set.filters.map(\.id) == ["f1"])
        let rule = try #require(set.rules.first)
        #expect(rule.hits(["ParentImage": "c:\\w3wp.exe", "Image": "c:\\cmd.exe", "CommandLine": "cmd /c whoami"]))
        #expect(!rule.hits(["ParentImage": "c:\\w3wp.exe", "Image": "c:\\cmd.exe", "CommandLine": "cmd /c healthcheck.cmd"]))
        #expect(set.describe().contains { $0.kind == .filter && $0.id == "f1" })
    }
}
