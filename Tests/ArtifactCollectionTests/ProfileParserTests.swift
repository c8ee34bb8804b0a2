@testable import ArtifactCollection
import ExTriageCore
import Foundation
import Testing
import TestSupport

@Suite struct ProfileParserTests {
    let valid = """
        version: 1
        name: test.logs.sample
        description: Sample logs.
        paths:
          - "%ExchangeInstallPath%/Logging/**/*.LOG"
        sizeCap: 2 GiB
        mode: content
        references: [EXCHANGE-ARTIFACTS.md]
        """

    func problems(_ text: String, name: String = "test.logs.sample") -> [ProfileProblem] {
        if case .failure(let list) = ProfileParser.definition(text: text, file: "defs/x.yaml", expectedName: name) { return list.problems }
        return []
    }

    @Test func parsesAValidDefinition() throws {
        let definition = try ProfileParser.definition(text: valid, file: "x.yaml", expectedName: "test.logs.sample").get()
        #expect(definition.sizeCap == 2 << 30)
        #expect(definition.mode == .content)
        #expect(definition.paths == ["%ExchangeInstallPath%/Logging/**/*.LOG"])
        #expect(definition.references == ["EXCHANGE-ARTIFACTS.md"])
    }

    @Test func unknownKeysAreNamedWithFileAndLine() {
        let found = problems(valid + "\nsizecap: 5 MiB\n")
        #expect(found.count == 1)
        #expect(found.first?.key == "sizecap")
        #expect(found.first?.file == "defs/x.yaml")
        #expect(found.first?.line == 9)
        #expect(found.first?.description.contains("defs/x.yaml:9: key 'sizecap'") == true)
    }

    @Test(arguments: [
        ("sizeCap: 2 GiB", "sizeCap: lots", "sizeCap"),
        ("mode: content", "mode: copy", "mode"),
        ("version: 1", "version: 2", "version"),
        ("name: test.logs.sample", "name: other.name", "name"),
        ("  - \"%ExchangeInstallPath%/Logging/**/*.LOG\"", "  - \"/abs/path\"", "paths"),
        ("  - \"%ExchangeInstallPath%/Logging/**/*.LOG\"", "  - \"Logging/%Unknown%/x\"", "paths"),
        ("  - \"%ExchangeInstallPath%/Logging/**/*.LOG\"", "  - \"a/../b\"", "paths"),
        ("  - \"%ExchangeInstallPath%/Logging/**/*.LOG\"", "  - \"a/b**/c\"", "paths"),
        ("  - \"%ExchangeInstallPath%/Logging/**/*.LOG\"", "  - \"a/{b,c\"", "paths"),
        ("  - \"%ExchangeInstallPath%/Logging/**/*.LOG\"", "  - \"C:/Windows/x.log\"", "paths"),
        ("  - \"%ExchangeInstallPath%/Logging/**/*.LOG\"", "  - \"a:b/c\"", "paths"),
        ("  - \"%ExchangeInstallPath%/Logging/**/*.LOG\"", "  - \"a/b:c:d\"", "paths"),
        ("  - \"%ExchangeInstallPath%/Logging/**/*.LOG\"", "  - \"a/b:\"", "paths"),
        ("description: Sample logs.", "description: \"\"", "description"),
    ])
    func badValuesAreRejected(original: String, replacement: String, key: String) {
        let found = problems(valid.replacingOccurrences(of: original, with: replacement))
        #expect(found.contains { $0.key == key }, "expected a problem with \(key): \(found)")
    }

    /// A stream in the last segment (`$Extend/$UsnJrnl:$J`) and a `%` inside a name (a collector's
    /// escaped colon) are patterns, not errors.
    @Test func aStreamInTheLastSegmentAndAPercentInsideANameAreAccepted() {
        for pattern in ["$Extend/$UsnJrnl:$J", "$Extend/$UsnJrnl%3A$J"] {
            let found = problems(valid.replacingOccurrences(of: "%ExchangeInstallPath%/Logging/**/*.LOG", with: pattern))
            #expect(found.isEmpty, "\(pattern): \(found)")
        }
    }

    @Test func missingRequiredKeysAndNonMappingsAreRejected() {
        #expect(problems("version: 1\nname: test.logs.sample\n").map(\.key).contains("paths"))
        #expect(problems("- just\n- a list\n").count == 1)
        #expect(problems("key: [unclosed\n").count == 1)
    }

