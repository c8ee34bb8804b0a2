@testable import CaseStore
import ExTriageCore
import Foundation
import GRDB
import Testing
import TestSupport

/// The case database: created, versioned, one copy per bundle, never someone else's database.
@Suite struct CaseStoreTests {
    static func count(_ store: CaseStore, _ table: String) throws -> Int {
        try store.read { db in try db.row("SELECT COUNT(*) AS n FROM \(table)")?.int("n").map(Int.init) ?? 0 }
    }

    @Test func addingTheSameBundleTwiceChangesNothing() throws {
        let temp = try TemporaryDirectory()
        let store = try CaseStore(url: .sqlite(path: temp.path + "/case.sqlite"))
        let report = try #require(FleetFixtures.organisation().first)
        #expect(try store.add(CaseEntry(report: report, sha256: FleetFixtures.sha("1"))) == .added)
        let counts = try ["bundles", "findings", "cve_states", "log_spans", "campaigns", "indicators"].map { try Self.count(store, $0) }
        #expect(try store.add(CaseEntry(report: report, sha256: FleetFixtures.sha("1"))) == .alreadyPresent)
        #expect(try ["bundles", "findings", "cve_states", "log_spans", "campaigns", "indicators"].map { try Self.count(store, $0) } == counts)
        #expect(counts[0] == 1 && counts[1] == 3)
        #expect(try store.schemaVersion() == CaseSchema.currentVersion)
    }

    @Test func anUnverifiedBundleIsRecordedWithoutFindings() throws {
        let temp = try TemporaryDirectory()
        let store = try CaseStore(url: .sqlite(path: temp.path + "/case.sqlite"))
        let record = CaseEntry.BundleRecord(sha256: FleetFixtures.sha("e"), path: "/cases/broken.tar", caseId: "ORG-1",
                                            verification: VerificationSummary(status: "not-intact", text: "NOT INTACT",
                                                                              problems: ["member changed"], analyzedAnyway: false))
        #expect(try store.add(CaseEntry(unanalyzed: record)) == .added)
        let row = try #require(try store.read { db in try db.row("SELECT verification_status, analyzed FROM bundles") })
        #expect(row.text("verification_status") == "not-intact")
        #expect(row.int("analyzed") == 0)
        #expect(try Self.count(store, "findings") == 0)
        let fleet = try FleetReportBuilder().build(from: store)
        #expect(fleet.hosts.first?.verdict == "not-analyzed")
        #expect(fleet.hosts.first?.notAssessable.first?.contains("did not verify") == true)
    }

    @Test func aDatabaseThatIsNotOursIsRefusedUntouched() throws {
        let temp = try TemporaryDirectory()
        let path = temp.path + "/other.sqlite"
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "CREATE TABLE customers (name TEXT)") }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect { try CaseStore(url: .sqlite(path: path)) } throws: { error in
            "\(error)".contains("not an extriage case database") && "\(error)".contains("customers")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let text = try temp.write("notes.txt", "not a database at all")
        #expect { try CaseStore(url: .sqlite(path: text)) } throws: { "\($0)".contains("not SQLite") }
    }

    @Test func aNewerSchemaIsRefusedWithItsVersion() throws {
        let temp = try TemporaryDirectory()
        let path = temp.path + "/case.sqlite"
        _ = try CaseStore(url: .sqlite(path: path))
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "UPDATE schema_version SET version = 99") }
        #expect { try CaseStore(url: .sqlite(path: path)) } throws: { error in
            "\(error)".contains("schema version 99") && "\(error)".contains("newer")
        }
    }

    /// A version 1 database (no indicators table) is migrated, its indicators drawn from the stored findings.
    @Test func anOlderSchemaIsMigratedAndItsIndicatorsFilledIn() throws {
        let temp = try TemporaryDirectory()
        let path = temp.path + "/case.sqlite"
        let report = try #require(FleetFixtures.organisation().first)
        try SQLiteCase(path: path).write { db in try CaseStoreTests.storeAtVersion1(db, report) }
        let store = try CaseStore(url: .sqlite(path: path))
        #expect(try store.schemaVersion() == CaseSchema.currentVersion)
        let kinds = try store.read { db in try db.rows("SELECT DISTINCT kind FROM indicators ORDER BY kind").compactMap { $0.text("kind") } }
        #expect(kinds == ["clientIp", "shellName", "shellParameter", "shellSha256", "userAgent"])
    }

    /// A version 1 case (no indicators table) with one bundle, written with the statements of then.
    static func storeAtVersion1(_ db: any CaseSQL, _ report: AnalysisReport) throws {
        try CaseSchema.createCoreTables(db)
        try db.execute("INSERT INTO schema_version (version) VALUES (1)")
        let id = try #require(try StoredRows.insertBundle(db, CaseEntry(report: report, sha256: FleetFixtures.sha("1")), addedAt: .now()))
        try StoredRows.insertAnalysis(db, bundleId: id, report)
    }

    @Test func urlsAreParsedAndAPostgreSQLURLThatCannotConnectSaysSo() throws {
        #expect(try CaseDatabaseURL(parsing: "sqlite:cases/a.sqlite") == .sqlite(path: "cases/a.sqlite"))
        #expect(throws: ExTriageError.self) { try CaseDatabaseURL(parsing: "mysql://x") }
        let (configuration, display) = try PostgresCase.configuration(parsing: "postgresql://dfir:secret@db.example:6543/case")
        #expect(configuration.host == "db.example" && configuration.port == 6543 && configuration.username == "dfir")
        #expect(configuration.database == "case" && configuration.password == "secret")
        #expect(!display.contains("secret"))
        // Port 1 on loopback: nothing listens there.
        let url = try CaseDatabaseURL(parsing: "postgresql://dfir:secret@127.0.0.1:1/case")
        #expect { try CaseStore(url: url) } throws: { error in
            "\(error)".contains("cannot connect to the case database") && "\(error)".contains("127.0.0.1:1") && !"\(error)".contains("secret")
        }
    }
}
