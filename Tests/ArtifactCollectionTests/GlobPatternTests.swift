@testable import ArtifactCollection
import ExTriageCore
import Testing

@Suite struct GlobPatternTests {
    func matches(_ glob: String, _ path: String, prefix: [String] = []) throws -> Bool {
        try GlobPattern(literalPrefix: prefix.map { PathComponent($0) }, glob: glob).matches(EvidencePath(parsing: path))
    }

    @Test func ignoresCaseAsNTFSDoes() throws {
        #expect(try matches("inetpub/logs/LogFiles/W3SVC*/*.log", "INETPUB/Logs/logfiles/w3svc1/u_ex210302.LOG"))
        #expect(try matches("Logging/HttpProxy/**/HttpProxy_*.LOG", "logging/httpproxy/Ecp/httpproxy_2021030305-1.log"))
    }

    @Test func singleStarStaysInOneSegment() throws {
        #expect(try matches("Windows/Temp/*", "Windows/Temp/a.tmp"))
        #expect(try !matches("Windows/Temp/*", "Windows/Temp/sub/a.tmp"))
        #expect(try !matches("ProgramData/*", "ProgramData/McAfee/x.zip"))
    }

    @Test func doubleStarMatchesAnyDepthIncludingNone() throws {
        #expect(try matches("inetpub/**/*.aspx", "inetpub/x.aspx"))
        #expect(try matches("inetpub/**/*.aspx", "inetpub/wwwroot/aspnet_client/system_web/x.aspx"))
        #expect(try matches("root/**", "root/a/b/c.bin"))
        #expect(try matches("root/**", "root/c.bin"))
        #expect(try !matches("root/**", "other/c.bin"))
        #expect(try !matches("inetpub/**/*.aspx", "inetpub/wwwroot/x.aspx.txt"))
    }

    @Test func questionMarkClassesAndBraces() throws {
        #expect(try matches("Windows/????????.exe", "Windows/AbCdEfGh.exe"))
        #expect(try !matches("Windows/????????.exe", "Windows/svchost.exe"))
        #expect(try matches("config/{SYSTEM,SOFTWARE}{,.LOG1,.LOG2}", "config/software.log2"))
        #expect(try matches("config/{SYSTEM,SOFTWARE}{,.LOG1,.LOG2}", "config/SYSTEM"))
        #expect(try !matches("config/{SYSTEM,SOFTWARE}{,.LOG1,.LOG2}", "config/SAM"))
        #expect(try matches("logs/u_ex[0-9][0-9]*.log", "logs/u_ex210302.log"))
        #expect(try !matches("logs/u_ex[0-9][0-9]*.log", "logs/u_exab.log"))
        #expect(try matches("x/[!a]*", "x/b1"))
        #expect(try !matches("x/[!a]*", "x/a1"))
    }

    @Test func placeholderPrefixIsLiteral() throws {
        let prefix = ["Program Files", "Microsoft", "Exchange Server", "V15"]
        #expect(try matches("Logging/ECP/Server/*.LOG", "program files/microsoft/exchange server/v15/Logging/ECP/Server/ECPServer20210303-1.LOG", prefix: prefix))
        let bracketed = try GlobPattern(literalPrefix: [PathComponent("Exchange [test]")], glob: "*.log")
        #expect(bracketed.matches(EvidencePath(parsing: "Exchange [test]/a.log")))
        #expect(!bracketed.matches(EvidencePath(parsing: "Exchange t/a.log")))
    }

    @Test func rejectsBrokenSyntax() {
        #expect(throws: ExTriageError.self) { try GlobPattern(glob: "a/{b,c") }
        #expect(throws: ExTriageError.self) { try GlobPattern(glob: "a/[bc") }
        #expect(throws: ExTriageError.self) { try GlobPattern(glob: "a/b}") }
        #expect(throws: ExTriageError.self) { try GlobPattern(glob: "") }
    }
}
