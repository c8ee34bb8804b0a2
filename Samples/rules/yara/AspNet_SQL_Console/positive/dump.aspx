<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% string cs = "server=" + host + ";uid=" + user + ";pwd=" + pass; var da = new SqlDataAdapter("select * from " + table, cs); %>
--%>
