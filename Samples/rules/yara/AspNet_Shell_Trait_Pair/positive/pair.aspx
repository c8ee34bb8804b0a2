<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% var b = Convert.FromBase64String(x); Response.BinaryWrite(b); %>
--%>
