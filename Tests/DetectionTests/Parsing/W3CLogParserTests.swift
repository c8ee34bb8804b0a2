import ExTriageCore
import Testing
@testable import Detection

/// Parses `text` as one log member, through the LineReader.
func parseLog(_ text: String) -> ([LogLine], W3CLogParser) {
    var parser = W3CLogParser()
    let lines = readLines(Array(text.utf8)).0
    return (lines.map { parser.parse($0) }, parser)
}

func records(_ lines: [LogLine]) -> [LogRecord] {
    lines.compactMap { if case .record(let record) = $0 { record } else { nil } }
}

func malformedReasons(_ lines: [LogLine]) -> [String] {
    lines.compactMap { if case .malformed(let reason) = $0 { reason } else { nil } }
}

@Suite struct W3CLogParserTests {
    static let httpProxyHeader = """
        #Software: Microsoft Exchange Server\r
        #Version: 15.01.2176.002\r
        #Log-type: HttpProxy Logs\r
        #Date: 2021-03-03T06:00:00.036Z\r
        #Fields: DateTime,RequestId,UrlStem,AnchorMailbox,UserAgent,GenericInfo,GenericErrors\r

        """

    @Test func httpProxyLineWithQuotedFields() throws {
        let text = Self.httpProxyHeader
            + "2021-03-03T06:49:42.123Z,8aed55fb,/ecp/y.js,\"ServerInfo~a]@exch01.corp.local:444/autodiscover/autodiscover.xml?#,x\","
            + "\"Mozilla/5.0 (\"\"quoted\"\"; a=b|c~d)\",BeginRequest=2021-03-03T06:49:41.880Z;CorrelationID=<empty>;,\r\n"
        let (lines, parser) = parseLog(text)
        #expect(lines.count == 6)
        guard case .header(let key, let value) = lines[0] else { Issue.record("not a header"); return }
        #expect(key == "Software" && value == "Microsoft Exchange Server")
        #expect(parser.software == "Microsoft Exchange Server")
        #expect(parser.version == "15.01.2176.002")
        #expect(parser.logType == "HttpProxy Logs")
        #expect(parser.separator == .comma)
        #expect(parser.fields == ["DateTime", "RequestId", "UrlStem", "AnchorMailbox", "UserAgent", "GenericInfo", "GenericErrors"])
        #expect(parser.recordCount == 1)
        #expect(parser.malformedCount == 0)
        let record = try #require(records(lines).first)
        #expect(record.line == 6)
        #expect(record.value("AnchorMailbox") == "ServerInfo~a]@exch01.corp.local:444/autodiscover/autodiscover.xml?#,x")
        #expect(record.value("useragent") == "Mozilla/5.0 (\"quoted\"; a=b|c~d)")
        #expect(record.value("USERAGENT") == "Mozilla/5.0 (\"quoted\"; a=b|c~d)")
        #expect(record.value("GenericInfo") == "BeginRequest=2021-03-03T06:49:41.880Z;CorrelationID=<empty>;")
        #expect(record.value("GenericErrors") == "")
        #expect(record.value("UrlQuery") == nil)
        #expect(record.raw.hasPrefix("2021-03-03T06:49:42.123Z,8aed55fb,"))
        #expect(record.timestamp == Timestamp(iso8601: "2021-03-03T06:49:42.123Z"))
        #expect(record.timestamp?.iso8601 == "2021-03-03T06:49:42.123Z")
    }

