<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><% var c = new SqlConnection(ConfigurationManager.ConnectionStrings["db"].ConnectionString); var cmd = new SqlCommand("select name from products where id = @id", c); cmd.Parameters.AddWithValue("@id", Request.QueryString["id"]); c.Open(); cmd.ExecuteReader(); %>
--%>
