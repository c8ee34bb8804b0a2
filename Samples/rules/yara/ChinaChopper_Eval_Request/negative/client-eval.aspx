<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><script>var x = eval("(" + json + ")");</script><% Response.Write(Request["q"]); %>
--%>
