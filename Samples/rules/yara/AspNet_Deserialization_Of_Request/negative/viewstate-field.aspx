<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% var state = new LosFormatter().Deserialize(hidState.Value); var prefs = new JavaScriptSerializer().Deserialize<Dictionary<string, object>>(Request.Form["prefs"]); %>
--%>
