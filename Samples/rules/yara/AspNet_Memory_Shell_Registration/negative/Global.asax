<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Application Language="C#"%><script runat="server">void Application_Start(object s, EventArgs e) { System.Web.Hosting.HostingEnvironment.RegisterVirtualPathProvider(new Themes.DbPathProvider()); RouteTable.Routes.MapPageRoute("p", "blog/{s}", "~/Post.aspx"); }</script>
--%>
