/*
 * The ASP.NET shells of the later Exchange waves, by the traits their families share: how the
 * payload is decrypted, loaded and kept, and how modules are called. Written from the families'
 * public write-ups, for their mechanisms rather than any one file's bytes, so renamed keys,
 * passwords and class names still match. ASCII and UTF-16LE, any case.
 */

private rule Family_Server_Code
{
    meta:
        description = "Server-side ASP.NET code: a <% block or a runat=server element"
    strings:
        $block = "<%" ascii wide
        $runat = /runat\s*=\s*["']?server/ nocase ascii wide
    condition:
        any of them
}

private rule Family_Assembly_Load
{
    meta:
        description = "An assembly loaded from bytes: Assembly.Load, AppDomain.Load, or Load reached through reflection"
    strings:
        $load = /Assembly\s*\.\s*Load\s*\(/ nocase ascii wide
        $domain = /AppDomain\s*\.\s*CurrentDomain\s*\.\s*Load\s*\(/ nocase ascii wide
        $reflective = /GetMethod\s*\(\s*["']Load["']\s*,/ nocase ascii wide
    condition:
        any of them
}

rule WebShell_Godzilla_Session_Payload
{
    meta:
        description = "Godzilla loader: the decrypted payload assembly is kept in the session (Session[...] = (Assembly)...Load) and later instantiated from it, replies framed by halves of an MD5 of password+key"
        reference = "https://github.com/BeichenDream/Godzilla; https://www.microsoft.com/en-us/security/blog/2022/12/12/iis-modules-the-evolution-of-web-shells-and-how-to-detect-them/; https://attack.mitre.org/techniques/T1620/"
        mitre_attack = "T1505.003, T1620"
        verdict = "confirmed"
        score = 95
    strings:
        // Session["payload"] = (System.Reflection.Assembly)...  /  (Assembly)Context.Session["payload"]
        $store = /(Session|Application|Cache)\s*\[[^\]]{1,40}\]\s*=\s*\(\s*(System\.Reflection\.)?Assembly\s*\)/ nocase ascii wide
        $fetch = /\(\s*(System\.Reflection\.)?Assembly\s*\)\s*([\w\.]{1,30}\.)?(Session|Application|Cache)\s*\[/ nocase ascii wide
        // the reply framed by the two halves of md5(pass + key)
        $md5_head = /\.Substring\s*\(\s*0\s*,\s*16\s*\)/ ascii wide
        $md5_tail = /\.Substring\s*\(\s*16\s*\)/ ascii wide
        $md5 = /MD5(CryptoServiceProvider)?/ ascii wide
    condition:
        filesize < 2MB and Family_Server_Code and Family_Assembly_Load and ($store or $fetch) and
        ($fetch or ($md5 and $md5_head and $md5_tail))
}

rule WebShell_Behinder_Session_Key_Loader
{
    meta:
        description = "Behinder (Bingxie) loader: a key kept in the session decrypts (AES or XOR) the raw request body, which is loaded as an assembly"
        reference = "https://github.com/rebeyond/Behinder; https://unit42.paloaltonetworks.com/; https://attack.mitre.org/techniques/T1620/"
        mitre_attack = "T1505.003, T1620"
        verdict = "confirmed"
        score = 95
    strings:
        // Session.Add("k", "e45e...") / Session["k"] = "..." : a short name holding a 16-character key
        $key_add = /Session\s*\.\s*Add\s*\(\s*["'][^"']{1,8}["']\s*,\s*["'][0-9a-z]{16}["']\s*\)/ nocase ascii wide
        $key_set = /Session\s*[\[\(]\s*["'][^"']{1,8}["']\s*[\]\)]\s*=\s*["'][0-9a-z]{16}["']/ nocase ascii wide
        // the key read back from the session as bytes
        $key_use = /GetBytes\s*\(\s*([\w\.]{1,30}\.)?Session\s*[\[\(]/ nocase ascii wide
        $body = /Request\s*\.\s*(BinaryRead|InputStream)/ nocase ascii wide
        $aes = /CreateDecryptor|TransformFinalBlock/ ascii wide
        // data[i] ^ key[i + 1 & 15]: the key indexed one ahead, modulo 16
        $xor = /\+\s*1\s*\)?\s*(&\s*15|%\s*16)\s*\]/ ascii wide
    condition:
        filesize < 2MB and Family_Server_Code and Family_Assembly_Load and $body and ($aes or $xor) and
        (any of ($key_add, $key_set) or $key_use)
}

rule WebShell_Module_Invocation_Through_Equals
{
    meta:
        description = "The module protocol of Behinder, Godzilla and AntSword's C# shells: a class of a freshly loaded assembly is instantiated and handed the page or context through Equals()"
        reference = "https://github.com/rebeyond/Behinder; https://github.com/AntSwordProject/antSword; https://github.com/BeichenDream/Godzilla"
        mitre_attack = "T1505.003, T1620"
        verdict = "confirmed"
        score = 90
    strings:
        // .CreateInstance("U").Equals(this) / .CreateInstance("LY"); ... o.Equals(Context)
        $equals_direct = /CreateInstance\s*\(\s*["'][\w\.]{1,40}["']\s*\)\s*\.\s*Equals\s*\(\s*(this|Context|context|ctx|Page|HttpContext\.Current|[\w]{1,12})\s*\)/ ascii wide
        $create = /CreateInstance\s*\(\s*["'][\w\.]{1,40}["']\s*\)/ ascii wide
        $equals_context = /\.\s*Equals\s*\(\s*(Context|context|ctx|HttpContext\.Current|this\.Context)\s*\)/ ascii wide
    condition:
        filesize < 2MB and Family_Server_Code and Family_Assembly_Load and ($equals_direct or ($create and $equals_context))
}

rule WebShell_Decrypted_Assembly_Run_By_Reflection
{
    meta:
        description = "SharPyShell-style executor: request data is decrypted (XOR loop or AES), loaded as an assembly and its entry method found and invoked by reflection"
        reference = "https://github.com/antonioCoco/SharPyShell; https://attack.mitre.org/techniques/T1620/"
        mitre_attack = "T1505.003, T1620, T1027"
        verdict = "confirmed"
        score = 90
    strings:
        $request = /Request\s*(\.\s*(Form|Item|Params|QueryString|InputStream|BinaryRead))?\s*[\[\(\.]/ nocase ascii wide
        $xor_loop = /\(\s*byte\s*\)\s*\(\s*[\w\.]{1,20}\s*\[\s*\w{1,10}\s*\]\s*\^\s*[\w\.]{1,20}\s*\[/ nocase ascii wide
        $aes = /CreateDecryptor\s*\(/ ascii wide
        $rc4 = /%\s*256/ ascii wide
        $method = /\.GetMethod\s*\(/ ascii wide
        $invoke = /\.Invoke\s*\(/ ascii wide
    condition:
        filesize < 2MB and Family_Server_Code and Family_Assembly_Load and $request and any of ($xor_loop, $aes, $rc4) and $method and $invoke
}

rule WebShell_AntSword_Decoded_Eval
{
    meta:
        description = "AntSword/Chopper-style JScript.NET dispatcher: request data decoded (base64, hex, rot13, char codes) and passed to eval, or eval reached through a computed name"
        reference = "https://github.com/AntSwordProject/antSword; https://github.com/AntSwordProject/AwesomeEncoder; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003, T1027"
        verdict = "likely"
        score = 85
    strings:
        // JScript.NET on the server: the page directive, or a runat=server script block (not a browser <script>)
        $jscript = /<%@\s*(Page|WebService|WebHandler)[^%]{0,200}Language\s*=\s*["']?(J|JScript|JavaScript)\b/ nocase ascii wide
        $jscript_block = /<script[^>]{0,80}(language\s*=\s*["']?(JScript|javascript)[^>]{0,80}runat\s*=\s*["']?server|runat\s*=\s*["']?server[^>]{0,80}language\s*=\s*["']?(JScript|javascript))/ nocase ascii wide
        $request = /Request\s*(\.\s*(Form|Item|Params|QueryString))?\s*[\[\(]/ nocase ascii wide
        // eval(...FromBase64String / fromCharCode / parseInt(..,16) / a decode helper ...)
        $eval_decoded = /\beval\s*\(\s*[\w\.]{0,60}(\([^()]{0,10}\)\s*\.\s*[\w\.]{0,20})?(FromBase64String|GetString|fromCharCode|unescape|decode\w{0,10}|hex\w{0,6}|rot13|reverse)/ nocase ascii wide
        $hex = /parseInt\s*\([^;]{1,40},\s*16\s*\)|Convert\.ToByte\s*\([^;]{1,40},\s*16\s*\)/ nocase ascii wide
        $rot = /charCodeAt\s*\([^;]{0,20}\)\s*\+\s*13|\+\s*13\s*\)\s*%\s*26/ nocase ascii wide
        // this["ev"+"al"] / eval reached through a string built at run time
        $eval_split = /["'](e["']\s*\+\s*["']val|ev["']\s*\+\s*["']al|eva["']\s*\+\s*["']l)["']/ nocase ascii wide
        $eval = /\beval\s*\(/ nocase ascii wide
    condition:
        filesize < 2MB and ($jscript or $jscript_block) and $request and ($eval_decoded or $eval_split or ($eval and ($hex or $rot)))
}

rule WebShell_Tunnel_Socket_In_State
{
    meta:
        description = "A tunnel page (reGeorg, Neo-reGeorg, ABPTTS, suo5 shape): an outbound socket opened from request data and kept in the Session or Application state between requests"
        reference = "https://github.com/sensepost/reGeorg; https://github.com/L-codes/Neo-reGeorg; https://github.com/nccgroup/ABPTTS; https://attack.mitre.org/techniques/T1090/"
        mitre_attack = "T1505.003, T1090.001"
        verdict = "likely"
        score = 85
    strings:
        $socket = /new\s+(System\.Net\.Sockets\.)?(Socket|TcpClient)\s*\(/ nocase ascii wide
        // (Socket)Session["x"], Application[mark] as Socket, Session.Add("socket", s), Application["x"] = client
        $cast = /\(\s*(System\.Net\.Sockets\.)?(Socket|TcpClient|NetworkStream)\s*\)\s*([\w\.]{1,30}\.)?(Session|Application)\s*\[/ nocase ascii wide
        $as = /(Session|Application)\s*\[[^\]]{1,60}\]\s*as\s+(System\.Net\.Sockets\.)?(Socket|TcpClient|NetworkStream)/ nocase ascii wide
        $add = /(Session|Application)\s*\.\s*Add\s*\(\s*[^,;]{1,60},\s*(sock\w{0,8}|socket\w{0,8}|\w{0,8}client|tcp\w{0,8}|conn\w{0,8}|sender|sk|s|c)\s*\)/ nocase ascii wide
        $set = /(Session|Application)\s*\[[^\]]{1,60}\]\s*=\s*(sock\w{0,8}|socket\w{0,8}|\w{0,8}client|tcp\w{0,8}|conn\w{0,8}|sender|sk|s|c)\s*;/ nocase ascii wide
        // data relayed through it, not just a reachability probe
        $io = /\.\s*(Receive|Send|GetStream)\s*\(/ ascii wide
        $connect = /\.\s*Connect\s*\(/ ascii wide
        $request = /Request\s*(\.\s*(Form|Item|Params|QueryString|Headers|InputStream))?\s*[\[\(\.]/ nocase ascii wide
    condition:
        filesize < 2MB and Family_Server_Code and $socket and $connect and $io and $request and any of ($cast, $as, $add, $set)
}
