<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<% Response.Write("Pages may use Language=VBScript.Encode; see screnc.exe") %>
--%>
