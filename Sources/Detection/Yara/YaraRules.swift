import CYara
import ExTriageCore
import Foundation

/// A rule file that failed to compile: the file, the line and libyara's message.
public struct YaraCompileProblem: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public var description: String { "\(file):\(line): \(message)" }
}

/// A compiled rule set, made once per run and shared read-only by every scanner (libyara allows
/// one `YR_RULES` under many `YR_SCANNER`s, one per thread).
///
/// Each file compiles into its own namespace, so two packs may both name a rule `webshell`.
/// A file is first compiled alone: one that fails is reported with file and line, and either
/// skipped (`strict: false`) or fatal (`strict: true`; built-in rules are always strict).
public final class YaraRules: @unchecked Sendable {
    let handle: UnsafeMutablePointer<YR_RULES>
    /// The files compiled in, built-in first.
    public let files: [String]
    /// External files that failed to compile and were left out.
    public let skipped: [YaraCompileProblem]
    /// Rules in the set.
    public let ruleCount: Int

    private init(handle: UnsafeMutablePointer<YR_RULES>, files: [String], skipped: [YaraCompileProblem]) {
        self.handle = handle
        self.files = files
        self.skipped = skipped
        ruleCount = Int(handle.pointee.num_rules)
    }

    deinit { yr_rules_destroy(handle) }

    /// Compiles `builtin` files (must all compile) and `external` files (skipped on error unless
    /// `strict`). Throws when nothing compiles or a required file fails, naming file and line.
    public static func compile(builtin: [String], external: [String], strict: Bool) throws -> YaraRules {
        try YaraRuntime.ensureInitialized()
        var good: [String] = []
        var skipped: [YaraCompileProblem] = []
        for file in builtin + external {
            let problems = try check(file)
            if problems.isEmpty {
                good.append(file)
                continue
            }
            if strict || builtin.contains(file) {
                let list = problems.prefix(5).map(\.description).joined(separator: "; ")
                throw ExTriageError(.invalidProfile, "YARA rules do not compile: \(list)", path: file)
            }
            skipped.append(contentsOf: problems.prefix(1))
        }
        guard !good.isEmpty else {
            throw ExTriageError(.invalidProfile, "no YARA rule file compiled (\(skipped.count) skipped)")
        }
        let compiler = try Compiler()
        for file in good {
            let problems = try compiler.add(file: file)
            if !problems.isEmpty {
                throw ExTriageError(.invalidProfile, "YARA rules do not compile together: \(problems.prefix(5).map(\.description).joined(separator: "; "))", path: file)
            }
        }
        return YaraRules(handle: try compiler.rules(), files: good, skipped: skipped)
    }

    /// Compiles rule text held in memory (tests, one-off rules); errors name `label`.
    public static func compile(source: String, label: String = "<inline>") throws -> YaraRules {
        try YaraRuntime.ensureInitialized()
        let compiler = try Compiler()
        let problems = compiler.add(source: source, label: label)
        guard problems.isEmpty else {
            throw ExTriageError(.invalidProfile, "YARA rules do not compile: \(problems.prefix(5).map(\.description).joined(separator: "; "))", path: label)
        }
        return YaraRules(handle: try compiler.rules(), files: [label], skipped: [])
    }

    /// The problems compiling `file` alone would report (none: it compiles).
    static func check(_ file: String) throws -> [YaraCompileProblem] {
        try Compiler().add(file: file)
    }

    /// The `.yar`/`.yara` files (any case) under `directory`, recursively, sorted by path;
    /// hidden files and folders (`.git`) are left out.
    public static func ruleFiles(in directory: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ExTriageError(.invalidArgument, "the rules directory does not exist or is not a directory", path: directory)
        }
        let root = URL(fileURLWithPath: directory)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey],
                                                          options: [.skipsHiddenFiles]) else {
            throw ExTriageError(.io, "cannot list the rules directory", path: directory)
        }
        var files: [String] = []
        for case let url as URL in walker {
            let lower = url.lastPathComponent.lowercased()
            guard lower.hasSuffix(".yar") || lower.hasSuffix(".yara"),
                  (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            files.append(url.path)
        }
        return files.sorted()
    }
}

/// One `YR_COMPILER` with the externals declared and errors gathered by file and line.
private final class Compiler {
    let handle: UnsafeMutablePointer<YR_COMPILER>
    private let sink = ProblemSink()
    private var consumed = false

    init() throws {
        var compiler: UnsafeMutablePointer<YR_COMPILER>?
        guard yr_compiler_create(&compiler) == ERROR_SUCCESS, let compiler else {
            throw ExTriageError(.io, "libyara could not create a compiler")
        }
        handle = compiler
        yr_compiler_set_callback(handle, { level, fileName, line, _, message, context in
            guard level == YARA_ERROR_LEVEL_ERROR, let context else { return }
            let sink = Unmanaged<ProblemSink>.fromOpaque(context).takeUnretainedValue()
            let file = fileName.map { String(cString: $0) } ?? sink.label
            sink.problems.append(YaraCompileProblem(file: file, line: Int(line), message: message.map { String(cString: $0) } ?? "error"))
        }, Unmanaged.passUnretained(sink).toOpaque())
        for name in YaraExternals.names {
            _ = yr_compiler_define_string_variable(handle, name, "")
        }
    }

    deinit { if !consumed { yr_compiler_destroy(handle) } }

    /// Adds one file under its own namespace; the problems it raised.
    func add(file: String) throws -> [YaraCompileProblem] {
        guard let stream = fopen(file, "r") else {
            throw ExTriageError(.io, "cannot open the YARA rule file", path: file)
        }
        defer { fclose(stream) }
        sink.label = file
        let before = sink.problems.count
        _ = yr_compiler_add_file(handle, stream, file, file)
        return Array(sink.problems[before...])
    }

    func add(source: String, label: String) -> [YaraCompileProblem] {
        sink.label = label
        let before = sink.problems.count
        _ = yr_compiler_add_string(handle, source, label)
        return Array(sink.problems[before...]).map { problem in
            var copy = problem
            if copy.file.isEmpty { copy.file = label }
            return copy
        }
    }

    /// The compiled rules; the compiler is spent afterwards.
    func rules() throws -> UnsafeMutablePointer<YR_RULES> {
        var rules: UnsafeMutablePointer<YR_RULES>?
        let status = yr_compiler_get_rules(handle, &rules)
        guard status == ERROR_SUCCESS, let rules else {
            throw ExTriageError(.invalidProfile, "libyara could not finish compiling the rules (error \(status))")
        }
        yr_compiler_destroy(handle)
        consumed = true
        return rules
    }
}

private final class ProblemSink {
    var problems: [YaraCompileProblem] = []
    var label = ""
}
