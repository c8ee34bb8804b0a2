@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// Configuration files as Exchange 2019 and IIS 10 write them, for the extension-point checks.
enum PersistenceFixtures {
    static let exchange = "Program Files/Microsoft/Exchange Server/V15"
    static let agentsConfigPath = exchange + "/TransportRoles/Shared/agents.config"
    static let applicationHostPath = "Windows/System32/inetsrv/config/applicationHost.config"
    static let owaWebConfigPath = exchange + "/ClientAccess/Owa/web.config"

    static func points() throws -> ExtensionPoints { try TestData.detection().extensionPoints }

    static func findings(_ check: any Check, _ files: [(String, String)]) -> [Finding] {
        CheckHarness(members: files.map { (sourcePath: $0.0, text: $0.1) }, exchangeInstallPath: exchange).run([check])
    }

    static let agentsRoot = #"C:\Program Files\Microsoft\Exchange Server\V15\TransportRoles\agents\"#

    /// One `<agent>` line of agents.config.
    static func agent(_ name: String, factory: String, path: String, base: String = "Microsoft.Exchange.Data.Transport.Routing.RoutingAgentFactory") -> String {
        #"      <agent name="\#(name)" baseType="\#(base)" classFactory="\#(factory)" assemblyPath="\#(path)" enabled="true" />"#
    }

