<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><script>var msg = "Caf\u00e9 \u003cb\u003e \u00dcbersicht";</script><% var t = Type.GetType("MyApp.Widgets." + name); %>
--%>
