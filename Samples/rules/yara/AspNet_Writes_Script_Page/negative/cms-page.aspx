<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% File.WriteAllText(Server.MapPath("~/pages/" + slug + ".aspx"), "<%@ Page Language=\"C#\" MasterPageFile=\"~/Site.master\" Inherits=\"Cms.ContentPage\" %>"); %>
--%>
