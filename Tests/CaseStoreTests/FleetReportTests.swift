@testable import CaseStore
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// The fleet view of the synthetic organisation: two clusters, one host in both, the scanner ignored.
@Suite struct FleetReportTests {
    static func fleet() throws -> (FleetReport, TemporaryDirectory) {
        let temp = try TemporaryDirectory()
        let store = try CaseStore(url: .sqlite(path: temp.path + "/case.sqlite"))
        for report in FleetFixtures.organisation() {
            try store.add(CaseEntry(report: report, sha256: report.bundle.sha256 ?? ""))
        }
        return (try FleetReportBuilder().build(from: store), temp)
    }

    @Test func twoActorsMakeTwoClustersWithOneHostInBoth() throws {
        let (fleet, _) = try Self.fleet()
        #expect(fleet.clusters.map(\.hosts) == [["mail1", "mail2", "mail3"], ["mail3", "mail4"]])
        let first = try #require(fleet.clusters.first)
        let second = try #require(fleet.clusters.last)
        #expect(first.indicators.contains { $0.kind == "shellSha256" && $0.value == FleetFixtures.actorA.shell })
        #expect(first.indicators.contains { $0.kind == "shellParameter" && $0.value == FleetFixtures.actorA.password })
        #expect(first.indicators.contains { $0.kind == "clientIp" && $0.value == FleetFixtures.actorA.ip })
        #expect(second.indicators.contains { $0.kind == "shellParameter" && $0.value == FleetFixtures.actorB.password })
        #expect(second.indicators.contains { $0.kind == "clientIp" && $0.value == FleetFixtures.actorB.ip })
        #expect(!first.indicators.contains { $0.value == FleetFixtures.actorB.shell })
        #expect(first.why.hasPrefix("3 hosts share "))
        #expect(fleet.hosts.first { $0.host == "mail3" }?.clusters == ["C1", "C2"])
        #expect(first.waves.count == 1 && first.waves.first?.hosts == ["mail1", "mail2", "mail3"])
    }

    @Test func whatEveryoneSharesTiesNobody() throws {
        let (fleet, _) = try Self.fleet()
        let everywhere = [UserAgents.key(FleetFixtures.scannerAgent), FleetFixtures.scannerIp]
        for cluster in fleet.clusters {
            #expect(!cluster.indicators.contains { everywhere.contains($0.value) })
        }
        #expect(Set(fleet.commonIndicators.map(\.value)) == Set(everywhere))
        for host in ["mail5", "mail6"] { #expect(fleet.hosts.first { $0.host == host }?.clusters == []) }
    }

    @Test func hostRowsTellAttemptedCleanPatchedAndShellUse() throws {
        let (fleet, _) = try Self.fleet()
        let hosts = Dictionary(uniqueKeysWithValues: fleet.hosts.map { ($0.host, $0) })
        #expect(hosts["mail5"]?.verdict == "exploitation-attempted")
        #expect(hosts["mail5"]?.firstCompromise == nil)
        #expect(hosts["mail5"]?.notAssessable.contains { $0.hasPrefix("CVE-2021-26858") } == true)
        #expect(hosts["mail6"]?.verdict == "no-evidence-found")
        #expect(hosts["mail4"]?.patchedAfterCompromise == true)
        #expect(hosts["mail4"]?.patchedAt == FleetFixtures.time("2021-03-05T00:00:00Z"))
        #expect(hosts["mail1"]?.patchedAfterCompromise == false)
        #expect(hosts["mail1"]?.shells.used.count == 1)
        #expect(hosts["mail2"]?.shells.neverUsed.count == 1)
        #expect(hosts["mail1"]?.firstCompromise == FleetFixtures.time("2021-03-01T08:00:00Z"))
        #expect(fleet.timeline.map(\.host) == ["mail1", "mail2", "mail3", "mail4"])
    }

    /// The JSON keys are a contract (issue #15).
    @Test func theJSONKeysAreTheContract() throws {
        let (fleet, _) = try Self.fleet()
        let bytes = try FleetJSONReport().render(fleet)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(Set(["hosts", "clusters", "timeline"]).isSubset(of: Set(object.keys)))
        let host = try #require((object["hosts"] as? [[String: Any]])?.first)
        #expect(Set(["host", "bundles", "verdict", "cveStates", "firstCompromise", "patchedAt", "shells", "notAssessable"]).isSubset(of: Set(host.keys)))
        let shells = try #require(host["shells"] as? [String: Any])
        #expect(Set(["used", "neverUsed"]).isSubset(of: Set(shells.keys)))
        let cluster = try #require((object["clusters"] as? [[String: Any]])?.first)
        #expect(Set(["id", "hosts", "indicators", "waves", "why"]).isSubset(of: Set(cluster.keys)))
        let indicator = try #require((cluster["indicators"] as? [[String: Any]])?.first)
        #expect(Set(["kind", "value", "hosts"]).isSubset(of: Set(indicator.keys)))
    }

    @Test func theHTMLIsEscapedAndHoldsTheMatrix() throws {
        var (fleet, _) = try Self.fleet()
        fleet.hosts[0].host = "<script>alert(1)</script>"
        let html = String(decoding: try FleetHTMLReport().render(fleet), as: UTF8.self)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;"))
        #expect(html.contains("Hosts × clusters") && html.contains("<svg"))
        let text = String(decoding: try FleetTextReport().render(fleet), as: UTF8.self)
        #expect(text.contains("C2") && text.contains("why:"))
    }
}
