@testable import Detection
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// The libyara engine: compile errors name file and line, bad packs are skipped or fatal,
/// externals reach the rules, matched strings come back readable, UTF-16 pages match.
@Suite struct YaraEngineTests {
    static let externalsRule = """
        rule NamedLikeAShell { condition: filename == "x.aspx" and extension == ".aspx" and filepath contains "aspnet_client" and filetype == "ASPX" }
        """

    @Test func aSyntaxErrorNamesTheFileAndLine() throws {
        let directory = try TemporaryDirectory()
        let bad = try directory.write("pack/bad.yar", "rule Fine { condition: true }\n\nrule Broken {\n  strings: $a = \"x\"\n  condition: $a and\n}\n")
        try directory.write("pack/good.yara", "rule Good { strings: $a = \"marker\" condition: $a }\n")
        let files = try YaraRules.ruleFiles(in: directory.path + "/pack")
        #expect(files.map { ($0 as NSString).lastPathComponent } == ["bad.yar", "good.yara"])
        let rules = try YaraRules.compile(builtin: [], external: files, strict: false)
        #expect(rules.files.map { ($0 as NSString).lastPathComponent } == ["good.yara"])
        let problem = try #require(rules.skipped.first)
        #expect(problem.file == bad)
        #expect(problem.line == 6)
        #expect(problem.description.hasPrefix(bad + ":6: "))
        #expect(throws: ExTriageError.self) { try YaraRules.compile(builtin: [], external: files, strict: true) }
        do {
            _ = try YaraRules.compile(builtin: [], external: files, strict: true)
        } catch let error as ExTriageError {
            #expect(error.message.contains("bad.yar:6:"))
        }
    }

    @Test func packsSearchSubfoldersAndRuleNamesMayRepeatAcrossFiles() throws {
        let directory = try TemporaryDirectory()
        try directory.write("pack/a/one.yar", "rule Same { strings: $a = \"alpha\" condition: $a }\n")
        try directory.write("pack/b/two.YAR", "rule Same { strings: $a = \"beta\" condition: $a }\n")
        try directory.write("pack/readme.txt", "not a rule")
        let rules = try YaraRules.compile(builtin: [], external: try YaraRules.ruleFiles(in: directory.path + "/pack"), strict: true)
        #expect(rules.files.count == 2)
        let scanner = try YaraScanner(rules: rules, timeoutSeconds: 5)
        let found = Array("alpha beta".utf8).withUnsafeBytes { scanner.scan($0, externals: YaraExternals()) }.matches
        #expect(found.map(\.rule) == ["Same", "Same"])
        #expect(Set(found.map(\.namespace)).count == 2)
    }

    @Test func theExternalsOfPublicPacksAreDefinedPerFile() throws {
        let rules = try YaraRules.compile(source: YaraEngineTests.externalsRule)
        let scanner = try YaraScanner(rules: rules, timeoutSeconds: 5)
        let bytes = Array("<% %>".utf8)
        let hit = bytes.withUnsafeBytes { raw in
            scanner.scan(raw, externals: YaraExternals(volume: "C", sourcePath: "inetpub/wwwroot/aspnet_client/x.aspx", head: raw))
        }
        #expect(hit.matches.map(\.rule) == ["NamedLikeAShell"])
        let miss = bytes.withUnsafeBytes { raw in
            scanner.scan(raw, externals: YaraExternals(volume: "C", sourcePath: "inetpub/wwwroot/x.aspx", head: raw))
        }
        #expect(miss.matches.isEmpty)
        let externals = bytes.withUnsafeBytes { YaraExternals(volume: "C", sourcePath: "inetpub/wwwroot/aspnet_client/x.aspx", head: $0) }
        #expect(externals.filepath == "C:\\inetpub\\wwwroot\\aspnet_client\\x.aspx")
    }

    @Test func utf16PagesMatchTheBuiltInRules() throws {
        let rules = try YaraRuleSampleTests.builtinRules()
        let scanner = try YaraScanner(rules: rules, timeoutSeconds: 10)
        let text = "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"k\"],\"unsafe\");%>"
        let bytes: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let found = bytes.withUnsafeBytes { scanner.scan($0, externals: YaraExternals(extension: ".aspx")) }.matches
        let chopper = try #require(found.first { $0.rule == "ChinaChopper_Eval_Request" })
        #expect(chopper.strings.first?.text.contains("eval(Request.Item") == true)
    }

