import Foundation
import Testing
@testable import Detection

/// Every log in `Samples/images/` that `LogFamily` recognises parses with no malformed line and a timestamp on
/// every record.
@Suite struct SampleLogTests {
    static let imagesDirectory: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // Parsing, DetectionTests, Tests, repository root
        return url.appendingPathComponent("Samples/images").path
    }()

    /// (path relative to the image root, full path) for every regular file of every image.
    static func sampleFiles() -> [(relative: String, full: String)] {
        var result: [(String, String)] = []
        let manager = FileManager.default
        let images = (try? manager.contentsOfDirectory(atPath: imagesDirectory)) ?? []
        for image in images.sorted() {
            let root = imagesDirectory + "/" + image
            for relative in (manager.subpaths(atPath: root) ?? []).sorted() {
                var isDirectory: ObjCBool = false
                if manager.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
                    result.append((relative, root + "/" + relative))
                }
            }
        }
        return result
    }

    @Test func everySampleLogParsesCleanly() throws {
        let files = Self.sampleFiles()
        #expect(!files.isEmpty, "no samples under \(Self.imagesDirectory)")
        var families: Set<String> = []
        var logs = 0
        var totalRecords = 0
        for (relative, full) in files {
            guard let family = LogFamily.classify(sourcePath: relative) else { continue }
            logs += 1
            families.insert(String(describing: family).components(separatedBy: "/")[0])
            let data = try Data(contentsOf: URL(fileURLWithPath: full))
            var reader = LineReader()
            var parser = W3CLogParser()
            var records = 0
            var untimed: [Int] = []
            var malformed: [String] = []
            let handle: (Line) -> Void = { line in
                switch parser.parse(line) {
                case .record(let record):
                    records += 1
                    if record.timestamp == nil { untimed.append(record.line) }
                case .malformed(let reason):
                    malformed.append("line \(line.number): \(reason)")
                case .header, .blank:
                    break
                }
            }
            data.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {  // odd chunk size, so lines straddle chunks
                    let end = min(offset + 1021, bytes.count)
                    reader.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), handle)
                    offset = end
                }
            }
            reader.finish(handle)
            #expect(malformed.isEmpty, "\(relative): \(malformed.prefix(5))")
            #expect(parser.malformedCount == 0, "\(relative)")
            #expect(untimed.isEmpty, "\(relative): records without a timestamp at lines \(untimed.prefix(5))")
            totalRecords += records
            #expect(records == parser.recordCount)
            #expect(!parser.fields.isEmpty)
            #expect(reader.linesTruncated == 0)
        }
        #expect(logs >= 80, "only \(logs) sample logs recognised")
        #expect(totalRecords >= 500, "only \(totalRecords) records in the samples")
        #expect(families.isSuperset(of: ["HttpProxy", "ECP Server", "ECP Activity", "OAB Generator", "Rps Cmdlet", "IIS W3SVC1", "IIS W3SVC2", "HTTPERR"]))
    }

    @Test func sampleOABLogYieldsTheShellPath() throws {
        let path = Self.imagesDirectory
            + "/exchange2016-compromised/Program Files/Microsoft/Exchange Server/V15/Logging/OABGeneratorLog/OABGenerator_20210303-1.LOG"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var reader = LineReader()
        var parser = W3CLogParser()
        var paths: [String] = []
        let handle: (Line) -> Void = { line in
            if case .record(let record) = parser.parse(line),
               let found = OABGeneratorMessage.downloadFailurePath(record.value("Message") ?? "") {
                paths.append(found)
            }
        }
        data.withUnsafeBytes { reader.feed($0, handle) }
        reader.finish(handle)
        #expect(reader.encoding == "utf-8-bom")
        #expect(paths.contains(#"C:\inetpub\wwwroot\aspnet_client\system_web\qGtWmKzP.aspx"#))
    }
}
