@testable import Detection
import EvidenceBundle
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Location and allow-list verdicts from the manifest alone, and the one-finding-per-file
/// scoring that merges content, location and requests.
@Suite struct WebShellLocationTests {
    static let exchange = "Program Files/Microsoft/Exchange Server/V15"
    static let owaAuth = exchange + "/FrontEnd/HttpProxy/owa/auth/"

    static func entry(_ path: String, size: UInt64 = 100, modified: String = "2020-06-01T10:00:00Z", flags: [String]? = nil) -> Manifest.Entry {
        var entry = Manifest.Entry(path: "evidence/C/" + path, sourcePath: path, sourcePathHex: nil, volume: "C", size: size,
                                   digests: ContentHasher.digests(of: Array(path.utf8)),
                                   times: (Timestamp(iso8601: modified), nil, nil, Timestamp(iso8601: modified)),
                                   artifact: "test", status: .collected, reason: nil, stored: nil)
        entry.flags = flags
        return entry
    }

    static func manifest(_ entries: [Manifest.Entry]) -> Manifest {
        var manifest = CheckHarness(bundleFiles: [], exchangeInstallPath: exchange).manifest()
        manifest.entries = entries
        return manifest
    }

    static func notes(_ entries: [Manifest.Entry], for path: String) throws -> [LocationNote] {
        let facts = BundleFacts(manifest: manifest(entries))
        let verdicts = LocationVerdicts(list: try TestData.detection().webShells.locations, facts: facts)
        return entries.first { $0.sourcePath == path }.map(verdicts.notes(for:)) ?? []
    }

    @Test func dropZonesFlagUnknownScriptsAndSpareKnownFiles() throws {
        let files = [
            "inetpub/wwwroot/aspnet_client/system_web/4_0_30319/x.aspx",
            "inetpub/wwwroot/aspnet_client/readme.txt",
            WebShellLocationTests.exchange + "/FrontEnd/HttpProxy/ecp/auth/TimeoutLogoff.aspx",
            WebShellLocationTests.exchange + "/FrontEnd/HttpProxy/ecp/auth/y.aspx",
            WebShellLocationTests.owaAuth + "logon.aspx",
            WebShellLocationTests.owaAuth + "shell.aspx",
            WebShellLocationTests.owaAuth + "Current/themes/resources/logon.css",
            WebShellLocationTests.owaAuth + "Current/scripts/x.aspx",
            WebShellLocationTests.owaAuth + "15.1.2176/scripts/premium/flogon.js",
            WebShellLocationTests.exchange + "/FrontEnd/HttpProxy/OAB/log.aspx",
            WebShellLocationTests.exchange + "/FrontEnd/HttpProxy/ecp/default.aspx",
        ].map { WebShellLocationTests.entry($0) }
        func tier(_ path: String) -> Verdict? { (try? WebShellLocationTests.notes(files, for: path))?.map(\.verdict).max() }
        #expect(tier("inetpub/wwwroot/aspnet_client/system_web/4_0_30319/x.aspx") == .likely)
        #expect(tier("inetpub/wwwroot/aspnet_client/readme.txt") == .informational)
        #expect(tier(WebShellLocationTests.exchange + "/FrontEnd/HttpProxy/ecp/auth/TimeoutLogoff.aspx") == nil)
        #expect(tier(WebShellLocationTests.exchange + "/FrontEnd/HttpProxy/ecp/auth/y.aspx") == .likely)
        #expect(tier(WebShellLocationTests.owaAuth + "logon.aspx") == nil)
        #expect(tier(WebShellLocationTests.owaAuth + "shell.aspx") == .likely)
        #expect(try WebShellLocationTests.notes(files, for: WebShellLocationTests.owaAuth + "shell.aspx").contains { $0.text.contains("incident reports") })
        #expect(tier(WebShellLocationTests.owaAuth + "Current/themes/resources/logon.css") == nil)
        #expect(tier(WebShellLocationTests.owaAuth + "Current/scripts/x.aspx") == .likely)
        #expect(tier(WebShellLocationTests.owaAuth + "15.1.2176/scripts/premium/flogon.js") == nil)
        #expect(tier(WebShellLocationTests.exchange + "/FrontEnd/HttpProxy/OAB/log.aspx") == .likely)
        #expect(tier(WebShellLocationTests.exchange + "/FrontEnd/HttpProxy/ecp/default.aspx") == nil)
    }

