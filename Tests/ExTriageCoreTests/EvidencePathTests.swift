import Testing
@testable import ExTriageCore

@Suite struct EvidencePathTests {
    @Test func validNamesStayAsTheyAre() {
        let component = PathComponent("Logon.ASPX")
        #expect(component.isValidUTF8)
        #expect(component.escaped == "Logon.ASPX")
        #expect(component.folded == "logon.aspx")
    }

    @Test func invalidUTF8IsEscapedLosslessly() {
        let raw: [UInt8] = [0x61, 0xFF, 0x62, 0xC3, 0xA9, 0xC3]
        let component = PathComponent(bytes: raw)
        #expect(!component.isValidUTF8)
        #expect(component.escaped == "a%FFbé%C3")
        #expect(component.bytes == raw)
        #expect(PathComponent(bytes: [0xFF]) != PathComponent(bytes: [0xFE]))
    }

    @Test func parsingDropsEmptyAndDotSegments() {
        let path = EvidencePath(parsing: "\\inetpub/./wwwroot//aspnet_client\\x.aspx")
        #expect(path.escaped == "inetpub/wwwroot/aspnet_client/x.aspx")
        #expect(path.parent.escaped == "inetpub/wwwroot/aspnet_client")
        #expect(path.name?.escaped == "x.aspx")
        #expect(path.rawBytes == Array("inetpub/wwwroot/aspnet_client/x.aspx".utf8))
    }

    @Test func escapingNeutralisesTerminalControls() {
        #expect(EscapedText.display("a\u{1B}[31mb\nc\u{202E}d") == "a\\u{1b}[31mb\\u{a}c\\u{202e}d")
        #expect(EscapedText.display("C:\\inetpub\\é") == "C:\\inetpub\\é")
    }

    @Test func caseFieldsAreBounded() throws {
        try CaseFieldLimits.check(name: "--notes", "line one\nline two", allowLineBreaks: true)
        #expect(throws: ExTriageError.self) { try CaseFieldLimits.check(name: "--case", "a\nb") }
        #expect(throws: ExTriageError.self) { try CaseFieldLimits.check(name: "--case", String(repeating: "x", count: 4097)) }
        #expect(throws: ExTriageError.self) { try CaseFieldLimits.check(name: "--case", "  ", required: true) }
        #expect(throws: ExTriageError.self) { try CaseFieldLimits.check(name: "--case", nil, required: true) }
        #expect(throws: ExTriageError.self) { try CaseFieldLimits.check(name: "--examiner", "ev\u{1B}[2Jil") }
    }

    @Test func hexRoundTrips() {
        #expect(Hex.encode([0x00, 0xAB, 0xFF]) == "00abff")
        #expect(Hex.decode("00abFF") == [0x00, 0xAB, 0xFF])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}
