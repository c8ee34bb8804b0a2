<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><%@ Import Namespace="System.Net.Sockets"%><% using (var c = new TcpClient()) { c.Connect("localhost", 25); } Response.Write("ok"); %>
--%>
