@testable import CaseStore
import Dispatch
import ExTriageCore
import Foundation
import Synchronization
import Testing
import TestSupport

/// A throw-away PostgreSQL server named by `EXTRIAGE_TEST_POSTGRES_URL` (`make test` starts one
/// through scripts/with-postgres.sh); each test works in a database of its own.
enum PostgresTestServer {
    static let variable = "EXTRIAGE_TEST_POSTGRES_URL"
    static let url = ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    static let skipReason: Comment = "EXTRIAGE_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped (make test starts a server)"

    /// A new empty database on the server, as a case URL.
    static func freshDatabase() throws -> CaseDatabaseURL {
        let base = try #require(url)
        let name = "extriage_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let server = try PostgresCase(url: base)
        try server.withConnection { connection in try PostgresCase.Connection(connection: connection).execute("CREATE DATABASE \(name)") }
        var components = try #require(URLComponents(string: base))
        components.path = "/" + name
        return .postgresql(url: try #require(components.string))
    }
}

@Suite(.enabled(if: PostgresTestServer.url != nil, PostgresTestServer.skipReason))
struct PostgresCaseTests {
    static func count(_ store: CaseStore, _ table: String) throws -> Int {
        try CaseStoreTests.count(store, table)
    }

    static let tables = ["bundles", "findings", "cve_states", "log_spans", "campaigns", "indicators"]

    @Test func theSchemaIsCreatedOnFirstUseAndABundleIsStoredOnce() throws {
        let url = try PostgresTestServer.freshDatabase()
        let store = try CaseStore(url: url)
        #expect(try store.schemaVersion() == CaseSchema.currentVersion)
        let report = try #require(FleetFixtures.organisation().first)
        #expect(try store.add(CaseEntry(report: report, sha256: FleetFixtures.sha("1"))) == .added)
        let counts = try Self.tables.map { try Self.count(store, $0) }
        #expect(try store.add(CaseEntry(report: report, sha256: FleetFixtures.sha("1"))) == .alreadyPresent)
        #expect(try Self.tables.map { try Self.count(store, $0) } == counts)
        #expect(counts[0] == 1 && counts[1] == 3 && counts[5] > 0)
        #expect(try store.contains(sha256: FleetFixtures.sha("1")))
        // Opening again finds the schema made and changes nothing.
        let again = try CaseStore(url: url)
        #expect(try Self.tables.map { try Self.count(again, $0) } == counts)
    }

    @Test func aNewerSchemaIsRefusedAndADatabaseThatIsNotOursIsLeftAlone() throws {
        let url = try PostgresTestServer.freshDatabase()
        let store = try CaseStore(url: url)
        try store.backend.write { db in try db.execute("UPDATE schema_version SET version = 99") }
        #expect { try CaseStore(url: url) } throws: { "\($0)".contains("schema version 99") && "\($0)".contains("newer") }

        let other = try PostgresTestServer.freshDatabase()
        guard case .postgresql(let text) = other else { return }
        try PostgresCase(url: text).write { db in try db.execute("CREATE TABLE customers (name TEXT)") }
        #expect { try CaseStore(url: other) } throws: { "\($0)".contains("not an extriage case database") && "\($0)".contains("customers") }
        let tables = try PostgresCase(url: text).read { db in try db.tableNames() }
        #expect(tables == ["customers"])
    }

    @Test func anOlderSchemaIsMigrated() throws {
        let url = try PostgresTestServer.freshDatabase()
        guard case .postgresql(let text) = url else { return }
        let report = try #require(FleetFixtures.organisation().first)
        try PostgresCase(url: text).write { db in try CaseStoreTests.storeAtVersion1(db, report) }
        let store = try CaseStore(url: url)
        #expect(try store.schemaVersion() == CaseSchema.currentVersion)
        let kinds = try store.read { db in try db.rows("SELECT DISTINCT kind FROM indicators ORDER BY kind").compactMap { $0.text("kind") } }
        #expect(kinds == ["clientIp", "shellName", "shellParameter", "shellSha256", "userAgent"])
    }

    /// Two writers, each with its own connections (as two processes have), open one new database at
    /// once and add the same six bundles at once: each bundle is stored once, nothing is half-written.
    @Test func racingWritersStoreEachBundleOnce() throws {
        let url = try PostgresTestServer.freshDatabase()
        let opened = Mutex<[CaseStore]>([])
        let openErrors = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            do {
                let store = try CaseStore(url: url)
                opened.withLock { $0.append(store) }
            } catch {
                openErrors.withLock { $0.append("\(error)") }
            }
        }
        #expect(openErrors.withLock { $0 }.isEmpty)
        let stores = opened.withLock { $0 }
        try #require(stores.count == 2)
        let reports = FleetFixtures.organisation()
        let shas: [Character] = ["1", "2", "3", "4", "5", "6"]
        let results = Mutex<[String: [CaseStore.AddResult]]>([:])
        let addErrors = Mutex<[String]>([])
        // Iteration i: writer i % 2 adds bundle i / 2, so both writers add every bundle, side by side.
        DispatchQueue.concurrentPerform(iterations: reports.count * 2) { index in
            let bundle = index / 2
            do {
                let result = try stores[index % 2].add(CaseEntry(report: reports[bundle], sha256: FleetFixtures.sha(shas[bundle])))
                results.withLock { $0[String(shas[bundle]), default: []].append(result) }
            } catch {
                addErrors.withLock { $0.append("\(error)") }
            }
        }
        #expect(addErrors.withLock { $0 }.isEmpty)
        for (sha, outcomes) in results.withLock({ $0 }) {
            #expect(outcomes.sorted { "\($0)" < "\($1)" } == [.added, .alreadyPresent], "bundle \(sha)")
        }
        #expect(try Self.count(stores[0], "bundles") == reports.count)
        #expect(try Self.count(stores[1], "findings") == reports.map(\.findings.count).reduce(0, +))

        // The fleet view read from PostgreSQL is the one read from SQLite for the same bundles.
        let temp = try TemporaryDirectory()
        let sqlite = try CaseStore(url: .sqlite(path: temp.path + "/case.sqlite"))
        for (index, report) in reports.enumerated() { try sqlite.add(CaseEntry(report: report, sha256: FleetFixtures.sha(shas[index]))) }
        let fromPostgres = try FleetReportBuilder().build(from: stores[0], at: Timestamp(seconds: 0))
        let fromSQLite = try FleetReportBuilder().build(from: sqlite, at: Timestamp(seconds: 0))
        #expect(fromPostgres.clusters.map(\.hosts) == fromSQLite.clusters.map(\.hosts))
        #expect(fromPostgres.clusters.map(\.why) == fromSQLite.clusters.map(\.why))
        #expect(fromPostgres.hosts.map(\.verdict) == fromSQLite.hosts.map(\.verdict))
        #expect(fromPostgres.clusters.count == 2)

        // And so is the export (bundle ids, and so line order, follow the race).
        let pgExport = temp.path + "/pg.ndjson", liteExport = temp.path + "/lite.ndjson"
        let written = try CaseExport(store: stores[1], format: .timesketch).write(to: pgExport)
        #expect(written > 0)
        #expect(try CaseExport(store: sqlite, format: .timesketch).write(to: liteExport) == written)
        let lines = { (path: String) in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").sorted() }
        #expect(try lines(pgExport) == lines(liteExport))
    }
}
