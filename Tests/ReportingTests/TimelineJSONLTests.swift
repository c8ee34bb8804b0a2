import ExTriageCore
import Foundation
import Reporting
import Testing

@Suite struct TimelineJSONLTests {
    static let required: Set<String> = ["message", "datetime", "timestamp", "timestamp_desc", "bundle", "host", "check_id",
                                        "verdict", "severity", "cve", "attack", "source_file", "member", "excerpt", "title"]

    func lines(_ reports: [AnalysisReport]) throws -> [(text: String, object: [String: Any])] {
        let text = String(decoding: try TimelineJSONL.render(reports), as: UTF8.self)
        #expect(text.isEmpty || text.hasSuffix("\n"))
        return try text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return (String(line), object)
        }
    }

    @Test func oneLinePerTimestampedEvidenceItemWithTheRequiredKeys() throws {
        let reports = [SampleReports.compromised(), SampleReports.clean(), SampleReports.compromised(path: "/cases/EX03.tar")]
        let parsed = try lines(reports)
        #expect(parsed.count == SampleReports.timestampedEvidence(reports))
        #expect(parsed.count == 30)
        for (_, object) in parsed {
            #expect(Self.required.isSubset(of: Set(object.keys)))
            #expect((object["line"] != nil) != (object["record"] != nil))
            #expect(object["timestamp_desc"] as? String == "Event Recorded")
            #expect((object["datetime"] as? String)?.hasSuffix("Z") == true)
        }
    }

    @Test func sortedByTimeThenBundleThenMemberThenLine() throws {
        let parsed = try lines([SampleReports.compromised(path: "/cases/B.tar"), SampleReports.compromised(path: "/cases/A.tar")])
        let keys = parsed.map { line in
            (line.object["timestamp"] as? Int ?? -1, line.object["bundle"] as? String ?? "", line.object["member"] as? String ?? "",
             line.object["line"] as? Int ?? line.object["record"] as? Int ?? 0)
        }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(keys.first?.1 == "/cases/A.tar")
        #expect(keys.first?.3 == 1)
    }

    @Test func fieldsCarryTheFindingAndEvidence() throws {
        let parsed = try lines([SampleReports.compromised()])
        let ssrf = try #require(parsed.first { $0.object["check_id"] as? String == "EXT-C03" }?.object)
        #expect(ssrf["message"] as? String == "[likely] EXT-C03 CVE-2021-26855 SSRF: X-BEResource cookie routed a request to the back end, answered 200")
        #expect(ssrf["datetime"] as? String == "2021-03-03T01:00:00Z")
        #expect(ssrf["timestamp"] as? Int == 1_614_733_200_000_000)
        #expect(ssrf["source_file"] as? String == SampleReports.proxyLog)
        #expect(ssrf["member"] as? String == SampleReports.proxyMember)
        #expect(ssrf["line"] as? Int == 100)
        #expect(ssrf["severity"] as? String == "high")
        #expect(ssrf["cve"] as? String == "CVE-2021-26855")
        #expect(ssrf["attack"] as? String == "T1190")
        #expect(ssrf["title"] as? String == "SSRF")

        let shell = try #require(parsed.first { $0.object["check_id"] as? String == "EXT-C10" })
        #expect(shell.object["timestamp"] as? Int == 1_614_735_000_123_456)
        #expect(shell.object["datetime"] as? String == "2021-03-03T01:30:00.123456Z")
        #expect(shell.object["excerpt"] as? String == SampleReports.hostile)
        #expect(shell.object["host"] as? String == "EXCH01\u{1B}]0;owned\u{07}")
        #expect(!shell.text.contains("\u{1B}"))
        #expect(!shell.text.contains("\\/"))

        let probe = try #require(parsed.first { $0.object["check_id"] as? String == "EXT-C04" }?.object)
        #expect(probe["record"] as? Int == 4242)
        #expect(probe["line"] == nil)
    }

    @Test func linesAreCompactWithSortedKeys() throws {
        for (text, _) in try lines([SampleReports.compromised()]) {
            #expect(text.hasPrefix("{\"attack\":"))
            #expect(!text.contains("\n") && !text.contains("\" : "))
        }
    }

    @Test func noTimestampsGiveAnEmptyTimeline() throws {
        #expect(try TimelineJSONL.render([SampleReports.clean()]).isEmpty)
        #expect(try TimelineJSONL.render([]).isEmpty)
    }
}
