@testable import Detection
import EvidenceBundle
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// The content check as the analyzer drives it: members stream in chunks, are buffered up to
/// the cap, scanned on workers, and reported once per file.
@Suite struct WebShellContentCheckTests {
    static let chopper = Array("<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"k\"],\"unsafe\");%>\n".utf8)

    static func options(cap: Int) throws -> WebShellScanOptions {
        let base = WebShellScanOptions.builtin
        return WebShellScanOptions(rules: try #require(base.rules), locations: base.locations, sizeCap: cap, timeoutSeconds: 10, workers: 2)
    }

    /// Streams `chunks` of one member through the check, like MemberFanOut does.
    static func stream(_ check: WebShellContentCheck, path: String, chunks: some Sequence<[UInt8]>) {
        let member = MemberInfo(member: "evidence/C/" + path, volume: "C", sourcePath: path)
        guard check.wants(member) else { return }
        check.begin(member)
        for chunk in chunks { chunk.withUnsafeBytes { check.consume($0) } }
        check.end()
    }

    @Test func aShellInAWebFolderIsFoundWithItsEvidence() throws {
        let board = WebShellScanBoard(options: try WebShellContentCheckTests.options(cap: 1 << 20), requests: nil)
        let check = WebShellContentCheck(board: board)
        let path = "inetpub/wwwroot/aspnet_client/a.aspx"
        WebShellContentCheckTests.stream(check, path: path, chunks: [Array(WebShellContentCheckTests.chopper.prefix(20)), Array(WebShellContentCheckTests.chopper.dropFirst(20))])
        WebShellContentCheckTests.stream(check, path: "inetpub/wwwroot/logs/notes.bin", chunks: [WebShellContentCheckTests.chopper])
        let findings = check.finish(BundleFacts(manifest: CheckHarness(bundleFiles: [path]).manifest()), logFindings: [])
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(finding.verdict == .confirmed)
        #expect(finding.checkId == "EXT-C10")
        let details = try #require(finding.evidence.first?.details)
        #expect(details["rules"]?.contains("ChinaChopper_Eval_Request (confirmed)") == true)
        #expect(details["matchedStrings"]?.contains("eval(Request.Item[\"k\"],\"unsafe\"") == true, "\(details["matchedStrings"] ?? "")")
        #expect(details["location"]?.contains("aspnet_client") == true)
        #expect(finding.pivots["shellPath"] == ["/aspnet_client/a.aspx"])
        #expect(check.coverage().first?.members == 1)
    }

    /// A 200 MB member is never held whole: the first `cap` bytes are scanned, the rest only
    /// counted, and the file is reported as scanned partially. Chunks are made on the fly.
    @Test func aHugeMemberIsScannedWithinTheCap() throws {
        let cap = 1 << 20
        let board = WebShellScanBoard(options: try WebShellContentCheckTests.options(cap: cap), requests: nil)
        let check = WebShellContentCheck(board: board)
        let chunk = [UInt8](repeating: 0x41, count: 1 << 20)
        let total = 200
        let head = WebShellContentCheckTests.chopper + [UInt8](repeating: 0x20, count: chunk.count - WebShellContentCheckTests.chopper.count)
        let chunks = (0..<total).lazy.map { $0 == 0 ? head : chunk }
        WebShellContentCheckTests.stream(check, path: "inetpub/wwwroot/big.aspx", chunks: chunks)
        // A shell placed only after the cap is not seen, and the report says the file was cut.
        let tail = (0..<8).lazy.map { $0 == 7 ? WebShellContentCheckTests.chopper : chunk }
        WebShellContentCheckTests.stream(check, path: "inetpub/wwwroot/tail.aspx", chunks: tail)
        let scans = board.results()
        let big = try #require(scans["evidence/C/inetpub/wwwroot/big.aspx"])
        #expect(big.scannedBytes == cap)
        #expect(big.memberBytes == total << 20)
        #expect(big.partial)
        #expect(big.outcome.matches.contains { $0.rule == "ChinaChopper_Eval_Request" })
        let cut = try #require(scans["evidence/C/inetpub/wwwroot/tail.aspx"])
        #expect(cut.outcome.matches.isEmpty)
        let findings = check.finish(BundleFacts(manifest: CheckHarness(bundleFiles: ["inetpub/wwwroot/big.aspx"]).manifest()), logFindings: [])
        #expect(findings.first?.evidence.first?.details?["scan"] == "scanned partially: first \(cap) of \(total << 20) bytes")
        let coverage = try #require(check.coverage().first)
        #expect(coverage.reason?.contains("2 scanned partially") == true)
    }

    /// A file the collector cut at its size cap is scanned over the stored head, and both the
    /// finding and the coverage row say so.
    @Test func aMemberCollectedInPartIsSaidToBe() throws {
        let path = "inetpub/wwwroot/aspnet_client/big.aspx"
        let check = WebShellContentCheck(board: WebShellScanBoard(options: try WebShellContentCheckTests.options(cap: 1 << 20), requests: nil))
        WebShellContentCheckTests.stream(check, path: path, chunks: [WebShellContentCheckTests.chopper])
        var entry = WebShellLocationTests.entry(path, size: 50 << 20)
        entry.status = .partial
        let finding = try #require(check.finish(BundleFacts(manifest: WebShellLocationTests.manifest([entry])), logFindings: []).first)
        #expect(finding.evidence.first?.details?["scan"]?.hasSuffix("the bundle holds only the file's head (collection size cap)") == true)
        #expect(check.coverage().first?.reason?.contains("1 collected only in part (head stored), scanned over what was stored: \(path)") == true)
    }

    /// UTF-16 pages, little- and big-endian, with and without a byte-order mark, are found by the
    /// rules' `wide` strings (big-endian text is the little-endian byte stream shifted by one).
    @Test func utf16PagesAreFoundInEitherByteOrder() throws {
        let text = String(decoding: WebShellContentCheckTests.chopper, as: UTF8.self)
        let little: [UInt8] = text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let big: [UInt8] = text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let board = WebShellScanBoard(options: try WebShellContentCheckTests.options(cap: 1 << 20), requests: nil)
        let check = WebShellContentCheck(board: board)
        let pages = ["le-bom.aspx": [0xFF, 0xFE] + little, "le.aspx": little, "be-bom.aspx": [0xFE, 0xFF] + big]
        for (name, bytes) in pages {
            WebShellContentCheckTests.stream(check, path: "inetpub/wwwroot/app/" + name, chunks: [bytes])
        }
        let scans = board.results()
        for name in pages.keys {
            let scan = try #require(scans["evidence/C/inetpub/wwwroot/app/" + name])
            #expect(scan.outcome.matches.contains { $0.rule == "ChinaChopper_Eval_Request" }, "\(name)")
        }
    }

    @Test func withoutRulesNothingIsScannedAndCoverageSaysWhy() {
        let options = WebShellScanOptions(rules: nil, rulesProblem: "rules missing", locations: WebShellScanOptions.builtin.locations)
        let check = WebShellContentCheck(board: WebShellScanBoard(options: options, requests: nil))
        WebShellContentCheckTests.stream(check, path: "inetpub/wwwroot/a.aspx", chunks: [WebShellContentCheckTests.chopper])
        let row = check.coverage().first
        #expect(row?.status == .failed)
        #expect(row?.reason == "not scanned: rules missing; 1 web file(s) not scanned")
    }

    @Test func webFilesAreSelectedByPlaceAndKind() {
        let selection = WebFileSelection(WebShellScanOptions.builtin.locations)
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
