<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% var a = System.Reflection.Assembly.Load("System.Web"); Response.Write(a.FullName); %>
--%>
