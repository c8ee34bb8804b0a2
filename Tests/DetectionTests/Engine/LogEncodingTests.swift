@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// Logs are read whatever their encoding (the NUL pattern decides when there is no BOM), and a
/// row followed by megabytes on the same line is still matched and reported as cut.
@Suite struct LogEncodingTests {
    static let rows = [
        LogText.proxyRow(time: "2021-03-03T06:49:42.162Z", anchor: "ServerInfo~a]@exch01.corp.local:444/autodiscover/autodiscover.xml?#"),
        LogText.proxyRow(time: "2021-03-03T06:49:46.210Z", anchor: "ServerInfo~a]@exch01.corp.local:444/ecp/proxyLogon.ecp?#", status: 241),
    ]

    static func encoded(_ text: String, _ encoding: String) -> [UInt8] {
        switch encoding {
        case "utf-16le": return utf16LE(text, bom: false)
        case "utf-16le-bom": return utf16LE(text, bom: true)
        case "utf-16be": return Array(utf16BE(text).dropFirst(2))
        case "utf-16be-bom": return utf16BE(text)
        default: return Array(text.utf8)
        }
    }

    func run(_ bytes: [UInt8]) -> CheckRunner.Result {
        CheckHarness(binaryMembers: [(LogText.httpProxyPath, bytes)]).result([ProxyLogonSSRFCheck()])
    }

    @Test(arguments: ["utf-8", "utf-16le", "utf-16le-bom", "utf-16be", "utf-16be-bom"])
    func rowsAreParsedAndFindingsFireInEveryEncoding(_ encoding: String) throws {
        let result = run(Self.encoded(LogText.httpProxy(Self.rows), encoding))
        let finding = try #require(result.findings.first { $0.checkId == ProxyLogonSSRFCheck().id }, "\(encoding)")
        #expect(finding.verdict == .confirmed && finding.evidence.map(\.line) == [6, 7], "\(encoding)")
        #expect(!result.findings.contains { $0.title.contains("cut") }, "\(encoding): \(result.findings.map(\.title))")
        let row = try #require(result.coverage.first { $0.checkId == ProxyLogonSSRFCheck().id })
        #expect(row.malformed == 0, "\(encoding)")
    }

    @Test func utf16LittleEndianWithoutBOMWhoseFirstCharacterIsNotLatin() {
        let text = "Ωμέγα,1\r\n" + String(repeating: "row,2\r\n", count: 20)
        let (lines, reader) = readLines(utf16LE(text, bom: false))
        #expect(reader.encoding == "utf-16le")
        #expect(lines.first?.text == "Ωμέγα,1" && lines.count == 21)
        let (bigLines, bigReader) = readLines(Array(utf16BE(text).dropFirst(2)))
        #expect(bigReader.encoding == "utf-16be" && bigLines.first?.text == "Ωμέγα,1")
    }

    @Test func zeroFilledOrNULSprinkledUTF8StaysUTF8() {
        #expect(readLines([UInt8](repeating: 0, count: 64)).1.encoding == "utf-8")
        #expect(readLines(Array("a\u{0}\u{0}b,c\nd\u{0}\u{0}e,f\n".utf8)).1.encoding == "utf-8")
    }

    /// Padding runs on after the last row: plain, or with commas and quotes that make extra (and unclosed) fields.
    @Test(arguments: ["A", "A,\"b "])
    func aRowFollowedByMegabytesIsMatchedAndReportedCut(_ unit: String) throws {
        var text = LogText.httpProxy(Self.rows)
        #expect(text.removeLast() == "\r\n")  // the last row runs on into the padding, with no line break
        let padding = String(repeating: unit, count: (3 << 20) / unit.utf8.count)
        let result = run(Array((text + padding).utf8))
        let finding = try #require(result.findings.first { $0.checkId == ProxyLogonSSRFCheck().id })
        #expect(finding.verdict == .confirmed && finding.evidence.map(\.line) == [6, 7])
        let cut = try #require(result.findings.first { $0.title == "Log lines cut at the line-length cap" })
        #expect(cut.evidence.map(\.line) == [7])
        #expect(result.coverage.first { $0.checkId == ProxyLogonSSRFCheck().id }?.malformed == 0)
    }
}
