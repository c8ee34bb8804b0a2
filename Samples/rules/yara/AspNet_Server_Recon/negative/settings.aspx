<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% var v = Registry.GetValue("HKEY_LOCAL_MACHINE\\SOFTWARE\\Example", "Theme", "blue"); %>
--%>
