import EvidenceBundle
import Foundation
import Testing
import TestSupport

/// `extriage case add` and `case report` through the real executable on the samples.
@Suite(.serialized) struct CaseTests {
    @Test func addStoresOnceRecordsAnUnverifiedCopyAndReports() throws {
        let temp = try TemporaryDirectory()
        let compromised = try collectSample("exchange2016-compromised", into: temp)
        let clean = try collectSample("exchange2019-clean", into: temp)
        let db = "sqlite:" + temp.path + "/case.sqlite"
        let first = try Run.extriage(["case", "add", compromised, clean, "--db", db, "--jobs", "2"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("added: COMPROMISED"))
        let again = try Run.extriage(["case", "add", compromised, "--db", db])
        #expect(again.status == 0)
        #expect(again.stderr.contains("already in the case"))

        let tampered = temp.path + "/tampered.tar"
        try FileManager.default.copyItem(atPath: compromised, toPath: tampered)
        try BundleSurgery.flipByte(in: tampered, after: "#Fields:")
        let refused = try Run.extriage(["case", "add", tampered, "--db", db])
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("recorded as not-intact"))

        let report = try Run.extriage(["case", "report", "--db", db, "--format", "json"])
        #expect(report.status == 0, "\(report.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        let hosts = object["hosts"] as? [[String: Any]] ?? []
        #expect(hosts.count == 3, "two servers and the unverified copy, whose host the evidence cannot name unread")
        #expect(hosts.contains { $0["verdict"] as? String == "compromised" })
        #expect(hosts.contains { $0["verdict"] as? String == "not-analyzed" })
        let stored = try String(contentsOfFile: temp.path + "/case.sqlite", encoding: .isoLatin1)
        #expect(stored.contains("directory " + temp.path + "/exchange2016-compromised"), "the manifest's source is stored with the bundle")
        let html = try Run.extriage(["case", "report", "--db", db, "--format", "html", "--output", temp.path + "/fleet.html"])
        #expect(html.status == 0)
        #expect(FileManager.default.fileExists(atPath: temp.path + "/fleet.html"))
        let again2 = try Run.extriage(["case", "report", "--db", db, "--format", "html", "--output", temp.path + "/fleet.html"])
        #expect(again2.status == 1 && again2.stderr.contains("--force"), "an existing report is replaced only with --force")

        let ecs = try Run.extriage(["case", "export", "--db", db, "--format", "ecs", "--output", temp.path + "/case.ndjson"])
        #expect(ecs.status == 0, "\(ecs.stderr)")
        let bulk = try String(contentsOfFile: temp.path + "/case.ndjson", encoding: .utf8).split(separator: "\n")
        #expect(bulk.count > 2 && bulk.count % 2 == 0 && bulk[0].contains("\"create\""))
        for engine in ["elasticsearch", "opensearch"] {
            #expect(FileManager.default.fileExists(atPath: temp.path + "/case.ndjson.\(engine)-template.json"))
        }
        let sketch = try Run.extriage(["case", "export", "--db", db, "--format", "timesketch", "--output", temp.path + "/case.jsonl"])
        #expect(sketch.status == 0, "\(sketch.stderr)")
        #expect(try String(contentsOfFile: temp.path + "/case.jsonl", encoding: .utf8).contains("\"data_type\":\"extriage:finding:evidence\""))
    }

    @Test func aDatabaseThatIsNotACaseIsRefused() throws {
        let temp = try TemporaryDirectory()
        let notes = try temp.write("notes.sqlite", "plain text, not SQLite")
        let run = try Run.extriage(["case", "report", "--db", "sqlite:" + notes])
        #expect(run.status == 1)
        #expect(run.stderr.contains("not an extriage case database"))
        // Nothing listens on loopback port 1: the URL is named, its password is not.
        let postgres = try Run.extriage(["case", "add", notes, "--db", "postgresql://dfir:hunter2@127.0.0.1:1/case"])
        #expect(postgres.status == 1)
        #expect(postgres.stderr.contains("cannot connect to the case database") && postgres.stderr.contains("127.0.0.1:1"))
        #expect(!postgres.stderr.contains("hunter2"))
    }

    /// Two `case add` processes at once, each given both bundles, into one new PostgreSQL case:
    /// each bundle is stored once, and the report reads it back.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["EXTRIAGE_TEST_POSTGRES_URL"] != nil,
                   "EXTRIAGE_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped (make test starts a server)"))
    func twoProcessesAddIntoOnePostgreSQLCase() throws {
        let base = try #require(ProcessInfo.processInfo.environment["EXTRIAGE_TEST_POSTGRES_URL"])
        let name = "extriage_e2e_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        let created = try Run.extriage(["-v", "ON_ERROR_STOP=1", "-qc", "CREATE DATABASE \(name)", base], executable: "/usr/bin/psql")
        try #require(created.status == 0, "\(created.stderr)")
        var components = try #require(URLComponents(string: base))
        components.path = "/" + name
        let db = try #require(components.string)

        let temp = try TemporaryDirectory()
        let bundles = [try collectSample("exchange2016-compromised", into: temp), try collectSample("exchange2019-clean", into: temp)]
        let runs = try [bundles, bundles.reversed()].map { list -> (Process, Pipe) in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Run.executable)
            process.arguments = ["case", "add"] + list + ["--db", db, "--jobs", "1"]
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return (process, err)
        }
        var stderr = ""
        for (process, err) in runs {
            stderr += String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(stderr)")
        }
        #expect(stderr.components(separatedBy: ": added: ").count - 1 == 2, "\(stderr)")
        #expect(stderr.components(separatedBy: "already in the case").count - 1 == 2, "\(stderr)")

        let report = try Run.extriage(["case", "report", "--db", db, "--format", "json"])
        #expect(report.status == 0, "\(report.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        let hosts = object["hosts"] as? [[String: Any]] ?? []
        #expect(hosts.count == 2 && hosts.contains { $0["verdict"] as? String == "compromised" })
        #expect(hosts.allSatisfy { ($0["bundles"] as? [Any])?.count == 1 }, "each bundle stored once")
    }
}
