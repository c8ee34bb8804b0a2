<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% Type w = Type.GetType("Portal.Widgets." + Request.QueryString["w"] + ", Portal"); if (w != null) Controls.Add((Control)Activator.CreateInstance(w)); string sig = Convert.ToBase64String(new HMACSHA256(Convert.FromBase64String(secret)).ComputeHash(data)); %>
--%>
