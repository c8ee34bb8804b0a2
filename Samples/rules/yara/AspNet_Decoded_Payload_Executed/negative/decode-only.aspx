<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% var img = Convert.FromBase64String(Request.Form["img"]); Response.BinaryWrite(img); %>
--%>
