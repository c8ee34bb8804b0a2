import ExTriageCore
import Foundation

/// A value read from one data file, with where it came from and the file's exact bytes.
public struct DataFile<Value> {
    public var value: Value
    /// The full path.
    public var file: String
    /// The path below the folder that was loaded, with `/` separators.
    public var relativePath: String
    public var bytes: [UInt8]
}

extension DataFile: Sendable where Value: Sendable {}

/// Loads a folder of YAML data files of one kind: every `*.yaml` in name order, every problem
/// of every file collected, ids unique across the folder.
public enum DataFolder {
    /// Every `*.yaml` in `directory` (and below it when `recursive`), relative and sorted.
    ///
    /// A missing folder is an error, never an empty result: a rules folder that is not there
    /// must not look like "no rules".
    public static func yamlFiles(in directory: String, recursive: Bool = false) throws(DataDocumentProblems) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DataDocumentProblems([DataProblem(file: directory, message: "is not a folder (missing or not a directory)")])
        }
        let names: [String]?
        if recursive {
            names = FileManager.default.subpaths(atPath: directory)
        } else {
            names = try? FileManager.default.contentsOfDirectory(atPath: directory)
        }
        guard let names else {
            throw DataDocumentProblems([DataProblem(file: directory, message: "cannot be listed")])
        }
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    /// Reads every `*.yaml` in `directory` with ``DataDocument`` rules (allowed top-level keys,
    /// a supported `version:`), building each value with `build(document, relativePath)`.
    ///
    /// Returns the files that loaded cleanly and every problem found, in file order. With an
    /// `idKey`, a value at that key repeated in a later file is a problem there (naming the first
    /// file). Throws only when the folder itself is missing or unreadable.
    public static func load<Value>(directory: String, recursive: Bool = false, allowedKeys: Set<String>, versions: Set<Int>,
                                   idKey: String? = "id",
                                   build: (_ document: DataDocument, _ relativePath: String) -> Value?)
        throws(DataDocumentProblems) -> (files: [DataFile<Value>], problems: [DataProblem]) {
        var files: [DataFile<Value>] = []
        var problems: [DataProblem] = []
        var firstFileWithID: [String: String] = [:]
        for relative in try yamlFiles(in: directory, recursive: recursive) {
            let file = directory + "/" + relative
            guard let data = FileManager.default.contents(atPath: file) else {
                problems.append(DataProblem(file: file, message: "cannot be read"))
                continue
            }
            let bytes = Array(data)
            let log = ProblemLog(file: file)
            let document = DataDocument.compose(text: String(decoding: bytes, as: UTF8.self), allowedKeys: allowedKeys,
                                                versions: versions, log: log)
            let value = document.flatMap { build($0, relative) }
            if let idKey, let document, let id = document[idKey]?.node.scalar?.string.trimmingWhitespace(), !id.isEmpty {
                if let first = firstFileWithID[id] {
                    document.problem(idKey, "'\(id)' is already the \(idKey) of \(first)")
                } else {
                    firstFileWithID[id] = file
                }
            }
            switch DataDocument.finish(value, log) {
            case .success(let value): files.append(DataFile(value: value, file: file, relativePath: relative, bytes: bytes))
            case .failure(let found): problems += found.problems
            }
        }
        return (files, problems)
    }
}
