<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<%@ Page Language="C#"%><script runat="server">[DllImport("kernel32")] static extern bool GlobalMemoryStatusEx(ref MEMORYSTATUSEX m); void Page_Load(object o, EventArgs e) { var m = new MEMORYSTATUSEX(); GlobalMemoryStatusEx(ref m); lbl.Text = m.ullAvailPhys.ToString(); }</script>
--%>
