@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// Exchange virtual directories' web.config: Exchange's own entries raise nothing; foreign types,
/// Microsoft names under another key and static extensions run as pages are reported.
@Suite struct ExchangeWebConfigCheckTests {
    typealias F = PersistenceFixtures

    static func findings(_ text: String, path: String = F.owaWebConfigPath) throws -> [Finding] {
        F.findings(ExchangeWebConfigCheck(points: try F.points()), [(path, text)])
    }

    @Test func exchangesOwnEntriesRaiseNothing() throws {
        #expect(try Self.findings(F.owaWebConfig()).isEmpty)
    }

    @Test func addedModulesAndHandlersAreReported() throws {
        let findings = try Self.findings(F.owaWebConfig(
            modules: [
                #"<add name="ExtenDD" type="ExtenDD.SimpleModule, ExtenDD, Version=1.0.0.0, Culture=neutral, PublicKeyToken=2b9e6c5c36b6fe4d" />"#,
                #"<add name="OwaAuth" type="Microsoft.Exchange.Clients.Owa.AuthModule, Owa.Auth, PublicKeyToken=0123456789abcdef" />"#,
            ],
            handlers: [#"<add name="img" path="*.jpg" verb="*" type="System.Web.UI.PageHandlerFactory" />"#]))
        #expect(findings.map(\.title) == ["Exchange Owa module: ExtenDD", "Exchange Owa module: OwaAuth", "Exchange Owa handler: img"])
        #expect(findings.map(\.verdict) == [.attempt, .likely, .likely])
    }

    @Test func webConfigsOutsideExchangeAreNotItsBusiness() throws {
        let text = F.owaWebConfig(modules: [#"<add name="Blog" type="Blog.Engine.Module, Blog" />"#])
        #expect(try Self.findings(text, path: "inetpub/wwwroot/blog/web.config").isEmpty)
        #expect(try Self.findings(text, path: F.exchange + "/FrontEnd/HttpProxy/owa/web.config").count == 1)
    }
}
