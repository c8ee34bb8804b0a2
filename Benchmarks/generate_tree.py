#!/usr/bin/env python3
"""Generate a synthetic Exchange server volume tree for benchmarking `extriage collect`.

The tree looks like the root of the system volume of an Exchange 2016 server (paths
mixed-case as NTFS keeps them, CRLF line ends, realistic headers and rows):

    Program Files/Microsoft/Exchange Server/V15/
        Logging/HttpProxy/<Protocol>/HttpProxy_YYYYMMDDHH-1.LOG   hourly, 8 protocols
        Logging/ECP/Server/ECPServerYYYYMMDD-1.LOG                daily
        Logging/OABGeneratorLog/OABGeneratorYYYYMMDD-1.LOG        daily
        FrontEnd/HttpProxy/{owa,ecp}/auth/..., */web.config       web files
        Bin/ExSetup.exe
    inetpub/logs/LogFiles/W3SVC1/u_exYYMMDD.log                   daily IIS W3C (front end)
    inetpub/logs/LogFiles/W3SVC2/u_exYYMMDD.log                   daily IIS W3C (back end)
    inetpub/wwwroot/...
    Windows/System32/inetsrv/config/applicationHost.config

plus four LARGE logs (about 30% of the bytes: a big W3SVC1 day, a big W3SVC2 day and two
big HttpProxy hours) and about 5% of bytes in files a collector must NOT select
(`Windows/System32/drivers/*.sys`, `Program Files/Other/*.dll`, Exchange `Bin/*.dll`,
`FrontEnd/HttpProxy/bin/*.dll`).

Output is deterministic for a given --size, --days and --seed (file contents and mtimes).
Generation is fast: each log family renders one block of a few thousand rows once, with the
date (or date-and-hour) left as a fixed-width placeholder; every file is then a slice or a
repetition of that block with the placeholder replaced by `bytes.replace`, written in big
buffers. The tree is built in `<out>.partial-<pid>` and renamed into place at the end, so a
tree that exists is complete; its root holds `.extriage-bench-tree.json` (parameters, file
counts, and the list of files a collector is expected to select).

Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import bisect
import calendar
import datetime as dt
import json
import math
import os
import random
import re
import shutil
import signal
import sys
import time
import zlib

sys.dont_write_bytecode = True  # keep Samples/tools free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Samples", "tools"))
from evidence_formats import (  # noqa: E402  (the log formats, shared with the samples)
    CRLF, ECP_FIELDS, HTTPPROXY_FIELDS, OAB_FIELDS, csv_row, exchange_header, exchange_version, iis_header, iso_ms,
    log_bytes, named_row, w3c_row)

MARKER = ".extriage-bench-tree.json"
GENERATOR_VERSION = 2  # 2: OABGenerator rows in the samples' column layout

EXCH = "Program Files/Microsoft/Exchange Server/V15"
LOGGING = EXCH + "/Logging"
IIS_LOGS = "inetpub/logs/LogFiles"
START = dt.datetime(2021, 3, 1, tzinfo=dt.timezone.utc)  # the ProxyLogon window
BUILD = (15, 1, 2176, 2)  # Exchange 2016 CU18
SERVER = "EXCH01"
DOMAIN = "corp.example.com"
FQDN = f"exch01.{DOMAIN}"
FE_IP = "10.0.1.20"
OAB_PID = 6124  # the OABGenerator service process

# Fixed-width placeholders (NUL bytes never occur in real text, so replace() is exact).
PH_DATEHOUR = "\0" * 13  # "2021-03-02T15"
PH_DATE = "\0" * 10  # "2021-03-02"

# HttpProxy protocol directories (as Exchange spells them) and their share of HttpProxy bytes.
PROTOCOLS = [
    ("Autodiscover", 0.10),
    ("Eas", 0.13),
    ("Ecp", 0.06),
    ("Ews", 0.20),
    ("Mapi", 0.28),
    ("Oab", 0.03),
    ("Owa", 0.15),
    ("PowerShell", 0.05),
]

# Split of the byte budget.
JUNK_SHARE = 0.05
LARGE_SHARES = [  # (family, key, share of total)
    ("iis1", None, 0.09),
    ("httpproxy", "Mapi", 0.08),
    ("httpproxy", "Owa", 0.07),
    ("iis2", None, 0.06),
]
MEDIUM_SHARES = {"httpproxy": 0.62, "iis1": 0.20, "iis2": 0.10, "ecp": 0.05, "oab": 0.03}

USERS = [
    "alice.smith", "bob.jones", "carol.white", "dave.brown", "erin.clark", "frank.lewis",
    "grace.hall", "heidi.young", "ivan.king", "judy.wright", "mallory.scott", "niaj.green",
    "olivia.baker", "peggy.adams", "rupert.nelson", "sybil.carter", "trent.mitchell",
    "uma.perez", "victor.roberts", "walter.turner", "xena.phillips", "yusuf.campbell",
    "zoe.parker", "svc-backup", "svc-crm", "helpdesk", "reception", "payroll",
]
HEALTH_USERS = [f"HealthMailbox{n:07x}" for n in (0x1a2b3c4, 0x5d6e7f8, 0x9abcdef)]
AGENTS = {
    "outlook": "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13801; Pro)",
    "outlook15": "Microsoft Office/15.0 (Windows NT 6.1; Microsoft Outlook 15.0.5327; Pro)",
    "chrome": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/88.0.4324.190 Safari/537.36",
    "edge": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/88.0.4324.192 Safari/537.36 Edg/88.0.705.81",
    "firefox": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:86.0) Gecko/20100101 Firefox/86.0",
    "iphone": "Apple-iPhone13C2/1805.212",
    "android": "Android-Mail/2021.02.14.357849290.Release",
    "ews": "ExchangeServicesClient/15.00.0913.015",
    "mac": "MacOutlook/16.46.21021202 (Intelx64 Mac OS X 11.2.1 (Build 20D74))",
    "teams": "Microsoft.Skype.Teams.Services/1.0",
    "probe": "AMProbe/Local/ClientAccess",
    "ps": "Microsoft WinRM Client",
}


# --------------------------------------------------------------------------- helpers


def parse_size(text: str) -> int:
    """'2G', '500M', '1.5g', '100MiB', '123456' -> bytes (binary multiples)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", text, re.IGNORECASE)
    if not m:
        raise ValueError(f"bad size {text!r} (use e.g. 500M, 2G, 1.5G)")
    mult = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[m.group(2).lower()]
    return int(float(m.group(1)) * mult)


