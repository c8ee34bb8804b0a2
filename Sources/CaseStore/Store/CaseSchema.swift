/// The case database's schema, one migration per version, the same in SQLite and PostgreSQL
/// (`script` adapts the DDL). `schema_version` holds the version a database is at; opening
/// migrates an older one and refuses a newer one.
enum CaseSchema {
    /// The version this build writes.
    static let currentVersion = 3

    /// Tables any version of ours has; a database holding other tables and no `schema_version` is not ours.
    static let versionTable = "schema_version"

    /// Migration `n` takes a database from version `n - 1` to `n`.
    static func migration(to version: Int) -> ((any CaseSQL) throws -> Void)? {
        switch version {
        case 1: return createCoreTables
        case 2: return addIndicators
        case 3: return redrawIndicators
        default: return nil
        }
    }

    /// Runs DDL written in SQLite's spelling; for PostgreSQL an integer key is a `BIGSERIAL`, other
    /// integers `BIGINT`, and the statements go one at a time (a prepared statement holds one).
    static func script(_ db: any CaseSQL, _ ddl: String) throws {
        switch db.dialect {
        case .sqlite:
            try db.execute(ddl)
        case .postgresql:
            let spelled = ddl.replacingOccurrences(of: "id INTEGER PRIMARY KEY", with: "id BIGSERIAL PRIMARY KEY")
                .replacingOccurrences(of: "INTEGER", with: "BIGINT")
            for statement in spelled.split(separator: ";") where !statement.allSatisfy(\.isWhitespace) {
                try db.execute(String(statement))
            }
        }
    }

    /// Version 1: bundles and what their analysis said.
    static func createCoreTables(_ db: any CaseSQL) throws {
        try script(db, """
            CREATE TABLE schema_version (version INTEGER NOT NULL);
            CREATE TABLE bundles (
                id INTEGER PRIMARY KEY,
                sha256 TEXT NOT NULL UNIQUE,
                path TEXT NOT NULL,
                case_id TEXT, evidence_id TEXT, examiner TEXT,
                host TEXT, host_source TEXT,
                collected_at TEXT, source TEXT,
                verification_status TEXT NOT NULL,
                verification_text TEXT NOT NULL,
                verification_problems TEXT NOT NULL,
                analyzed INTEGER NOT NULL,
                verdict TEXT, verdict_note TEXT,
                tool_version TEXT,
                added_at TEXT NOT NULL);
            CREATE TABLE findings (
                bundle_id INTEGER NOT NULL REFERENCES bundles(id) ON DELETE CASCADE,
                finding_id INTEGER NOT NULL,
                check_id TEXT NOT NULL, title TEXT NOT NULL,
                verdict TEXT NOT NULL, severity TEXT NOT NULL, category TEXT,
                cves TEXT NOT NULL, attack TEXT NOT NULL, explanation TEXT NOT NULL,
                first_seen TEXT, last_seen TEXT,
                evidence TEXT NOT NULL, pivots TEXT NOT NULL, usage TEXT, notes TEXT, omitted_evidence INTEGER,
                PRIMARY KEY (bundle_id, finding_id));
            CREATE TABLE cve_states (
                bundle_id INTEGER NOT NULL REFERENCES bundles(id) ON DELETE CASCADE,
                cve TEXT NOT NULL, state TEXT NOT NULL, reason TEXT, patched_at TEXT,
                PRIMARY KEY (bundle_id, cve));
            CREATE TABLE coverage (
                bundle_id INTEGER NOT NULL REFERENCES bundles(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                check_id TEXT NOT NULL, title TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,
                members INTEGER NOT NULL, records INTEGER NOT NULL, malformed INTEGER NOT NULL,
                PRIMARY KEY (bundle_id, position));
            CREATE TABLE log_spans (
                bundle_id INTEGER NOT NULL REFERENCES bundles(id) ON DELETE CASCADE,
                family TEXT NOT NULL, files INTEGER NOT NULL, first TEXT, last TEXT, gaps TEXT NOT NULL,
                PRIMARY KEY (bundle_id, family));
            CREATE TABLE campaigns (
                bundle_id INTEGER NOT NULL REFERENCES bundles(id) ON DELETE CASCADE,
                position INTEGER NOT NULL, campaign TEXT NOT NULL,
                PRIMARY KEY (bundle_id, position));
            """)
    }

    /// Version 2: indicators drawn from findings and campaigns, filled in for bundles already stored.
    static func addIndicators(_ db: any CaseSQL) throws {
        try script(db, """
            CREATE TABLE indicators (
                bundle_id INTEGER NOT NULL REFERENCES bundles(id) ON DELETE CASCADE,
                kind TEXT NOT NULL, value TEXT NOT NULL, first_seen TEXT,
                PRIMARY KEY (bundle_id, kind, value));
            CREATE INDEX indicators_by_value ON indicators(kind, value);
            """)
        try fillIndicators(db)
    }

    /// Version 3: indicators drawn again, for the kinds added with it (shellFuzzy from a shell
    /// finding's pivots, mailboxExportPath), from the findings already stored.
    static func redrawIndicators(_ db: any CaseSQL) throws {
        try db.execute("DELETE FROM indicators")
        try fillIndicators(db)
    }

    static func fillIndicators(_ db: any CaseSQL) throws {
        let bundleIds = try db.rows("SELECT id FROM bundles WHERE analyzed = 1").compactMap { $0.int("id") }
        for bundleId in bundleIds {
            let findings = try StoredRows.findings(db, bundleId: bundleId)
            let campaigns = try StoredRows.campaigns(db, bundleId: bundleId)
            try StoredRows.insertIndicators(db, bundleId: bundleId, IndicatorExtractor.indicators(findings: findings, campaigns: campaigns))
        }
    }
}
