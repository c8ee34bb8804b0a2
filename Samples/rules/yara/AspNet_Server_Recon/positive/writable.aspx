<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% void Scan(DirectoryInfo d) { foreach (var s in d.GetDirectories()) { try { File.Create(s.FullName + "\\t").Close(); File.Delete(s.FullName + "\\t"); Response.Write(s.FullName); } catch {} Scan(s); } } %>
--%>