def fmt_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n} B"


def stable_seed(seed: int, name: str) -> int:
    """A per-family seed that does not depend on Python's randomised str hash."""
    return (seed * 1_000_003) ^ zlib.crc32(name.encode())


def guid(rnd: random.Random) -> str:
    h = f"{rnd.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def ms_offsets(rnd: random.Random, n: int, span_ms: int, diurnal: bool) -> list[int]:
    """n sorted millisecond offsets within [0, span_ms); denser in office hours if diurnal."""
    out = []
    while len(out) < n:
        t = rnd.randrange(span_ms)
        if diurnal:
            hour = t // 3_600_000
            if rnd.random() > hour_weight(hour, weekend=False) / 1.15:
                continue
        out.append(t)
    out.sort()
    return out


def hms(ms: int) -> str:
    s, milli = divmod(ms, 1000)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    return f"{h:02d}:{m:02d}:{s:02d}.{milli:03d}"


def hour_weight(hour: int, weekend: bool) -> float:
    w = 0.15 + max(0.0, math.sin(math.pi * (hour - 6) / 14)) if 6 <= hour <= 20 else 0.15
    return w * (0.4 if weekend else 1.0)


class Block:
    """Rendered rows of one family (placeholder in place of the date), with line offsets."""

    def __init__(self, text: str, placeholder: str):
        self.data = text.encode("utf-8")
        self.placeholder = placeholder.encode()
        self.starts = [0]
        pos = self.data.find(b"\n")
        while pos != -1:
            self.starts.append(pos + 1)
            pos = self.data.find(b"\n", pos + 1)
        # starts[-1] == len(data): the end of the last line

    def __len__(self) -> int:
        return len(self.data)

    def cut(self, start: int, length: int) -> bytes:
        """Whole lines from the first line boundary >= start, about `length` bytes (at least one line)."""
        i = bisect.bisect_left(self.starts, start)
        i = min(i, len(self.starts) - 2)
        a = self.starts[i]
        j = bisect.bisect_right(self.starts, a + length) - 1
        # Whichever line end is nearer the target, so that many small files add up to the budget.
        if j + 1 < len(self.starts) and self.starts[j + 1] - a - length < a + length - self.starts[j]:
            j += 1
        j = max(j, i + 1)
        return self.data[a : self.starts[j]]


# --------------------------------------------------------------------------- log families


