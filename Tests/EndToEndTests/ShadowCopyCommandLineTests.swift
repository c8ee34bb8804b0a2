import EvidenceBundle
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// The compromised sample as an NTFS image with one shadow copy taken before the cleanup: the
/// web shell was deleted and the Security log cleared on the live volume afterwards.
/// `collect --shadow-copies` brings both back from the snapshot and `analyze` says what was lost.
@Suite(.serialized) struct ShadowCopyCommandLineTests {
    static let shell = "inetpub/wwwroot/aspnet_client/system_web/qGtWmKzP.aspx"
    static let security = "Windows/System32/winevt/Logs/Security.evtx"

    @Test func theDeletedShellAndTheClearedLogAreFoundInTheShadowCopy() throws {
        let temp = try TemporaryDirectory()
        let tree = try Repository.copySample("exchange2016-compromised", into: temp)
        let built = try ShadowCopyImage(tree: tree, to: temp.path + "/c.ntfs", delete: [Self.shell], shorten: [(Self.security, 4096)])
        let bundle = temp.path + "/vss.tar"
        let collect = try Run.extriage(["collect", "--source", built.image, "--output", bundle, "--case", "IR-VSS", "--examiner", "E",
                                        "--shadow-copies", "--quiet"])
        #expect(collect.status == 0, "\(collect.stderr)")
        let run = try Run.extriage(["analyze", bundle, "--format", "json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stderr)")
        let findings = try #require(report["findings"] as? [[String: Any]])
        func members(_ finding: [String: Any]) -> [String] {
            (finding["evidence"] as? [[String: Any]] ?? []).compactMap { $0["member"] as? String }
        }
        let shadow = findings.filter { $0["checkId"] as? String == "HOST-SHADOW-COPY" }
        let deleted = try #require(shadow.first { members($0).first == "evidence/C@vss1/" + Self.shell })
        #expect(deleted["verdict"] as? String == "likely")
        let cleared = try #require(shadow.first { members($0).first == "evidence/C@vss1/" + Self.security })
        #expect(cleared["verdict"] as? String == "likely" && members(cleared).last == "evidence/C/" + Self.security)
        // The web-shell checks read the snapshot's copy of the shell too.
        #expect(findings.contains { $0["checkId"] as? String != "HOST-SHADOW-COPY" && members($0).contains("evidence/C@vss1/" + Self.shell) })

        // Without the option the check says why it did not run.
        let plain = temp.path + "/plain.tar"
        #expect(try Run.extriage(["collect", "--source", built.image, "--output", plain, "--case", "IR-VSS", "--examiner", "E",
                                  "--quiet"]).status == 0)
        let again = try Run.extriage(["analyze", plain, "--format", "json"])
        let plainReport = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect(!((plainReport["findings"] as? [[String: Any]]) ?? []).contains { $0["checkId"] as? String == "HOST-SHADOW-COPY" })
        let coverage = (plainReport["coverage"] as? [[String: Any]]) ?? []
        let row = try #require(coverage.first { $0["checkId"] as? String == "HOST-SHADOW-COPY" })
        #expect(row["status"] as? String == "not-applicable" && (row["reason"] as? String)?.contains("--shadow-copies") == true)
    }
}
