<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% using (var c = new TcpClient()) { c.Connect(Request.QueryString["host"] ?? "smtp.local", 25); Response.Write("ok"); } Session["lastProbe"] = DateTime.UtcNow; %>
--%>
