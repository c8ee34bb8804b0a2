/*
 * Web-service and handler endpoints used as shells (ASMX/.soap spies, .ashx writers and
 * droppers) and memory shells that a page registers into the running application
 * (VirtualPathProvider, HttpApplication events, routes). A page, not Global.asax or compiled
 * start-up code, registering such things is the trait: portals do it in Application_Start.
 */

private rule Endpoint_Server_Code
{
    meta:
        description = "Server-side ASP.NET code: a <% block or a runat=server element"
    strings:
        $block = "<%" ascii wide
        $runat = /runat\s*=\s*["']?server/ nocase ascii wide
    condition:
        any of them
}

rule AspNet_WebService_Command_Spy
{
    meta:
        description = "An ASMX/.soap web service whose web methods run commands (cmd.exe, PowerShell, a process with redirected output) or load assemblies from their arguments: a shell that needs no form, answering SOAP"
        reference = "https://www.microsoft.com/en-us/security/blog/2021/02/11/web-shell-attacks-continue-to-rise/; https://github.com/BeichenDream/Godzilla; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003, T1059.003"
        verdict = "likely"
        score = 80
    strings:
        $service = /<%@\s*WebService\b/ nocase ascii wide
        $method = /\[\s*(System\.Web\.Services\.)?WebMethod\b/ nocase ascii wide
        $proc1 = "ProcessStartInfo" ascii wide
        $proc2 = /Process\s*\.\s*Start\s*\(|new\s+(System\.Diagnostics\.)?Process\s*\(/ ascii wide
        $shell1 = "cmd.exe" nocase ascii wide
        $shell2 = "powershell" nocase ascii wide
        // the process's output handed back to the SOAP caller
        $shell3 = /return\s+[\w\.\(\)]{1,60}StandardOutput\s*\.\s*ReadToEnd\s*\(/ nocase ascii wide
        $load = /Assembly\s*\.\s*Load\s*\(\s*(System\.)?Convert\s*\.\s*FromBase64String\s*\(\s*\w{1,20}\s*\)/ nocase ascii wide
        $eval = /\beval\s*\(\s*\w{1,20}\s*,\s*["']unsafe["']/ nocase ascii wide
    condition:
        filesize < 2MB and $service and $method and ((any of ($proc*) and any of ($shell*)) or $load or $eval)
}

rule AspNet_WebService_File_Manager
{
    meta:
        description = "An ASMX/.soap web service that browses drives or folders named by its caller and deletes, writes or reads files there: a file-manager spy behind SOAP"
        reference = "https://attack.mitre.org/techniques/T1505/003/; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003, T1083"
        verdict = "likely"
        score = 70
    strings:
        $service = /<%@\s*WebService\b/ nocase ascii wide
        $method = /\[\s*(System\.Web\.Services\.)?WebMethod\b/ nocase ascii wide
        $drives = /GetLogicalDrives|DriveInfo\s*\.\s*GetDrives/ ascii wide
        $list = /Directory\s*\.\s*Get(Files|Directories)\s*\(\s*[a-z_]\w{0,20}\s*\)|new\s+DirectoryInfo\s*\(\s*[a-z_]\w{0,20}\s*\)/ nocase ascii wide
        $op1 = /File\s*\.\s*(Delete|Move|Copy|WriteAllBytes|WriteAllText|ReadAllBytes)\s*\(\s*[a-z_]\w{0,20}\s*[,\)]/ nocase ascii wide
        $op2 = /(SetCreationTime|SetLastWriteTime|SetAttributes)\s*\(/ ascii wide
        $sanitised = /Path\s*\.\s*GetFileName\s*\(/ ascii wide
    condition:
        filesize < 2MB and $service and $method and (($drives and ($list or any of ($op*))) or ($list and $op2 and not $sanitised))
}

rule AspNet_Handler_Writes_Requested_Path
{
    meta:
        description = "An .ashx handler that writes request data to a file whose path the request names, with no file-name sanitising: an uploader for the next shell"
        reference = "https://attack.mitre.org/techniques/T1505/003/; https://attack.mitre.org/techniques/T1105/; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003, T1105"
        verdict = "likely"
        score = 75
    strings:
        $handler = /<%@\s*WebHandler\b/ nocase ascii wide
        $request = /Request\s*(\.\s*(Form|Item|Params|QueryString|Files|InputStream))?\s*[\[\(\.]/ nocase ascii wide
        // new StreamWriter(ctx.Server.MapPath(f)), File.WriteAllBytes(path, ...), new FileStream(p, FileMode.Create)
        $write1 = /(StreamWriter|FileStream)\s*\(\s*([\w\.]{1,30}\.)?MapPath\s*\(\s*[a-z_]\w{0,20}\s*\)/ nocase ascii wide
        $write2 = /File\s*\.\s*(WriteAllBytes|WriteAllText|AppendAllText|Create|CreateText|OpenWrite)\s*\(\s*([\w\.]{1,30}\.)?MapPath\s*\(\s*[a-z_]\w{0,20}\s*\)/ nocase ascii wide
        $write3 = /\.\s*SaveAs\s*\(\s*([\w\.]{1,30}\.)?MapPath\s*\(\s*[a-z_]\w{0,20}\s*\)/ nocase ascii wide
        $write4 = /(StreamWriter|FileStream|File\s*\.\s*(WriteAllBytes|WriteAllText|Create|OpenWrite))\s*\(\s*([\w\.]{1,30}\.)?Request\s*[\[\.]/ nocase ascii wide
        // a handler that names its own folders ("~/uploads/"), cleans the name or checks the user is an application's
        $sanitised = /Path\s*\.\s*(GetFileName|GetExtension)\s*\(|Guid\s*\.\s*NewGuid|IsInRole|IsAuthenticated|["']~\// ascii wide
    condition:
        filesize < 1MB and $handler and $request and any of ($write*) and not $sanitised
}

rule AspNet_Writes_Script_Page
{
    meta:
        description = "A dropper: code that writes a new server page whose text carries a request-driven eval/Execute or an inline server block (the written file is the next web shell)"
        reference = "https://attack.mitre.org/techniques/T1505/003/; https://attack.mitre.org/techniques/T1105/; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003, T1105"
        verdict = "likely"
        score = 80
    strings:
        $write = /File\s*\.\s*(CreateText|WriteAllText|AppendAllText|WriteAllBytes)\s*\(|StreamWriter\s*\(|\.\s*(Write|WriteLine)\s*\(\s*["']/ nocase ascii wide
        // server code that evaluates request data, written as text: <%eval(Request[\"x\"]...) or execute request(\"x\")
        $payload1 = /<%[^\n%]{0,80}(eval|execute)\s*\(?\s*(\\["']|["']{2})?\s*request/ nocase ascii wide
        // a page directive or server script block inside a string literal (its quotes escaped: \" or "")
        $payload2 = /<%@\s*Page[^\n]{0,40}Language\s*=\s*(\\"|"")(J|JScript|JavaScript)(\\"|"")/ nocase ascii wide
        $payload3 = /<script[^>\n]{0,40}runat\s*=\s*(\\"|"")server/ nocase ascii wide
        $exec = /\beval\s*\(|Process\s*\.\s*Start|Assembly\s*\.\s*Load/ nocase ascii wide
    condition:
        filesize < 2MB and Endpoint_Server_Code and $write and ($payload1 or (($payload2 or $payload3) and $exec))
}

rule AspNet_Memory_Shell_Registration
{
    meta:
        description = "A page that plants code in the running application: it registers a VirtualPathProvider (also through the internal RegisterVirtualPathProviderInternal), hooks HttpApplication events or inserts a route; a fileless shell survives the page's deletion until the worker recycles"
        reference = "https://github.com/BeichenDream/GodzillaMemoryShellProject.NET; https://www.microsoft.com/en-us/security/blog/2022/07/26/malicious-iis-extensions-quietly-open-persistent-backdoors-into-servers/; https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003, T1620"
        verdict = "likely"
        score = 85
    strings:
        $vpp = /RegisterVirtualPathProvider\s*\(/ nocase ascii wide
        $vpp_internal = "RegisterVirtualPathProviderInternal" nocase ascii wide
        $precompiled = /_isPrecompiledApp|isPrecompiledApp(Computed)?["']/ nocase ascii wide
        $event = /ApplicationInstance\s*\.\s*(BeginRequest|AuthenticateRequest|PostAuthenticateRequest|AuthorizeRequest|PostAuthorizeRequest|PostMapRequestHandler|AcquireRequestState|PostAcquireRequestState|PreRequestHandlerExecute|EndRequest|PreSendRequestHeaders|Error)\s*\+=/ nocase ascii wide
        $route = /RouteTable\s*\.\s*Routes\s*\.\s*(Insert\s*\(\s*0|Add\s*\(|MapPageRoute\s*\()/ nocase ascii wide
        $modules = /GetField\s*\(\s*["']_(moduleCollection|modules|handlerFactories)["']/ nocase ascii wide
        $page = /<%@\s*(Page|WebHandler|WebService)\b/ nocase ascii wide
        $app = /<%@\s*Application\b/ nocase ascii wide
    condition:
        filesize < 2MB and Endpoint_Server_Code and not $app and (
            $vpp_internal or $precompiled or $modules or
            ($page and ($vpp or $event or $route))
        )
}