    @Test func everyProblemInADefinitionIsReportedWithFileLineAndKey() {
        let text = """
            version: 2
            name: test.logs.sample
            paths: "not a list"
            sizeCap: [1]
            mode: copy
            colour: red
            """
        let found = problems(text).map(\.description)
        #expect(found == [
            "defs/x.yaml:1: key 'version': must be 1 (found '2')",
            "defs/x.yaml:1: key 'description': is required",
            "defs/x.yaml:3: key 'paths': must be a non-empty list",
            "defs/x.yaml:4: key 'sizeCap': must be a non-empty text value",
            "defs/x.yaml:5: key 'mode': 'copy' is not one of: content, trace",
            "defs/x.yaml:6: key 'colour': is not allowed here (allowed: description, mode, name, paths, references, sizeCap, version)",
        ], "\(found)")
    }

    @Test func everyProblemInAProfileIsReportedWithFileLineAndKey() {
        let text = "name: p\ndescription: [d]\nartifacts: [a, a]\nextra: 1\n"
        guard case .failure(let list) = ProfileParser.profile(text: text, file: "p.yaml", expectedName: "p") else {
            Issue.record("expected failure")
            return
        }
        #expect(list.problems.map(\.description) == [
            "p.yaml:1: key 'version': is required (version: 1)",
            "p.yaml:2: key 'description': must be a non-empty text value",
            "p.yaml:3: key 'artifacts': lists 'a' twice",
            "p.yaml:4: key 'extra': is not allowed here (allowed: artifacts, description, name, version)",
        ])
    }

    @Test func aBuiltInDirectoryWithoutItsFoldersIsAnError() throws {
        let temp = try TemporaryDirectory()
        try temp.write("profiles/tiny.yaml", "version: 1\nname: tiny\ndescription: t\nartifacts: []\n")
        do {
            _ = try ProfileLibrary.load(builtIn: temp.path, overrides: [])
            Issue.record("expected an error for the missing artifacts folder")
        } catch let error as ExTriageError {
            #expect(error.message.contains(temp.path + "/artifacts: is not a folder"))
            #expect(error.message.contains("tiny.yaml:4: key 'artifacts': must be a non-empty list"))
        }
    }

    @Test func profilesRejectDuplicatesAndUnknownKeys() {
        let text = "version: 1\nname: p\ndescription: d\nartifacts: [a, a]\nextra: 1\n"
        guard case .failure(let list) = ProfileParser.profile(text: text, file: "p.yaml", expectedName: "p") else {
            Issue.record("expected failure")
            return
        }
        #expect(list.problems.map(\.key).contains("extra"))
        #expect(list.problems.map(\.key).contains("artifacts"))
    }

    @Test func builtInProfilesAreValidAndComplete() throws {
        let library = try ProfileLibrary.load(builtIn: Repository.profiles, overrides: [])
        let resolved = try library.resolve(profile: "exchange-triage")
        #expect(resolved.definitions.count == resolved.profile.value.artifacts.count)
        // Every definition is in the default profile, and the issue's required coverage exists.
        #expect(Set(library.definitions.keys) == Set(resolved.profile.value.artifacts))
        let allPaths = resolved.definitions.flatMap(\.value.paths).joined(separator: "\n").lowercased()
        for needle in ["logging/httpproxy", "logging/ecp/server", "logging/ecp/activity", "oabgeneratorlog", "cmdletinfra",
                       "frontend/httpproxy", "clientaccess", "inetpub/wwwroot", "applicationhost", "httperr",
                       "temporary asp.net files", "winevt/logs", "system32/config", "prefetch", "%systemroot%/temp",
                       "users/*/appdata/local/temp", "root/", "psexesvc", "*.dmp"] {
            #expect(allPaths.contains(needle), "default profile lacks \(needle)")
        }
        #expect(resolved.definitions.contains { $0.value.mode == .trace })
        #expect(resolved.sha256.count == 64)
    }

    @Test func overridesReplaceAndReportProblems() throws {
        let temp = try TemporaryDirectory()
        try temp.write("artifacts/iis/logs/w3c.yaml", """
            version: 1
            name: iis.logs.w3c
            description: Overridden.
            paths: ["weblogs/*.log"]
            sizeCap: 1 MiB
            """)
        try temp.write("profiles/tiny.yaml", "version: 1\nname: tiny\ndescription: t\nartifacts: [iis.logs.w3c]\n")
        let library = try ProfileLibrary.load(builtIn: Repository.profiles, overrides: [temp.path])
        let tiny = try library.resolve(profile: "tiny")
        #expect(tiny.definitions.first?.value.paths == ["weblogs/*.log"])
        #expect(tiny.definitions.first?.origin == "override")

        try temp.write("profiles/broken.yaml", "version: 1\nname: broken\ndescription: t\nartifacts: [no.such.thing]\n")
        try temp.write("artifacts/bad/key/here.yaml", "version: 1\nname: bad.key.here\ndescription: d\npaths: [x]\nsizeCap: 1\ncolour: red\n")
        do {
            _ = try ProfileLibrary.load(builtIn: Repository.profiles, overrides: [temp.path])
            Issue.record("expected invalid profile data")
        } catch let error as ExTriageError {
            #expect(error.code == .invalidProfile)
            #expect(error.message.contains("no.such.thing"))
            #expect(error.message.contains("here.yaml:6: key 'colour'"))
        }
    }

    @Test func builtInsAreFoundFromTheSourceCheckout() {
        #expect(BuiltInProfiles.locate(executable: "/nonexistent/bin/extriage") != nil)
    }
}
