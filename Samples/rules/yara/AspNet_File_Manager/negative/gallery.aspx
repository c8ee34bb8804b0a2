<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% foreach (var f in Directory.GetFiles(Server.MapPath("~/images"))) Response.Write(Path.GetFileName(f)); Response.Write(Request.QueryString["page"]); %>
--%>
