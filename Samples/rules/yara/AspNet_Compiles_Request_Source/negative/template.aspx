<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% var prov = new CSharpCodeProvider(); var res = prov.CompileAssemblyFromFile(new CompilerParameters(), Server.MapPath("~/App_Data/rules.cs")); Response.Write(Request.QueryString["x"]); %>
--%>