    @Test func binaryJunkNamedAspxIsScannedWithoutMatches() throws {
        let rules = try YaraRuleSampleTests.builtinRules()
        let scanner = try YaraScanner(rules: rules, timeoutSeconds: 10)
        var generator = SystemRandomNumberGenerator()
        let junk = (0..<(256 << 10)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let outcome = junk.withUnsafeBytes { scanner.scan($0, externals: YaraExternals(filename: "junk.aspx", extension: ".aspx")) }
        guard case .scanned(let found) = outcome else {
            Issue.record("junk did not scan: \(outcome)")
            return
        }
        #expect(found.filter { $0.meta["verdict"] != "informational" }.isEmpty, "junk matched \(found.map(\.rule))")
    }

    @Test func matchedBytesAreShownReadably() {
        let wide: [UInt8] = "eval(".utf16.flatMap { [UInt8($0 & 0xFF), 0] }
        #expect(wide.withUnsafeBytes { MatchText.readable($0) } == "eval(")
        #expect([UInt8(0x3C), 0x01, 0x41].withUnsafeBytes { MatchText.readable($0) } == "<\\x01A")
    }
}

/// A rule that cannot finish in time is cut by the per-file timeout; the outcome says so.
@Suite struct YaraTimeoutTests {
    @Test func aSlowRuleTimesOutAndIsReported() throws {
        let slow = """
            rule Quadratic { condition: for all i in (0..filesize - 1) : (for all j in (0..filesize - 1) : (uint8(i) != 0xFF or uint8(j) != 0xFE)) }
            """
        let rules = try YaraRules.compile(source: slow, label: "slow.yar")
        let scanner = try YaraScanner(rules: rules, timeoutSeconds: 1)
        let bytes = [UInt8](repeating: 0x41, count: 1 << 16)
        let outcome = bytes.withUnsafeBytes { scanner.scan($0, externals: YaraExternals()) }
        #expect(outcome.isTimeout, "\(outcome)")
    }

    /// A pack laid out like signature-base (`yara/*.yar`): the modules it imports (pe, math, hash,
    /// dotnet) and the LOKI/THOR externals compile and run; a file needing a module this libyara
    /// lacks (VirusTotal's `vt`) is skipped with its file and line, or stops the run with
    /// `--strict-rules`, and the rest of the pack still loads.
    @Test func aSignatureBaseStylePackLoadsWithItsModulesAndExternals() throws {
        let directory = try TemporaryDirectory()
        try directory.write("signature-base/yara/gen_webshells.yar", """
            import "math"
            rule WEBSHELL_Test_Entropy { strings: $a = "<%@ Page" condition: $a and math.entropy(0, filesize) > 1.0 and extension == ".aspx" and filepath contains "\\\\wwwroot\\\\" }
            """)
        try directory.write("signature-base/yara/apt_test.yar", """
            import "pe"
            import "hash"
            import "dotnet"
            rule APT_Test_PE { condition: uint16(0) == 0x5a4d and pe.number_of_sections > 0 and hash.md5(0, filesize) == "0" and dotnet.number_of_streams > 0 }
            rule SUSP_Test_Owner { condition: owner == "IIS APPPOOL\\\\MSExchangeOWAAppPool" or filetype == "EXE" or filename == "x" }
            """)
        let vt = try directory.write("signature-base/yara/vt_only.yar", "import \"vt\"\nrule VT_Only { condition: vt.metadata.new_file }\n")
        let files = try YaraRules.ruleFiles(in: directory.path + "/signature-base")
        let rules = try YaraRules.compile(builtin: try WebShellScanOptions.builtinRuleFiles(profiles: Repository.profiles), external: files, strict: false)
        #expect(rules.files.filter { $0.hasPrefix(directory.path) }.map { ($0 as NSString).lastPathComponent } == ["apt_test.yar", "gen_webshells.yar"])
        let skipped = try #require(rules.skipped.first)
        #expect(skipped.file == vt && skipped.line == 1 && skipped.message.contains("vt"))
        let page = Array(#"<%@ Page Language="C#" %><% Response.Write(DateTime.Now); %>"#.utf8)
        let scanner = try YaraScanner(rules: rules, timeoutSeconds: 5)
        let found = page.withUnsafeBytes { raw in
            scanner.scan(raw, externals: YaraExternals(volume: "C", sourcePath: "inetpub/wwwroot/x.aspx", head: raw))
        }.matches
        #expect(found.map(\.rule).contains("WEBSHELL_Test_Entropy"))
        #expect(throws: ExTriageError.self) { try YaraRules.compile(builtin: [], external: files, strict: true) }
    }
}
