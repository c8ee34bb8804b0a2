#!/usr/bin/env python3
"""Benchmark EVTX records per second: `extriage analyze` versus the Rust `evtx` parser and `evtxexport`, same log, same run.

A large synthetic Security.evtx is written (not timed, by the EVTX writer in
Samples/tools/evidence_formats.py) the way Windows writes one: 64 KiB chunks with
CRCs, records whose binary XML is a template instance, one template definition per event shape per
chunk shared by the later records of that chunk. The events are a Security-log mix (4624, 4634, 4672,
4688, 4769, 5140, 5145, 4648; about half have event IDs the rules read, so they are fully decoded).
A few are attack events so the analysis has something to find. The file is placed in an evidence
tree at Windows/System32/winevt/Logs/Security.evtx and collected once (not timed):

    extriage collect --source TREE --output OUT/bundle.tar --case BENCH --examiner bench --quiet --force

Contenders, each run --repeat times (default 3, median reported), from a hot page cache:

  a. extriage analyze OUT/bundle.tar --format json --output OUT/report.json
     (verifies the whole bundle, streams the member through the native EVTX reader, runs every check)
  b. the Rust parser from PyPI (`evtx`, omerbenamram/pyevtx-rs) in a virtualenv this script creates
     (OUT/venv, or --venv): for every record of PyEvtxParser(path).records_json()
  c. evtxexport TREE/.../Security.evtx > /dev/null    (libevtx-utils: reads and prints every record)

Records per second = the file's record count / median wall time; peak RSS from GNU time. Targets
(issue #12): analyze at least as many records/s as the Rust parser, with every rule running, and a
peak RSS under 200 MB whatever the file size; printed as PASS/FAIL. The JSON report is checked to
hold the planted findings and the EVTX coverage row to count every record.

Exits 1 only with --strict when a target fails; 2 on a usage problem; 3 when a contender fails.
Python 3 standard library (plus the venv's `evtx`); needs evtxexport (libevtx-utils), python3-venv
and, for peak RSS, GNU time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
from bench_collect import HarnessError, find_gnu_time, host_info, run_timed, say, tail  # noqa: E402
sys.path.insert(0, os.path.join(REPO, "Samples", "tools"))
import evidence_formats  # noqa: E402  (the EVTX writer shared with the samples)

DEFAULT_EXTRIAGE = os.path.join(REPO, ".build", "release", "extriage")
RUST_SCRIPT = (
    "import sys\n"
    "from evtx import PyEvtxParser\n"
    "count = 0\n"
    "for _ in PyEvtxParser(sys.argv[1]).records_json():\n"
    "    count += 1\n"
    "print(count)\n"
)


def rust_parser(venv: str) -> str:
    """A virtualenv holding the `evtx` package (the Rust parser); returns its python."""
    import subprocess
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        say(f"creating a virtualenv at {venv} with the Rust evtx parser (pip install evtx) ...")
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    probe = subprocess.run([python, "-c", "import evtx"], capture_output=True)
    if probe.returncode != 0:
        result = subprocess.run([python, "-m", "pip", "install", "--quiet", "evtx"], capture_output=True, text=True)
        if result.returncode != 0:
            raise HarnessError("pip install evtx failed:\n" + result.stderr[-2000:], 2)
    return python


def write_evtx(path: str, events) -> int:
    """The shared EVTX writer (Samples/tools/evidence_formats.py); a file too big for one log is a usage error."""
    try:
        return evidence_formats.write_evtx(path, events)
    except ValueError as error:
        raise HarnessError(str(error), 2) from error


def security_events(count: int, seed: int = 7):
    """A Security-log mix with a few planted attack events; deterministic."""
    import random
    rng = random.Random(seed)
    sec, chan, host = "Microsoft-Windows-Security-Auditing", "Security", "EXCH01.corp.local"
    start = 1614729600.0
    users = [f"user{n:04d}" for n in range(500)]
    processes = ["C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\System32\\conhost.exe", "C:\\Windows\\System32\\taskhostw.exe",
                 "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Bin\\MSExchangeHMWorker.exe",
                 "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe"]
    planted = {count // 3: "chain", 2 * count // 3: "pth"}
    for i in range(count):
        t = start + i * 0.05
        base = {"provider": sec, "channel": chan, "computer": host, "time": t}
        if planted.get(i) == "chain":
            yield dict(base, id=4688, data=[("SubjectUserName", "EXCH01$"), ("NewProcessName", "C:\\Windows\\System32\\rundll32.exe"),
                                            ("CommandLine", "rundll32.exe C:\\windows\\system32\\comsvcs.dll, MiniDump 624 C:\\windows\\temp\\d.tmp full"),
                                            ("ParentProcessName", "C:\\Windows\\System32\\cmd.exe")])
            continue
        if planted.get(i) == "pth":
            yield dict(base, id=4624, data=[("TargetUserName", "Administrator"), ("TargetDomainName", "CORP"), ("TargetLogonId", "0x5a3f21"),
                                            ("LogonType", "9"), ("LogonProcessName", "seclogo"), ("AuthenticationPackageName", "Negotiate"),
                                            ("KeyLength", "0"), ("IpAddress", "::1"), ("ProcessName", "C:\\Windows\\System32\\svchost.exe")])
            continue
        roll = rng.random()
        user = rng.choice(users)
        if roll < 0.30:
            yield dict(base, id=4624, data=[("SubjectUserSid", "S-1-0-0"), ("TargetUserName", user), ("TargetDomainName", "CORP"),
                                            ("TargetLogonId", hex(rng.randrange(1 << 32))), ("LogonType", "3"), ("LogonProcessName", "Kerberos"),
                                            ("AuthenticationPackageName", "Kerberos"), ("WorkstationName", "-"), ("KeyLength", "0"),
                                            ("ProcessName", "-"), ("IpAddress", f"10.0.{rng.randrange(256)}.{rng.randrange(256)}"), ("IpPort", "0")])
        elif roll < 0.60:
            yield dict(base, id=4634, data=[("TargetUserSid", "S-1-5-21-1"), ("TargetUserName", user), ("TargetDomainName", "CORP"),
                                            ("TargetLogonId", hex(rng.randrange(1 << 32))), ("LogonType", "3")])
        elif roll < 0.72:
            yield dict(base, id=4672, data=[("SubjectUserSid", "S-1-5-18"), ("SubjectUserName", "SYSTEM"), ("SubjectDomainName", "NT AUTHORITY"),
                                            ("SubjectLogonId", "0x3e7"), ("PrivilegeList", "SeAssignPrimaryTokenPrivilege\n\t\t\tSeTcbPrivilege")])
        elif roll < 0.87:
            image = rng.choice(processes)
            yield dict(base, id=4688, data=[("SubjectUserName", "EXCH01$"), ("SubjectLogonId", "0x3e7"), ("NewProcessName", image),
                                            ("CommandLine", image + f" -k netsvcs -p -s Schedule{i % 97}"),
                                            ("ParentProcessName", "C:\\Windows\\System32\\services.exe")])
        elif roll < 0.95:
            yield dict(base, id=4769, data=[("TargetUserName", user + "@CORP.LOCAL"), ("ServiceName", "EXCH01$"), ("TicketOptions", "0x40810000"),
                                            ("TicketEncryptionType", "0x12"), ("IpAddress", "::ffff:10.0.0.5"), ("Status", "0x0")])
        elif roll < 0.98:
            yield dict(base, id=5145, data=[("SubjectUserName", "EXCH02$"), ("IpAddress", "10.0.0.11"), ("ShareName", "\\\\*\\IPC$"),
                                            ("RelativeTargetName", "srvsvc"), ("AccessMask", "0x12019f")])
        else:
            yield dict(base, id=4648, data=[("SubjectUserName", "EXCH01$"), ("TargetUserName", "HealthMailbox" + user[-4:]),
                                            ("TargetServerName", "localhost"), ("ProcessName", "C:\\Windows\\System32\\lsass.exe")])


# ----------------------------------------------------------------------------- harness


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="records in the synthetic log (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--extriage", default=DEFAULT_EXTRIAGE)
    parser.add_argument("--out", default=None, help="work folder (default: a temporary one, removed after)")
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--venv", default=None, help="virtualenv for the Rust parser (default OUT/venv; kept with --out)")
    args = parser.parse_args(argv)
    if not os.access(args.extriage, os.X_OK):
        say(f"bench_evtx: no extriage binary at {args.extriage} (make release)")
        return 2
    evtxexport = shutil.which("evtxexport")
    if not evtxexport:
        say("bench_evtx: evtxexport is not installed (libevtx-utils; scripts/install-deps.sh)")
        return 2
    out = args.out or tempfile.mkdtemp(prefix="extriage-bench-evtx-")
    try:
        tree = os.path.join(out, "tree")
        logs = os.path.join(tree, "Windows", "System32", "winevt", "Logs")
        os.makedirs(logs, exist_ok=True)
        log_path = os.path.join(logs, "Security.evtx")
        say(f"writing {args.records:,} records to {log_path} ...")
        records = write_evtx(log_path, security_events(args.records))
        size = os.path.getsize(log_path)
        say(f"  {size / 2**20:.0f} MiB")
        rust_python = rust_parser(args.venv or os.path.join(out, "venv"))
        rust_script = os.path.join(out, "rust_evtx.py")
        with open(rust_script, "w") as f:
            f.write(RUST_SCRIPT)
        bundle = os.path.join(out, "bundle.tar")
        bench_log = os.path.join(out, "bench.log")
        gnu_time = find_gnu_time()
        collect = run_timed([([args.extriage, "collect", "--source", tree, "--output", bundle, "--case", "BENCH", "--examiner", "bench",
                               "--quiet", "--force"], None, None)], bench_log, gnu_time)
        if collect["rc"] != 0:
            raise HarnessError("collect failed:\n" + tail(bench_log))
        report = os.path.join(out, "report.json")
        analyze_runs, export_runs, rust_runs = [], [], []
        rust_out = os.path.join(out, "rust.out")
        for _ in range(args.repeat):
            with open(log_path, "rb") as f:  # hot cache for both
                while f.read(8 << 20):
                    pass
            result = run_timed([([args.extriage, "analyze", bundle, "--format", "json", "--output", report, "--force"], None, None)], bench_log, gnu_time)
            if result["rc"] != 0:
                raise HarnessError("extriage analyze failed:\n" + tail(bench_log))
            analyze_runs.append(result)
            result = run_timed([([evtxexport, log_path], None, os.devnull)], bench_log, gnu_time)
            if result["rc"] != 0:
                raise HarnessError("evtxexport failed:\n" + tail(bench_log))
            export_runs.append(result)
            result = run_timed([([rust_python, rust_script, log_path], None, rust_out)], bench_log, gnu_time)
            if result["rc"] != 0:
                raise HarnessError("the Rust evtx parser failed:\n" + tail(bench_log))
            rust_runs.append(result)
        with open(rust_out) as f:
            rust_records = int(f.read().strip() or 0)
        with open(report) as f:
            analysis = json.load(f)
        evtx_row = next((row for row in analysis["coverage"] if row["checkId"] == "EVTX"), {})
        found = {finding["checkId"] for finding in analysis["findings"]}
        checks_ok = evtx_row.get("records") == records and {"EVT-LSASS-COMSVCS-MINIDUMP", "EVT-LM-LOGON"} <= found
        analyze_s = statistics.median(r["wall_s"] for r in analyze_runs)
        export_s = statistics.median(r["wall_s"] for r in export_runs)
        rust_s = statistics.median(r["wall_s"] for r in rust_runs)
        ratio = rust_s / analyze_s if analyze_s else 0.0
        analyze_rss = max(r["maxrss_kib"] for r in analyze_runs) / 1024
        info = host_info()
        print(f"host: {info.get('cpus')} CPUs, {info.get('memory')}, {info.get('system')}")
        print(f"log: {records:,} records, {size / 2**20:.0f} MiB (Security-log mix, shared templates per chunk)")
        print(f"extriage analyze : {analyze_s:8.2f} s  {records / analyze_s:12,.0f} records/s  "
              f"peak RSS {analyze_rss:.0f} MB  (median of {args.repeat}; verify + every check)")
        print(f"Rust evtx (PyPI) : {rust_s:8.2f} s  {records / rust_s:12,.0f} records/s  "
              f"peak RSS {max(r['maxrss_kib'] for r in rust_runs) / 1024:.0f} MB  (median of {args.repeat}; "
              f"records_json, {rust_records:,} records)")
        print(f"evtxexport       : {export_s:8.2f} s  {records / export_s:12,.0f} records/s  "
              f"peak RSS {max(r['maxrss_kib'] for r in export_runs) / 1024:.0f} MB  (median of {args.repeat})")
        speed_ok = ratio >= 1.0
        rss_ok = analyze_rss < 200
        print(f"Rust time / analyze time = {ratio:.2f} (target >= 1.0): {'PASS' if speed_ok else 'FAIL'}")
        print(f"analyze peak RSS {analyze_rss:.0f} MB (target < 200 MB): {'PASS' if rss_ok else 'FAIL'}")
        print(f"analysis check: EVTX coverage counts {evtx_row.get('records')} records, planted findings "
              f"{'found' if checks_ok else 'MISSING'}")
        if not checks_ok:
            return 3
        return 1 if args.strict and not (speed_ok and rss_ok) else 0
    except HarnessError as error:
        say(f"bench_evtx: {error}")
        return error.code if hasattr(error, "code") else 3
    finally:
        if not args.out:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
