"""The Exchange and Windows evidence formats the Python generators write, defined once.

Used by Samples/tools/make_samples.py (the sample trees), Benchmarks/generate_tree.py (the
synthetic benchmark tree) and Benchmarks/bench_evtx.py (the large Security.evtx). Benchmark
scripts import it with `sys.path.insert(0, <repo>/Samples/tools)`. Python 3 standard library only.

What is here, one definition per format:

- Field lists: HttpProxy, Rps cmdlet, ECP Server and ECP Activity, OABGenerator, IIS W3C, HTTPERR.
- Header lines of Exchange logs (`exchange_header`), IIS W3C logs (`iis_header`) and HTTPERR
  (`httperr_header`).
- Row writers: `named_row` (a dict of field name -> value, in the log's column order; unknown
  names are an error), `csv_row` (Exchange CSV quoting), `w3c_row` (IIS/HTTPERR: space separated).
- `log_bytes`: lines -> file bytes (CRLF after every line, UTF-8, optional BOM). Exchange logs
  (HttpProxy, ECP, OABGenerator, Rps) start with a BOM; IIS and HTTPERR logs do not.
- `write_evtx`: an EVTX writer (file header, 64 KiB chunks with CRCs, template-instance binary XML).

Format facts and the deliberate quirks of the samples are described in Samples/README.md
("Format details and deliberate traps").
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import zlib

CRLF = "\r\n"
BOM = "\ufeff"

# --------------------------------------------------------------------------------------
# Field lists
# --------------------------------------------------------------------------------------

# Exchange 2016/2019 HttpProxy logs (Logging/HttpProxy/<Protocol>/HttpProxy_YYYYMMDDHH-1.LOG).
HTTPPROXY_FIELDS = (
    "DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,"
    "Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,"
    "Organization,AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,"
    "ErrorCode,Method,ProxyAction,TargetServer,TargetServerVersion,RoutingType,RoutingHint,"
    "BackEndCookie,ServerLocatorHost,ServerLocatorLatency,RequestBytes,ResponseBytes,"
    "TargetOutstandingRequests,AuthModulePerfContext,HttpPipelineLatency,CalculateTargetBackEndLatency,"
    "GlsLatencyBreakup,TotalGlsLatency,AccountForestLatencyBreakup,TotalAccountForestLatency,"
    "ResourceForestLatencyBreakup,TotalResourceForestLatency,ADLatency,SharedCacheLatencyBreakup,"
    "TotalSharedCacheLatency,ActivityContextLifeTime,ModuleToHandlerSwitchingLatency,"
    "ClientReqStreamLatency,BackendReqInitLatency,BackendReqStreamLatency,BackendProcessingLatency,"
    "BackendRespInitLatency,BackendRespStreamLatency,ClientRespStreamLatency,KerberosAuthHeaderLatency,"
    "HandlerCompletionLatency,RequestHandlerLatency,HandlerToModuleSwitchingLatency,ProxyTime,"
    "CoreLatency,RoutingLatency,HttpProxyOverhead,TotalRequestTime,RouteRefresherLatency,UrlQuery,"
    "BackEndGenericInfo,GenericInfo,GenericErrors,EdgeTraceId,DatabaseGuid,UserADObjectGuid,"
    "PartitionEndpointLookupLatency,RoutingStatus"
).split(",")

# Remote PowerShell cmdlet logs (Logging/CmdletInfra/Powershell-Proxy/Cmdlet/Rps_Cmdlet_*.LOG).
RPS_CMDLET_FIELDS = (
    "DateTime,StartTime,RequestId,ClientRequestId,MajorVersion,MinorVersion,BuildVersion,"
    "RevisionVersion,ServerHostName,ProcessId,ProcessName,ThreadId,CultureInfo,Organization,"
    "AuthenticatedUser,ExecutingUserSid,EffectiveOrganization,UserServicePlan,IsAdmin,"
    "ClientApplication,Cmdlet,Parameters,CmdletUniqueId,UserBudgetOnStart,ContributeToFailFast,"
    "RunspaceSettingsCreationHint,ADViewEntireForest,ADRecipientViewRoot,"
    "ADConfigurationDomainControllers,ADPreferredGlobalCatalogs,ADPreferredDomainControllers,"
    "ADUserConfigurationDomainController,ADUserPreferredGlobalCatalog,"
    "ADuserPreferredDomainControllers,ThrottlingInfo,DelayInfo,ThrottlingDelay,"
    "IsOutputObjectRedacted,CmdletProxyStage,CmdletProxyRemoteServer,"
    "CmdletProxyRemoteServerVersion,CmdletProxyMethod,ProxiedObjectCount,CmdletProxyLatency,"
    "OutputObjectCount,ParameterBinding,BeginProcessing,ProcessRecord,EndProcessing,"
    "StopProcessing,BizLogic,PowerShellLatency,UserInteractionLatency,ProvisioningLayerLatency,"
    "ActivityContextLifeTime,TotalTime,ErrorType,ExecutionResult,CacheHitCount,CacheMissCount,"
    "GenericLatency,GenericInfo,GenericErrors,ObjectGuid,ExternalDirectoryOrganizationId,"
    "ExternalDirectoryObjectId,NonPiiParameters"
).split(",")

# Remote PowerShell HTTP logs (Logging/CmdletInfra/Powershell-Proxy/Http/Rps_Http_*.LOG): the
# columns EXCHANGE-ARTIFACTS.md §2.5 and CrowdStrike's Rps_Http-IOC.ps1 read (DateTime, UrlStem,
# AuthenticatedUser, ClientIpAddress as a hop chain, FrontEndServer, HttpStatus, CommandName,
# ClientInfo = the client's user agent) in a synthetic order around them.
RPS_HTTP_FIELDS = (
    "DateTime,StartTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,"
    "ClientRequestId,UrlHost,UrlStem,AuthenticationType,IsAuthenticated,AuthenticatedUser,"
    "Organization,ManagedOrganization,ClientIpAddress,ServerHostName,FrontEndServer,HttpStatus,"
    "SubStatus,ErrorCode,Action,CommandId,CommandName,SessionId,ShellId,FailFast,"
    "ContributeToFailFast,RequestBytes,ClientInfo,CPU,Memory,ActivityContextLifeTime,TotalTime,"
    "UrlQuery,GenericLatency,GenericInfo,GenericErrors"
).split(",")

# AMSI request filtering (Logging/HttpRequestFiltering/HttpRequestFiltering_*.log): the public record
# (CSS-Exchange Test-AMSI.ps1) shows only that a line holds the request's UrlStem and the scan result
# "Detected"; this column layout around them is synthetic.
HTTP_REQUEST_FILTERING_FIELDS = "DateTime,RequestId,Protocol,UrlHost,UrlStem,ClientIpAddress,ScanResult,AmsiProvider".split(",")

# ECP Server and ECP Activity logs (Logging/ECP/{Server,Activity}/...): EventData holds
# `S:KEY=value;` pairs. Real ECP logs write the placeholder `#Version: 15.0.0.0`.
ECP_FIELDS = ["TimeStamp", "ServerName", "EventId", "EventData"]
ECP_LOG_VERSION = "15.0.0.0"

# The public record does not show the OABGenerator log's column list; this layout is
# synthetic. EXCHANGE-ARTIFACTS.md §2.4: treat the file as text, do not rely on columns.
OAB_FIELDS = "DateTime,ServerName,ProcessId,ThreadId,Level,Component,OABName,Message".split(",")

# IIS W3C logs with the default fields (inetpub/logs/LogFiles/W3SVC<n>/u_exYYMMDD.log).
IIS_FIELDS = ("date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
              "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken").split(" ")
IIS_SOFTWARE = "Microsoft Internet Information Services 10.0"

# HTTP.sys error log (Windows/System32/LogFiles/HTTPERR/httperr<n>.log).
HTTPERR_FIELDS = ("date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid "
                  "sc-status s-siteid s-reason s-queuename").split(" ")

# --------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------


def iso_ms(t: dt.datetime) -> str:
    """Exchange log time: 2021-03-03T06:49:42.162Z."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def w3c_date(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d")


