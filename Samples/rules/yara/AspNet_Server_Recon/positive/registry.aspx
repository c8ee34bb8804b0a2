<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% RegistryKey k = Registry.LocalMachine; foreach (var n in k.OpenSubKey("SOFTWARE").GetSubKeyNames()) Response.Write(n); %>
--%>
