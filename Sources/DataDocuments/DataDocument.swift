import ExTriageCore
import Foundation
import Yams

/// A YAML mapping being read: typed reads that record problems (file, line, key) instead of
/// throwing the first one, so a loader reports everything wrong with a file at once.
///
/// The approach of swift-format's `Configuration` (a versioned format, unknown keys refused, a
/// message that says what is expected), on Yams' node tree rather than `Decodable` so every
/// problem carries its line. A read returns nil (or an empty list) when the value is missing or
/// wrong, and the problem is recorded; the loader builds its value only when every read worked.
///
/// ```swift
/// let result = DataDocument.parse(text: text, file: file, allowedKeys: ["version", "name"], versions: [1]) { document in
///     document.string("name").map(Thing.init)
/// }
/// ```
public struct DataDocument {
    public let file: String
    /// The dotted key path of this mapping from the document's root; empty at the root.
    public let keyPath: String
    /// The line the mapping starts on.
    public let line: Int?
    let log: ProblemLog
    let entries: [(key: String, value: DataValue)]

    /// Reads a mapping node's entries; keys outside `allowed` (nil: any key) and repeated keys
    /// are recorded as problems and left out.
    init(mapping: Node.Mapping, keyPath: String, allowed: Set<String>?, log: ProblemLog) {
        self.file = log.file
        self.keyPath = keyPath
        self.line = mapping.mark?.line
        self.log = log
        var entries: [(key: String, value: DataValue)] = []
        var seen = Set<String>()
        for (keyNode, value) in mapping {
            let line = keyNode.mark?.line
            guard case .scalar(let scalar) = keyNode else {
                log.add(line, keyPath.isEmpty ? nil : keyPath, "has a key that is not a text value")
                continue
            }
            let key = scalar.string
            let path = DataDocument.join(keyPath, key)
            if let allowed, !allowed.contains(key) {
                log.add(line, path, "is not allowed here (allowed: \(allowed.sorted().joined(separator: ", ")))")
                continue
            }
            guard seen.insert(key).inserted else {
                log.add(line, path, "appears twice")
                continue
            }
            entries.append((key, DataValue(node: value, key: path, line: line, log: log)))
        }
        self.entries = entries
    }

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }

    // MARK: - Whole documents

    /// Parses `text` as one YAML mapping with only `allowedKeys` at the top and a `version:` in
    /// `versions`, then `build`s the value from it. Succeeds only when `build` returns a value and
    /// no problem was recorded anywhere in the file.
    public static func parse<Value>(text: String, file: String, allowedKeys: Set<String>, versions: Set<Int>,
                                    build: (DataDocument) -> Value?) -> Result<Value, DataDocumentProblems> {
        let log = ProblemLog(file: file)
        let value = compose(text: text, allowedKeys: allowedKeys, versions: versions, log: log).flatMap(build)
        return finish(value, log)
    }

    /// Every document of a multi-document YAML text (`---` between them), each a mapping whose
    /// `key` block (when present) is read with `allowedKeys` and its own `version:` in
    /// `versions`: extriage's part of files another format owns (a Sigma rule's `extriage:`);
    /// `build` is given the document's own `id` too.
    /// The other top-level keys are that format's and are not looked at.
    public static func blocks<Value>(text: String, file: String, key: String, allowedKeys: Set<String>, versions: Set<Int>,
                                     build: (_ documentID: String?, _ block: DataDocument) -> Value?) -> Result<[Value], DataDocumentProblems> {
        let log = ProblemLog(file: file)
        var values: [Value] = []
        do {
            for node in try Yams.compose_all(yaml: text) {
                guard case .mapping(let mapping) = node, let block = mapping[Node(key)] else { continue }
                guard case .mapping(let inner) = block else {
                    log.add(block.mark?.line, key, "must be a mapping")
                    continue
                }
                let document = DataDocument(mapping: inner, keyPath: key, allowed: allowedKeys, log: log)
                document.checkVersion(versions)
                if let value = build(mapping[Node("id")]?.string, document) { values.append(value) }
            }
        } catch let error as YamlError {
            let (line, detail) = describe(error)
            log.add(line, nil, "is not valid YAML: \(detail)")
        } catch {
            log.add(nil, nil, "is not valid YAML: \(error)")
        }
        return finish(values, log)
    }

    /// ``parse(text:file:allowedKeys:versions:build:)`` on a file's contents; an unreadable file
    /// is a problem like any other.
    public static func load<Value>(file: String, allowedKeys: Set<String>, versions: Set<Int>,
                                   build: (DataDocument) -> Value?) -> Result<Value, DataDocumentProblems> {
        guard let data = FileManager.default.contents(atPath: file) else {
            return .failure(DataDocumentProblems([DataProblem(file: file, message: "cannot be read (missing or unreadable)")]))
        }
        return parse(text: String(decoding: data, as: UTF8.self), file: file, allowedKeys: allowedKeys, versions: versions, build: build)
    }

    static func finish<Value>(_ value: Value?, _ log: ProblemLog) -> Result<Value, DataDocumentProblems> {
        if let value, log.problems.isEmpty { return .success(value) }
        if log.problems.isEmpty { log.add(nil, nil, "could not be read (no detail recorded)") }
        // In file order: problems found after the walk (a repeated id) go to their line.
        let ordered = log.problems.enumerated().sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }
        return .failure(DataDocumentProblems(ordered.map(\.element)))
    }

    /// The top-level mapping with its version checked, or nil when the text is not a YAML mapping.
    static func compose(text: String, allowedKeys: Set<String>, versions: Set<Int>, log: ProblemLog) -> DataDocument? {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            let (line, detail) = describe(error)
            log.add(line, nil, "is not valid YAML: \(detail)")
            return nil
        } catch {
            log.add(nil, nil, "is not valid YAML: \(error)")
            return nil
        }
        guard let node else {
            log.add(nil, nil, "is empty; it must be a YAML mapping of keys to values")
            return nil
        }
        guard case .mapping(let mapping) = node else {
            log.add(node.mark?.line, nil, "must be a YAML mapping of keys to values")
            return nil
        }
        let document = DataDocument(mapping: mapping, keyPath: "", allowed: allowedKeys, log: log)
        document.checkVersion(versions)
        return document
    }

    static func describe(_ error: YamlError) -> (Int?, String) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return (mark.line, [context?.text, problem].compactMap { $0 }.joined(separator: " "))
        default:
            return (nil, "\(error)")
        }
    }

    /// `version:` is required and must be one of `supported`.
    func checkVersion(_ supported: Set<Int>) {
        let expected = supported.sorted().map(String.init)
        let wanted = expected.count == 1 ? expected[0] : "one of " + expected.joined(separator: ", ")
        guard let value = self["version"] else {
            problem("version", "is required (version: \(expected.last ?? "1"))")
            return
        }
        guard let found = value.node.scalar?.string else {
            value.problem("must be \(wanted)")
            return
        }
        if let number = Int(found), supported.contains(number) { return }
        value.problem("must be \(wanted) (found '\(found)')")
    }

    // MARK: - Access

    /// The keys present (and allowed), in file order.
    public var keys: [String] { entries.map(\.key) }

    /// Every problem recorded so far in this document's file.
    public var problems: [DataProblem] { log.problems }

    /// The value at `key`, without recording anything when it is missing.
    public subscript(key: String) -> DataValue? {
        entries.first { $0.key == key }?.value
    }

    /// The line of `key`, or of this mapping when the key is missing.
    public func line(_ key: String) -> Int? {
        self[key]?.line ?? line
    }

    /// Records a problem at `key` (its line, or this mapping's line when it is missing); nil:
    /// about this mapping as a whole.
    public func problem(_ key: String?, _ message: String) {
        log.add(key.map(line) ?? line, key.map { DataDocument.join(keyPath, $0) } ?? (keyPath.isEmpty ? nil : keyPath), message)
    }

    /// The value at `key`; a missing key is recorded as `is required` (with `hint` after it).
    public func required(_ key: String, hint: String? = nil) -> DataValue? {
        guard let value = self[key] else {
            problem(key, "is required" + (hint.map { " (\($0))" } ?? ""))
            return nil
        }
        return value
    }

    // MARK: - Typed reads

    /// Required text, trimmed of surrounding whitespace unless `trim` is false.
    public func string(_ key: String, trim: Bool = true) -> String? {
        required(key)?.text(trim: trim)
    }

    /// Optional text: nil when missing, a problem when present but not text.
    public func optionalString(_ key: String, trim: Bool = true) -> String? {
        self[key]?.text(trim: trim)
    }

    /// A whole number, optionally in `range`.
    public func int(_ key: String, required: Bool = true, in range: ClosedRange<Int>? = nil) -> Int? {
        value(key, required: required)?.int(in: range)
    }

    /// `true` or `false`; nil when missing (`required` records that) or wrong.
    public func bool(_ key: String, required: Bool = false) -> Bool? {
        value(key, required: required)?.bool()
    }

    /// One of an enumeration's raw values.
    public func value<E: RawRepresentable & CaseIterable>(_ key: String, as type: E.Type, required: Bool = true) -> E?
    where E.RawValue == String {
        value(key, required: required)?.oneOf(type)
    }

    /// A list of text values (a single text too when `allowSingle`); empty when missing or wrong.
    public func strings(_ key: String, required: Bool = true, nonEmpty: Bool = false, allowSingle: Bool = false) -> [String] {
        guard let value = self[key] else {
            if required { problem(key, "is required (a list)") }
            return []
        }
        return value.texts(nonEmpty: nonEmpty, allowSingle: allowSingle) ?? []
    }

    /// The items of a list; empty when missing or not a list.
    public func items(_ key: String, required: Bool = true, nonEmpty: Bool = false) -> [DataValue] {
        guard let value = self[key] else {
            if required { problem(key, "is required (a list)") }
            return []
        }
        return value.items(nonEmpty: nonEmpty) ?? []
    }

    /// A nested mapping with only `allowed` keys (nil: any key).
    public func mapping(_ key: String, allowed: Set<String>?, required: Bool = true) -> DataDocument? {
        value(key, required: required)?.mapping(allowed: allowed)
    }

    /// A list of mappings, each with only `allowed` keys; items that are not mappings are recorded
    /// and left out.
    public func mappings(_ key: String, allowed: Set<String>?, required: Bool = true, nonEmpty: Bool = false) -> [DataDocument] {
        items(key, required: required, nonEmpty: nonEmpty).compactMap { $0.mapping(allowed: allowed) }
    }

    private func value(_ key: String, required isRequired: Bool) -> DataValue? {
        isRequired ? required(key) : self[key]
    }
}