    @Test func csvEdgeCases() throws {
        let (lines, parser) = parseLog(#"""
            #Fields: a,b,c
            "",,""""
            "x""y",z"q,"lenient"tail
            ,,
            """#)
        #expect(parser.malformedCount == 0)
        let rows = records(lines)
        #expect(rows.count == 3)
        #expect(rows[0].value("a") == "" && rows[0].value("b") == "" && rows[0].value("c") == "\"")
        #expect(rows[1].value("a") == "x\"y")
        #expect(rows[1].value("b") == "z\"q")
        #expect(rows[1].value("c") == "lenienttail")
        #expect(rows[2].value("c") == "")
    }

    @Test func midFileFieldsSwitch() throws {
        let (lines, parser) = parseLog("""
            #Fields: DateTime,UrlStem
            2021-03-03T06:49:42.123Z,/owa/
            #Fields: DateTime,HttpStatus,UrlStem
            2021-03-03T06:49:43.000Z,200,/ecp/
            """)
        let rows = records(lines)
        #expect(rows.count == 2)
        #expect(rows[0].value("UrlStem") == "/owa/")
        #expect(rows[0].value("HttpStatus") == nil)
        #expect(rows[1].value("UrlStem") == "/ecp/")
        #expect(rows[1].value("HttpStatus") == "200")
        #expect(parser.fields == ["DateTime", "HttpStatus", "UrlStem"])
        #expect(parser.malformedCount == 0)
    }

    @Test func recordsBeforeFieldsAreMalformed() {
        let (lines, parser) = parseLog("#Software: Microsoft Exchange Server\n2021-03-03T06:49:42.123Z,/owa/\nx,y\n")
        #expect(records(lines).isEmpty)
        #expect(malformedReasons(lines).count == 2)
        #expect(parser.malformedCount == 2)
        #expect(parser.recordCount == 0)
    }

    @Test func emptyFieldsHeader() {
        let (lines, parser) = parseLog("#Fields:\na,b\nc d\n")
        #expect(parser.fields.isEmpty)
        #expect(parser.separator == .space)  // no comma in #Fields
        #expect(malformedReasons(lines) == ["expected 0 fields, found 1", "expected 0 fields, found 2"])
        #expect(parser.recordCount == 0)
    }

    @Test func headerOnlyFile() {
        let (lines, parser) = parseLog("\u{FEFF}#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Fields: DateTime,UrlStem\r\n")
        #expect(lines.count == 3)
        #expect(parser.recordCount == 0)
        #expect(parser.malformedCount == 0)
        #expect(parser.software == "Microsoft Exchange Server")
        #expect(parser.fields == ["DateTime", "UrlStem"])
    }

    @Test func wrongColumnCount() throws {
        let (lines, parser) = parseLog("""
            #Fields: a,b,c
            1,2
            1,2,3,4
            1,2,3,,
            1,2,"3
            1,2,3
            """ + "\n\n")
        #expect(parser.malformedCount == 3)
        #expect(parser.recordCount == 2)
        let reasons = malformedReasons(lines)
        #expect(reasons[0] == "expected 3 fields, found 2")
        #expect(reasons[1] == "expected 3 fields, found 4")
        #expect(reasons[2] == "unterminated quoted field")
        let rows = records(lines)
        #expect(rows[0].value("c") == "3")  // extra empty fields tolerated
        #expect(rows[0].line == 4)
        if case .blank = lines.last {} else { Issue.record("expected a blank line last") }
    }

    /// A line cut at the cap is still a record when its first part holds every column (the rest is
    /// the cut-off tail); cut before its last column, it is malformed.
    @Test func truncatedLineIsARecordWhenItsColumnsAreAllThere() throws {
        var parser = W3CLogParser()
        _ = parser.parse(Line(number: 1, text: "#Fields: a,b"))
        guard case .record(let record) = parser.parse(Line(number: 2, text: "1,2xxxx,yyy,\"zz", truncated: true)) else {
            Issue.record("cut line with every column rejected")
            return
        }
        #expect(record.cut && record.value("a") == "1" && record.value("b") == "2xxxx")
        guard case .malformed = parser.parse(Line(number: 3, text: "1", truncated: true)) else {
            Issue.record("cut line missing a column accepted")
            return
        }
        #expect(parser.malformedCount == 1 && parser.recordCount == 1)
    }

    @Test func iisLineWithDashAndPlus() throws {
        let (lines, parser) = parseLog("""
            #Software: Microsoft Internet Information Services 10.0\r
            #Version: 1.0\r
            #Date: 2021-03-03 00:00:22\r
            #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r
            2021-03-03 06:49:42 10.0.0.10 POST /ecp/y.js &CorrelationID=<empty>;&cafeReqId=8aed55fb; 443 - 203.0.113.45 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 282\r

            """)
        #expect(parser.separator == .space)
        #expect(parser.software == "Microsoft Internet Information Services 10.0")
        #expect(parser.malformedCount == 0)
        let record = try #require(records(lines).first)
        #expect(record.value("cs-username") == "")
        #expect(record.value("cs(Referer)") == "")
        #expect(record.value("cs(user-agent)") == "Mozilla/5.0+(Windows+NT+10.0)")
        #expect(record.value("cs-uri-query") == "&CorrelationID=<empty>;&cafeReqId=8aed55fb;")
        #expect(record.value("sc-status") == "200")
        #expect(record.value("X-Forwarded-For") == nil)
        #expect(record.timestamp == Timestamp(iso8601: "2021-03-03T06:49:42Z"))
        #expect(record.timestamp?.iso8601 == "2021-03-03T06:49:42Z")
    }

    @Test func iisWrongColumnCount() {
        let (lines, parser) = parseLog("#Fields: date time c-ip\n2021-03-03 06:49:42\n2021-03-03 06:49:42 1.2.3.4 extra\n")
        #expect(parser.malformedCount == 2)
        #expect(records(lines).isEmpty)
    }

    @Test func timestampColumns() throws {
        let ecp = try #require(records(parseLog("#Fields: TimeStamp,ServerName\n2021-03-03T06:49:42.123Z,EXCH01\n").0).first)
        #expect(ecp.timestamp == Timestamp(seconds: 1_614_754_182, nanoseconds: 123_000_000))
        let dashed = try #require(records(parseLog("#Fields: date-time,x\n2021-03-03T06:49:42.123Z,1\n").0).first)
        #expect(dashed.timestamp == Timestamp(seconds: 1_614_754_182, nanoseconds: 123_000_000))
        let iis = try #require(records(parseLog("#Fields: date time\n2021-03-03 06:49:42\n").0).first)
        #expect(iis.timestamp == Timestamp(seconds: 1_614_754_182))
        let apart = try #require(records(parseLog("#Fields: time c-ip date\n06:49:42 1.2.3.4 2021-03-03\n").0).first)
        #expect(apart.timestamp == Timestamp(seconds: 1_614_754_182))
        let dashes = try #require(records(parseLog("#Fields: date time\n- -\n").0).first)
        #expect(dashes.timestamp == nil)
        let none = try #require(records(parseLog("#Fields: a,b\n1,2\n").0).first)
        #expect(none.timestamp == nil)
        let bad = try #require(records(parseLog("#Fields: DateTime,b\n03/03/2021 06:49:42,2\n").0).first)
        #expect(bad.timestamp == nil)
    }

    @Test func headerShapes() {
        var parser = W3CLogParser()
        guard case .header(let key, let value) = parser.parse(Line(number: 1, text: "#Log-type:   ECP Server Log  ")) else {
            Issue.record("not a header")
            return
        }
        #expect(key == "Log-type" && value == "ECP Server Log")
        #expect(parser.logType == "ECP Server Log")
        guard case .header(let bare, let empty) = parser.parse(Line(number: 2, text: "#comment")) else {
            Issue.record("not a header")
            return
        }
        #expect(bare == "comment" && empty == "")
        guard case .blank = parser.parse(Line(number: 3, text: "   ")) else {
            Issue.record("not blank")
            return
        }
        #expect(parser.malformedCount == 0)
    }
}

/// Evidence made from a web-log record carries the request's URL and status, parsed once here
/// (the case export's `url.original` and `http.response.status_code`).
@Suite struct LogRecordEvidenceTests {
    static let context = MemberContext(member: "evidence/C/u_ex.log", sourcePath: "inetpub/logs/u_ex.log", sha256: "ab", family: .iis(site: "W3SVC1"))

