import Testing
@testable import Detection

@Suite struct LogFamilyTests {
    @Test(arguments: [
        ("Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030205-1.LOG", LogFamily.httpProxy(protocolName: "Ecp"), "HttpProxy/Ecp"),
        ("Exchange/V15/Logging/HttpProxy/OWA/HttpProxy_2022120710-1.LOG", .httpProxy(protocolName: "OWA"), "HttpProxy/OWA"),
        ("evidence/D/Exchange/V15/logging/httpproxy/oab/httpproxy_2021030306-1.log", .httpProxy(protocolName: "oab"), "HttpProxy/oab"),
        ("Program Files/Microsoft/Exchange Server/V15/Logging/ECP/Server/ECPServer20210303-1.LOG", .ecpServer, "ECP Server"),
        ("Exchange/V15/Logging/ECP/Server/ECPServer20221207-1.log", .ecpServer, "ECP Server"),
        ("Exchange/V15/Logging/ECP/Activity/ECPActivity_9104_20221207-1.LOG", .ecpActivity, "ECP Activity"),
        ("Exchange/V15/Logging/OABGeneratorLog/OABGenerator_20221207-1.LOG", .oabGenerator, "OAB Generator"),
        ("Exchange/V15/Logging/OABGeneratorSimpleLog/sub/OABGeneratorSimple_20221207-1.LOG", .oabGenerator, "OAB Generator"),
        ("Exchange/V15/Logging/CmdletInfra/Powershell-Proxy/Cmdlet/Rps_Cmdlet_2021030308-1.LOG", .rpsCmdlet, "Rps Cmdlet"),
        ("Exchange/V15/Logging/CmdletInfra/PowerShell-Proxy/HTTP/Rps_Http_2021030308-1.LOG", .rpsHttp, "Rps Http"),
        ("Exchange/V15/Logging/CmdletInfra/LocalPowerShell/Cmdlet/LocalPowerShell_Cmdlet_2021030308-1.LOG", .localCmdlet, "Local Cmdlet"),
        ("inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", .iis(site: "W3SVC1"), "IIS W3SVC1"),
        ("INETPUB/LOGS/LOGFILES/w3svc2/U_EX210303.LOG", .iis(site: "W3SVC2"), "IIS W3SVC2"),
        ("Windows/System32/LogFiles/W3SVC1/ex210303.log", .iis(site: "W3SVC1"), "IIS W3SVC1"),
        ("Windows/System32/LogFiles/HTTPERR/httperr1.log", .httpErr, "HTTPERR"),
        ("windows/system32/logfiles/httperr/HTTPERR12.LOG", .httpErr, "HTTPERR"),
        (#"C:\Program Files\Microsoft\Exchange Server\V15\Logging\HttpProxy\Ews\HttpProxy_2021030306-1.LOG"#, .httpProxy(protocolName: "Ews"), "HttpProxy/Ews"),
    ])
    func classifies(path: String, family: LogFamily, description: String) {
        #expect(LogFamily.classify(sourcePath: path) == family)
        #expect(LogFamily.classify(sourcePath: path)?.description == description)
    }

    @Test(arguments: [
        "Windows/Temp/MpSigStub.log",
        "Users/Administrator/AppData/Local/Temp/wuahandler.log",
        "Exchange/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030205-1.txt",
        "Exchange/V15/Logging/HttpProxy/HttpProxy_2021030205-1.LOG",
        "Exchange/V15/Logging/HttpProxy/Ecp/old/HttpProxy_2021030205-1.LOG",
        "Exchange/V15/Logging/HttpProxy/Ecp",
        "Exchange/V15/Logging/ECP/Server/Other.LOG",
        "Exchange/V15/Logging/OABGeneratorLog",
        "Exchange/V15/Logging/CmdletInfra/Powershell-Proxy/Cmdlet/Other_2021.LOG",
        "inetpub/logs/LogFiles/W3SVC/u_ex210303.log",
        "inetpub/logs/LogFiles/W3SVCx1/u_ex210303.log",
        "inetpub/logs/LogFiles/W3SVC1",
        "inetpub/wwwroot/aspnet_client/system_web/qGtWmKzP.aspx",
        "Windows/System32/LogFiles/HTTPERR/other.log",
        "",
        "u_ex210303.log",
    ])
    func rejects(path: String) {
        #expect(LogFamily.classify(sourcePath: path) == nil)
    }
}
