import Foundation
import Testing
import TestSupport

/// The fleet sample (make_samples.py --fleet) through collect, case add and case report: the
/// report names both clusters with what ties them, the host in both, the attempted-only host,
/// the host patched after compromise and the clean one.
@Suite(.serialized) struct FleetSampleTests {
    @Test func theFleetReportTellsTheStory() throws {
        let temp = try TemporaryDirectory()
        let generator = Process()
        generator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        generator.arguments = ["python3", Repository.root + "/Samples/tools/make_samples.py", "--fleet", temp.path + "/fleet"]
        generator.standardOutput = FileHandle.nullDevice
        try generator.run()
        generator.waitUntilExit()
        #expect(generator.terminationStatus == 0)
        var bundles: [String] = []
        for server in 1...6 {
            let bundle = temp.path + "/fab-mb\(server).tar"
            let collect = try Run.extriage(["collect", "--source", temp.path + "/fleet/fab-mb\(server)", "--output", bundle,
                                            "--case", "FAB", "--examiner", "Tester", "--quiet"])
            #expect(collect.status == 0, "\(collect.stderr)")
            bundles.append(bundle)
        }
        let db = "sqlite:" + temp.path + "/case.sqlite"
        let add = try Run.extriage(["case", "add"] + bundles + ["--db", db])
        #expect(add.status == 0, "\(add.stderr)")
        let run = try Run.extriage(["case", "report", "--db", db, "--format", "json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stderr)")
        let clusters = report["clusters"] as? [[String: Any]] ?? []
        #expect(clusters.map { $0["hosts"] as? [String] ?? [] } == [["FAB-MB1", "FAB-MB2", "FAB-MB3"], ["FAB-MB3", "FAB-MB4"]])
        let tied = clusters.map { Set(($0["indicators"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String }) }
        #expect(tied.first?.isSuperset(of: ["Xk9orange", "203.0.113.61", "outlookrt.aspx"]) == true)
        #expect(tied.last?.isSuperset(of: ["p4ssB33", "198.51.100.77", "supp0rt.aspx"]) == true)
        #expect(!tied.joined().contains("192.0.2.150"), "the scanner every server saw ties nobody")
        let hosts = Dictionary(uniqueKeysWithValues: (report["hosts"] as? [[String: Any]] ?? []).map { ($0["host"] as? String ?? "", $0) })
        #expect(hosts["FAB-MB3"]?["clusters"] as? [String] == ["C1", "C2"])
        #expect(hosts["FAB-MB5"]?["verdict"] as? String == "exploitation-attempted")
        #expect(hosts["FAB-MB4"]?["patchedAfterCompromise"] as? Bool == true)
        #expect(hosts["FAB-MB6"]?["verdict"] as? String == "no-evidence-found")
        let shells = hosts["FAB-MB2"]?["shells"] as? [String: Any]
        #expect((shells?["neverUsed"] as? [Any])?.count == 1)
    }
}
