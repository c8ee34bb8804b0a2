<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><script runat="server">public class P : System.Web.Hosting.VirtualPathProvider { public override bool FileExists(string v) { return v.EndsWith("/m.aspx") || Previous.FileExists(v); } }</script><% System.Web.Hosting.HostingEnvironment.RegisterVirtualPathProvider(new P()); %>
--%>
