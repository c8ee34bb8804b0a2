/*
 * Ways a page runs code other than Process.Start or eval: injected shellcode, a PowerShell
 * runspace, a deserialiser fed from the request, a reverse shell, a compiler, and names hidden
 * from scanners (types and methods spelt at run time, identifiers in \u escapes).
 */

private rule Exec_Server_Code
{
    meta:
        description = "Server-side ASP.NET code: a <% block or a runat=server element"
    strings:
        $block = "<%" ascii wide
        $runat = /runat\s*=\s*["']?server/ nocase ascii wide
    condition:
        any of them
}

rule AspNet_Shellcode_Injection
{
    meta:
        description = "A page that imports kernel32 memory and thread functions (VirtualAlloc with CreateThread, or WriteProcessMemory with CreateRemoteThread): shellcode run inside w3wp.exe, as msfvenom's and Cobalt Strike's ASPX stagers do"
        reference = "https://attack.mitre.org/techniques/T1055/; https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003, T1055"
        verdict = "likely"
        score = 90
    strings:
        $import = /DllImport\s*\(\s*["']kernel32/ nocase ascii wide
        $alloc = /VirtualAlloc(Ex)?\b/ ascii wide
        $thread = /CreateThread|CreateRemoteThread|QueueUserAPC|NtCreateThreadEx/ ascii wide
        $write = /WriteProcessMemory|RtlMoveMemory|Marshal\s*\.\s*Copy\s*\(/ ascii wide
    condition:
        filesize < 4MB and Exec_Server_Code and $import and $thread and ($alloc or $write)
}

rule AspNet_PowerShell_Runspace_From_Request
{
    meta:
        description = "A page that runs PowerShell in-process (a runspace, PowerShell.Create, AddScript) with script text from the request or a form field"
        reference = "https://attack.mitre.org/techniques/T1059/001/; https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003, T1059.001"
        verdict = "likely"
        score = 85
    strings:
        $engine = /RunspaceFactory\s*\.\s*CreateRunspace|PowerShell\s*\.\s*Create\s*\(|System\.Management\.Automation/ ascii wide
        // script text from the request, a form field or a variable: AddCommand("Get-Mailbox") with parameters is an admin tool, not this
        $script = /\.\s*AddScript\s*\(\s*([\w\.]{0,30}Request\s*[\[\.\(]|[a-z_]\w{0,30}\.Text\s*\)|[a-z_]\w{0,20}\s*[\),])/ nocase ascii wide
        $request = /Request\s*(\.\s*(Form|Item|Params|QueryString|Headers|Cookies|InputStream))?\s*[\[\(\.]/ nocase ascii wide
        // a form field's text read (lbl.Text += output is writing, not reading)
        $ctl_text = /[a-z0-9_]\.Text\s*[\),;]/ nocase ascii wide
    condition:
        filesize < 4MB and Exec_Server_Code and $engine and $script and ($request or $ctl_text)
}

rule AspNet_Deserialization_Of_Request
{
    meta:
        description = "A page that hands request data straight to a .NET deserialiser that can run gadget chains (BinaryFormatter, LosFormatter, ObjectStateFormatter, SoapFormatter, NetDataContractSerializer): a loader for ysoserial.net payloads"
        reference = "https://github.com/pwntester/ysoserial.net; https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003, T1203"
        verdict = "likely"
        score = 80
    strings:
        $formatter = /BinaryFormatter|LosFormatter|ObjectStateFormatter|SoapFormatter|NetDataContractSerializer/ ascii wide
        // .Deserialize(new MemoryStream(Convert.FromBase64String(Request.Form["d"]))) / .Deserialize(Request.InputStream)
        $from_request = /\.\s*Deserialize\s*\(\s*(new\s+(System\.IO\.)?MemoryStream\s*\(\s*)?((System\.)?Convert\s*\.\s*FromBase64String\s*\(\s*)?([\w\.]{1,30}\.)?Request\s*[\[\.\(]/ nocase ascii wide
        // serialisers that build only the declared types: their Deserialize(Request...) is ordinary
        $safe = /JavaScriptSerializer|XmlSerializer|DataContractJsonSerializer|JsonConvert|JsonSerializer/ ascii wide
    condition:
        filesize < 4MB and Exec_Server_Code and $formatter and $from_request and not $safe
}

rule AspNet_Reverse_Shell
{
    meta:
        description = "A reverse or bind shell in a page: a command interpreter with redirected standard input wired to a TCP connection"
        reference = "https://attack.mitre.org/techniques/T1059/003/; https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003, T1059.003"
        verdict = "likely"
        score = 85
    strings:
        $net = /new\s+(System\.Net\.Sockets\.)?(TcpClient|Socket|TcpListener)\s*\(/ nocase ascii wide
        $stdin = /RedirectStandardInput\s*=\s*true|StandardInput\s*\.\s*Write/ nocase ascii wide
        $shell = /cmd\.exe|powershell/ nocase ascii wide
    condition:
        filesize < 4MB and Exec_Server_Code and all of them
}

rule AspNet_Compiles_Request_Source
{
    meta:
        description = "A page that compiles source code from the request in memory (CodeDomProvider / CSharpCodeProvider CompileAssemblyFromSource) and runs it"
        reference = "https://attack.mitre.org/techniques/T1027/004/; https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003, T1027.004"
        verdict = "likely"
        score = 85
    strings:
        $provider = /CodeDomProvider\s*\.\s*CreateProvider\s*\(|CSharpCodeProvider|VBCodeProvider/ ascii wide
        $compile = /CompileAssemblyFrom(Source|Dom)\s*\(\s*[\w\.]{1,30}\s*,\s*([\w\.]{1,30}\.)?Request\s*[\[\.\(]/ nocase ascii wide
        $compile_any = /CompileAssemblyFromSource\s*\(/ ascii wide
        $run = /CompiledAssembly|\.\s*Invoke\s*\(/ ascii wide
        $request = /Request\s*(\.\s*(Form|Item|Params|QueryString))?\s*[\[\(]/ nocase ascii wide
    condition:
        filesize < 4MB and Exec_Server_Code and $provider and ($compile or ($compile_any and $run and $request))
}

rule AspNet_Hidden_Type_Names
{
    meta:
        description = "Evasion: dangerous types or methods named by strings split at run time (\"System.Diag\" + \"nostics.Process\", \"Lo\" + \"ad\") or Process looked up by name for reflection, or C# identifiers written as \\u escapes of plain letters"
        reference = "https://attack.mitre.org/techniques/T1027/; https://github.com/antonioCoco/SharPyShell; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003, T1027"
        verdict = "likely"
        score = 75
    strings:
        // Type.GetType("System.Diag" + "nostics..."), GetMethod("St" + "art")
        $split_type = /(GetType|GetMethod|GetProperty|GetField|InvokeMember|CreateInstance)\s*\(\s*["'][^"']{1,30}["']\s*\+\s*["'][^"']{1,30}["']/ ascii wide
        $invoke = /\.\s*Invoke(Member)?\s*\(/ ascii wide
        // Process reached by name through reflection, where a direct Process.Start would be seen
        $process_by_name = /GetType\s*\(\s*["']System\.Diagnostics\.Process["'\s,]/ nocase ascii wide
        // \u0041ssembly: an escaped ASCII letter followed by more identifier text, outside any JSON-ish string of accents
        $escaped_ident = /\\u00[4-7][0-9a-fA-F](\\u00[4-7][0-9a-fA-F]|[A-Za-z]){2,}\s*[\.\(]/ ascii wide
    condition:
        filesize < 4MB and Exec_Server_Code and ((($split_type or $process_by_name) and $invoke) or #escaped_ident >= 2)
}

rule AspNet_Encoded_Script_Block
{
    meta:
        description = "Server script encoded with the Windows Script Encoder (VBScript.Encode / JScript.Encode, #@~^...^#~@): a page whose code is hidden from reading and from scanners"
        reference = "https://attack.mitre.org/techniques/T1027/; https://learn.microsoft.com/en-us/previous-versions/windows/internet-explorer/ie-developer/scripting-articles/d14c8zsc(v=vs.84)"
        mitre_attack = "T1505.003, T1027"
        verdict = "likely"
        score = 75
    strings:
        $language = /Language\s*=\s*["']?(VBScript|JScript)\.Encode/ nocase ascii wide
        $encoded = /#@~\^[A-Za-z0-9+\/]{6}==/ ascii wide
    condition:
        filesize < 4MB and Exec_Server_Code and $language and $encoded
}