/// One value in a document, with its key path and line; typed reads record what is wrong.
public struct DataValue {
    public let node: Node
    /// Dotted key path from the document's root; list items carry their list's key.
    public let key: String
    /// The line of the key (for list items, of the item).
    public let line: Int?
    let log: ProblemLog

    /// Records a problem about this value.
    public func problem(_ message: String) {
        log.add(line, key, message)
    }

    /// Any scalar's text (numbers and booleans as written). Must not be blank unless `allowEmpty`.
    public func text(trim: Bool = false, allowEmpty: Bool = false) -> String? {
        guard case .scalar(let scalar) = node else {
            problem(allowEmpty ? "must be a text value" : "must be a non-empty text value")
            return nil
        }
        let trimmed = scalar.string.trimmingWhitespace()
        guard allowEmpty || !trimmed.isEmpty else {
            problem("must be a non-empty text value")
            return nil
        }
        return trim ? trimmed : scalar.string
    }

    /// A whole number, optionally in `range`.
    public func int(in range: ClosedRange<Int>? = nil) -> Int? {
        guard let number = node.scalar.flatMap({ Int($0.string.trimmingWhitespace()) }) else {
            problem("must be a whole number" + (range.map { " from \($0.lowerBound) to \($0.upperBound)" } ?? ""))
            return nil
        }
        if let range, !range.contains(number) {
            problem("must be from \(range.lowerBound) to \(range.upperBound) (found \(number))")
            return nil
        }
        return number
    }

