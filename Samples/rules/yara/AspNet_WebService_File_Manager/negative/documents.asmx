<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ WebService Language="C#" Class="D"%>
public class D : WebService { [WebMethod] public string[] List(string folder) { return Directory.GetFiles(Server.MapPath("~/Documents/" + Path.GetFileName(folder))); } [WebMethod] public void Save(string name, byte[] data) { File.WriteAllBytes(Path.Combine(Server.MapPath("~/Documents"), Path.GetFileName(name)), data); } }
--%>