    /// Exchange 2019's own agents, as setup registers them.
    static let microsoftAgents = [
        agent("Transport Rule Agent", factory: "Microsoft.Exchange.MessagingPolicies.TransportRuleAgent.TransportRuleAgentFactory",
              path: agentsRoot + #"Rules\Microsoft.Exchange.MessagingPolicies.TransportRuleAgent.dll"#),
        agent("DLP Policy Agent", factory: "Microsoft.Exchange.MessagingPolicies.DlpPolicyAgent.DlpPolicyAgentFactory",
              path: agentsRoot + #"Rules\Microsoft.Exchange.MessagingPolicies.TransportRuleAgent.dll"#),
        agent("Retention Policy Agent", factory: "Microsoft.Exchange.MessagingPolicies.RetentionPolicyAgent.RetentionPolicyAgentFactory",
              path: agentsRoot + #"RetentionPolicy\Microsoft.Exchange.MessagingPolicies.RetentionPolicyAgent.dll"#),
        agent("Supervisory Review Agent", factory: "Microsoft.Exchange.MessagingPolicies.SupervisoryReviewAgent.SupervisoryReviewAgentFactory",
              path: agentsRoot + #"SupervisoryReview\Microsoft.Exchange.MessagingPolicies.SupervisoryReviewAgent.dll"#),
        agent("Malware Agent", factory: "Microsoft.Exchange.Transport.Agent.Malware.MalwareAgentFactory",
              path: agentsRoot + #"Hygiene\Microsoft.Exchange.Transport.Agent.Malware.dll"#, base: "Microsoft.Exchange.Data.Transport.Smtp.SmtpReceiveAgentFactory"),
        agent("Text Messaging Routing Agent", factory: "Microsoft.Exchange.MessagingPolicies.TextMessagingRoutingAgent.TextMessagingRoutingAgentFactory",
              path: agentsRoot + #"TextMessaging\Microsoft.Exchange.MessagingPolicies.TextMessagingAgents.dll"#),
        agent("System Probe Drop Smtp Agent", factory: "Microsoft.Exchange.Transport.Agent.SystemProbeDrop.SystemProbeDropSmtpAgentFactory",
              path: agentsRoot + #"SystemProbeDrop\Microsoft.Exchange.Transport.Agent.SystemProbeDrop.dll"#, base: "Microsoft.Exchange.Data.Transport.Smtp.SmtpReceiveAgentFactory"),
        agent("System Probe Drop Routing Agent", factory: "Microsoft.Exchange.Transport.Agent.SystemProbeDrop.SystemProbeDropRoutingAgentFactory",
              path: agentsRoot + #"SystemProbeDrop\Microsoft.Exchange.Transport.Agent.SystemProbeDrop.dll"#),
    ]

    static func agentsConfig(_ agents: [String]) -> String {
        """
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <mexRuntime>
            <monitoring>
              <agentExecution timeLimitInMilliseconds="90000" />
              <messageSnapshot enabled="true" />
            </monitoring>
            <agentList>
        \(agents.joined(separator: "\n"))
            </agentList>
            <settings />
          </mexRuntime>
        </configuration>
        """
    }

    /// IIS 10's native modules as a full install with ASP.NET 4.8 and Exchange writes them.
    static let standardGlobalModules = """
              <add name="HttpLoggingModule" image="%windir%\\System32\\inetsrv\\loghttp.dll" />
              <add name="UriCacheModule" image="%windir%\\System32\\inetsrv\\cachuri.dll" />
              <add name="FileCacheModule" image="%windir%\\System32\\inetsrv\\cachfile.dll" />
              <add name="TokenCacheModule" image="%windir%\\System32\\inetsrv\\cachtokn.dll" />
              <add name="HttpCacheModule" image="%windir%\\System32\\inetsrv\\cachhttp.dll" />
              <add name="DynamicCompressionModule" image="%windir%\\System32\\inetsrv\\compdyn.dll" />
              <add name="StaticCompressionModule" image="%windir%\\System32\\inetsrv\\compstat.dll" />
              <add name="DefaultDocumentModule" image="%windir%\\System32\\inetsrv\\defdoc.dll" />
              <add name="DirectoryListingModule" image="%windir%\\System32\\inetsrv\\dirlist.dll" />
              <add name="ProtocolSupportModule" image="%windir%\\System32\\inetsrv\\protsup.dll" />
              <add name="HttpRedirectionModule" image="%windir%\\System32\\inetsrv\\redirect.dll" />
              <add name="StaticFileModule" image="%windir%\\System32\\inetsrv\\static.dll" />
              <add name="AnonymousAuthenticationModule" image="%windir%\\System32\\inetsrv\\authanon.dll" />
              <add name="CertificateMappingAuthenticationModule" image="%windir%\\System32\\inetsrv\\authcert.dll" />
              <add name="UrlAuthorizationModule" image="%windir%\\System32\\inetsrv\\urlauthz.dll" />
              <add name="BasicAuthenticationModule" image="%windir%\\System32\\inetsrv\\authbas.dll" />
              <add name="WindowsAuthenticationModule" image="%windir%\\System32\\inetsrv\\authsspi.dll" />
              <add name="DigestAuthenticationModule" image="%windir%\\System32\\inetsrv\\authmd5.dll" />
              <add name="IISCertificateMappingAuthenticationModule" image="%windir%\\System32\\inetsrv\\authmap.dll" />
              <add name="IpRestrictionModule" image="%windir%\\System32\\inetsrv\\iprestr.dll" />
              <add name="RequestFilteringModule" image="%windir%\\System32\\inetsrv\\modrqflt.dll" />
              <add name="CustomLoggingModule" image="%windir%\\System32\\inetsrv\\logcust.dll" />
              <add name="CustomErrorModule" image="%windir%\\System32\\inetsrv\\custerr.dll" />
              <add name="IsapiFilterModule" image="%windir%\\System32\\inetsrv\\filter.dll" />
              <add name="IsapiModule" image="%windir%\\System32\\inetsrv\\isapi.dll" />
              <add name="FailedRequestsTracingModule" image="%windir%\\System32\\inetsrv\\iisfreb.dll" />
              <add name="RequestMonitorModule" image="%windir%\\System32\\inetsrv\\iisreqs.dll" />
              <add name="ConfigurationValidationModule" image="%windir%\\System32\\inetsrv\\validcfg.dll" />
              <add name="WebSocketModule" image="%windir%\\System32\\inetsrv\\iiswsock.dll" />
              <add name="ManagedEngine64" image="%windir%\\Microsoft.NET\\Framework64\\v2.0.50727\\webengine.dll" preCondition="integratedMode,runtimeVersionv2.0,bitness64" />
              <add name="ManagedEngineV4.0_64bit" image="%windir%\\Microsoft.NET\\Framework64\\v4.0.30319\\webengine4.dll" preCondition="integratedMode,runtimeVersionv4.0,bitness64" />
              <add name="kerbauth" image="C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Bin\\kerbauth.dll" preCondition="bitness64" />
              <add name="exppw" image="C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\Owa\\auth\\exppw.dll" preCondition="bitness64" />
    """

    static func applicationHost(globalModules extra: [String] = [], modules: [String] = [], sites: String = "", tail: String = "") -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- applicationHost.config: IIS 10 on Exchange Server 2019 -->
        <configuration>
            <system.applicationHost>
                <sites>
                    <site name="Default Web Site" id="1" serverAutoStart="true">
                        <application path="/" applicationPool="DefaultAppPool"><virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot" /></application>
                    </site>
                    <site name="Exchange Back End" id="2">
                        <bindings><binding protocol="https" bindingInformation="*:444:" /></bindings>
                    </site>
        \(sites)
                    <siteDefaults>
                        <logFile logFormat="W3C" directory="%SystemDrive%\\inetpub\\logs\\LogFiles" enabled="true" />
                    </siteDefaults>
                </sites>
            </system.applicationHost>
            <system.webServer>
                <globalModules>
        \(standardGlobalModules)
        \(extra.joined(separator: "\n"))
                </globalModules>
                <httpLogging dontLog="false" />
                <modules>
                    <add name="HttpCacheModule" lockItem="true" />
                    <add name="OutputCache" type="System.Web.Caching.OutputCacheModule" preCondition="managedHandler" />
                    <add name="Session" type="System.Web.SessionState.SessionStateModule" preCondition="managedHandler" />
                    <add name="UrlRoutingModule-4.0" type="System.Web.Routing.UrlRoutingModule" preCondition="managedHandler,runtimeVersionv4.0" />
                    <add name="ScriptModule-4.0" type="System.Web.Handlers.ScriptModule, System.Web.Extensions, Version=4.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35" preCondition="managedHandler,runtimeVersionv4.0" />
        \(modules.joined(separator: "\n"))
                </modules>
            </system.webServer>
        \(tail)
        </configuration>
        """
    }

    /// OWA's web.config as Exchange 2019 ships it (abridged), with `extra` lines in `section`.
    static func owaWebConfig(modules: [String] = [], handlers: [String] = []) -> String {
        """
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <system.webServer>
            <modules>
              <add name="OwaModule" type="Microsoft.Exchange.Clients.Owa2.Server.Core.OwaModule, Microsoft.Exchange.Clients.Owa2.Server, Version=15.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35" />
              <add name="RpsFriendlyErrorModule" type="Microsoft.Exchange.Diagnostics.RpsFriendlyErrorModule, Microsoft.Exchange.Diagnostics" />
              <remove name="WebDAVModule" />
        \(modules.joined(separator: "\n"))
            </modules>
            <handlers>
              <add name="OwaEventHandler" path="*.owa" verb="POST,GET" type="System.Web.UI.SimpleHandlerFactory" preCondition="integratedMode" />
              <add name="PageHandlerFactory-Integrated-4.0" path="*.aspx" verb="GET,HEAD,POST,DEBUG" type="System.Web.UI.PageHandlerFactory" preCondition="integratedMode,runtimeVersionv4.0" />
        \(handlers.joined(separator: "\n"))
            </handlers>
          </system.webServer>
        </configuration>
        """
    }
}
