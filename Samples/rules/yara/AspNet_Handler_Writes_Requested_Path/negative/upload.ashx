<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ WebHandler Language="C#" Class="U"%>
public class U : IHttpHandler { public void ProcessRequest(HttpContext context) { var f = context.Request.Files[0]; string name = Guid.NewGuid().ToString("N") + Path.GetExtension(f.FileName); string dir = context.Server.MapPath("~/App_Data/uploads"); f.SaveAs(context.Server.MapPath(dir + name)); } public bool IsReusable { get { return true; } } }
--%>
