/*
 * Compiled pages in "Temporary ASP.NET Files": ASP.NET compiles each requested page into an
 * App_Web_<random>.dll, which survives deletion of the .aspx. These rules look at the PE's strings
 * (ASCII metadata names and UTF-16LE user strings).
 */

rule Compiled_AppWeb_Shell_In_DropZone
{
    meta:
        description = "A compiled page (App_Web_*.dll) whose source was in a web-shell drop zone (~/aspnet_client/, ~/auth/) and which evals JScript or reads uploaded files through the request"
        reference = "https://github.com/Neo23x0/signature-base/blob/master/yara/apt_hafnium.yar (BSI rule); EXCHANGE-ARTIFACTS.md C11"
        mitre_attack = "T1505.003"
        verdict = "confirmed"
        score = 95
    strings:
        $path1 = "~/aspnet_client/" nocase ascii wide
        $path2 = "~/auth/" nocase ascii wide
        $path3 = "/owa/auth/" nocase ascii wide
        $path4 = "/ecp/auth/" nocase ascii wide
        $eval = "JScriptEvaluate" ascii wide
        $m1 = "get_Request" ascii
        $m2 = "get_Files" ascii
        $m3 = "get_Count" ascii
        $m4 = "get_Item" ascii
        $m5 = "get_Server" ascii
    condition:
        uint16(0) == 0x5A4D and filesize < 200KB and any of ($path*) and ($eval or all of ($m*))
}

rule Compiled_HAFNIUM_OAB_Shell
{
    meta:
        description = "A compiled page with Page_Load and the UTF-16 one-letter URL host of the OAB configuration-dump shells ( : http://f/)"
        reference = "https://github.com/Neo23x0/signature-base/blob/master/yara/apt_hafnium.yar; EXCHANGE-ARTIFACTS.md C11"
        mitre_attack = "T1505.003"
        cve = "CVE-2021-27065"
        verdict = "confirmed"
        score = 95
    strings:
        $load = "Page_Load" ascii
        $url = / : http:\/\/[a-z]\// wide
    condition:
        uint16(0) == 0x5A4D and filesize < 200KB and $load and $url
}

rule Compiled_AppWeb_JScript_Eval
{
    meta:
        description = "A compiled ASP.NET page (App_Web_*.dll) that calls the JScript.NET evaluator with request data: the compiled form of a China Chopper page, wherever it was"
        reference = "https://www.fireeye.com/blog/threat-research/2013/08/breaking-down-the-china-chopper-web-shell-part-i.html; EXCHANGE-ARTIFACTS.md C11"
        mitre_attack = "T1505.003"
        verdict = "likely"
        score = 85
    strings:
        $asm = "App_Web_" ascii wide
        $eval = "JScriptEvaluate" ascii wide
        $req = "get_Request" ascii
    condition:
        uint16(0) == 0x5A4D and filesize < 2MB and $asm and $eval and $req
}

rule Compiled_AppWeb_Process_From_Request
{
    meta:
        description = "A compiled ASP.NET page (App_Web_*.dll) that reads the request and starts processes"
        reference = "https://attack.mitre.org/techniques/T1505/003/; EXCHANGE-ARTIFACTS.md C11"
        mitre_attack = "T1505.003"
        verdict = "likely"
        score = 75
    strings:
        $asm = "App_Web_" ascii wide
        $req = "get_Request" ascii
        $p1 = "ProcessStartInfo" ascii
        $p2 = "cmd.exe" nocase ascii wide
        $p3 = "set_RedirectStandardOutput" ascii
    condition:
        uint16(0) == 0x5A4D and filesize < 2MB and $asm and $req and 2 of ($p*)
}

rule Compiled_Record_For_DropZone_Page
{
    meta:
        description = "A <page>.<hash>.compiled record in Temporary ASP.NET Files naming a page in a web-shell drop zone (aspnet_client, ecp/auth, OAB, owa/auth outside Exchange's pages, owa/auth resource folders): the page was requested and compiled, even if it is gone. The owa/auth and ecp/auth names mirror the allow-lists in Profiles/rules/webshell-locations.yaml"
        reference = "https://github.com/EricZimmerman/KapeFiles (ExchangeCompiled target); EXCHANGE-ARTIFACTS.md C11"
        mitre_attack = "T1505.003"
        verdict = "likely"
        score = 75
    strings:
        $preserve = "<preserve" nocase ascii wide
        $client = /virtualPath="\/aspnet_client\/[^"]{1,200}\.(aspx|ashx|asmx|asp)"/ nocase ascii wide
        $ecp = /virtualPath="\/ecp\/auth\/[^"]{1,200}\.(aspx|ashx|asmx)"/ nocase ascii wide
        $ecp_known = /virtualPath="\/ecp\/auth\/TimeoutLog(out|off)\.aspx"/ nocase ascii wide
        $oab = /virtualPath="\/oab\/[^"]{1,200}\.(aspx|ashx|asmx)"/ nocase ascii wide
        $owa_nested = /virtualPath="\/owa\/auth\/[^"\/]{1,60}\/[^"]{1,200}\.(aspx|ashx|asmx)"/ nocase ascii wide
        $owa_top = /virtualPath="\/owa\/auth\/[^"\/]{1,100}\.(aspx|ashx|asmx)"/ nocase ascii wide
        $owa_known = /virtualPath="\/owa\/auth\/(errorFE|expiredpassword|frowny|logoff|logon|OutlookCN|RedirSuiteServiceProxy|signout)\.aspx"/ nocase ascii wide
    condition:
        filesize < 64KB and $preserve and ($client or ($ecp and not $ecp_known) or $oab or $owa_nested or ($owa_top and not $owa_known))
}
