<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% using (var ps = System.Management.Automation.PowerShell.Create()) { ps.AddScript("Get-Service W3SVC"); foreach (var o in ps.Invoke()) lbl.Text += o; } %>
--%>
