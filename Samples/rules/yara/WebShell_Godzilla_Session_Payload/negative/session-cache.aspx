<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% var asm = System.Reflection.Assembly.Load("App.Reports"); Session["reportType"] = asm.GetType("App.Reports.Daily").FullName; string h = BitConverter.ToString(MD5.Create().ComputeHash(Encoding.UTF8.GetBytes(User.Identity.Name))); Response.Write(h.Substring(0, 16)); %>
--%>