    @Test func lookAlikeNamesTimesAndAttributesAreNoted() throws {
        let lookAlike = WebShellLocationTests.owaAuth + "RedirSuiteServerProxy.aspx"
        let late = WebShellLocationTests.exchange + "/ClientAccess/ecp/Custom.aspx"
        let hidden = "inetpub/wwwroot/app/page.aspx"
        let files = [
            WebShellLocationTests.entry(lookAlike),
            WebShellLocationTests.entry(WebShellLocationTests.exchange + "/ClientAccess/ecp/default.aspx", modified: "2020-09-01T00:00:00Z"),
            WebShellLocationTests.entry(WebShellLocationTests.exchange + "/ClientAccess/ecp/web.config", modified: "2020-09-01T00:00:00Z"),
            WebShellLocationTests.entry(late, modified: "2021-03-03T07:00:00Z"),
            WebShellLocationTests.entry(hidden, flags: ["hidden", "system"]),
            WebShellLocationTests.entry("inetpub/wwwroot/aspnet_client/system_web/4_0_30319/.gitkeep", size: 0),
        ]
        let twin = try WebShellLocationTests.notes(files, for: lookAlike)
        #expect(twin.contains { $0.text.contains("looks like Exchange's RedirSuiteServiceProxy.aspx") })
        #expect(twin.map(\.verdict).max() == .likely)
        let timed = try WebShellLocationTests.notes(files, for: late)
        #expect(timed.map(\.text) == ["modified 183 days after the newest other file in its folder, during the ProxyLogon (HAFNIUM and followers) window"])
        #expect(timed.first?.verdict == .informational)
        #expect(try WebShellLocationTests.notes(files, for: hidden).map(\.text) == ["has the hidden+system attribute (attrib +h +s hides shells)"])
        #expect(try WebShellLocationTests.notes(files, for: "inetpub/wwwroot/aspnet_client/system_web/4_0_30319/.gitkeep").isEmpty)
        #expect(EditDistance.between(Array("timeoutlogoff.aspx".utf8), Array("timeoutlogout.aspx".utf8), limit: 2) == 2)
        #expect(EditDistance.between(Array("logon.aspx".utf8), Array("shell90.aspx".utf8), limit: 2) == 3)
    }

    /// A file whose hash Microsoft published is confirmed by the location check, wherever it is.
    @Test func aPublishedShellHashIsConfirmed() throws {
        var entry = WebShellLocationTests.entry("Windows/Temp/x.bin")
        entry.sha256 = "2b6f1ebb2208e93ade4a6424555d6a8341fd6d9f60c25e44afe11008f5c1aad1"
        let findings = CheckHarness(entries: [entry]).run([WebShellLocationCheck(locations: try TestData.detection().webShells.locations)])
        let finding = try #require(findings.first)
        #expect(finding.verdict == .confirmed)
        #expect(finding.explanation.contains("Microsoft published"))
        #expect(try TestData.detection().webShells.locations.knownShellHashes.count == 8)
    }

    /// A script file written while the logs show the attack is noted, even outside drop zones.
    @Test func aScriptWrittenDuringTheObservedAttackIsNoted() throws {
        let path = "inetpub/wwwroot/app/report.aspx"
        let files = [WebShellLocationTests.entry(path, modified: "2021-03-03T07:30:00Z"),
                     WebShellLocationTests.entry("inetpub/wwwroot/app/other.aspx", modified: "2021-03-03T07:30:00Z")]
        let evidence = Evidence(member: "evidence/C/x.log", originalPath: "x.log", line: 1, timestamp: Timestamp(iso8601: "2021-03-03T07:02:37Z"),
                                excerpt: "POST", sha256: "")
        let attack = Finding(checkId: "EXT-C03", title: "SSRF", severity: .critical, verdict: .confirmed, evidence: [evidence], explanation: "")
        let window = try #require(LocationVerdicts.observedWindow([attack]))
        let facts = BundleFacts(manifest: WebShellLocationTests.manifest(files))
        let verdicts = LocationVerdicts(list: try TestData.detection().webShells.locations, facts: facts, observed: window)
        let notes = verdicts.notes(for: files[0])
        #expect(notes.map(\.text) == ["modified 2021-03-03T07:30:00Z, during the attack seen in the logs (2021-03-03T07:02:37Z to 2021-03-03T07:02:37Z)"])
        #expect(notes.first?.verdict == .informational)
        #expect(LocationVerdicts(list: try TestData.detection().webShells.locations, facts: facts).notes(for: files[0]).isEmpty)
        #expect(LocationVerdicts.observedWindow([]) == nil)
        // A security update rewrites many files of a folder at once: that cluster is not noted.
        let update = (0..<5).map { WebShellLocationTests.entry("inetpub/wwwroot/owa/page\($0).aspx", modified: "2021-03-04T10:0\($0):00Z") }
        let clustered = LocationVerdicts(list: try TestData.detection().webShells.locations,
                                         facts: BundleFacts(manifest: WebShellLocationTests.manifest(update)), observed: window)
        #expect(clustered.notes(for: update[0]).isEmpty)
    }

