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

    /// A 200 MB web file collected whole (a profile without the usual cap) is scanned over the
    /// first --scan-size-cap bytes, reported as scanned partially, and analyze's peak memory stays
    /// far below the file's size. The file is written in 1 MiB chunks and deleted with the folder.
    @Test func aHugeWebMemberIsScannedWithinTheCapAndMemoryStaysBounded() throws {
        let time = "/usr/bin/time"
        try #require(FileManager.default.isExecutableFile(atPath: time), "GNU time (/usr/bin/time) is needed: scripts/install-deps.sh installs it")
        let temp = try TemporaryDirectory()
        try temp.write("profiles/artifacts/test/big-web.yaml", """
            version: 1
            name: test.big-web
            description: every file under the web root, whole (test only)
            paths:
              - "inetpub/wwwroot/**/*"
            sizeCap: 512 MiB
            mode: content
            references:
              - "test"
            """)
        try temp.write("profiles/profiles/big-web.yaml", "version: 1\nname: big-web\ndescription: test\nartifacts:\n  - test.big-web\n")
        let big = try temp.write("tree/inetpub/wwwroot/app/huge.aspx", [])
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: big))
        let head = Array("<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"k\"],\"unsafe\");%>\n".utf8)
        let filler = Data(repeating: 0x20, count: 1 << 20)
        handle.write(Data(head + [UInt8](repeating: 0x20, count: (1 << 20) - head.count)))
        for _ in 1..<200 { handle.write(filler) }
        try handle.close()
        let bundle = temp.path + "/big.tar"
        let collect = try Run.extriage(["collect", "--source", temp.path + "/tree", "--output", bundle, "--case", "BIG", "--examiner", "t",
                                        "--profiles", temp.path + "/profiles", "--profile", "big-web", "--quiet"])
        #expect(collect.status == 0, "\(collect.stderr)")
        try FileManager.default.removeItem(atPath: big)
        let run = try Run.extriage(["analyze", bundle, "--format", "json", "--output", temp.path + "/r.json", "--scan-size-cap", "1MiB"],
                                   prefix: [time, "-f", "peak-rss-kb %M"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try String(contentsOfFile: temp.path + "/r.json", encoding: .utf8)
        let scanned = try WebShellTests.coverage(report).first { $0["checkId"] as? String == "EXT-C10" }
        #expect((scanned?["reason"] as? String)?.contains("1 scanned partially (first 1.0 MiB only): inetpub/wwwroot/app/huge.aspx") == true, "\(scanned ?? [:])")
        let shell = try WebShellTests.findings(report).first { $0["title"] as? String == "Web shell: huge.aspx" }
        let details = (shell?["evidence"] as? [[String: Any]])?.first?["details"] as? [String: String]
        #expect(details?["scan"] == "scanned partially: first 1048576 of 209715200 bytes")
        let peak = run.stderr.split(separator: "\n").last { $0.hasPrefix("peak-rss-kb ") }.flatMap { Int($0.dropFirst(12)) }
        let kilobytes = try #require(peak, "\(run.stderr)")
        #expect(kilobytes < 150_000, "analyze peaked at \(kilobytes) KB for a 200 MB member")
    }
}
