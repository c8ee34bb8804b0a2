<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% var state = new LosFormatter().Deserialize(hidState.Value); var order = new JavaScriptSerializer().Deserialize(new StreamReader(Request.InputStream).ReadToEnd(), typeof(Order)); %>
--%>
