@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// applicationHost.config: IIS's and Exchange's modules raise nothing; a foreign native module in
/// an odd place or among IIS's files is likely, one under Program Files an attempt; a foreign
/// managed module server-wide is an attempt.
@Suite struct IISModuleCheckTests {
    typealias F = PersistenceFixtures

    static func findings(_ text: String) throws -> [Finding] {
        F.findings(IISModuleCheck(points: try F.points()), [(F.applicationHostPath, text)])
    }

    @Test func iisAndExchangeModulesRaiseNothing() throws {
        #expect(try Self.findings(F.applicationHost()).isEmpty)
    }

    @Test func foreignNativeModulesAreTieredByPlace() throws {
        let findings = try Self.findings(F.applicationHost(globalModules: [
            #"<add name="SessionModule" image="C:\Windows\Temp\iis64.dll" preCondition="bitness64" />"#,
            #"<add name="HttpFilterModule" image="%windir%\System32\inetsrv\httpfltr.dll" />"#,
            #"<add name="StaticFileModule2" image="%windir%\Microsoft.NET\Framework64\v4.0.30319\sf.dll" />"#,
            #"<add name="IsapiModule" image="C:\inetpub\wwwroot\aspnet_client\isapi.dll" />"#,
            #"<add name="ApmAgent" image="C:\Program Files\Vendor APM\agent64.dll" preCondition="bitness64" />"#,
        ]))
        #expect(findings.map(\.title) == ["IIS native module: SessionModule", "IIS native module: HttpFilterModule", "IIS native module: StaticFileModule2",
                                          "IIS native module: IsapiModule", "IIS native module: ApmAgent"])
        #expect(findings.map(\.verdict) == [.likely, .likely, .likely, .likely, .attempt])
        #expect(findings.allSatisfy { $0.attack == ["T1505.004"] && $0.evidence.first?.line != nil })
    }

    @Test func aForeignManagedModuleIsAnAttempt() throws {
        let findings = try Self.findings(F.applicationHost(modules: [
            #"<add name="ExtenDD" type="ExtenDD.SimpleModule, ExtenDD, Version=1.0.0.0, Culture=neutral, PublicKeyToken=2b9e6c5c36b6fe4d" preCondition="managedHandler" />"#,
        ]))
        let finding = try #require(findings.first)
        #expect(findings.count == 1 && finding.verdict == .attempt && finding.evidence.first?.details?["scope"] == "every site")
    }

    @Test func configurationReaderKeepsLinesScopesAndSkipsComments() {
        let text = """
        <configuration>
          <!-- <globalModules><add name="Commented" image="x.dll" /></globalModules> -->
          <location path="Default Web Site/owa">
            <system.webServer><httpLogging dontLog="true" /></system.webServer>
          </location>
          <x a='1' b="&lt;2&gt;"/><![CDATA[ <add name="cdata"/> ]]>
        </configuration>
        """
        let elements = ConfigXML.elements(Array(text.utf8))
        #expect(elements.map(\.name) == ["configuration", "location", "system.webserver", "httplogging", "x"])
        let logging = elements[3]
        #expect(logging.line == 4 && logging.location == "Default Web Site/owa" && logging["dontlog"] == "true")
        #expect(elements[4].attributes == ["a": "1", "b": "<2>"] && elements[4].location == nil)
    }
}
