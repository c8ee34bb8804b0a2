import Foundation
import Testing
import TestSupport

/// Web-shell detection through the real executable on the samples, and with external rule packs.
@Suite(.serialized) struct WebShellTests {
    static func findings(_ json: String) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return object?["findings"] as? [[String: Any]] ?? []
    }

    static func coverage(_ json: String) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return object?["coverage"] as? [[String: Any]] ?? []
    }

    /// Each shell of the compromised sample (including a UTF-16 page and a compiled App_Web dll)
    /// is one confirmed finding with its rule matches and its request history; its request-only
    /// EXT-C12 finding is merged, not repeated.
    @Test func theSampleShellsAreFoundWithEvidenceAndRequests() throws {
        let temp = try TemporaryDirectory()
        let bundle = try collectSample("exchange2016-compromised", into: temp)
        let run = try Run.extriage(["analyze", bundle, "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let findings = try WebShellTests.findings(run.stdout)
        let shells = findings.filter { $0["checkId"] as? String == "EXT-C10" }
        let names = shells.compactMap { ($0["title"] as? String)?.replacingOccurrences(of: "Web shell: ", with: "") }.sorted()
        #expect(names == ["App_Web_k4p2x9qz.dll", "RedirSuiteServerProxy.aspx", "discover.aspx", "errorEW.aspx",
                          "healthcheck.aspx.cdcab7d2.compiled", "qGtWmKzP.aspx"])
        // The compile record proves a drop-zone page was requested once: likely; the rest are shells.
        #expect(shells.filter { $0["verdict"] as? String == "confirmed" }.count == 5)
        #expect(shells.first { ($0["title"] as? String)?.hasSuffix(".compiled") == true }?["verdict"] as? String == "likely")
        // Two were never requested (a UTF-16 page among static resources, a compiled page whose
        // source is gone); the other three carry their request history.
        for shell in shells where !["Web shell: errorEW.aspx", "Web shell: App_Web_k4p2x9qz.dll",
                                    "Web shell: healthcheck.aspx.cdcab7d2.compiled"].contains(shell["title"] as? String ?? "") {
            #expect(shell["verdict"] as? String == "confirmed")
            let evidence = shell["evidence"] as? [[String: Any]] ?? []
            let details = evidence.first?["details"] as? [String: String] ?? [:]
            #expect(details["rules"]?.isEmpty == false)
            #expect(details["requests"]?.contains("POST answered 2xx") == true, "\(details)")
            #expect((evidence.first?["sha256"] as? String)?.count == 64)
            #expect(evidence.count > 1, "request lines are part of the evidence")
            #expect((shell["pivots"] as? [String: [String]])?["clientIp"] == ["203.0.113.45"])
        }
        let requestFindings = findings.filter { $0["checkId"] as? String == "EXT-C12" }.compactMap { $0["title"] as? String }
        #expect(!requestFindings.contains { $0.lowercased().contains("discover.aspx") || $0.lowercased().contains("qgtwmkzp") || $0.lowercased().contains("redirsuiteserverproxy") })
        #expect(requestFindings.contains("Requests to /aspnet_client/shell.aspx"), "404 probes for absent shells stay as attempts")
    }

    @Test func theCleanSampleHasNoWebShellFinding() throws {
        let temp = try TemporaryDirectory()
        let bundle = try collectSample("exchange2019-clean", into: temp)
        let run = try Run.extriage(["analyze", bundle, "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let flagged = try WebShellTests.findings(run.stdout).filter { ["EXT-C09", "EXT-C10"].contains($0["checkId"] as? String ?? "") }
        #expect(flagged.isEmpty, "\(flagged.map { $0["title"] ?? "" })")
        let scanned = try WebShellTests.coverage(run.stdout).first { $0["checkId"] as? String == "EXT-C10" }
        #expect((scanned?["members"] as? Int ?? 0) > 20)
    }

    /// An analyst's pack loads next to the built-in rules; a file with a syntax error is reported
    /// with file and line (where libyara noticed it) and skipped, or stops the run with --strict-rules.
    @Test func externalRulePacksLoadAndBadFilesAreReported() throws {
        let temp = try TemporaryDirectory()
        let bundle = try collectSample("exchange2016-compromised", into: temp)
        try temp.write("pack/nested/analyst.yar", """
            rule Analyst_Ananas_Parameter
            {
                meta:
                    description = "the Chopper password seen in this case"
                strings:
                    $p = "Ananas"
                condition:
                    $p and filename matches /\\.aspx$/
            }
            """)
        let broken = try temp.write("pack/broken.yara", "rule Broken {\n  strings: $a = \"x\"\n  condition: $b\n}\n")
        let run = try Run.extriage(["analyze", bundle, "--format", "json", "--rules", temp.path + "/pack"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("broken.yara:4:"), "\(run.stderr)")
        let shells = try WebShellTests.findings(run.stdout).filter { $0["checkId"] as? String == "EXT-C10" }
        let discover = try #require(shells.first { ($0["title"] as? String) == "Web shell: discover.aspx" })
        #expect((discover["pivots"] as? [String: [String]])?["yaraRule"]?.contains("Analyst_Ananas_Parameter") == true)
        let skipped = try WebShellTests.coverage(run.stdout).filter { $0["title"] as? String == "YARA rule file skipped" }
        #expect(skipped.count == 1)
        #expect((skipped.first?["reason"] as? String)?.contains(broken + ":4:") == true)

        let strict = try Run.extriage(["analyze", bundle, "--rules", temp.path + "/pack", "--strict-rules"])
        #expect(strict.status != 0)
        #expect(strict.stderr.contains("broken.yara:4:"), "\(strict.stderr)")

        let only = try Run.extriage(["analyze", bundle, "--format", "json", "--rules", temp.path + "/pack/nested", "--no-builtin-rules"])
        #expect(only.status == 0, "\(only.stderr)")
        let onlyShells = try WebShellTests.findings(only.stdout).filter { $0["checkId"] as? String == "EXT-C10" }
        #expect(onlyShells.compactMap { $0["title"] as? String } == ["Web shell: discover.aspx"], "\(onlyShells.map { $0["title"] ?? "" })")
        #expect(onlyShells.allSatisfy { (($0["pivots"] as? [String: [String]])?["yaraRule"] ?? []) == ["Analyst_Ananas_Parameter"] })

        let invalid = try Run.extriage(["analyze", bundle, "--no-builtin-rules"])
        #expect(invalid.status != 0)
        #expect(invalid.stderr.contains("--no-builtin-rules needs at least one --rules directory"))
    }
}
