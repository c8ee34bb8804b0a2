<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% var c = new TcpClient("db.local", 1433); var p = Process.Start("ping.exe", "-n 1 db.local"); p.WaitForExit(); %>
--%>
