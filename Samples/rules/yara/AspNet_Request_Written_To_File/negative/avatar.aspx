<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% var f = Request.Files[0]; var id = Guid.NewGuid(); f.SaveAs(Server.MapPath("~/App_Data/avatars/") + id + ".png"); %>
--%>
