/*
 * Generic ASP.NET / classic ASP web-shell traits: request data reaching an interpreter, a process,
 * a loader or the file system. Written for the general shape, not for any one shell. Every rule
 * requires server-side code (`<%` or runat="server"), so OWA's client JavaScript never matches.
 * Strings match ASCII and UTF-16LE, any case.
 */

private rule AspNet_Server_Side_Code
{
    meta:
        description = "Server-side ASP/ASP.NET code is present (a <% block or a runat=server element)"
    strings:
        $block = "<%" ascii wide
        $runat = /runat\s*=\s*["']?server/ nocase ascii wide
    condition:
        any of them
}

private rule AspNet_Request_Input
{
    meta:
        description = "The page reads request data (indexers, body, headers, cookies) or server-control text"
    strings:
        $indexer = /Request\s*(\.(Form|QueryString|Item|Params|Headers|Cookies|ServerVariables))?\s*[\[\(]\s*["'_a-z0-9]/ nocase ascii wide
        $body = /Request\.(InputStream|BinaryRead|Files|Form\b|QueryString\b|Params\b|Headers\b|Cookies\b)/ nocase ascii wide
        $ctl_text = /[a-z0-9_]\.Text\s*[\),;+]/ nocase ascii wide
        $headers_get = /Request\.Headers\.Get\s*\(/ nocase ascii wide
    condition:
        any of them
}

rule AspNet_Request_To_Process
{
    meta:
        description = "Server-side code that starts processes or a command shell from request or form input (Process.Start, ProcessStartInfo, WScript.Shell, cmd.exe /c)"
        reference = "https://attack.mitre.org/techniques/T1505/003/; https://www.microsoft.com/security/blog/2021/02/11/web-shell-attacks-continue-to-rise/; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003"
        verdict = "likely"
        score = 80
    strings:
        $p1 = "ProcessStartInfo" nocase ascii wide
        $p2 = /Process\s*\.\s*Start\s*\(/ nocase ascii wide
        $p3 = /new\s+(System\.Diagnostics\.)?Process\s*\(/ nocase ascii wide
        $p4 = "WScript.Shell" nocase ascii wide
        $p5 = "Shell.Application" nocase ascii wide
        $p6 = /\.ShellExecute\s*\(/ nocase ascii wide
        $p7 = /WinExec|CreateProcess[AW]?\s*\(/ ascii wide
        // WMI process creation (Win32_Process.Create), used where Process.Start is watched
        $p8 = /Win32_Process["'\s\)]{0,3}[^;]{0,80}(\.Create\s*\(|InvokeMethod\s*\(\s*["']Create["'])/ nocase ascii wide
    condition:
        filesize < 4MB and AspNet_Server_Side_Code and AspNet_Request_Input and any of ($p*)
}

rule AspNet_Eval_Of_Request_Data
{
    meta:
        description = "Server-side code that evaluates or compiles code built from request data (JScript.NET eval, VBScript Execute, CodeDom CompileAssemblyFromSource)"
        reference = "https://attack.mitre.org/techniques/T1505/003/; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003"
        verdict = "likely"
        score = 85
    strings:
        $jscript = /Language\s*=\s*["']?(J|JavaScript|Jscript)["'\s%]/ nocase ascii wide
        $eval = /\beval\s*\(/ nocase ascii wide
        $vsa1 = "JScriptEvaluate" nocase ascii wide
        $vsa2 = "Microsoft.JScript" nocase ascii wide
        $vb_exec = /\b(Execute|ExecuteGlobal)\s*\(?\s*[a-z_]{1,20}\s*\(?\s*Request/ nocase ascii wide
        $codedom1 = "CompileAssemblyFromSource" nocase ascii wide
        $codedom2 = /(CSharpCodeProvider|VBCodeProvider|JScriptCodeProvider)/ nocase ascii wide
    condition:
        filesize < 4MB and AspNet_Server_Side_Code and AspNet_Request_Input and (
            ($jscript and $eval) or any of ($vsa*) or $vb_exec or ($codedom1 and $codedom2)
        )
}

rule AspNet_Assembly_Load_Of_Decoded_Bytes
{
    meta:
        description = "Loads a .NET assembly from bytes decoded or decrypted at run time (Assembly.Load with base64, AES/Rijndael or the raw request body): the Behinder/Godzilla loader shape"
        reference = "https://attack.mitre.org/techniques/T1505/003/; https://attack.mitre.org/techniques/T1620/; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003"
        verdict = "likely"
        score = 90
    strings:
        $load = /Assembly\s*\.\s*Load\s*\(/ nocase ascii wide
        // Assembly.Load reached through reflection, so the literal call never appears
        $load_reflective = /typeof\s*\(\s*(System\.Reflection\.)?Assembly\s*\)\s*\.\s*GetMethod\s*\(\s*["']Load["']/ nocase ascii wide
        $d1 = "FromBase64String" nocase ascii wide
        $d2 = "CreateDecryptor" nocase ascii wide
        $d3 = "TransformFinalBlock" nocase ascii wide
        $d4 = /Request\s*\.\s*(BinaryRead|InputStream)/ nocase ascii wide
        $d5 = "GZipStream" nocase ascii wide
        $d6 = "DeflateStream" nocase ascii wide
    condition:
        filesize < 4MB and (AspNet_Server_Side_Code or uint16(0) != 0x5A4D) and ($load or $load_reflective) and any of ($d*)
}

rule AspNet_Reflection_With_Request_Input
{
    meta:
        description = "Reflection (System.Reflection, GetMethod/Invoke, Activator.CreateInstance) driven by request data"
        reference = "https://attack.mitre.org/techniques/T1505/003/; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003"
        verdict = "likely"
        score = 75
    strings:
        $r1 = /\.GetMethod\s*\([^)]{0,80}\)\s*\.\s*Invoke\s*\(/ nocase ascii wide
        $r2 = /Activator\s*\.\s*CreateInstance\s*\(/ nocase ascii wide
        $r3 = /\.CreateInstance\s*\(\s*["'][^"']{1,40}["']\s*\)\s*\.\s*Equals\s*\(/ nocase ascii wide
        $r4 = /\.InvokeMember\s*\(/ nocase ascii wide
        // the request names the type, method or assembly itself (a prefix such as "MyApp.Widgets." + name is a plugin lookup)
        $from_request = /(GetType|GetMethod|CreateInstance|InvokeMember|Load)\s*\(\s*([\w\.]{1,30}\.)?Request\s*[\[\.\(]/ nocase ascii wide
        $decoded = "FromBase64String" nocase ascii wide
    condition:
        filesize < 4MB and AspNet_Server_Side_Code and AspNet_Request_Input and (
            (any of ($r*) and $from_request) or
            // decoded bytes reaching a method found by name, or a fresh instance handed the page
            (($r1 or $r3) and $decoded)
        )
}

rule AspNet_Decoded_Payload_Executed
{
    meta:
        description = "A base64- or XOR-decoded payload handed to eval, Execute, Assembly.Load or a process: obfuscated one-liners and droppers"
        reference = "https://www.microsoft.com/security/blog/2021/03/02/hafnium-targeting-exchange-servers/; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003, T1027"
        verdict = "likely"
        score = 85
    strings:
        $chopper_b64 = /eval\s*\(\s*(System\.)?Text\.Encoding\.[a-z0-9]{2,12}\.GetString\s*\(\s*(System\.)?Convert\.FromBase64String/ nocase ascii wide
        $b64 = "FromBase64String" nocase ascii wide
        $xor1 = "]^" ascii wide
        $xor2 = "] ^ " ascii wide
        $xor_vb = /\bXor\s+(Asc|AscW|CByte|\w{1,20}\s*\()/ nocase ascii wide
        $sink1 = /\beval\s*\(/ nocase ascii wide
        $sink2 = /\b(Execute|ExecuteGlobal)\s*\(/ nocase ascii wide
        $sink3 = /Assembly\s*\.\s*Load\s*\(/ nocase ascii wide
        $sink4 = /Process\s*\.\s*Start|ProcessStartInfo/ nocase ascii wide
    condition:
        filesize < 4MB and AspNet_Server_Side_Code and ($chopper_b64 or (AspNet_Request_Input and any of ($b64, $xor1, $xor2, $xor_vb) and any of ($sink*)))
}

rule AspNet_File_Manager
{
    meta:
        description = "A web file manager: request-driven listing of drives and folders plus delete, move, upload, download or time-stomping of files"
        reference = "https://attack.mitre.org/techniques/T1505/003/; https://attack.mitre.org/techniques/T1070/006/; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003"
        verdict = "likely"
        score = 70
    strings:
        $list1 = "GetLogicalDrives" nocase ascii wide
        $list2 = "DriveInfo" nocase ascii wide
        $list3 = /Directory\s*\.\s*GetDirectories/ nocase ascii wide
        $list4 = /Directory\s*\.\s*GetFiles|\.GetFiles\s*\(/ nocase ascii wide
        $list5 = /\.GetFileSystemInfos\s*\(|\.GetDirectories\s*\(/ nocase ascii wide
        $op1 = /File\s*\.\s*Delete\s*\(|Directory\s*\.\s*Delete\s*\(/ nocase ascii wide
        $op2 = /File\s*\.\s*(Move|Copy)\s*\(|Directory\s*\.\s*Move\s*\(/ nocase ascii wide
        $op3 = /\.SaveAs\s*\(/ nocase ascii wide
        $op4 = /Response\s*\.\s*(WriteFile|TransmitFile|BinaryWrite)\s*\(/ nocase ascii wide
        $op5 = /File\s*\.\s*(WriteAllBytes|WriteAllText|ReadAllBytes|OpenWrite|Create)\s*\(/ nocase ascii wide
        $op6 = /(SetCreationTime|SetLastWriteTime|SetLastAccessTime|SetAttributes)\s*\(/ nocase ascii wide
        $op7 = /Directory\s*\.\s*CreateDirectory\s*\(/ nocase ascii wide
        $op8 = /\.(MoveTo|CopyTo|Delete)\s*\(\s*\)?/ ascii wide
    condition:
        filesize < 4MB and AspNet_Server_Side_Code and AspNet_Request_Input and (
            (2 of ($list*) and 3 of ($op*)) or
            // the server's drives listed, folders browsed and something done with the files
            (($list1 or $list2) and any of ($list3, $list4, $list5) and any of ($op*))
        )
}

rule AspNet_SQL_Console
{
    meta:
        description = "A web SQL console: a database connection whose connection string comes from the request or a form field, executing arbitrary statements, or xp_cmdshell"
        reference = "https://attack.mitre.org/techniques/T1505/003/; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003"
        verdict = "likely"
        score = 70
    strings:
        $conn_input1 = /(SqlConnection|OleDbConnection|OdbcConnection|MySqlConnection)\s*\(\s*[^)"';]{0,80}(Request|\.Text\b)/ nocase ascii wide
        $conn_input2 = /ConnectionString\s*=\s*[^;"]{0,80}(Request|\.Text\b)/ nocase ascii wide
        // a connection string assembled at run time from variables: "server=" + host + ";uid=" + user
        $conn_built = /(data source|server|uid|user id|pwd|password)\s*=\s*["']\s*\+\s*[a-z_]/ nocase ascii wide
        $cmd_input = /(SqlCommand|OleDbCommand|OdbcCommand|CommandText)\s*[\(=]\s*[^;"]{0,80}(Request|\.Text\b)/ nocase ascii wide
        $exec = /\.(ExecuteReader|ExecuteNonQuery|ExecuteScalar)\s*\(|DataAdapter/ nocase ascii wide
        $xp_cmdshell = "xp_cmdshell" nocase ascii wide
    condition:
        filesize < 4MB and AspNet_Server_Side_Code and (
            (any of ($conn_input*) and $cmd_input and $exec) or
            ($conn_built and $exec) or
            ($xp_cmdshell and $exec)
        )
}

rule AspNet_Request_Written_To_File
{
    meta:
        description = "An uploader: request data or an uploaded file written to a path the request chooses"
        reference = "https://www.microsoft.com/security/blog/2021/03/02/hafnium-targeting-exchange-servers/; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003, T1105"
        verdict = "likely"
        score = 75
    strings:
        $w1 = /StreamWriter\s*\(\s*(Server\.MapPath\s*\(\s*)?Request/ nocase ascii wide
        $w2 = /\.Write\s*\(\s*Request(\.Form|\.Item|\.QueryString)?\s*[\[\(]/ nocase ascii wide
        // the path (first argument) comes from the request; request text saved under a fixed name is a wiki, not a shell
        $w3 = /File\s*\.\s*(WriteAllText|WriteAllBytes)\s*\([^,;]{0,80}Request/ nocase ascii wide
        // classic ASP: FileSystemObject.CreateTextFile / ADODB.Stream.SaveToFile at a path the request names
        $w4 = /(CreateTextFile|OpenTextFile|SaveToFile)\s*\(?\s*(Server\.MapPath\s*\(\s*)?Request/ nocase ascii wide
        $s1 = /\.SaveAs\s*\(\s*(Server\.MapPath\s*\(\s*)?(Request|Path\.Combine\s*\([^;]{0,60}Request)/ nocase ascii wide
        // saved to the path typed into a text box: the uploader of a shell kit
        $s4 = /\.SaveAs\s*\(\s*[a-z_]\w{0,30}\.Text\b/ nocase ascii wide
        $s2 = /Request\.Files\s*\[\s*0\s*\]\s*\.\s*SaveAs\s*\(\s*Server\.MapPath\s*\(/ nocase ascii wide
        // an upload saved beside the page itself under the client's file name: it can drop new pages
        $self_dir = /Request\.PhysicalPath|MapPath\s*\(\s*["']\.?\/?["']\s*\)/ nocase ascii wide
        $client_name = /Path\.GetFileName\s*\(\s*[\w\.]{1,40}\.FileName\s*\)/ nocase ascii wide
        $upload = /Request\.Files|HttpPostedFile|PostedFile/ nocase ascii wide
        $s3 = /HttpPostedFile\s+\w{1,30}\s*=\s*Request\.Files\s*\[\s*0\s*\]\s*;\s*\w{1,30}\.SaveAs\s*\(\s*Path\.Combine/ nocase ascii wide
    condition:
        filesize < 4MB and AspNet_Server_Side_Code and (($w1 and $w2) or $w3 or $w4 or any of ($s*) or ($self_dir and $client_name and $upload))
}

rule AspNet_Socket_Tunnel
{
    meta:
        description = "A socket tunnel in a page (reGeorg/Neo-reGeorg shape): raw sockets driven by request headers or a base64 body"
        reference = "https://github.com/sensepost/reGeorg; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003, T1090"
        verdict = "likely"
        score = 85
    strings:
        $ns = "System.Net.Sockets" nocase ascii wide
        $socket = /new\s+Socket\s*\(|new\s+TcpClient\s*\(/ nocase ascii wide
        $hdr = /Request\s*\.\s*Headers/ nocase ascii wide
        $cmd_hdr = /X-(CMD|STATUS|TARGET|PORT)/ nocase ascii wide
        $b64 = "FromBase64String" nocase ascii wide
        $body = /Request\s*\.\s*(InputStream|BinaryRead)/ nocase ascii wide
    condition:
        filesize < 4MB and AspNet_Server_Side_Code and $socket and ($ns or $cmd_hdr) and ($hdr or $cmd_hdr) and ($b64 or $body or $cmd_hdr)
}

rule AspNet_Shell_Traits_Several
{
    meta:
        description = "Three or more distinct web-shell traits in one server-side page (command execution, decoding, loaders, file writes, sockets, recon commands)"
        reference = "https://github.com/cert-lv/exchange_webshell_detection; https://github.com/Neo23x0/signature-base; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003"
        verdict = "likely"
        score = 60
    strings:
        $t01 = /\beval\s*\(/ nocase ascii wide
        // starting a process and reading its output are one trait, not three (admin pages run tools too)
        $t02 = /ProcessStartInfo|Process\s*\.\s*Start\s*\(|StandardOutput/ nocase ascii wide
        $t04 = "cmd.exe" nocase ascii wide
        $t05 = /cmd\s+\/c/ nocase ascii wide
        $t06 = "powershell" nocase ascii wide
        $t07 = "FromBase64String" nocase ascii wide
        $t08 = /Assembly\s*\.\s*Load/ nocase ascii wide
        $t09 = "CompileAssemblyFromSource" nocase ascii wide
        $t10 = "WScript.Shell" nocase ascii wide
        $t11 = "Scripting.FileSystemObject" nocase ascii wide
        $t12 = "HttpPostedFile" nocase ascii wide
        $t13 = /WriteAll(Text|Bytes)/ nocase ascii wide
        $t14 = /Response\s*\.\s*BinaryWrite/ nocase ascii wide
        $t15 = /new\s+Socket\s*\(/ nocase ascii wide
        $t16 = "net user" nocase ascii wide
        $t17 = "whoami" nocase ascii wide
        $t18 = "procdump" nocase ascii wide
        $t19 = "lsass" nocase ascii wide
        $t20 = "xp_cmdshell" nocase ascii wide
        $t21 = "GetLogicalDrives" nocase ascii wide
        $t22 = "CreateDecryptor" nocase ascii wide
        $t23 = /Request\s*\.\s*(BinaryRead|InputStream)/ nocase ascii wide
        $t25 = /EnableViewStateMac\s*=\s*["']?false/ nocase ascii wide
        $t26 = /Registry\.(LocalMachine|Users|ClassesRoot)/ nocase ascii wide
        $t27 = "SocketType.Raw" nocase ascii wide
    condition:
        filesize < 4MB and AspNet_Server_Side_Code and 3 of ($t*)
}

rule AspNet_Shell_Trait_Pair
{
    meta:
        description = "Two distinct web-shell traits in one server-side page: context only, worth a look in a drop zone"
        reference = "EXCHANGE-ARTIFACTS.md C10 (generic traits, 2+ distinct)"
        mitre_attack = "T1505.003"
        verdict = "informational"
        score = 30
    strings:
        $t01 = /\beval\s*\(/ nocase ascii wide
        $t02 = "ProcessStartInfo" nocase ascii wide
        $t03 = /Process\s*\.\s*Start\s*\(/ nocase ascii wide
        $t04 = "cmd.exe" nocase ascii wide
        $t05 = "powershell" nocase ascii wide
        $t06 = "FromBase64String" nocase ascii wide
        $t07 = /Assembly\s*\.\s*Load/ nocase ascii wide
        $t08 = "WScript.Shell" nocase ascii wide
        $t09 = "HttpPostedFile" nocase ascii wide
        $t10 = /WriteAll(Text|Bytes)/ nocase ascii wide
        $t11 = /Response\s*\.\s*BinaryWrite/ nocase ascii wide
        $t12 = /new\s+Socket\s*\(/ nocase ascii wide
        $t13 = "whoami" nocase ascii wide
    condition:
        filesize < 4MB and AspNet_Server_Side_Code and 2 of ($t*) and not AspNet_Shell_Traits_Several
}

rule AspNet_Raw_Socket_Sniffer
{
    meta:
        description = "A packet sniffer in a page: a raw IP socket switched to receive-all with IOControl"
        reference = "https://attack.mitre.org/techniques/T1040/; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003, T1040"
        verdict = "likely"
        score = 80
    strings:
        $raw = "SocketType.Raw" nocase ascii wide
        $io = /\.IOControl\s*\(|ReceiveAll|SIO_RCVALL/ nocase ascii wide
    condition:
        filesize < 4MB and AspNet_Server_Side_Code and all of them
}

rule AspNet_Server_Recon
{
    meta:
        description = "Server reconnaissance from a page: walking the registry hives, or probing every folder for write access by creating and deleting a file"
        reference = "https://attack.mitre.org/techniques/T1012/; https://attack.mitre.org/techniques/T1083/; EXCHANGE-ARTIFACTS.md C10"
        mitre_attack = "T1505.003, T1012, T1083"
        verdict = "likely"
        score = 65
    strings:
        $hive = /Registry\.(LocalMachine|Users|ClassesRoot|CurrentConfig)/ nocase ascii wide
        $enum = /\.(GetSubKeyNames|GetValueNames)\s*\(/ nocase ascii wide
        $walk = /\.GetDirectories\s*\(/ nocase ascii wide
        $create = /File\.Create\s*\(|\.CreateText\s*\(|File\.WriteAllText\s*\(/ nocase ascii wide
        $delete = /File\.Delete\s*\(/ nocase ascii wide
    condition:
        filesize < 4MB and AspNet_Server_Side_Code and (($hive and $enum) or ($walk and $create and $delete))
}
