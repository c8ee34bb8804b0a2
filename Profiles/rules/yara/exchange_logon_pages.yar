/*
 * Logon pages turned into credential harvesters: OWA and ECP logon code (or a page beside it)
 * that writes what the user typed to a file the intruder collects later.
 */

rule Exchange_Logon_Credential_Logger
{
    meta:
        description = "A page that writes the password field of a logon form to a file: the credential harvester planted in OWA/ECP logon pages"
        reference = "https://www.microsoft.com/en-us/security/blog/2021/03/25/analyzing-attacks-taking-advantage-of-the-exchange-server-vulnerabilities/; https://attack.mitre.org/techniques/T1056/003/; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1056.003, T1505.003"
        verdict = "likely"
        score = 85
    strings:
        // the typed secret (Request.Form["password"], Request["passwd"]) inside the write call itself
        $write_secret = /(AppendAllText|WriteAllText|\.\s*Write(Line)?)\s*\([^;]{0,200}Request\s*(\.\s*(Form|Params|Item))?\s*[\[\(]\s*["'](password|passwd|pwd|pass)["']/ nocase ascii wide
        $file = /File\s*\.\s*(AppendAllText|WriteAllText|AppendText)\s*\(|StreamWriter\s*\(/ nocase ascii wide
        $server = "<%" ascii wide
    condition:
        filesize < 2MB and $server and $file and $write_secret
}
