@testable import Detection
import EvidenceBundle
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// HOST-SHADOW-COPY over manifests holding `evidence/C@vss1/...` entries beside the live ones:
/// cleared and cut logs and deleted pages are `likely`; rotation and setup's replacements are not.
@Suite struct ShadowCopyCheckTests {
    static let created = Timestamp(seconds: 1_614_772_800)  // 2021-03-03T12:00:00Z
    static let store = Manifest.ShadowCopyRecord(of: "C", store: 1, identifier: "a1b2c3d4-0001-4000-8000-00000000e001", created: created)
    static let security = "Windows/System32/winevt/Logs/Security.evtx"
    static let shell = "inetpub/wwwroot/aspnet_client/system_web/qGtWmKzP.aspx"
    static let iisFolder = "inetpub/logs/LogFiles/W3SVC1/"
    static let proxyFolder = "Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa/"

    static func entry(_ path: String, volume: String = "C", size: UInt64 = 1000, modified: String = "2021-03-02T10:00:00Z",
                      content: String? = nil) -> Manifest.Entry {
        Manifest.Entry(path: "evidence/\(volume)/" + path, sourcePath: path, sourcePathHex: nil, volume: volume, size: size,
                       digests: ContentHasher.digests(of: Array((content ?? path + "\(size)").utf8)),
                       times: (Timestamp(iso8601: modified), nil, nil, Timestamp(iso8601: modified)),
                       artifact: "test", status: .collected, reason: nil, stored: nil)
    }

    static func snapshot(_ path: String, size: UInt64 = 1000, modified: String = "2021-03-02T10:00:00Z") -> Manifest.Entry {
        entry(path, volume: "C@vss1", size: size, modified: modified)
    }

    /// Runs the check over `entries`, with `C@vss1` recorded as store 1 of C unless `shadows` is false.
    static func run(_ entries: [Manifest.Entry], shadows: Bool = true, status: String? = "read") throws -> CheckRunner.Result {
        let data = try TestData.detection()
        var manifest = CheckHarness().manifest()
        manifest.entries = entries.sorted { $0.path < $1.path }
        var live = Manifest.VolumeRecord(name: "C", fileSystem: "ntfs", label: nil)
        live.number = 1
        var vss = Manifest.VolumeRecord(name: "C@vss1", fileSystem: "ntfs", label: nil)
        vss.shadowCopy = store
        manifest.source.volumes = shadows ? [live, vss] : [live]
        manifest.source.shadowCopies = status.map { .init(status: $0, stores: shadows ? 1 : 0) }
        return CheckRunner(checks: [ShadowCopyCheck(locations: data.webShells.locations)]).finish(manifest: manifest)
    }

    static func findings(_ entries: [Manifest.Entry]) throws -> [Finding] {
        try run(entries).findings.filter { $0.checkId == ShadowCopyCheck.checkID }
    }

    @Test func aClearedEventLogIsLikelyWithStoreTimeSizesAndHashes() throws {
        let findings = try Self.findings([Self.entry(Self.security, size: 69_632), Self.snapshot(Self.security, size: 20_971_520)])
        let cleared = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(cleared.verdict == .likely && cleared.severity == .high && cleared.attack == ["T1070.001"])
        #expect(cleared.title.contains("cleared") && cleared.title.contains("Security.evtx"))
        let evidence = try #require(cleared.evidence.first)
        #expect(evidence.member == "evidence/C@vss1/" + Self.security && evidence.timestamp == Self.created)
        #expect(evidence.details?["store"] == "1" && evidence.details?["storeIdentifier"] == Self.store.identifier)
        #expect(evidence.details?["storeCreated"] == "2021-03-03T12:00:00Z")
        #expect(evidence.details?["size"] == "20971520" && evidence.details?["liveSize"] == "69632")
        #expect(evidence.details?["liveSha256"] == Self.entry(Self.security, size: 69_632).sha256)
        #expect(evidence.excerpt.contains("SHA-256 " + Self.snapshot(Self.security, size: 20_971_520).sha256))
        #expect(cleared.evidence.last?.member == "evidence/C/" + Self.security)
    }

    @Test func ordinaryEventLogChangesStayQuiet() throws {
        // Grown or rewritten at the same size: normal; archived when full: informational.
        let archive = "Windows/System32/winevt/Logs/Archive-System-2021-03-04-08-00-00-000.evtx"
        let findings = try Self.findings([
            Self.entry(Self.security, size: 20_971_520), Self.snapshot(Self.security, size: 1_052_672),
            Self.entry("Windows/System32/winevt/Logs/System.evtx", size: 69_632), Self.entry(archive, size: 20_971_520),
            Self.snapshot("Windows/System32/winevt/Logs/System.evtx", size: 20_971_520),
        ])
        #expect(findings.count == 1)
        #expect(findings.first?.verdict == .informational && findings.first?.title.contains("archived") == true)
    }

