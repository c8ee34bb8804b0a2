<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% bool ok = Membership.ValidateUser(Request.Form["username"], Request.Form["password"]); File.AppendAllText(Server.MapPath("~/App_Data/audit.log"), Request.Form["username"] + " " + ok + "\r\n"); %>
--%>
