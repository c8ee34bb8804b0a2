import ExTriageCore
import Foundation

/// `case export`: every stored finding's evidence as NDJSON, one line (or, for ECS, an action
/// line and a document) per evidence item, written as the rows are read: memory stays flat.
public struct CaseExport: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        /// Elastic Common Schema documents as `_bulk` NDJSON, with index templates beside.
        case ecs
        /// Timesketch JSONL.
        case timesketch
    }

    public var store: CaseStore
    public var format: Format

    public init(store: CaseStore, format: Format) {
        self.store = store
        self.format = format
    }

    /// Writes the export to `path`; for ECS also `<path>.elasticsearch-template.json` and
    /// `<path>.opensearch-template.json`. Returns the number of events written.
    @discardableResult
    public func write(to path: String) throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw ExTriageError(.outputUnwritable, "cannot write the export", path: path)
        }
        defer { try? handle.close() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var count = 0
        var buffer: [UInt8] = []
        try each { item in
            switch format {
            case .ecs:
                guard let document = ECSDocument(item) else { return }
                buffer += Array(ECSDocument.actionLine(index: IndexTemplate.indexName).utf8) + [10]
                buffer += Array(try encoder.encode(document)) + [10]
            case .timesketch:
                guard let line = TimesketchLine(item) else { return }
                buffer += Array(try encoder.encode(line)) + [10]
            }
            count += 1
            if buffer.count >= Self.flushBytes {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: buffer)
        if format == .ecs {
            for engine in [IndexTemplate.Engine.elasticsearch, .opensearch] {
                let templatePath = path + ".\(engine.rawValue)-template.json"
                guard FileManager.default.createFile(atPath: templatePath, contents: Data(try IndexTemplate.json(for: engine))) else {
                    throw ExTriageError(.outputUnwritable, "cannot write the index template", path: templatePath)
                }
            }
        }
        return count
    }

    /// Bytes gathered before a write.
    static let flushBytes = 1 << 20

    /// Calls `body` for every evidence item of every stored finding, bundle by bundle.
    func each(_ body: (ExportEvent) throws -> Void) throws {
        try store.read { db in
            let bundles = try db.rows("SELECT id, sha256, host, case_id, collected_at FROM bundles WHERE analyzed = 1 ORDER BY id")
            for bundle in bundles {
                let id = try bundle.requiredInt("id"), sha256 = try bundle.requiredText("sha256")
                let host = bundle.text("host") ?? "unnamed-" + String(sha256.prefix(12))
                let collected = bundle.text("collected_at")
                for finding in try StoredRows.findings(db, bundleId: id) {
                    for evidence in finding.evidence {
                        let (time, description) = ExportEvent.dated(evidence, finding: finding, collectedAt: collected.flatMap(Timestamp.init(iso8601:)))
                        try body(ExportEvent(host: host, bundleSha256: sha256, caseId: bundle.text("case_id"), finding: finding,
                                             evidence: evidence, time: time, timeDescription: description))
                    }
                }
            }
        }
    }
}
