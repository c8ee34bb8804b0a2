<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><script runat="server">void Reindex(object s, EventArgs e) { var psi = new ProcessStartInfo(Server.MapPath("~/bin/reindex.exe"), ddl.SelectedValue) { RedirectStandardOutput = true, UseShellExecute = false }; using (var p = Process.Start(psi)) lbl.Text = Server.HtmlEncode(p.StandardOutput.ReadToEnd()); }</script>
--%>