def httpproxy_block(seed: int, proto: str, nrows: int) -> Block:
    rnd = random.Random(stable_seed(seed, "httpproxy/" + proto))
    users = USERS
    sids = {u: f"S-1-5-21-3623811015-3361044348-30300820-{1100 + i}" for i, u in enumerate(users)}
    mbx = {u: guid(rnd) for u in users}
    dbs = [guid(rnd) for _ in range(4)]
    clients = [f"203.0.113.{rnd.randrange(2, 250)}" for _ in range(12)] + [
        f"10.0.{rnd.randrange(2, 9)}.{rnd.randrange(2, 250)}" for _ in range(40)
    ]
    be_cookie = f"Server~{FQDN}~1942062522~2021-03-09T12:41:07"
    out = []
    for ms in ms_offsets(rnd, nrows, 3_600_000, diurnal=False):
        ts = f"{PH_DATEHOUR}:{hms(ms)[3:]}Z"
        probe = rnd.random() < 0.08
        user = rnd.choice(HEALTH_USERS) if probe else rnd.choice(users)
        upn = f"{user}@{DOMAIN}"
        cip = "127.0.0.1" if probe else rnd.choice(clients)
        status, be_status = 200, 200
        method, query, action = "POST", "", ""
        auth, anchor, routing_type, routing_hint = "Negotiate", f"Smtp~{upn}", "Smtp-Header", "Smtp-Header"
        ua = AGENTS["probe"] if probe else None
        if proto == "Autodiscover":
            stem = "/Autodiscover/Autodiscover.xml"
            ua = ua or rnd.choice([AGENTS["outlook"], AGENTS["outlook15"], AGENTS["mac"]])
            auth = rnd.choice(["Negotiate", "NTLM", "Basic"])
            routing_type, routing_hint = "Smtp-UrlQuery", "Smtp-UrlQuery"
        elif proto == "Eas":
            stem = "/Microsoft-Server-ActiveSync/default.eas"
            device = f"{rnd.getrandbits(64):016X}"
            cmd = rnd.choice(["Sync", "Ping", "Ping", "FolderSync", "SendMail", "ItemOperations"])
            dtype = rnd.choice(["iPhone", "Android", "iPad"])
            query = f"?Cmd={cmd}&User={user}&DeviceId={device}&DeviceType={dtype}"
            action = cmd
            ua = ua or rnd.choice([AGENTS["iphone"], AGENTS["android"]])
            auth = "Basic"
            anchor = f"Sid~{sids.get(user, sids['helpdesk'])}"
            routing_type, routing_hint = "AnchorMailbox-Header", "AnchorMailbox-Header"
        elif proto == "Ecp":
            stem = rnd.choice([
                "/ecp/default.aspx", "/ecp/DDI/DDIService.svc/GetList", "/ecp/DDI/DDIService.svc/GetObject",
                "/ecp/PersonalSettings/HomePage.aspx", "/ecp/Organize/DeliveryReports.slab",
                "/ecp/Reporting/MessageTrace.aspx",
            ])
            canary = f"{rnd.getrandbits(256):064x}"[:43]
            query = f"?schema=MailboxSettings&msExchEcpCanary={canary}" if "DDI" in stem else ""
            ua = ua or rnd.choice([AGENTS["chrome"], AGENTS["edge"], AGENTS["firefox"]])
            auth = "FBA"
            method = "POST" if "DDI" in stem else "GET"
        elif proto == "Ews":
            stem = "/EWS/Exchange.asmx"
            ua = ua or rnd.choice([AGENTS["outlook"], AGENTS["ews"], AGENTS["mac"], AGENTS["teams"]])
            action = rnd.choice(["GetItem", "FindItem", "GetFolder", "SyncFolderItems", "GetUserAvailability",
                                 "Subscribe", "GetStreamingEvents"])
            auth = rnd.choice(["Negotiate", "NTLM", "OAuth"])
            anchor = f"MailboxGuid~{mbx.get(user, dbs[0])}"
        elif proto == "Mapi":
            stem = rnd.choice(["/mapi/emsmdb/", "/mapi/emsmdb/", "/mapi/emsmdb/", "/mapi/nspi/"])
            query = f"?MailboxId={mbx.get(user, dbs[0])}@{DOMAIN}"
            ua = ua or rnd.choice([AGENTS["outlook"], AGENTS["outlook15"]])
            action = rnd.choice(["Execute", "Execute", "NotificationWait", "Connect", "Disconnect"])
            anchor = f"MailboxGuid~{mbx.get(user, dbs[0])}@{DOMAIN}"
            routing_type, routing_hint = "MailboxGuidWithDomain-UrlQuery", "MailboxGuidWithDomain-UrlQuery"
        elif proto == "Oab":
            stem = f"/OAB/{dbs[1]}/" + rnd.choice(["oab.xml", "oab.xml", "b27d1f5a-lzx-data-1.lzx"])
            method = "GET"
            ua = ua or AGENTS["outlook"]
            anchor = f"DatabaseGuid~{dbs[1]}"
            routing_type, routing_hint = "DatabaseGuid-Url", "DatabaseGuid-Url"
        elif proto == "Owa":
            stem = rnd.choice(["/owa/", "/owa/service.svc", "/owa/service.svc", "/owa/ev.owa2",
                               "/owa/auth/logon.aspx", "/owa/sessiondata.ashx", "/owa/userspecificresourceinjector.ashx"])
            if stem == "/owa/service.svc":
                action = rnd.choice(["GetItem", "FindConversation", "GetConversationItems", "CreateItem",
                                     "GetReminders", "SubscribeToNotification"])
                query = f"?action={action}&app=Mail&n={rnd.randrange(1, 400)}"
            elif stem == "/owa/ev.owa2":
                query = f"?ns=PendingRequest&ev=PendingNotificationRequest&UA=0&cid={rnd.getrandbits(40)}"
            if stem == "/owa/auth/logon.aspx":
                method, status, auth = "GET", 200, ""
                query = "?url=https%3a%2f%2fmail.corp.example.com%2fowa%2f&reason=0"
            else:
                auth = "FBA"
            ua = ua or rnd.choice([AGENTS["chrome"], AGENTS["edge"], AGENTS["firefox"]])
            if rnd.random() < 0.03:
                status = 440
        else:  # PowerShell
            stem = "/PowerShell"
            query = "?serializationLevel=Full;ExchClientVer=15.1.2176.2;clientApplication=ManagementShell;TargetServer=;PSVersion=5.1.17763.1490"
            ua = ua or AGENTS["ps"]
            auth = "Kerberos"
            user = rnd.choice(["helpdesk", "svc-backup", "alice.smith"]) if not probe else user
            upn = f"{user}@{DOMAIN}"
            anchor = f"ServerVersion~Version 15.1 (Build 2176.2)" if rnd.random() < 0.2 else f"Sid~{sids.get(user, sids['helpdesk'])}"
        if not probe and rnd.random() < 0.04:
            status, be_status = 401, ""
        authed = "true" if status not in (401,) and auth else "false"
        auth_user = upn if authed == "true" else ""
        r = rnd.random
        lat = [int(r() * 4) for _ in range(24)]
        total = rnd.randrange(3, 900) if action != "NotificationWait" else rnd.randrange(30000, 60000)
        begin = f"{PH_DATEHOUR}:{hms(max(0, ms - total))[3:]}Z"
        generic = (
            f";CorrelationID=<empty>;ProxyState-Run=None;FEAuth=BEVersion-1942062522;"
            f"BeginRequest={begin};BeginGetRequestStream={begin};OnRequestStreamReady={begin};"
            f"BeginGetResponse={begin};OnResponseReady={ts};EndGetResponse={ts};EndRequest={ts};"
            f"S:ServiceCommonMetadata.HttpMethod={method};S:WLM.Bal=300000;S:WLM.BT=Ews;"
            f"I32:ADS.C[{SERVER}]={rnd.randrange(0, 3)};F:ADS.AL[{SERVER}]={rnd.random() * 3:.4f}"
        )
        row = {
            "DateTime": ts, "RequestId": guid(rnd),
            "MajorVersion": BUILD[0], "MinorVersion": BUILD[1], "BuildVersion": BUILD[2], "RevisionVersion": BUILD[3],
            "ClientRequestId": guid(rnd) if rnd.random() < 0.5 else "",
            "Protocol": proto, "UrlHost": f"mail.{DOMAIN}", "UrlStem": stem, "ProtocolAction": action,
            "AuthenticationType": auth, "IsAuthenticated": authed, "AuthenticatedUser": auth_user,
            "AnchorMailbox": anchor, "UserAgent": ua, "ClientIpAddress": cip, "ServerHostName": SERVER,
            "HttpStatus": status, "BackEndStatus": be_status, "Method": method, "ProxyAction": "Proxy",
            "TargetServer": FQDN, "TargetServerVersion": "Version 15.1 (Build 2176.0)",
            "RoutingType": routing_type, "RoutingHint": routing_hint, "BackEndCookie": be_cookie,
            "ServerLocatorHost": FQDN, "ServerLocatorLatency": lat[0],
            "RequestBytes": rnd.randrange(0, 60000), "ResponseBytes": rnd.randrange(0, 200000),
            "TargetOutstandingRequests": rnd.randrange(0, 6),
            "HttpPipelineLatency": lat[1], "CalculateTargetBackEndLatency": lat[2], "TotalGlsLatency": lat[3],
            "TotalAccountForestLatency": lat[4], "TotalResourceForestLatency": lat[5], "ADLatency": lat[6],
            "TotalSharedCacheLatency": lat[7], "ActivityContextLifeTime": total + lat[8],
            "ModuleToHandlerSwitchingLatency": lat[9], "ClientReqStreamLatency": lat[10],
            "BackendReqInitLatency": lat[11], "BackendReqStreamLatency": lat[12],
            "BackendProcessingLatency": max(1, total - 6), "BackendRespInitLatency": lat[13],
            "BackendRespStreamLatency": lat[14], "ClientRespStreamLatency": lat[15],
            "KerberosAuthHeaderLatency": lat[16], "HandlerCompletionLatency": lat[17],
            "RequestHandlerLatency": lat[18], "HandlerToModuleSwitchingLatency": lat[19],
            "ProxyTime": max(1, total - 2), "CoreLatency": lat[20], "RoutingLatency": lat[21],
            "HttpProxyOverhead": lat[22], "TotalRequestTime": total, "RouteRefresherLatency": lat[23],
            "UrlQuery": query, "GenericInfo": generic,
            "DatabaseGuid": rnd.choice(dbs), "UserADObjectGuid": mbx.get(user, ""),
        }
        out.append(csv_row(named_row(HTTPPROXY_FIELDS, row)) + CRLF)
    return Block("".join(out), PH_DATEHOUR)


