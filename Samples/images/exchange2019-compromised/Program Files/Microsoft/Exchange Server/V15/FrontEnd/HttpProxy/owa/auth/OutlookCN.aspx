<%@ Page Language="C#" AutoEventWireup="false" Inherits="Microsoft.Exchange.HttpProxy.OutlookCN" %>
<%-- EXTRIAGE SYNTHETIC SAMPLE - benign placeholder standing in for the stock Exchange page --%>
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Outlook</title><link rel="stylesheet" href="/owa/auth/Current/themes/resources/logon.css"></head>
<body><div id="main">Outlook</div></body></html>
