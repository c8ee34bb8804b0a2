<%-- EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only. Server code below is inside a server-side comment.
OfflineAddressBooks : \Default Offline Address Book
ExternalUrl    : http://g/#<%Response.Write(1)%>

--%>
