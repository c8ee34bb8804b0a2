import DataDocuments
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// The one YAML data loader: typed reads record every problem with file, line and key.
@Suite struct DataDocumentTests {
    enum Colour: String, CaseIterable { case red, green }

    struct Thing: Equatable {
        var name: String
        var count: Int
        var tags: [String]
        var colour: Colour
        var enabled: Bool
        var inner: String?
    }

    static let keys: Set<String> = ["version", "name", "count", "tags", "colour", "enabled", "inner"]

    func parse(_ text: String, file: String = "t.yaml") -> Result<Thing, DataDocumentProblems> {
        DataDocument.parse(text: text, file: file, allowedKeys: Self.keys, versions: [1]) { document in
            let name = document.string("name")
            let count = document.int("count", in: 0...10)
            let tags = document.strings("tags", required: false)
            let colour = document.value("colour", as: Colour.self)
            let enabled = document.bool("enabled") ?? false
            let inner = document.mapping("inner", allowed: ["note"], required: false)?.string("note")
            guard let name, let count, let colour else { return nil }
            return Thing(name: name, count: count, tags: tags, colour: colour, enabled: enabled, inner: inner)
        }
    }

    @Test func readsAValidDocument() throws {
        let thing = try parse("version: 1\nname: ' a '\ncount: 3\ntags: [x, y]\ncolour: red\nenabled: true\ninner: {note: hi}\n").get()
        #expect(thing == Thing(name: "a", count: 3, tags: ["x", "y"], colour: .red, enabled: true, inner: "hi"))
    }

    @Test func everyProblemIsReportedWithFileLineAndKey() {
        let text = """
            version: 2
            count: many
            tags: {not: a list}
            colour: blue
            enabled: maybe
            inner:
              note: fine
              extra: 1
            shade: dark
            """
        guard case .failure(let found) = parse(text, file: "dir/t.yaml") else {
            Issue.record("expected problems")
            return
        }
        let lines = found.problems.map(\.description)
        #expect(lines == [
            "dir/t.yaml:1: key 'version': must be 1 (found '2')",
            "dir/t.yaml:1: key 'name': is required",
            "dir/t.yaml:2: key 'count': must be a whole number from 0 to 10",
            "dir/t.yaml:3: key 'tags': must be a list",
            "dir/t.yaml:4: key 'colour': 'blue' is not one of: red, green",
            "dir/t.yaml:5: key 'enabled': must be true or false",
            "dir/t.yaml:8: key 'inner.extra': is not allowed here (allowed: note)",
            "dir/t.yaml:9: key 'shade': is not allowed here (allowed: colour, count, enabled, inner, name, tags, version)",
        ], "\(lines)")
        #expect(found.problems.allSatisfy { $0.file == "dir/t.yaml" && $0.line != nil })
        let error = found.exTriageError("invalid things")
        #expect(error.code == .invalidProfile)
        #expect(error.message.hasPrefix("invalid things:\n  dir/t.yaml:1: key 'version': must be 1 (found '2')\n  "))
    }

    @Test func versionIsRequiredAndRepeatedKeysAreRefused() {
        guard case .failure(let found) = parse("name: a\ncount: 1\ncolour: red\ncount: 2\n") else {
            Issue.record("expected problems")
            return
        }
        #expect(found.problems.map(\.description) == [
            "t.yaml:1: key 'version': is required (version: 1)",
            "t.yaml:4: key 'count': appears twice",
        ])
    }

    @Test func notYAMLOrNotAMappingIsOneProblem() {
        for text in ["key: [unclosed\n", "- a\n- list\n", ""] {
            guard case .failure(let found) = parse(text) else {
                Issue.record("expected a problem for \(text)")
                continue
            }
            #expect(found.problems.count == 1, "\(found)")
        }
        if case .failure(let found) = parse("a: 1\n  b: [\n") {
            #expect(found.problems.first?.message.hasPrefix("is not valid YAML") == true)
            #expect(found.problems.first?.line != nil)
        }
    }

    @Test func listItemsAndNestedMappingsNameTheirOwnLines() {
        let text = "version: 1\nname: n\ncount: 1\ncolour: red\ntags:\n  - ok\n  - [nested]\ninner:\n  other: 1\n"
        guard case .failure(let found) = parse(text) else {
            Issue.record("expected problems")
            return
        }
        #expect(found.problems.map(\.description) == [
            "t.yaml:7: key 'tags': has an item that is not a text value",
            "t.yaml:9: key 'inner.other': is not allowed here (allowed: note)",
            "t.yaml:9: key 'inner.note': is required",
        ])
    }

    @Test func aMissingFileIsAProblem() {
        let result = DataDocument.load(file: "/nonexistent/x.yaml", allowedKeys: ["version"], versions: [1]) { _ in 1 }
        guard case .failure(let found) = result else {
            Issue.record("expected a problem")
            return
        }
        #expect(found.problems.first?.file == "/nonexistent/x.yaml")
        #expect(throws: ExTriageError.self) { try result.value(or: "invalid x") }
    }
}

/// A folder of data files: name order, every file's problems, unique ids, a missing folder an error.
@Suite struct DataFolderTests {
    func load(_ directory: String) throws(DataDocumentProblems) -> (files: [DataFile<String>], problems: [DataProblem]) {
        try DataFolder.load(directory: directory, allowedKeys: ["version", "id", "title"], versions: [1]) { document, _ in
            let id = document.string("id"), title = document.string("title")
            guard let id, let title else { return nil }
            return id + ":" + title
        }
    }

    @Test func loadsInNameOrderAndCollectsEveryFilesProblems() throws {
        let temp = try TemporaryDirectory()
        try temp.write("b.yaml", "version: 1\nid: B\ntitle: b\n")
        try temp.write("a.yaml", "version: 1\nid: A\ntitle: a\n")
        try temp.write("c.yaml", "version: 1\nid: A\ncolour: red\n")
        try temp.write("d.yaml", "version: 3\nid: D\ntitle: d\n")
        try temp.write("notes.txt", "ignored")
        try temp.write("sub/e.yaml", "not read: without recursive\n")
        let loaded = try load(temp.path)
        #expect(loaded.files.map(\.value) == ["A:a", "B:b"])
        #expect(loaded.files.map(\.relativePath) == ["a.yaml", "b.yaml"])
        let lines = loaded.problems.map { $0.description.replacingOccurrences(of: temp.path + "/", with: "") }
        #expect(lines == [
            "c.yaml:1: key 'title': is required",
            "c.yaml:2: key 'id': 'A' is already the id of a.yaml",
            "c.yaml:3: key 'colour': is not allowed here (allowed: id, title, version)",
            "d.yaml:1: key 'version': must be 1 (found '3')",
        ], "\(lines)")
    }

    @Test func aMissingFolderIsAnErrorNotAnEmptyList() {
        #expect(throws: DataDocumentProblems.self) { _ = try load("/nonexistent/rules") }
        do {
            _ = try load("/nonexistent/rules")
        } catch {
            #expect(error.description == "/nonexistent/rules: is not a folder (missing or not a directory)")
        }
    }

    @Test func recursiveLoadingGivesRelativePaths() throws {
        let temp = try TemporaryDirectory()
        try temp.write("x/y/z.yaml", "version: 1\nid: Z\ntitle: z\n")
        let loaded = try DataFolder.load(directory: temp.path, recursive: true, allowedKeys: ["version", "id", "title"],
                                         versions: [1]) { document, relative in relative + "=" + (document.string("id") ?? "") }
        #expect(loaded.files.map(\.value) == ["x/y/z.yaml=Z"])
        #expect(loaded.problems.isEmpty)
    }
}
