/*
 * The CVE-2021-27065 artifact: Set-OabVirtualDirectory put a script into ExternalUrl, then the
 * "reset" wrote the virtual directory's properties as a text dump into a web folder as .aspx.
 */

rule Exchange_OAB_Dump_Script_In_Url
{
    meta:
        description = "Text dump of an OAB virtual directory (ExternalUrl/InternalUrl, authentication and extended-protection properties) carrying server-side script: the CVE-2021-27065 web shell"
        reference = "https://www.microsoft.com/security/blog/2021/03/02/hafnium-targeting-exchange-servers/; https://www.cisa.gov/news-events/cybersecurity-advisories/aa21-062a; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003"
        cve = "CVE-2021-27065"
        verdict = "confirmed"
        score = 100
    strings:
        $url1 = "ExternalUrl" nocase ascii wide
        $url2 = "InternalUrl" nocase ascii wide
        $auth = "InternalAuthenticationMethods" nocase ascii wide
        $ep = "ExtendedProtectionTokenChecking" nocase ascii wide
        $script1 = /<script[^>]{0,80}>/ nocase ascii wide
        $script2 = /runat\s*=\s*["']?server/ nocase ascii wide
        $script3 = /page\s+language/ nocase ascii wide
        // CISA variant: the URL is a one-letter host, as in http://f/<script ...
        $oabs = "OfflineAddressBooks" nocase ascii wide
        $short_host = /Url\s*:\s*https?:\/\/[a-z0-9]\/./ nocase ascii wide
    condition:
        filesize < 2MB and (
            (any of ($url*) and $auth and $ep and any of ($script*)) or
            ($oabs and $short_host and $url1)
        )
}
