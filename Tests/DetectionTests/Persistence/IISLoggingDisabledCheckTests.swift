@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// Logging switched off for a virtual directory, a site or the defaults is an attempt naming the
/// scope; the defaults IIS writes raise nothing.
@Suite struct IISLoggingDisabledCheckTests {
    typealias F = PersistenceFixtures

    static func findings(_ files: [(String, String)]) -> [Finding] {
        F.findings(IISLoggingDisabledCheck(), files)
    }

    @Test func defaultsRaiseNothing() {
        #expect(Self.findings([(F.applicationHostPath, F.applicationHost()), (F.owaWebConfigPath, F.owaWebConfig())]).isEmpty)
    }

    @Test func eachSwitchedOffScopeIsAnAttempt() throws {
        let host = F.applicationHost(
            sites: #"<site name="Intranet" id="3"><logFile enabled="false" /></site>"#,
            tail: """
            <location path="Default Web Site/owa">
                <system.webServer><httpLogging dontLog="true" /></system.webServer>
            </location>
            """)
        let web = #"<configuration><system.webServer><httpLogging dontLog="True" /></system.webServer></configuration>"#
        let findings = Self.findings([(F.applicationHostPath, host), (F.exchange + "/FrontEnd/HttpProxy/ecp/web.config", web)])
        #expect(Set(findings.map(\.title)) == ["IIS logging off: Intranet", "IIS logging off: Default Web Site/owa",
                                               "IIS logging off: " + F.exchange + "/FrontEnd/HttpProxy/ecp"])
        #expect(findings.allSatisfy { $0.verdict == .attempt && $0.attack == ["T1562.002"] && $0.category == FindingCategory.antiForensics })
    }
}
