/*
 * China Chopper and its one-line variants (C#, JScript.NET, VBScript): the page hands a request
 * parameter to the script engine's eval/Execute. Matched ASCII and UTF-16LE (wide), any case.
 * meta.verdict is the tier a match supports on its own (extriage scoring); score is 0-100.
 */

rule ChinaChopper_Eval_Request
{
    meta:
        description = "China Chopper one-liner: a request value passed to eval(..., \"unsafe\") (JScript.NET) or Execute/Eval (VBScript)"
        reference = "https://www.fireeye.com/blog/threat-research/2013/08/breaking-down-the-china-chopper-web-shell-part-i.html; https://www.microsoft.com/security/blog/2021/03/02/hafnium-targeting-exchange-servers/; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003"
        verdict = "confirmed"
        score = 95
    strings:
        // eval(Request.Item["x"],"unsafe"), eval(Request["x"], "unsafe"), eval(Request.Form["x"],"unsafe")
        $js_unsafe = /eval\s*\(\s*(System\.Web\.HttpContext\.Current\.|HttpContext\.Current\.|this\.|Context\.)?Request(\.Item|\.Form|\.QueryString|\.Params)?\s*[\[\(][^\]\)]{1,64}[\]\)]\s*(\.ToString\(\))?\s*,\s*["']unsafe["']/ nocase ascii wide
        // obfuscated Chopper: eval(Request[_0x..], or the 'unsafe' keyword in a string table
        $js_obf1 = /eval\s*\(\s*Request\s*\[\s*_0x[0-9a-f]{2,8}/ nocase ascii wide
        $js_obf2 = /['"]unsafe['"]\s*,\s*['"][^'"]{0,40}['"]\s*,\s*['"][^'"]{0,40}['"]/ nocase ascii wide
        $js_obf2_eval = "eval(" nocase ascii wide
        // eval with comment-padded arguments or a split 'unsafe' ("u"+"n"+"s"...): obfuscated Chopper
        $js_comment = /eval\s*\(\s*\/\*/ nocase ascii wide
        $js_split_unsafe1 = "\"u\"+\"n\"+\"s" nocase ascii wide
        $js_split_unsafe2 = "'u'+'n'+'s" nocase ascii wide
        $js_split_unsafe3 = "\"u\" + \"n\" + \"s" nocase ascii wide
        // Page_Load(){eval(Request...
        $js_pageload = /function\s+Page_Load\s*\(\s*\)\s*\{\s*eval\s*\(\s*Request/ nocase ascii wide
        // VBScript / classic ASP: Execute(Request("x")), ExecuteGlobal Request(...), Eval(Request.Form(...))
        $vb_execute = /(Execute|ExecuteGlobal|Eval)\s*\(?\s*Request(\.Item|\.Form|\.QueryString)?\s*\(\s*["'][^"']{1,64}["']\s*\)/ nocase ascii wide
        // C#: an eval helper fed straight from the request through the JScript engine
        $cs_vsa = /Microsoft\.JScript\.Eval\.JScriptEvaluate\s*\(\s*Request/ nocase ascii wide
    condition:
        filesize < 2MB and ($js_unsafe or $js_obf1 or ($js_obf2 and $js_obf2_eval) or $js_comment or any of ($js_split_unsafe*) or $js_pageload or $vb_execute or $cs_vsa)
}

rule ChinaChopper_Small_JScript_Page
{
    meta:
        description = "A page under 1 KB in JScript that evals a request form value: the China Chopper server side without the 'unsafe' argument"
        reference = "https://www.fireeye.com/blog/threat-research/2013/08/breaking-down-the-china-chopper-web-shell-part-i.html; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003"
        verdict = "confirmed"
        score = 85
    strings:
        $lang = /Language\s*=\s*["']?(Jscript|JavaScript)/ nocase ascii wide
        $eval = "eval(" nocase ascii wide
        $request = /Request(\.Form|\.Item|\.QueryString)?\s*[\[\(]/ nocase ascii wide
    condition:
        filesize < 1KB and all of them
}
