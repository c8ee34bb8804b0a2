<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ WebService Language="C#" Class="R"%>
public class R : WebService { [WebMethod] public string Export(int id) { var psi = new ProcessStartInfo(Server.MapPath("~/bin/wkhtmltopdf.exe"), "report.aspx?id=" + id) { RedirectStandardOutput = true }; using (var p = Process.Start(psi)) p.WaitForExit(); return id + ".pdf"; } }
--%>