    @Test func iisAndHttpProxyRecordsGiveURLAndStatus() throws {
        let iis = """
            #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status\r
            2021-03-03 12:00:00 10.0.0.5 POST /aspnet_client/a.aspx k=1 443 - 203.0.113.10 Mozilla/5.0 200\r
            2021-03-03 12:00:01 10.0.0.5 GET /owa/ - 443 - 203.0.113.11 - 302\r

            """
        let iisRecords = records(parseLog(iis).0)
        let first = Self.context.evidence(try #require(iisRecords.first))
        #expect(first.url == "/aspnet_client/a.aspx?k=1" && first.httpStatus == 200 && first.clientIp == "203.0.113.10")
        let second = Self.context.evidence(try #require(iisRecords.last))
        #expect(second.url == "/owa/" && second.httpStatus == 302)

        let proxy = "#Fields: DateTime,ClientIpAddress,UrlStem,UrlQuery,HttpStatus\r\n"
            + "2021-03-03T06:49:42.123Z,203.0.113.12,/ecp/y.js,,241\r\n"
        let proxyEvidence = Self.context.evidence(try #require(records(parseLog(proxy).0).first))
        #expect(proxyEvidence.url == "/ecp/y.js" && proxyEvidence.httpStatus == 241)

        let event = "#Fields: DateTime,Message\r\n2021-03-03T06:49:42.123Z,hello\r\n"
        let plain = Self.context.evidence(try #require(records(parseLog(event).0).first))
        #expect(plain.url == nil && plain.httpStatus == nil)
    }
}
