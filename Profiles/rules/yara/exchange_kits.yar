/*
 * Shells and kits seen on Exchange servers after ProxyLogon and ProxyShell.
 */

rule Exchange_PST_Shaped_Page
{
    meta:
        description = "A script file that is a PST (magic !BDN): the ProxyShell mailbox-export web shell written with New-MailboxExportRequest"
        reference = "https://peterjson.medium.com/reproducing-the-proxyshell-pwn2own-exploit-49743a4ea9a1; EXCHANGE-ARTIFACTS.md C10, §4.1"
        mitre_attack = "T1505.003"
        cve = "CVE-2021-34473, CVE-2021-34523, CVE-2021-31207"
        verdict = "confirmed"
        score = 95
    condition:
        uint32(0) == 0x4E444221 and extension matches /^\.(aspx|ashx|asmx|asp|asax|cshtml)$/i
}

rule Exchange_SportsBall_Shell
{
    meta:
        description = "SportsBall web shell: commands travel in the fqrspt cookie"
        reference = "https://www.microsoft.com/security/blog/2021/03/25/analyzing-attacks-taking-advantage-of-the-exchange-server-vulnerabilities/; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003"
        verdict = "confirmed"
        score = 90
    strings:
        $cookie = "fqrspt" nocase ascii wide
        $server = "<%" ascii wide
    condition:
        filesize < 1MB and all of them
}

rule Exchange_SecChecker_EDR_Probe
{
    meta:
        description = "SecChecker: a tiny page that tests for EDR agents (FireEye xagt, CrowdStrike) before a real shell is dropped"
        reference = "https://www.microsoft.com/security/blog/2021/03/25/analyzing-attacks-taking-advantage-of-the-exchange-server-vulnerabilities/; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003, T1518.001"
        verdict = "confirmed"
        score = 85
    strings:
        $xagt = "fireeye\\xagt.exe" nocase ascii wide
        $falcon = "csfalconservice.exe" nocase ascii wide
    condition:
        filesize < 2KB and (uint16(0) == 0x253C or uint32(0) == 0x0025003C) and any of them
}