def w3c_time(t: dt.datetime) -> str:
    return t.strftime("%H:%M:%S")


def exchange_version(build: tuple[int, int, int, int]) -> str:
    """The build as Exchange logs write it in `#Version:`: 15.01.2176.002."""
    a, b, c, d = build
    return f"{a:02d}.{b:02d}.{c:04d}.{d:03d}"


def exchange_user_agent(ua: str) -> str:
    """Exchange's CSV logs replace commas in the user agent by spaces ("KHTML  like Gecko")."""
    return ua.replace(",", " ")


def iis_user_agent(ua: str) -> str:
    """IIS writes spaces in cs(User-Agent) as '+', and '-' for none."""
    return ua.replace(" ", "+") if ua else "-"


# --------------------------------------------------------------------------------------
# Rows and headers
# --------------------------------------------------------------------------------------


def named_row(fields: list[str], values: dict) -> list:
    """The values of one row in the log's column order; fields not given are empty."""
    unknown = values.keys() - set(fields)
    if unknown:
        raise KeyError(f"not a field of this log: {sorted(unknown)}")
    return [values.get(f, "") for f in fields]


_NEEDS_QUOTES = re.compile(r'[,"]').search


def csv_row(values) -> str:
    """One Exchange CSV row, without line end: a value is quoted (quotes doubled) only when it
    holds a comma or a quote; None is empty. A line break in a value is an error: Exchange logs
    have one row per line."""
    out = []
    for v in values:
        s = "" if v is None else str(v)
        if "\n" in s or "\r" in s:
            raise ValueError(f"line break in a log value: {s!r}")
        out.append(('"' + s.replace('"', '""') + '"') if _NEEDS_QUOTES(s) else s)
    return ",".join(out)