def httpproxy_header(proto: str, t: dt.datetime, rnd: random.Random) -> bytes:
    first = t.replace(minute=0, second=rnd.randrange(0, 3))
    first = first.replace(microsecond=rnd.randrange(1000) * 1000)
    return log_bytes(exchange_header(exchange_version(BUILD), "HttpProxy Logs", iso_ms(first), HTTPPROXY_FIELDS))


IIS_STEMS_FE = [
    ("POST", "/mapi/emsmdb/", "mailboxId={mbx}@corp.example.com", "outlook", 8),
    ("POST", "/mapi/nspi/", "mailboxId={mbx}@corp.example.com", "outlook", 2),
    ("POST", "/EWS/Exchange.asmx", "", "ews", 5),
    ("POST", "/Microsoft-Server-ActiveSync/default.eas",
     "Cmd=Ping&User={user}&DeviceId={dev}&DeviceType=iPhone", "iphone", 5),
    ("POST", "/owa/service.svc", "action=GetItem&app=Mail&n=12", "chrome", 4),
    ("POST", "/owa/ev.owa2", "ns=PendingRequest&ev=PendingNotificationRequest&UA=0", "chrome", 2),
    ("GET", "/owa/", "", "edge", 2),
    ("GET", "/owa/auth/logon.aspx", "url=https%3a%2f%2fmail.corp.example.com%2fowa%2f&reason=0", "firefox", 1),
    ("POST", "/owa/auth.owa", "", "chrome", 1),
    ("POST", "/Autodiscover/Autodiscover.xml", "", "outlook", 3),
    ("GET", "/OAB/{db}/oab.xml", "", "outlook", 1),
    ("GET", "/ecp/default.aspx", "", "chrome", 1),
    ("GET", "/owa/auth/15.1.2176/themes/resources/favicon.ico", "", "chrome", 1),
    ("GET", "/owa/healthcheck.htm", "", "probe", 1),
]


def iis_block(seed: int, site: int, nrows: int) -> Block:
    rnd = random.Random(stable_seed(seed, f"iis/W3SVC{site}"))
    weighted = [s for s in IIS_STEMS_FE for _ in range(s[4])]
    mbx = [guid(rnd) for _ in range(30)]
    dbs = [guid(rnd) for _ in range(2)]
    clients = [f"203.0.113.{rnd.randrange(2, 250)}" for _ in range(12)] + [
        f"10.0.{rnd.randrange(2, 9)}.{rnd.randrange(2, 250)}" for _ in range(40)
    ]
    out = []
    for ms in ms_offsets(rnd, nrows, 86_400_000, diurnal=True):
        method, stem, q, agent, _ = rnd.choice(weighted)
        user = rnd.choice(USERS)
        q = q.format(mbx=rnd.choice(mbx), user=user, dev=f"{rnd.getrandbits(64):016X}")
        stem = stem.format(db=dbs[0])
        status, sub, win32 = 200, 0, 0
        if rnd.random() < 0.05:
            status, sub, win32, uname = 401, rnd.choice([1, 2]), rnd.choice([0, 5, 2148074254]), "-"
        else:
            uname = f"CORP\\{user}" if agent != "probe" else "-"
        if site == 1:
            port, cip = 443, rnd.choice(clients) if agent != "probe" else "127.0.0.1"
            query = (q + "&" if q else "") + f"CorrelationID=<empty>;&cafeReqId={guid(rnd)};"
        else:
            port, cip = 444, rnd.choice([FE_IP, FE_IP, "10.0.1.21"])
            stem = stem.replace("/owa/auth/logon.aspx", "/owa/")
            query = (q + "&" if q else "") + "CorrelationID=<empty>;"
            if rnd.random() < 0.3:
                uname = f"CORP\\{SERVER}$"
        ua = AGENTS[agent].replace(" ", "+")
        ref = f"https://mail.{DOMAIN}/owa/" if agent in ("chrome", "edge", "firefox") else "-"
        taken = rnd.randrange(0, 60) if rnd.random() < 0.9 else rnd.randrange(60, 40000)
        out.append(w3c_row([PH_DATE, hms(ms)[:8], FE_IP, method, stem, query, port, uname, cip, ua, ref,
                            status, sub, win32, taken]) + CRLF)
    return Block("".join(out), PH_DATE)


