import EvidenceBundle
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Collects a sample tree into a bundle in a temporary directory.
func collectSample(_ name: String, into temp: TemporaryDirectory) throws -> String {
    let source = try Repository.copySample(name, into: temp)
    let bundle = temp.path + "/\(name).tar"
    let run = try Run.extriage(["collect", "--source", source, "--output", bundle, "--case", "GOLDEN", "--examiner", "Tester", "--quiet"])
    #expect(run.status == 0, "\(run.stderr)")
    return bundle
}

/// The JSON report with what differs between runs (bundle path and hash, collection time) fixed.
func normalizedJSON(_ text: String) throws -> String {
    guard var object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return text }
    if var bundle = object["bundle"] as? [String: Any] {
        bundle["path"] = "<bundle>"
        bundle["sha256"] = "<sha256>"
        bundle["collectedAt"] = "<collectedAt>"
        object["bundle"] = bundle
    }
    // File times of the sample copy (web-shell evidence details) are the copy's, not fixed.
    if var findings = object["findings"] as? [[String: Any]] {
        for index in findings.indices {
            guard var evidence = findings[index]["evidence"] as? [[String: Any]] else { continue }
            for item in evidence.indices {
                guard var details = evidence[item]["details"] as? [String: Any] else { continue }
                for key in ["modified", "created", "changed", "accessed"] where details[key] != nil { details[key] = "<file time>" }
                evidence[item]["details"] = details
            }
            findings[index]["evidence"] = evidence
        }
        object["findings"] = findings
    }
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self) + "\n"
}