def w3c_row(values) -> str:
    """One IIS or HTTPERR row: values separated by single spaces."""
    return " ".join(str(v) for v in values)


def exchange_header(version: str, log_type: str, date: str, fields: list[str]) -> list[str]:
    """Header lines of an Exchange log; `date` as iso_ms writes it."""
    return ["#Software: Microsoft Exchange Server", f"#Version: {version}",
            f"#Log-type: {log_type}", f"#Date: {date}", "#Fields: " + ",".join(fields)]


def iis_header(t: dt.datetime) -> list[str]:
    """Header lines of an IIS W3C log; IIS writes them again after a restart."""
    return [f"#Software: {IIS_SOFTWARE}", "#Version: 1.0",
            f"#Date: {w3c_date(t)} {w3c_time(t)}", "#Fields: " + " ".join(IIS_FIELDS)]


def httperr_header(t: dt.datetime) -> list[str]:
    return ["#Software: Microsoft HTTP API 2.0", "#Version: 1.0",
            f"#Date: {w3c_date(t)} {w3c_time(t)}", "#Fields: " + " ".join(HTTPERR_FIELDS)]


def log_bytes(lines: list[str], bom: bool = False) -> bytes:
    """A Windows text log: CRLF after every line, UTF-8, with a BOM for Exchange logs."""
    text = "".join(line + CRLF for line in lines)
    return ((BOM if bom else "") + text).encode("utf-8")


# --------------------------------------------------------------------------------------
# EVTX
# --------------------------------------------------------------------------------------
#
# Tests/TestSupport/EvtxWriter.swift is this writer's twin for the Swift tests (which build
# their own inputs, and write the sample trees' *.evtx). Both write the same structure, from the
# libyal notes "Windows XML Event Log (EVTX) format": a 4 KiB file header ("ElfFile", version
# 3.1, chunk count, next record id, CRC32 of the first 120 bytes), 64 KiB chunks ("ElfChnk",
# first/last record numbers and ids, header size 128, last/free offsets, CRC32 of the records
# and of the header), records ("**", size, id, FILETIME, binary XML, size again) whose binary XML
# is a template instance (0x0C) with typed substitution values, the template definition inline
# in the first record of a shape in each chunk and referenced by offset from the later ones.
# The Swift writer can also write unnamed <Data>, <UserData>, the dirty flag and one
# definition per record; this one writes what the benchmark needs (named Data, shared
# definitions, a clean header).

EVTX_CHUNK = 65536
EVTX_CHUNK_HEADER = 512

EVTX_STRING, EVTX_UINT8, EVTX_UINT16, EVTX_UINT64, EVTX_FILETIME = 0x01, 0x04, 0x06, 0x0A, 0x11


