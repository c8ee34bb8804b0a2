<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><script language="javascript">var cfg = eval(atob(document.body.dataset.cfg));</script><% Response.Write(Server.HtmlEncode(Request.QueryString["q"])); %>
--%>