def iis_header_bytes(t: dt.datetime) -> bytes:
    return log_bytes(iis_header(t))


def ecp_block(seed: int, nrows: int) -> Block:
    rnd = random.Random(stable_seed(seed, "ecp/server"))
    cmds = [
        ("GetList", "MessageTraceSchema", "Get-MessageTrace.ResultSize='1000'.StartDate='3/1/2021 12:00:00 AM'"),
        ("GetObject", "MailboxPropertiesSchema", "Get-Mailbox.Identity='{user}'"),
        ("GetList", "DistributionGroupSchema", "Get-DistributionGroup.ResultSize='500'"),
        ("SetObject", "MailboxSettings", "Set-MailboxRegionalConfiguration.Language='en-US'.Identity='{user}'"),
        ("GetObject", "ResetOAB", "Get-OabVirtualDirectory.Identity='{vd}'"),
        ("GetList", "UsersSchema", "Get-Recipient.RecipientTypeDetails='UserMailbox'.ResultSize='500'"),
        ("GetObject", "OrgSettings", ""),
    ]
    vd = guid(rnd)
    out = []
    for ms in ms_offsets(rnd, nrows, 86_400_000, diurnal=True):
        op, schema, cmd = rnd.choice(cmds)
        user = rnd.choice(USERS)
        canary = f"{rnd.getrandbits(256):064x}"[:43]
        items = [
            f"S:TIME={rnd.randrange(5, 2500)}",
            f"S:SID={guid(rnd)}",
            f"S:USID={guid(rnd)}",
            f"S:REQID={guid(rnd)}",
            f"S:URL=/ecp/DDI/DDIService.svc/{op}?schema={schema}&msExchEcpCanary={canary}",
            f"S:REFERRER=https://mail.{DOMAIN}/ecp/?ExchClientVer=15",
            f"S:BLD={BUILD[0]}.{BUILD[1]}.{BUILD[2]}.{BUILD[3]}",
            f"S:TNAME=",
            f"S:TID={rnd.randrange(10, 200)}",
            f"S:ACTID={guid(rnd)}",
            f"S:RS=0",
        ]
        if cmd:
            items.append("S:CMD=" + cmd.format(user=f"{user}@{DOMAIN}", vd=vd))
        if rnd.random() < 0.02:
            items.append("S:EX=System.Threading.ThreadAbortException: Thread was being aborted., at "
                         "System.Web.HttpResponse.End()")
        out.append(csv_row([f"{PH_DATE}T{hms(ms)}Z", SERVER, "ECP.Request", ";".join(items)]) + CRLF)
    return Block("".join(out), PH_DATE)


def ecp_header(t: dt.datetime) -> bytes:
    first = t + dt.timedelta(milliseconds=21)
    return log_bytes(exchange_header(exchange_version(BUILD), "ECP Server Log", iso_ms(first), ECP_FIELDS))


def oab_block(seed: int, nrows: int) -> Block:
    rnd = random.Random(stable_seed(seed, "oab"))
    oab = "\\Default Offline Address Book (Ex2013)"
    msgs = [
        "OABGeneratorAssistant.InvokeInternal: Beginning generation of OAB '{oab}'.",
        "OABGenerator.GenerateAddressLists: processed {n} recipients for address list '\\Global Address List'.",
        "OABFileWriter.Write: wrote file 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ExchangeOAB\\{g}\\{g2}-data-{n}.lzx', {b} bytes.",
        "OABGenerator.UploadFiles: uploaded {n} files for '{oab}' to the arbitration mailbox.",
        "OABGeneratorAssistant.InvokeInternal: Generation of '{oab}' completed in {ms} ms.",
        "OABDownloader.Download: Download completed for '{oab}' manifest, {b} bytes.",
        "OABGeneratorAssistant.ProcessMailbox: mailbox 'SystemMailbox{{bb558c35-97f1-4cb9-8ff7-d53741dc928c}}' is not due for generation.",
    ]
    out = []
    for ms in ms_offsets(rnd, nrows, 86_400_000, diurnal=False):
        m = rnd.choice(msgs).format(oab=oab, n=rnd.randrange(1, 5000), g=guid(rnd), g2=guid(rnd),
                                    b=rnd.randrange(100, 9_000_000), ms=rnd.randrange(100, 90000))
        row = {"DateTime": f"{PH_DATE}T{hms(ms)}Z", "ServerName": SERVER, "ProcessId": OAB_PID,
               "ThreadId": rnd.randrange(4, 300),
               "Level": rnd.choice(["Information", "Information", "Information", "Warning"]),
               "Component": m.split(".", 1)[0], "OABName": oab, "Message": m}
        out.append(csv_row(named_row(OAB_FIELDS, row)) + CRLF)
    return Block("".join(out), PH_DATE)


def oab_header(t: dt.datetime) -> bytes:
    first = t + dt.timedelta(milliseconds=4)
    return log_bytes(exchange_header(exchange_version(BUILD), "OABGenerator Log", iso_ms(first), OAB_FIELDS))


# --------------------------------------------------------------------------- writer