def _u16(v: int) -> bytes:
    return struct.pack("<H", v)


def _u32(v: int) -> bytes:
    return struct.pack("<I", v)


def _u64(v: int) -> bytes:
    return struct.pack("<Q", v)


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


class Element:
    def __init__(self, name, attributes=(), children=()):
        self.name, self.attributes, self.children = name, list(attributes), list(children)


def _encode_name(out: bytearray, name: str, base: int) -> None:
    out += _u32(base + len(out) + 4)  # the name follows inline
    out += _u32(0)
    h = 0
    for unit in struct.unpack(f"<{len(name)}H", _utf16(name)):
        h = (h * 65599 + unit) & 0xFFFFFFFF
    out += _u16(h & 0xFFFF) + _u16(len(name)) + _utf16(name) + b"\0\0"


def _encode(node, out: bytearray, base: int) -> None:
    """Binary XML for a node: ('sub', index, type), ('text', str) or an Element."""
    if isinstance(node, tuple) and node[0] == "sub":
        out += b"\x0d" + _u16(node[1]) + bytes([node[2]])
        return
    if isinstance(node, tuple) and node[0] == "text":
        out += b"\x05\x01" + _u16(len(node[1])) + _utf16(node[1])
        return
    out += bytes([0x41 if node.attributes else 0x01]) + b"\xff\xff"
    size_at = len(out)
    out += _u32(0)
    _encode_name(out, node.name, base)
    if node.attributes:
        list_at = len(out)
        out += _u32(0)
        start = len(out)
        for i, (name, value) in enumerate(node.attributes):
            out += bytes([0x06 if i == len(node.attributes) - 1 else 0x46])
            _encode_name(out, name, base)
            _encode(value, out, base)
        out[list_at:list_at + 4] = _u32(len(out) - start)
    if node.children:
        out += b"\x02"
        for child in node.children:
            _encode(child, out, base)
        out += b"\x04"
    else:
        out += b"\x03"
    out[size_at:size_at + 4] = _u32(len(out) - size_at - 4)


def _template(field_names: list[str]) -> Element:
    """The Event element of a shape: System values then named Data, all substitutions (0..6 System)."""
    system = Element("System", children=[
        Element("Provider", [("Name", ("sub", 0, EVTX_STRING))]),
        Element("EventID", children=[("sub", 1, EVTX_UINT16)]),
        Element("Level", children=[("sub", 2, EVTX_UINT8)]),
        Element("TimeCreated", [("SystemTime", ("sub", 3, EVTX_FILETIME))]),
        Element("EventRecordID", children=[("sub", 4, EVTX_UINT64)]),
        Element("Channel", children=[("sub", 5, EVTX_STRING)]),
        Element("Computer", children=[("sub", 6, EVTX_STRING)]),
    ])
    data = [Element("Data", [("Name", ("text", name))], [("sub", 7 + i, EVTX_STRING)])
            for i, name in enumerate(field_names)]
    return Element("Event", [("xmlns", ("text", "http://schemas.microsoft.com/win/2004/08/events/event"))],
                   [system, Element("EventData", children=data)])


def filetime(seconds: float) -> int:
    """Unix seconds -> Windows FILETIME (100 ns since 1601-01-01)."""
    return int((seconds + 11644473600) * 10_000_000)


