<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="Jscript"%><%eval(System.Text.Encoding.UTF8.GetString(System.Convert.FromBase64String("UmVzcG9uc2UuV3JpdGUoMSk=")),"unsafe");%>
--%>