class Writer:
    def __init__(self, root: str):
        self.root = root
        self.files: list[tuple[str, int, str]] = []  # (relpath, size, kind)
        self.dirs: set[str] = set()

    def _open(self, rel: str):
        d = os.path.dirname(rel)
        if d not in self.dirs:
            os.makedirs(os.path.join(self.root, d), exist_ok=True)
            self.dirs.add(d)
        return open(os.path.join(self.root, rel), "wb", buffering=0)

    def put(self, rel: str, data: bytes, kind: str, mtime: float) -> None:
        with self._open(rel) as f:
            f.write(data)
        os.utime(os.path.join(self.root, rel), (mtime, mtime))
        self.files.append((rel, len(data), kind))

    def log(self, rel: str, kind: str, header: bytes, block: Block, value: str, size: int,
            rnd: random.Random, mtime: float, repeat_header: bool = False) -> None:
        """Write header + block lines (placeholder := value) up to about `size` bytes."""
        val = value.encode()
        body = max(1, size - len(header))
        written = len(header)
        with self._open(rel) as f:
            f.write(header)
            if body < len(block):
                start = rnd.randrange(0, len(block) - body + 1)
                chunk = block.cut(start, body).replace(block.placeholder, val)
                f.write(chunk)
                written += len(chunk)
            else:
                full = block.data.replace(block.placeholder, val)
                reps, rest = divmod(body, len(full))
                for r in range(reps):
                    if repeat_header and r == reps // 2 and r > 0:
                        f.write(header)  # a service restart mid-file: header block again
                        written += len(header)
                    f.write(full)
                    written += len(full)
                if rest:
                    tail = block.cut(0, rest).replace(block.placeholder, val)
                    f.write(tail)
                    written += len(tail)
        os.utime(os.path.join(self.root, rel), (mtime, mtime))
        self.files.append((rel, written, kind))

    def junk(self, rel: str, size: int, pool: bytes, rnd: random.Random, mtime: float) -> None:
        with self._open(rel) as f:
            head = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\0" * 48
            f.write(head)
            left = max(0, size - len(head))
            while left:
                off = rnd.randrange(0, len(pool) // 2)
                n = min(left, len(pool) - off)
                f.write(pool[off : off + n])
                left -= n
        os.utime(os.path.join(self.root, rel), (mtime, mtime))
        self.files.append((rel, max(size, 64), "junk"))


# --------------------------------------------------------------------------- static files


LOGON_ASPX = """<%@ Page language="c#" AutoEventWireup="false" Inherits="Microsoft.Exchange.HttpProxy.Logon" %>
<%@ Import namespace="Microsoft.Exchange.Clients.Owa.Core"%>
<%@ Import namespace="Microsoft.Exchange.HttpProxy"%>
<!DOCTYPE HTML>
<html dir="<%=(IsRtl ? "rtl" : "ltr")%>" class="signInBg">
<head>
<meta http-equiv="X-UA-Compatible" content="IE=10" />
<link rel="shortcut icon" href="<%=InlineImageFlag%>themes/resources/favicon.ico" type="image/x-icon">
<meta name="robots" content="noindex, nofollow">
<title><%=LocalizedStrings.GetHtmlEncoded(Strings.OutlookWebAccess)%></title>
<script type="text/javascript">
    function IsOwaPremiumBrowser() { return <%=IsOwaPremiumBrowser ? "true" : "false"%>; }
    function setCookie(n, v) { document.cookie = n + "=" + v + "; path=/"; }
</script>
"""

WEB_CONFIG = """<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <system.web>
    <compilation defaultLanguage="c#" debug="false" batch="true">
      <assemblies>
        <add assembly="Microsoft.Exchange.HttpProxy.Common, Version=15.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35" />
      </assemblies>
    </compilation>
    <httpRuntime maxRequestLength="35000" requestValidationMode="2.0" />
    <machineKey validationKey="AutoGenerate" decryptionKey="AutoGenerate" validation="HMACSHA256" />
  </system.web>
  <system.webServer>
    <modules>
      <add name="ProxyModule" type="Microsoft.Exchange.HttpProxy.ProxyModule, Microsoft.Exchange.FrontEndHttpProxy" />
    </modules>
  </system.webServer>
</configuration>
"""

APPHOST = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <applicationPools>
      <add name="DefaultAppPool" />
      <add name="MSExchangeOWAAppPool" managedRuntimeVersion="v4.0" />
      <add name="MSExchangeECPAppPool" managedRuntimeVersion="v4.0" />
      <add name="MSExchangePowerShellAppPool" managedRuntimeVersion="v4.0" />
    </applicationPools>
    <sites>
      <site name="Default Web Site" id="1" serverAutoStart="true">
        <application path="/">
          <virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot" />
        </application>
        <application path="/owa" applicationPool="MSExchangeOWAAppPool">
          <virtualDirectory path="/" physicalPath="C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa" />
        </application>
        <application path="/ecp" applicationPool="MSExchangeECPAppPool">
          <virtualDirectory path="/" physicalPath="C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\ecp" />
        </application>
        <application path="/PowerShell" applicationPool="MSExchangePowerShellFrontEndAppPool">
          <virtualDirectory path="/" physicalPath="C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\PowerShell" />
        </application>
        <bindings>
          <binding protocol="http" bindingInformation="*:80:" />
          <binding protocol="https" bindingInformation="*:443:" />
        </bindings>
        <logFile directory="%SystemDrive%\\inetpub\\logs\\LogFiles" />
      </site>
      <site name="Exchange Back End" id="2">
        <application path="/" applicationPool="MSExchangeServicesAppPool">
          <virtualDirectory path="/" physicalPath="C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess" />
        </application>
        <bindings>
          <binding protocol="http" bindingInformation="*:81:" />
          <binding protocol="https" bindingInformation="*:444:" />
        </bindings>
        <logFile directory="%SystemDrive%\\inetpub\\logs\\LogFiles" />
      </site>
      <siteDefaults>
        <logFile logFormat="W3C" directory="%SystemDrive%\\inetpub\\logs\\LogFiles" />
      </siteDefaults>
    </sites>
  </system.applicationHost>
</configuration>
"""


def write_static(w: Writer, rnd: random.Random, pool: bytes, mtime: float) -> None:
    def text(rel, s, reps=1):
        w.put(rel, (s * reps).replace("\n", CRLF).encode(), "web", mtime)

    def blob(rel, magic: bytes, size):
        off = rnd.randrange(0, len(pool) - size)
        w.put(rel, magic + pool[off : off + size - len(magic)], "web", mtime)

    fe = EXCH + "/FrontEnd/HttpProxy"
    ver = f"15.{BUILD[1]}.{BUILD[2]}"  # "15.1.2176"
    auth = fe + "/owa/auth"
    for name, reps in [("logon.aspx", 6), ("errorFE.aspx", 3), ("expiredpassword.aspx", 4),
                       ("frowny.aspx", 2), ("logoff.aspx", 1), ("OutlookCN.aspx", 2),
                       ("RedirSuiteServiceProxy.aspx", 1), ("signout.aspx", 1)]:
        text(f"{auth}/{name}", LOGON_ASPX, reps)
    text(f"{auth}/getidtoken.htm", "<!DOCTYPE html><html><head><script>/* idtoken */</script></head></html>\n")
    text(f"{auth}/{ver}/scripts/premium/flogon.js",
         "function flogon_init(){var e=document.getElementById('username');if(e){e.focus();}}\n", 400)
    for name in ("favicon.ico", "olk_logo_white.png", "owa_text_blue.png", "Sign_in_arrow.png"):
        blob(f"{auth}/{ver}/themes/resources/{name}", b"\x89PNG\r\n\x1a\n", rnd.randrange(2000, 40000))
    text(f"{auth}/{ver}/themes/resources/logon.css", ".signInBg{background:#0072c6}\n", 300)
    text(f"{fe}/owa/web.config", WEB_CONFIG)
    text(f"{fe}/ecp/web.config", WEB_CONFIG)
    text(f"{fe}/ecp/auth/TimeoutLogoff.aspx", LOGON_ASPX, 2)
    text(f"{fe}/PowerShell/web.config", WEB_CONFIG)
    text(f"{fe}/OAB/web.config", WEB_CONFIG)
    text("inetpub/wwwroot/iisstart.htm", "<!DOCTYPE html><html><head><title>IIS Windows Server</title></head>"
         "<body><img src=\"iisstart.png\" alt=\"IIS\" width=\"960\" height=\"600\" /></body></html>\n")
    blob("inetpub/wwwroot/iisstart.png", b"\x89PNG\r\n\x1a\n", 98757)
    text("inetpub/wwwroot/Help Desk/Contact Us.htm", "<html><body>Call 555-0100</body></html>\n")
    os.makedirs(os.path.join(w.root, "inetpub/wwwroot/aspnet_client/system_web/4_0_30319"), exist_ok=True)
    text("Windows/System32/inetsrv/config/applicationHost.config", APPHOST)
    blob(f"{EXCH}/Bin/ExSetup.exe", b"MZ\x90\x00", 38_512)


# --------------------------------------------------------------------------- plan + generate


def generate(out: str, size: int, seed: int = 1, days: int = 7, quiet: bool = False) -> dict:
    """Build the tree at `out` (which must not exist). Returns the marker dict plus `seconds`."""
    out = os.path.abspath(out)
    if os.path.exists(out):
        raise FileExistsError(out)
    tmp = f"{out}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    try:
        return _generate(out, tmp, size, seed, days, quiet)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _generate(out: str, tmp: str, size: int, seed: int, days: int, quiet: bool) -> dict:
    t0 = time.monotonic()
    days = max(2, days)
    rnd = random.Random(seed)
    w = Writer(tmp)
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))

    pool = random.Random(stable_seed(seed, "pool")).randbytes(8 << 20)
    base_mtime = calendar.timegm(START.timetuple())

    # Budgets.
    write_static(w, rnd, pool, base_mtime)
    static_bytes = sum(s for _, s, _ in w.files)
    junk_budget = int(size * JUNK_SHARE)
    large = [(fam, key, int(size * share)) for fam, key, share in LARGE_SHARES]
    medium_budget = max(0, size - junk_budget - sum(s for *_, s in large) - static_bytes)

    hours = [START + dt.timedelta(hours=h) for h in range(days * 24)]
    dates = [START + dt.timedelta(days=d) for d in range(days)]
    big_day1 = dates[min(1, days - 1)]  # 2021-03-02
    big_day2 = dates[min(2, days - 1)]
    large_at = {
        ("iis1", None): big_day1,
        ("iis2", None): big_day2,
        ("httpproxy", "Mapi"): big_day1.replace(hour=14),
        ("httpproxy", "Owa"): big_day2.replace(hour=10),
    }
    large_size = {(fam, key): s for fam, key, s in large}

    say(f"generating {fmt_bytes(size)} tree at {out} (seed {seed}, {days} days)")
    say("  rendering row blocks ...")
    blocks = {p: httpproxy_block(seed, p, 2000) for p, _ in PROTOCOLS}
    blocks["iis1"] = iis_block(seed, 1, 9000)
    blocks["iis2"] = iis_block(seed, 2, 9000)
    blocks["ecp"] = ecp_block(seed, 3000)
    blocks["oab"] = oab_block(seed, 4000)
    say(f"  blocks ready ({time.monotonic() - t0:.1f}s)")

    # HttpProxy: one file per protocol per hour, sized by protocol share x diurnal weight x jitter.
    hp_budget = medium_budget * MEDIUM_SHARES["httpproxy"]
    for proto, pshare in PROTOCOLS:
        key = ("httpproxy", proto)
        weights = [hour_weight(h.hour, h.weekday() >= 5) * rnd.uniform(0.7, 1.3) for h in hours]
        total_w = sum(wgt for h, wgt in zip(hours, weights) if large_at.get(key) != h)
        block = blocks[proto]
        for h, wgt in zip(hours, weights):
            big = large_at.get(key) == h
            fsize = large_size[key] if big else int(hp_budget * pshare * wgt / total_w)
            hdr = httpproxy_header(proto, h, rnd)
            rel = f"{LOGGING}/HttpProxy/{proto}/HttpProxy_{h:%Y%m%d%H}-1.LOG"
            w.log(rel, "large" if big else "httpproxy", hdr, block, f"{h:%Y-%m-%dT%H}", fsize, rnd,
                  calendar.timegm((h + dt.timedelta(minutes=59, seconds=59)).timetuple()))
    say(f"  HttpProxy done ({time.monotonic() - t0:.1f}s)")

    # Daily families.
    def daily(fam: str, rel_fn, header_fn, repeat_header=False):
        budget = medium_budget * MEDIUM_SHARES[fam]
        weights = [(0.45 if d.weekday() >= 5 else 1.0) * rnd.uniform(0.8, 1.2) for d in dates]
        total_w = sum(wgt for d, wgt in zip(dates, weights) if large_at.get((fam, None)) != d)
        for d, wgt in zip(dates, weights):
            big = large_at.get((fam, None)) == d
            fsize = large_size[(fam, None)] if big else int(budget * wgt / total_w)
            w.log(rel_fn(d), "large" if big else fam, header_fn(d), blocks[fam], f"{d:%Y-%m-%d}", fsize,
                  rnd, calendar.timegm((d + dt.timedelta(hours=23, minutes=59)).timetuple()),
                  repeat_header=repeat_header)

    daily("iis1", lambda d: f"{IIS_LOGS}/W3SVC1/u_ex{d:%y%m%d}.log", iis_header_bytes, repeat_header=True)
    daily("iis2", lambda d: f"{IIS_LOGS}/W3SVC2/u_ex{d:%y%m%d}.log", iis_header_bytes, repeat_header=True)
    daily("ecp", lambda d: f"{LOGGING}/ECP/Server/ECPServer{d:%Y%m%d}-1.LOG", ecp_header)
    daily("oab", lambda d: f"{LOGGING}/OABGeneratorLog/OABGenerator{d:%Y%m%d}-1.LOG", oab_header)
    say(f"  IIS/ECP/OAB done ({time.monotonic() - t0:.1f}s)")

    # Junk the collector must not select.
    drivers = ["acpi", "afd", "ahcache", "bowser", "cdrom", "cng", "disk", "dxgkrnl", "e1i63x64",
               "fltMgr", "http", "ks", "ksecdd", "mountmgr", "mrxsmb", "msrpc", "ndis", "netbt",
               "Ntfs", "partmgr", "pci", "srv2", "storport", "tcpip", "tdx", "volmgr", "volsnap",
               "vmbus", "Wdf01000", "WdFilter", "WFPLWFS", "wof", "FLTMGR", "mup", "nsiproxy",
               "rdbss", "spaceport", "storvsc", "usbhub", "CLFS"]
    others = [f"Vendor.Agent.Module{i:02d}" for i in range(30)]
    exbin = ["Microsoft.Exchange.Data.Storage", "Microsoft.Exchange.Data.Directory",
             "Microsoft.Exchange.Diagnostics", "Microsoft.Exchange.Net", "Microsoft.Exchange.Common",
             "Microsoft.Exchange.Transport", "Microsoft.Exchange.Management", "Microsoft.Exchange.Search.Core"]
    febin = ["Microsoft.Exchange.FrontEndHttpProxy", "Microsoft.Exchange.HttpProxy.Common",
             "Microsoft.Exchange.HttpProxy.Routing"]
    groups = [
        ("Windows/System32/drivers/{}.sys", drivers, 0.45),
        ("Program Files/Other/{}.dll", others, 0.35),
        (EXCH + "/Bin/{}.dll", exbin, 0.15),
        (EXCH + "/FrontEnd/HttpProxy/bin/{}.dll", febin, 0.05),
    ]
    for pattern, names, share in groups:
        ws = [rnd.uniform(0.2, 1.8) for _ in names]
        for name, wgt in zip(names, ws):
            w.junk(pattern.format(name), int(junk_budget * share * wgt / sum(ws)), pool, rnd, base_mtime)
    say(f"  junk done ({time.monotonic() - t0:.1f}s)")

    kinds: dict[str, dict[str, int]] = {}
    for _, s, k in w.files:
        e = kinds.setdefault(k, {"files": 0, "bytes": 0})
        e["files"] += 1
        e["bytes"] += s
    selected = sorted(rel for rel, _, k in w.files if k != "junk")
    marker = {
        "generator": "extriage Benchmarks/generate_tree.py",
        "generator_version": GENERATOR_VERSION,
        "requested_size": size,
        "seed": seed,
        "days": days,
        "total_files": len(w.files),
        "total_bytes": sum(s for _, s, _ in w.files),
        "by_kind": kinds,
        "largest": sorted(({"path": r, "bytes": s} for r, s, _ in w.files), key=lambda e: -e["bytes"])[:6],
        "selected_files": len(selected),
        "selected_bytes": sum(s for _, s, k in w.files if k != "junk"),
        "selected": selected,
    }
    with open(os.path.join(tmp, MARKER), "w") as f:
        json.dump(marker, f, indent=1)
    os.rename(tmp, out)
    seconds = time.monotonic() - t0
    say(f"  done: {marker['total_files']} files, {fmt_bytes(marker['total_bytes'])} in {seconds:.1f}s")
    return dict(marker, seconds=round(seconds, 2))


def read_marker(tree: str) -> dict | None:
    try:
        with open(os.path.join(tree, MARKER)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="directory to create (must not exist, see --force)")
    ap.add_argument("--size", default="2G", help="total size, e.g. 200M, 2G (binary units; default 2G)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--days", type=int, default=7, help="days of logs (hourly HttpProxy, daily IIS; default 7)")
    ap.add_argument("--force", action="store_true",
                    help="replace --out if it is a tree made by this script (has its marker file)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on kill
    try:
        size = parse_size(args.size)
    except ValueError as e:
        ap.error(str(e))
    out = os.path.abspath(args.out)
    if os.path.exists(out):
        if not args.force:
            print(f"error: {out} exists (use --force to replace a generated tree)", file=sys.stderr)
            return 2
        if read_marker(out) is None:
            print(f"error: {out} exists and has no {MARKER}; refusing to delete it", file=sys.stderr)
            return 2
        shutil.rmtree(out)
    m = generate(out, size, seed=args.seed, days=args.days, quiet=args.quiet)
    for k, v in sorted(m["by_kind"].items()):
        print(f"{k:10s} {v['files']:6d} files {fmt_bytes(v['bytes']):>12s}")
    print(f"{'total':10s} {m['total_files']:6d} files {fmt_bytes(m['total_bytes']):>12s}  "
          f"({m['selected_files']} selectable, {fmt_bytes(m['selected_bytes'])}) in {m['seconds']}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