@Suite(.serialized) struct AnalyzeTests {
    /// Golden reports: `UPDATE_GOLDEN=1 make test` rewrites them for review.
    @Test(arguments: ["exchange2016-compromised", "exchange2019-clean", "exchange2019-compromised"])
    func goldenReports(_ sample: String) throws {
        let temp = try TemporaryDirectory()
        let bundle = try collectSample(sample, into: temp)
        let run = try Run.extriage(["analyze", bundle, "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let actual = try normalizedJSON(run.stdout)
        let golden = Repository.root + "/Samples/expected/\(sample).analysis.json"
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try actual.write(toFile: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: golden, encoding: .utf8)
        #expect(actual == expected, "report differs from \(golden); review and run with UPDATE_GOLDEN=1 if intended")
    }

    @Test func theCompromisedSampleIsCompromisedWithTheChainFound() throws {
        let temp = try TemporaryDirectory()
        let bundle = try collectSample("exchange2016-compromised", into: temp)
        let run = try Run.extriage(["analyze", bundle, "--timeline", temp.path + "/t.jsonl", "--fail-on", "high"])
        #expect(run.status == 6)
        #expect(run.stdout.hasPrefix("====") && run.stdout.contains("VERDICT: COMPROMISED"))
        let verdictAt = try #require(run.stdout.range(of: "VERDICT:")).lowerBound
        let findingsAt = try #require(run.stdout.range(of: "Findings (")).lowerBound
        #expect(verdictAt < findingsAt)
        for expected in ["EXT-C03", "CVE-2021-26855 SSRF from 203.0.113.45", "EXT-C05", "klk123456", "EXT-C06", "EXT-C07",
                         "qGtWmKzP.aspx", "RedirSuiteServerProxy.aspx", "ECPServer20210303-1.LOG:9", "Check coverage"] {
            #expect(run.stdout.contains(expected), "missing \(expected)")
        }
        let timeline = try String(contentsOfFile: temp.path + "/t.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(timeline.count > 20)
        let first = try JSONSerialization.jsonObject(with: Data(timeline[0].utf8)) as? [String: Any]
        #expect(first?["timestamp_desc"] != nil && first?["datetime"] != nil && first?["message"] != nil)

        let html = try Run.extriage(["analyze", bundle, "--format", "html", "--output", temp.path + "/r.html"])
        #expect(html.status == 0)
        let page = try String(contentsOfFile: temp.path + "/r.html", encoding: .utf8)
        #expect(page.contains("<svg") && page.contains("COMPROMISED"))
        #expect(!page.contains("<script language=\"JScript\""), "evidence must be escaped in HTML")

        let again = try Run.extriage(["analyze", bundle, "--format", "html", "--output", temp.path + "/r.html"])
        #expect(again.status == 1 && again.stderr.contains("already exists; use --force"), "\(again.stderr)")
        #expect(try String(contentsOfFile: temp.path + "/r.html", encoding: .utf8) == page, "a refused run must leave the report alone")
        let timelineAgain = try Run.extriage(["analyze", bundle, "--timeline", temp.path + "/t.jsonl"])
        #expect(timelineAgain.status == 1 && timelineAgain.stderr.contains("t.jsonl"))
        let forced = try Run.extriage(["analyze", bundle, "--format", "json", "--output", temp.path + "/r.html", "--force"])
        let replaced = try String(contentsOfFile: temp.path + "/r.html", encoding: .utf8)
        #expect(forced.status == 0 && replaced.hasPrefix("{"))
    }

    @Test func theCleanSampleHasNoEvidenceAndSeveralBundlesAreSummarised() throws {
        let temp = try TemporaryDirectory()
        let clean = try collectSample("exchange2019-clean", into: temp)
        let bad = try collectSample("exchange2016-compromised", into: temp)
        let run = try Run.extriage(["analyze", clean, "--fail-on", "attempt"])
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.stdout.contains("VERDICT: NO EVIDENCE FOUND"))
        let json = try Run.extriage(["analyze", clean, "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let findings = object?["findings"] as? [[String: Any]] ?? []
        #expect(findings.allSatisfy { $0["verdict"] as? String == "informational" })
        for key in ["bundle", "verification", "verdict", "findings", "coverage", "campaigns", "tool"] {
            #expect(object?[key] != nil, "JSON lacks \(key)")
        }
        let both = try Run.extriage(["analyze", clean, bad])
        #expect(both.status == 0)
        #expect(both.stdout.contains("NO EVIDENCE FOUND") && both.stdout.contains("COMPROMISED"))
    }

    @Test func aBundleThatDoesNotVerifyIsRefusedUnlessAllowed() throws {
        let temp = try TemporaryDirectory()
        let bundle = try collectSample("exchange2019-clean", into: temp)
        try BundleSurgery.flipByte(in: bundle, after: "#Software: Microsoft Internet Information Services")
        let refused = try Run.extriage(["analyze", bundle])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("does not verify") && refused.stderr.contains("--allow-unverified"))
        let allowed = try Run.extriage(["analyze", bundle, "--allow-unverified"])
        #expect(allowed.status == 0)
        #expect(allowed.stdout.contains("NOT INTACT") || allowed.stdout.contains("not-intact"))
        // analyze recomputes SHA-256 alone, and that is enough to see the flipped byte.
        #expect(allowed.stdout.contains("member digests recomputed: sha256\n"))
        #expect(allowed.stdout.contains("sha256 differs"))
    }

    @Test func malformedLogsAreCountedNeverFatal() throws {
        let temp = try TemporaryDirectory()
        let proxy = "vol/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/"
        let header = "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n#Fields: DateTime,RequestId,AnchorMailbox,ClientIpAddress,HttpStatus\r\n"
        try temp.write(proxy + "HttpProxy_2021030301-1.LOG", (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 13) })
        try temp.write(proxy + "HttpProxy_2021030302-1.LOG", header + "2021-03-03T02:00:00.000Z,r1,\"" + String(repeating: "A", count: 1_200_000) + "\",1.2.3.4,200\r\n"
                       + "2021-03-03T02:00:01.000Z,r2,ServerInfo~a]@x:444/ecp/proxyLogon.ecp?#,203.0.113.9,241\r\n")
        try temp.write(proxy + "HttpProxy_2021030303-1.LOG", "2021-03-03T03:00:00.000Z,r3,ServerInfo~a]@x:444/mapi/emsmdb?#,1.2.3.4,200\r\n")
        try temp.write(proxy + "HttpProxy_2021030304-1.LOG", header)
        var utf16: [UInt8] = [0xFF, 0xFE]
        for unit in (header + "2021-03-03T05:00:00.000Z,r5,ServerInfo~a]@x:444/ecp/proxyLogon.ecp?#,198.51.100.5,241\r\n").utf16 {
            utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)]
        }
        try temp.write(proxy + "HttpProxy_2021030305-1.LOG", utf16)
        try temp.write(proxy + "HttpProxy_2021030306-1.LOG", header + "2021-03-03T06:00:00.000Z,too,few\r\n\u{0}\u{0}\u{0}\r\n")
        #expect(try Run.extriage(["collect", "--source", temp.path + "/vol", "--output", temp.path + "/m.tar", "--case", "C", "--examiner", "E", "--quiet"]).status == 0)
        let run = try Run.extriage(["analyze", temp.path + "/m.tar", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let parsed = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let object = try #require(parsed)
        let coverage = (object["coverage"] as? [[String: Any]] ?? []).first { $0["checkId"] as? String == "EXT-C03" }
        #expect(coverage?["status"] as? String == "ran")
        #expect((coverage?["malformed"] as? Int ?? 0) >= 3)
        let findings = object["findings"] as? [[String: Any]] ?? []
        let ssrf = findings.filter { $0["checkId"] as? String == "EXT-C03" }.compactMap { $0["title"] as? String }
        #expect(ssrf.contains("CVE-2021-26855 SSRF from 203.0.113.9"), "a hit after a 1 MB line must still be found")
        #expect(ssrf.contains("CVE-2021-26855 SSRF from 198.51.100.5"), "a UTF-16 log must be read")
    }
}

@Suite(.serialized) struct HostileBundleTests {
    /// Everything a hostile tar could try, in one archive.
    static let hostileEntries: [HostileTar.Entry] = [
        .init("/etc/extriage-abs", data: Array("abs".utf8)),
        .init("../escape", data: Array("up".utf8)),
        .init("evidence/C/../../escape2", data: Array("up".utf8)),
        .init("evidence/C/link", .symlink("/tmp")),
        .init("evidence/C/link/through", data: Array("via link".utf8)),
        .init("evidence/C/hard", .hardlink("/etc/passwd")),
        .init("evidence/C/dev", .characterDevice),
        .init("evidence/C/fifo", .fifo),
        .init("evidence/C/dir", .directory, mode: 0o777),
        .init("evidence/C/huge", data: [], claimedSize: 1 << 50),
    ]

    func snapshot(_ directory: String) -> [String] {
        (FileManager.default.subpaths(atPath: directory) ?? []).sorted()
    }

    @Test func analyzeRefusesAHostileTarAndWritesNothing() throws {
        let temp = try TemporaryDirectory()
        try temp.write("sentinel/keep.txt", "unchanged")
        let tar = temp.path + "/hostile.tar"
        try HostileTar.write(HostileBundleTests.hostileEntries, to: tar)
        let before = snapshot(temp.path)
        let run = try Run.extriage(["analyze", tar, "--allow-unverified"], in: temp.path + "/sentinel")
        #expect(run.status == 5 || run.status == 3, "\(run.stderr)")
        #expect(snapshot(temp.path) == before)
        #expect(try String(contentsOfFile: temp.path + "/sentinel/keep.txt", encoding: .utf8) == "unchanged")
        #expect(!FileManager.default.fileExists(atPath: "/etc/extriage-abs"))
        let verify = try Run.extriage(["verify", tar])
        #expect(verify.status == 5 || verify.status == 3)
    }

    @Test func unpackWritesOnlySafeListedFilesInsideTheDirectory() throws {
        let temp = try TemporaryDirectory()
        let bundle = try collectSample("exchange2019-clean", into: temp)
        // Graft hostile members into a real bundle, keeping its manifest, and list one in the manifest.
        var members = try BundleSurgery.members(of: bundle)
        let manifestIndex = members.firstIndex { $0.path == "manifest.json" }!
        var manifest = try ManifestCodec.decode(members[manifestIndex].bytes)
        let hostileName = "evidence/C/../../escaped.txt"
        manifest.entries.append(Manifest.Entry(path: hostileName, sourcePath: "../../escaped.txt", sourcePathHex: nil, volume: "C", size: 3,
                                               digests: ContentHasher.digests(of: Array("bad".utf8)), times: (nil, nil, nil, nil),
                                               artifact: "x", status: .collected, reason: nil, stored: nil))
        manifest.entries.append(Manifest.Entry(path: "evidence/C/CaseTest.txt", sourcePath: "CaseTest.txt", sourcePathHex: nil, volume: "C", size: 1,
                                               digests: ContentHasher.digests(of: Array("b".utf8)), times: (nil, nil, nil, nil),
                                               artifact: "x", status: .collected, reason: nil, stored: nil))
        manifest.entries.append(Manifest.Entry(path: "evidence/C/casetest.TXT", sourcePath: "casetest.TXT", sourcePathHex: nil, volume: "C", size: 1,
                                               digests: ContentHasher.digests(of: Array("c".utf8)), times: (nil, nil, nil, nil),
                                               artifact: "x", status: .collected, reason: nil, stored: nil))
        members[manifestIndex].bytes = try ManifestCodec.encode(manifest)
        members.insert((hostileName, Array("bad".utf8), nil), at: 0)
        members.insert(("evidence/C/CaseTest.txt", Array("b".utf8), nil), at: 1)
        members.insert(("evidence/C/casetest.TXT", Array("c".utf8), nil), at: 2)
        try BundleSurgery.write(members, to: bundle)
        let hostileTar = temp.path + "/graft.tar"
        try HostileTar.write(HostileBundleTests.hostileEntries, to: hostileTar)

        try temp.write("sentinel/keep.txt", "unchanged")
        let outside = snapshot(temp.path + "/sentinel")
        let refused = try Run.extriage(["unpack", bundle, "--to", temp.path + "/out1"])
        #expect(refused.status == 3)
        #expect(!FileManager.default.fileExists(atPath: temp.path + "/out1"))

        let run = try Run.extriage(["unpack", bundle, "--to", temp.path + "/out", "--allow-unverified"])
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.contains("'..' path component"))
        #expect(run.stderr.contains("collides with another member"))
        #expect(!FileManager.default.fileExists(atPath: temp.path + "/escaped.txt"))
        #expect(!FileManager.default.fileExists(atPath: temp.path + "/../escaped.txt"))
        #expect(FileManager.default.fileExists(atPath: temp.path + "/out/evidence/C/CaseTest.txt"))
        #expect(snapshot(temp.path + "/sentinel") == outside)
        let iis = temp.path + "/out/evidence/C/inetpub/logs/LogFiles/W3SVC1/u_ex221206.log"
        let attributes = try FileManager.default.attributesOfItem(atPath: iis)
        #expect((attributes[.posixPermissions] as? Int) == 0o644)

        let again = try Run.extriage(["unpack", bundle, "--to", temp.path + "/out", "--allow-unverified"])
        #expect(again.status == 1 && again.stderr.contains("not empty"))
        let hostile = try Run.extriage(["unpack", hostileTar, "--to", temp.path + "/out2", "--allow-unverified"])
        #expect(hostile.status != 0)
        #expect(snapshot(temp.path + "/out2").isEmpty)
    }

    @Test func unpackRestoresTimesOfAnIntactBundle() throws {
        let temp = try TemporaryDirectory()
        let bundle = try collectSample("exchange2019-clean", into: temp)
        let run = try Run.extriage(["unpack", bundle, "--to", temp.path + "/out", "--only", "inetpub/logs/**/*.log"])
        #expect(run.status == 0, "\(run.stderr)")
        let contents = try BundleContents.read(bundle)
        let manifest = try #require(contents.manifest)
        let logs = manifest.entries.filter { $0.sourcePath.hasPrefix("inetpub/logs/") }
        #expect(run.stdout.contains("wrote \(logs.count) files"))
        for entry in logs {
            var info = stat()
            #expect(stat(temp.path + "/out/" + entry.path, &info) == 0)
            #expect(Int64(info.st_mtim.tv_sec) == entry.modified?.seconds)
        }
        #expect(!FileManager.default.fileExists(atPath: temp.path + "/out/evidence/C/Windows"))

        let nothing = try Run.extriage(["unpack", bundle, "--to", temp.path + "/none", "--only", "no/such/**/*.dll"])
        #expect(nothing.status == 2 && nothing.stderr.contains("matches --only"), "\(nothing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: temp.path + "/none"), "nothing matched, so no directory is made")
    }
}
