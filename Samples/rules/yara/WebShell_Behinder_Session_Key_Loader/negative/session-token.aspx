<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% Session["csrf"] = "0a1b2c3d4e5f6a7b"; byte[] k = Encoding.UTF8.GetBytes(Session["csrf"].ToString()); byte[] c = Request.BinaryRead(Request.ContentLength); var json = Encoding.UTF8.GetString(new RijndaelManaged().CreateDecryptor(k, k).TransformFinalBlock(c, 0, c.Length)); Response.Write(json.Length); %>
--%>
