@testable import CaseStore
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// `case export`: ECS documents checked against the ECS field reference (types and names), the
/// index templates against the same, and Timesketch lines for the fields Timesketch requires.
@Suite struct ExportTests {
    /// name → type, from the ECS field reference copied as test data.
    static func ecsReference() throws -> [String: String] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Data/ecs-8.11-fields.tsv"
        var types: [String: String] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            let columns = line.split(separator: "\t").map(String.init)
            if columns.count >= 2 { types[columns[0]] = columns[1] }
        }
        return types
    }

    static func exported(_ format: CaseExport.Format) throws -> (lines: [[String: Any]], temp: TemporaryDirectory, path: String) {
        let temp = try TemporaryDirectory()
        let store = try CaseStore(url: .sqlite(path: temp.path + "/case.sqlite"))
        for report in FleetFixtures.organisation() { try store.add(CaseEntry(report: report, sha256: report.bundle.sha256 ?? "")) }
        let path = temp.path + "/export.ndjson"
        let count = try CaseExport(store: store, format: format).write(to: path)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        #expect(count > 0 && lines.count == count * (format == .ecs ? 2 : 1))
        return (lines, temp, path)
    }

    /// Dotted leaf paths of a document with their values (arrays of scalars are leaves).
    static func leaves(_ object: [String: Any], prefix: String = "") -> [(String, Any)] {
        object.flatMap { key, value -> [(String, Any)] in
            let name = prefix.isEmpty ? key : prefix + "." + key
            if let inner = value as? [String: Any], name != ECSFields.freeFormField { return leaves(inner, prefix: name) }
            return [(name, value)]
        }
    }

    static func fits(_ value: Any, _ type: String) -> Bool {
        if let list = value as? [Any] { return list.allSatisfy { fits($0, type) } }
        switch type {
        case "keyword", "wildcard", "match_only_text": return value is String
        case "long": return (value as? NSNumber).map { "\($0)".allSatisfy { $0.isNumber || $0 == "-" } } ?? false
        case "date": return (value as? String).flatMap(Timestamp.init(iso8601:)) != nil
        case "ip":
            guard let text = value as? String else { return false }
            var v4 = in_addr(), v6 = in6_addr()
            return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
        default: return false
        }
    }

    @Test func ecsDocumentsUseECSNamesAndTypes() throws {
        let reference = try Self.ecsReference()
        let (lines, _, _) = try Self.exported(.ecs)
        for (index, line) in lines.enumerated() {
            if index % 2 == 0 {
                #expect((line["create"] as? [String: Any])?["_index"] as? String == IndexTemplate.indexName)
                continue
            }
            for (name, value) in Self.leaves(line) where name != ECSFields.freeFormField {
                let type = try #require(reference[name], "\(name) is not an ECS field")
                #expect(Self.fits(value, type), "\(name) holds \(value), not an ECS \(type)")
            }
            #expect(line[ECSFields.freeFormField] is [String: String])
        }
        let documents = lines.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        let leafNames = Set(documents.flatMap { Self.leaves($0).map(\.0) })
        #expect(leafNames.isSuperset(of: ["@timestamp", "host.name", "rule.id", "rule.name", "vulnerability.id",
                                          "threat.technique.id", "source.ip", "file.path", "file.hash.sha256", "log.file.path",
                                          "url.original", "http.response.status_code"]))
        // The request's URL and status, as the analysis stored them with the line.
        let ssrf = try #require(documents.first { ($0["rule"] as? [String: Any])?["id"] as? String == "EXT-C03" })
        #expect((ssrf["url"] as? [String: Any])?["original"] as? String == "/ecp/y.js?x=1")
        let status = ((ssrf["http"] as? [String: Any])?["response"] as? [String: Any])?["status_code"] as? Int
        #expect(status == 241 || status == 500)
        // A file has no request.
        let shell = try #require(documents.first { ($0["rule"] as? [String: Any])?["id"] as? String == "EXT-C10" && $0["file"] != nil })
        #expect(shell["url"] == nil && shell["http"] == nil)
    }

    /// A client that is not an address (`-`, a name) stays out of `source.ip`, which would refuse the document.
    @Test func onlyAddressesGoToSourceIp() throws {
        var finding = FleetFixtures.ssrf(client: "-", agent: "curl/7.1", at: "2021-03-03T05:00:00Z", verdict: .attempt)
        let evidence = try #require(finding.evidence.first)
        finding.pivots[.clientIp] = ["-"]
        let event = ExportEvent(host: "h", bundleSha256: "s", finding: finding, evidence: evidence,
                                time: evidence.timestamp, timeDescription: "Event Recorded")
        #expect(ECSDocument(event)?.source == nil)
        finding.pivots[.clientIp] = ["2001:db8::7"]
        #expect(ECSDocument(ExportEvent(host: "h", bundleSha256: "s", finding: finding, evidence: evidence,
                                        time: evidence.timestamp, timeDescription: "Event Recorded"))?.source?.ip == "2001:db8::7")
    }

    @Test func theTemplatesMapEveryFieldWithItsECSType() throws {
        let reference = try Self.ecsReference()
        for (name, type) in ECSFields.types { #expect(reference[name] == type, "\(name): \(type) vs ECS \(reference[name] ?? "none")") }
        for engine in [IndexTemplate.Engine.elasticsearch, .opensearch] {
            let template = try #require(try JSONSerialization.jsonObject(with: Data(try IndexTemplate.json(for: engine))) as? [String: Any])
            #expect(template["index_patterns"] as? [String] == [IndexTemplate.indexPattern])
            let mappings = (template["template"] as? [String: Any])?["mappings"] as? [String: Any]
            var types: [String: String] = [:]
            func walk(_ properties: [String: Any], _ prefix: String) {
                for (key, value) in properties {
                    guard let field = value as? [String: Any] else { continue }
                    let name = prefix.isEmpty ? key : prefix + "." + key
                    if let type = field["type"] as? String { types[name] = type }
                    if let inner = field["properties"] as? [String: Any] { walk(inner, name) }
                }
            }
            walk(mappings?["properties"] as? [String: Any] ?? [:], "")
            for (name, type) in ECSFields.types {
                let expected = engine == .opensearch ? ECSFields.openSearchTypes[type] ?? type : type
                #expect(types[name] == expected, "\(engine) \(name)")
            }
            #expect(types[ECSFields.freeFormField] == (engine == .elasticsearch ? "flattened" : "flat_object"))
        }
    }

    @Test func timesketchLinesCarryWhatTimesketchNeeds() throws {
        let (lines, _, _) = try Self.exported(.timesketch)
        for line in lines {
            #expect(line["message"] is String && line["timestamp_desc"] is String)
            #expect((line["datetime"] as? String).flatMap(Timestamp.init(iso8601:)) != nil)
            #expect(line["timestamp"] is Int)
            #expect(line["data_type"] as? String == TimesketchLine.dataType)
        }
        #expect(Set(lines.compactMap { $0["host"] as? String }) == ["mail1", "mail2", "mail3", "mail4", "mail5"])
    }
}
