<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ LANGUAGE = VBScript.Encode %><%#@~^CAAAAA==\ko$K4GdY=^#~@%>
--%>