    /// `true` or `false`.
    public func bool() -> Bool? {
        switch node.scalar?.string.lowercased() {
        case "true": return true
        case "false": return false
        default:
            problem("must be true or false")
            return nil
        }
    }

    /// One of an enumeration's raw values.
    public func oneOf<E: RawRepresentable & CaseIterable>(_ type: E.Type) -> E? where E.RawValue == String {
        guard let text = text(trim: true) else { return nil }
        guard let value = E(rawValue: text) else {
            problem("'\(text)' is not one of: \(E.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return value
    }

    /// The items of a list.
    public func items(nonEmpty: Bool = false) -> [DataValue]? {
        guard case .sequence(let sequence) = node else {
            problem(nonEmpty ? "must be a non-empty list" : "must be a list")
            return nil
        }
        guard !(nonEmpty && sequence.isEmpty) else {
            problem("must be a non-empty list")
            return nil
        }
        return sequence.map { DataValue(node: $0, key: key, line: $0.mark?.line ?? line, log: log) }
    }

    /// A list of non-empty text values; a single text value too when `allowSingle`. Items that
    /// are not text are recorded and left out.
    public func texts(nonEmpty: Bool = false, allowSingle: Bool = false) -> [String]? {
        if allowSingle, case .scalar = node { return text().map { [$0] } }
        guard case .sequence(let sequence) = node, !(nonEmpty && sequence.isEmpty) else {
            problem(nonEmpty ? "must be a non-empty list" : "must be a list")
            return nil
        }
        var out: [String] = []
        for item in sequence {
            guard case .scalar(let scalar) = item, !scalar.string.isEmpty else {
                log.add(item.mark?.line ?? line, key, "has an item that is not a text value")
                continue
            }
            out.append(scalar.string)
        }
        return out
    }

    /// This value as a mapping with only `allowed` keys (nil: any key).
    public func mapping(allowed: Set<String>?) -> DataDocument? {
        guard case .mapping(let mapping) = node else {
            problem("must be a mapping" + (allowed.map { " (keys: \($0.sorted().joined(separator: ", ")))" } ?? ""))
            return nil
        }
        return DataDocument(mapping: mapping, keyPath: key, allowed: allowed, log: log)
    }
}
