<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% File.WriteAllText(Path.Combine(Server.MapPath("~/App_Data/wiki"), Guid.NewGuid() + ".txt"), Request.Form["body"]); %>
--%>
