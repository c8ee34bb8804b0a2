import EvidenceBundle
import ExTriageCore
import Foundation
import Testing
import TestSupport

@Suite(.serialized) struct ImageCommandLineTests {
    @Test func collectsFromAnE01AndTheBundleVerifies() throws {
        let temp = try TemporaryDirectory()
        let tree = try Repository.copySample("exchange2016-compromised", into: temp)
        try DiskImageBuilder.ntfs(from: tree, to: temp.path + "/c.ntfs", label: "SYSTEM")
        try DiskImageBuilder.disk(.gpt, partitions: [.init(image: temp.path + "/c.ntfs", type: "ntfs")], to: temp.path + "/disk.raw")
        let e01 = try DiskImageBuilder.e01(from: temp.path + "/disk.raw", base: temp.path + "/disk")
        let bundle = temp.path + "/img.tar"
        let run = try Run.extriage(["collect", "--source", e01, "--output", bundle, "--case", "IR-IMG", "--examiner", "J. Responder",
                                    "--hash-image", "--volume-map", "1=C"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.trimmingWhitespace() == bundle)
        #expect(run.stderr.contains("Result:     complete"))
        let verify = try Run.extriage(["verify", bundle])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("intact"))

        let manifest = try #require(try BundleContents.read(bundle).manifest)
        #expect(manifest.source.kind == "e01" && manifest.source.image?.acquisitionHashesAgree == true)
        #expect(manifest.source.volumes.first?.label == "SYSTEM")
        #expect(manifest.entries.contains { $0.sourcePath == "inetpub/wwwroot/aspnet_client/system_web/qGtWmKzP.aspx" })

        // The image itself is never the output, even with --force.
        let before = try DiskImageBuilder.size(of: e01)
        let clobber = try Run.extriage(["collect", "--source", e01, "--output", e01, "--case", "IR-IMG", "--examiner", "E", "--force"])
        #expect(clobber.status != 0 && clobber.stderr.contains("overwrite the evidence image"))
        #expect(try DiskImageBuilder.size(of: e01) == before)

        let directory = try Run.extriage(["collect", "--source", tree, "--output", temp.path + "/dir.tar", "--case", "IR-IMG",
                                          "--examiner", "J. Responder"])
        #expect(directory.status == 0)
        let fromDirectory = try #require(try BundleContents.read(temp.path + "/dir.tar").manifest)
        #expect(manifest.entries.map { [$0.path, $0.sha256] } == fromDirectory.entries.map { [$0.path, $0.sha256] })
    }

    @Test func badImagesAndOptionsGetClearErrors() throws {
        let temp = try TemporaryDirectory()
        var generator = SystemRandomNumberGenerator()
        try temp.write("random.img", (0..<(2 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let random = try Run.extriage(["collect", "--source", temp.path + "/random.img", "--output", temp.path + "/r.tar",
                                       "--case", "C", "--examiner", "E"])
        #expect(random.status != 0)
        #expect(random.stderr.contains("not a disk image"), "\(random.stderr)")
        #expect(!FileManager.default.fileExists(atPath: temp.path + "/r.tar"))

        let tree = try temp.makeDirectory("tree")
        let badMap = try Run.extriage(["collect", "--source", tree, "--output", temp.path + "/m.tar", "--case", "C", "--examiner", "E",
                                       "--volume-map", "x=y=z"])
        #expect(badMap.status != 0 && badMap.stderr.contains("--volume-map"))
        let hashDirectory = try Run.extriage(["collect", "--source", tree, "--output", temp.path + "/h.tar", "--case", "C",
                                              "--examiner", "E", "--hash-image"])
        #expect(hashDirectory.status != 0 && hashDirectory.stderr.contains("--hash-image"))

        let help = try Run.extriage(["collect", "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("Deleted files are not collected") && help.contains("--include-deleted"))
        #expect(help.contains("--hash-image") && help.contains("--volume-map"))
    }

    /// A page time-stomped on an NTFS image: the collector records both time sets, analysis flags
    /// it (on the web-shell finding, or alone for an allow-listed page) and the timeline shows the
    /// $FILE_NAME creation.
    @Test func timeStompedPagesInAnImageAreShown() throws {
        let temp = try TemporaryDirectory()
        let tree = try Repository.copySample("exchange2016-compromised", into: temp)
        let shell = "inetpub/wwwroot/aspnet_client/system_web/qGtWmKzP.aspx"
        let logoff = "Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/logoff.aspx"
        try DiskImageBuilder.ntfs(from: tree, to: temp.path + "/c.ntfs", label: "SYSTEM",
                                  stomp: [(shell, 1_577_836_800), (logoff, 1_577_836_800)])
        let bundle = temp.path + "/img.tar"
        let collect = try Run.extriage(["collect", "--source", temp.path + "/c.ntfs", "--output", bundle, "--case", "IR-TS",
                                        "--examiner", "E", "--quiet"])
        #expect(collect.status == 0, "\(collect.stderr)")
        let manifest = try #require(try BundleContents.read(bundle).manifest)
        let stomped = try #require(manifest.entries.first { $0.sourcePath == shell })
        #expect(stomped.created == Timestamp(seconds: 1_577_836_800))
        #expect((stomped.fileNameTimes?.created ?? Timestamp(seconds: 0)) > Timestamp(seconds: 1_700_000_000))

        let run = try Run.extriage(["analyze", bundle, "--format", "json", "--timeline", temp.path + "/t.jsonl"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let findings = try #require(report["findings"] as? [[String: Any]])
        func path(_ finding: [String: Any]) -> String? {
            ((finding["evidence"] as? [[String: Any]])?.first)?["originalPath"] as? String
        }
        let shellFinding = try #require(findings.first { path($0) == shell && ($0["checkId"] as? String) != "HOST-TIMESTOMP" })
        #expect((shellFinding["notes"] as? [String])?.contains { $0.hasPrefix("time-stomped:") } == true)
        let alone = try #require(findings.first { path($0) == logoff })
        #expect(alone["checkId"] as? String == "HOST-TIMESTOMP" && alone["verdict"] as? String == "likely")
        let timeline = try String(contentsOfFile: temp.path + "/t.jsonl", encoding: .utf8)
        #expect(timeline.contains("\"timestamp_desc\":\"$FILE_NAME created\""))
    }
}