class _ChunkWriter:
    def __init__(self):
        self.records = bytearray()
        self.templates: dict[tuple, int] = {}
        self.ids: list[int] = []
        self.last_offset = EVTX_CHUNK_HEADER

    def free(self) -> int:
        return EVTX_CHUNK - EVTX_CHUNK_HEADER - len(self.records)

    def record(self, record_id: int, event: dict) -> bytes:
        offset = EVTX_CHUNK_HEADER + len(self.records)
        names = [name for name, _ in event["data"]]
        key = (event["id"], tuple(names))
        xml = bytearray(b"\x0f\x01\x01\x00\x0c\x01")
        template_id = zlib.crc32(repr(key).encode())
        xml += _u32(template_id)
        base = offset + 24  # binary XML starts after the record header
        definition = self.templates.get(key)
        inline = definition is None
        if inline:
            definition = base + len(xml) + 4
        xml += _u32(definition)
        if inline:
            # The fragment starts after next-offset, GUID and size (24 bytes); the element after its 4-byte header.
            fragment = bytearray(b"\x0f\x01\x01\x00")
            body = bytearray()
            _encode(_template(names), body, definition + 24 + 4)
            fragment += body + b"\x00"
            xml += _u32(0) + _u32(template_id) + b"\0" * 12 + _u32(len(fragment)) + fragment
            self.templates[key] = definition
        values = [(EVTX_STRING, _utf16(event["provider"])), (EVTX_UINT16, _u16(event["id"])),
                  (EVTX_UINT8, bytes([event.get("level", 0)])), (EVTX_FILETIME, _u64(filetime(event["time"]))),
                  (EVTX_UINT64, _u64(record_id)), (EVTX_STRING, _utf16(event["channel"])),
                  (EVTX_STRING, _utf16(event["computer"]))] + [(EVTX_STRING, _utf16(value)) for _, value in event["data"]]
        xml += _u32(len(values))
        for kind, data in values:
            xml += _u16(len(data)) + bytes([kind, 0])
        for _, data in values:
            xml += data
        xml += b"\x00"
        while (24 + len(xml) + 4) % 8:
            xml += b"\x00"
        size = 24 + len(xml) + 4
        return b"**\0\0" + _u32(size) + _u64(record_id) + _u64(filetime(event["time"])) + bytes(xml) + _u32(size)

    def add(self, record: bytes, record_id: int) -> None:
        self.last_offset = EVTX_CHUNK_HEADER + len(self.records)
        self.records += record
        self.ids.append(record_id)

    def finish(self) -> bytes:
        header = bytearray(EVTX_CHUNK_HEADER)
        header[0:8] = b"ElfChnk\0"
        header[8:16] = _u64(self.ids[0])
        header[16:24] = _u64(self.ids[-1])
        header[24:32] = _u64(self.ids[0])
        header[32:40] = _u64(self.ids[-1])
        header[40:44] = _u32(128)
        header[44:48] = _u32(self.last_offset)
        header[48:52] = _u32(EVTX_CHUNK_HEADER + len(self.records))
        header[52:56] = _u32(zlib.crc32(bytes(self.records)))
        header[124:128] = _u32(zlib.crc32(bytes(header[0:120]) + bytes(header[128:512])))
        body = bytes(header) + bytes(self.records)
        return body + b"\0" * (EVTX_CHUNK - len(body))


def write_evtx(path: str, events, first_record: int = 1) -> int:
    """Writes the events to an EVTX file at `path`; returns the record count.

    `events` is an iterable of dicts: provider, channel, computer (str), id (event ID), time
    (Unix seconds), level (optional, default 0) and data (a list of (name, value) strings).
    Records with the same event ID and data names share one template definition per chunk.
    Raises ValueError past 65535 chunks (about 4 GiB), the most a file header can count.
    """
    chunks = 0
    record_id = first_record
    with open(path, "wb") as f:
        f.write(b"\0" * 4096)
        chunk = _ChunkWriter()
        for event in events:
            record = chunk.record(record_id, event)
            if len(record) >= chunk.free():  # libevtx drops a record that ends exactly at the chunk end
                f.write(chunk.finish())
                chunks += 1
                chunk = _ChunkWriter()
                record = chunk.record(record_id, event)
            chunk.add(record, record_id)
            record_id += 1
        if chunk.ids:
            f.write(chunk.finish())
            chunks += 1
        if chunks > 0xFFFF:
            raise ValueError("too many chunks for one EVTX file (at most 65535, about 4 GiB)")
        header = bytearray(4096)
        header[0:8] = b"ElfFile\0"
        header[8:16] = _u64(0)
        header[16:24] = _u64(chunks - 1)
        header[24:32] = _u64(record_id)
        header[32:36] = _u32(128)
        header[36:38] = _u16(1)
        header[38:40] = _u16(3)
        header[40:42] = _u16(4096)
        header[42:44] = _u16(chunks)
        header[124:128] = _u32(zlib.crc32(bytes(header[0:120])))
        f.seek(0)
        f.write(header)
    return record_id - first_record
