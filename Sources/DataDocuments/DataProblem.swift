import ExTriageCore

/// One thing wrong with a data file, named by file, line and key.
///
/// Printed as `file:line: key 'k': message`; the line or key is left out when it is not known
/// (an unreadable file, a missing folder).
public struct DataProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based line in the file.
    public var line: Int?
    /// The dotted key path from the document's root, e.g. `samples.positive`.
    public var key: String?
    public var message: String

    public init(file: String, line: Int? = nil, key: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let key { text += ": key '\(key)'" }
        return text + ": " + message
    }
}

/// Every problem found in one or more data files: the one error the data loaders report.
///
/// Public entry points wrap it in `ExTriageError(.invalidProfile, ...)` with
/// ``exTriageError(_:path:)``, so a user sees every problem at once, one per line.
public struct DataDocumentProblems: Error, Sendable, CustomStringConvertible {
    public var problems: [DataProblem]

    public init(_ problems: [DataProblem]) {
        self.problems = problems
    }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }

    /// `<summary>:` followed by one indented line per problem, as an `.invalidProfile` error.
    public func exTriageError(_ summary: String, path: String? = nil) -> ExTriageError {
        ExTriageError(.invalidProfile, summary + ":\n  " + problems.map(\.description).joined(separator: "\n  "), path: path)
    }
}

extension Result where Failure == DataDocumentProblems {
    /// The value, or the problems thrown as one `ExTriageError` headed by `summary`.
    public func value(or summary: String, path: String? = nil) throws -> Success {
        switch self {
        case .success(let value): return value
        case .failure(let problems): throw problems.exTriageError(summary, path: path)
        }
    }
}

/// The problems of one file, shared by every reader of its document (so nested mappings record
/// into the same list).
final class ProblemLog {
    let file: String
    private(set) var problems: [DataProblem] = []

    init(file: String) {
        self.file = file
    }

    func add(_ line: Int?, _ key: String?, _ message: String) {
        problems.append(DataProblem(file: file, line: line, key: key, message: message))
    }
}