    /// A generic rule match in aspnet_client with POSTs answered 200 is confirmed and carries the
    /// requests; the matching EXT-C12 finding is absorbed; without POSTs it stays likely.
    @Test func scoringMergesRequestsAndRaisesTheTier() throws {
        let path = "inetpub/wwwroot/aspnet_client/cmd.aspx"
        let page = Array("<%@ Page Language=\"C#\"%><% var p = new System.Diagnostics.ProcessStartInfo(\"cmd.exe\", \"/c \" + Request.Form[\"c\"]); System.Diagnostics.Process.Start(p); %>".utf8)
        let rows = [
            "2021-03-03 07:10:00 10.0.0.10 POST /aspnet_client/cmd.aspx - 443 - 203.0.113.9 antSword/v2.1 - 200 0 0 15",
            "2021-03-03 07:11:00 10.0.0.10 POST /aspnet_client/cmd.aspx - 443 - 203.0.113.9 antSword/v2.1 - 200 0 0 15",
        ]
        let data = try TestData.detection()
        var harness = CheckHarness(members: [(LogText.w3svc1, LogText.iis(rows))], binaryMembers: [(path, page)],
                                   exchangeInstallPath: WebShellLocationTests.exchange)
        harness.entries = [WebShellLocationTests.entry(path, size: UInt64(page.count))]
        let both = harness.result([WebShellRequestCheck(locations: data.webShells.locations), WebShellContentCheck(options: data.webShells)])
        // The request finding is carried by the web-shell finding, not reported beside it.
        #expect(!both.findings.contains { $0.checkId == "EXT-C12" })
        let finding = try #require(both.findings.first { $0.checkId == "EXT-C10" })
        #expect(finding.verdict == .confirmed)
        #expect(finding.pivots[.clientIp] == ["203.0.113.9"])
        #expect(finding.evidence.count == 3)
        #expect(finding.evidence[0].details?["requests"]?.hasPrefix("2 logged (2 POST, 2 POST answered 2xx, 0 answered 404), 2021-03-03T07:10:00") == true)
        let requestsAlone = harness.run([WebShellRequestCheck(locations: data.webShells.locations)])
        #expect(requestsAlone.map(\.checkId) == ["EXT-C12"])

        let quiet = CheckHarness(binaryMembers: [(path, page)], exchangeInstallPath: WebShellLocationTests.exchange).run([WebShellContentCheck(options: data.webShells)])
        #expect(quiet.first?.verdict == .likely)
    }

    @Test func locationOnlyFilesGetOneFindingAndContentMatchesAreNotRepeated() throws {
        let shell = "inetpub/wwwroot/aspnet_client/a.aspx"
        let odd = "inetpub/wwwroot/aspnet_client/notes.txt"
        let data = try TestData.detection()
        var harness = CheckHarness(binaryMembers: [(shell, WebShellContentCheckTests.chopper), (odd, Array("meeting notes".utf8))])
        harness.entries = [WebShellLocationTests.entry(shell), WebShellLocationTests.entry(odd)]
        let findings = harness.run([WebShellContentCheck(options: data.webShells), WebShellLocationCheck(locations: data.webShells.locations)])
        let fromContent = findings.filter { $0.checkId == "EXT-C10" }
        let fromLocation = findings.filter { $0.checkId == "EXT-C09" }
        #expect(fromContent.map(\.evidence.first?.originalPath) == [shell])
        #expect(fromLocation.map(\.evidence.first?.originalPath) == [odd])
        #expect(fromLocation.first?.verdict == .informational)
        #expect(fromLocation.first?.checkId == "EXT-C09")
    }
}
