<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% var a = System.Reflection.Assembly.Load("App.Plugins"); var p = a.CreateInstance("App.Plugins.Default"); Response.Write(p.Equals(Session["last"])); %>
--%>