    @Test func aDeletedEventLogIsLikelyOnlyForACoreChannel() throws {
        let findings = try Self.findings([Self.snapshot(Self.security), Self.snapshot("Windows/System32/winevt/Logs/Vendor-App%4Admin.evtx")])
        #expect(findings.first { $0.title.contains("Security.evtx") }?.verdict == .likely)
        #expect(findings.first { $0.title.contains("Vendor-App") }?.verdict == .informational)
    }

    @Test func aDeletedWebPageIsLikelyButSetupsVersionedFoldersAreNot() throws {
        let versioned = "Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/15.1.2176.2/scripts/premium/x.aspx"
        let result = try Self.run([Self.snapshot(Self.shell), Self.snapshot(versioned),
                                   Self.entry("inetpub/wwwroot/aspnet_client/discover.aspx"),
                                   Self.snapshot("inetpub/wwwroot/aspnet_client/discover.aspx")])
        let findings = result.findings.filter { $0.checkId == ShadowCopyCheck.checkID }
        #expect(findings.count == 1)
        let deleted = try #require(findings.first)
        #expect(deleted.verdict == .likely && deleted.title == "Web page deleted after shadow copy 1: qGtWmKzP.aspx")
        #expect(deleted.evidence.first?.details?["liveSize"] == "missing" && deleted.pivots[.filePath] == [Self.shell])
        let row = try #require(result.coverage.first { $0.checkId == ShadowCopyCheck.checkID })
        #expect(row.reason?.contains("1 page(s) of Exchange's versioned folders") == true, "\(row.reason ?? "")")
    }

    @Test func aMassRemovalOfPagesIsOneInformationalFinding() throws {
        let pages = (0..<25).map { Self.snapshot("inetpub/wwwroot/app/page\($0).aspx") }
        let findings = try Self.findings(pages)
        #expect(findings.count == 1 && findings.first?.verdict == .informational)
        #expect(findings.first?.evidence.count == 10 && findings.first?.title.hasPrefix("25 web pages") == true)
    }

    @Test func textLogsCutOrPickedOutAreLikelyAndRotationIsNot() throws {
        let findings = try Self.findings([
            // IIS: the oldest day rotated away (quiet), a later day deleted while the oldest remains (likely).
            Self.snapshot(Self.iisFolder + "u_ex210228.log", modified: "2021-02-28T23:59:00Z"),
            Self.snapshot(Self.iisFolder + "u_ex210302.log"),
            Self.entry(Self.iisFolder + "u_ex210301.log", modified: "2021-03-01T23:59:00Z"),
            Self.entry(Self.iisFolder + "u_ex210303.log", modified: "2021-03-03T23:59:00Z"),
            // Exchange: a log cut back (likely); another grown since (quiet).
            Self.entry(Self.proxyFolder + "HttpProxy_2021030306-1.LOG", size: 400),
            Self.snapshot(Self.proxyFolder + "HttpProxy_2021030306-1.LOG", size: 90_000),
            Self.entry(Self.proxyFolder + "HttpProxy_2021030307-1.LOG", size: 9_000),
            Self.snapshot(Self.proxyFolder + "HttpProxy_2021030307-1.LOG", size: 4_000),
        ])
        #expect(findings.count == 2, "\(findings.map(\.title))")
        #expect(findings.allSatisfy { $0.verdict == .likely })
        #expect(findings.contains { $0.title.contains("u_ex210302.log") && $0.title.contains("deleted from its series") })
        #expect(findings.contains { $0.title.contains("HttpProxy_2021030306-1.LOG") && $0.title.contains("cut short") })
        #expect(!findings.contains { $0.title.contains("u_ex210228") })
    }

    @Test func withoutShadowCopiesTheCheckSaysWhy() throws {
        for (status, words) in [("not requested", "without --shadow-copies"), ("not applicable", "directory source"),
                                ("read", "holds no shadow copy")] {
            let result = try Self.run([Self.entry(Self.security)], shadows: false, status: status)
            #expect(result.findings.filter { $0.checkId == ShadowCopyCheck.checkID }.isEmpty)
            let row = try #require(result.coverage.first { $0.checkId == ShadowCopyCheck.checkID })
            #expect(row.status == .notApplicable && row.reason?.contains(words) == true, "\(row.reason ?? "")")
        }
    }

    /// Other checks look a path up on the live volume, never on a snapshot of it.
    @Test func filesByPathFindTheLiveVersion() throws {
        var manifest = CheckHarness().manifest()
        manifest.entries = [Self.entry(Self.security, size: 5), Self.snapshot(Self.security, size: 9)]
        var vss = Manifest.VolumeRecord(name: "C@vss1", fileSystem: "ntfs", label: nil)
        vss.shadowCopy = Self.store
        manifest.source.volumes = [.init(name: "C", fileSystem: "ntfs", label: nil), vss]
        let facts = BundleFacts(manifest: manifest)
        #expect(facts.filesByFoldedPath[Self.security.lowercased()]?.volume == "C")
        #expect(facts.shadowCopyEntries.map(\.volume) == ["C@vss1"] && facts.shadowCopies["C@vss1"]?.store == 1)
    }
}
