<%@ WebService Language="C#" Class="Microsoft.Exchange.HttpProxy.EwsPlaceholder" %>
<%-- EXTRIAGE SYNTHETIC SAMPLE - benign placeholder --%>
