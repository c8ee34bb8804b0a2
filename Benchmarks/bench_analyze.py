#!/usr/bin/env python3
"""Benchmark `extriage analyze` against `grep -c 'ServerInfo~'` over the same log files, in the same run.

The bundle is made once (not timed) from a synthetic tree:

    extriage collect --source TREE --output OUT/bundle.tar --case BENCH --examiner bench --quiet --force

"The same log files" are the bundle's log members: the manifest.json entries whose sourcePath
(relative to the volume root) contains `/Logging/`, starts with `inetpub/logs/` or contains
`LogFiles/` (case-insensitive) and ends in `.log`, taken from the tree as TREE/sourcePath.

Contenders, each run --repeat times (default 3, median reported, interleaved), from a hot page cache:

  a. extriage analyze OUT/bundle.tar --format json --output OUT/report.json
     (verifies the bundle: the bundle's SHA-256 and every member's SHA-256, while one streaming
     pass of all log checks runs in the same read)
  b. extriage verify --sha256-only OUT/bundle.tar
     (exactly the verification analyze does, and nothing else: analyze minus this is the checks)
  c. openssl dgst -sha256 OUT/bundle.tar    (one SHA-256 pass over the bundle: the hashing floor)
  d. LC_ALL=C xargs -0 -a LOGS grep -c 'ServerInfo~'    (cwd TREE; a lower bound on any log scan)

plus, once and for information, `extriage verify OUT/bundle.tar` (all three digests).

Targets (issue #18): analyze >= 1000 MB/s over the bundle's bytes, analyze / openssl <= 2.5; and
the earlier analyze / grep <= 3.0 and analyze's peak RSS < 200 MB, each PASS/FAIL.
`(analyze - verify --sha256-only) / grep` (the log checks alone) is printed for information. With
--breakdown, the log families (HttpProxy, IIS, ECP, OAB) are also measured one by one, each on a
bundle collected from a hard-linked subset of the tree.

Exits 1 only with --strict when a target fails; 2 on a usage problem (such as a missing extriage
binary); 3 when a contender or the harness fails.

Python 3 standard library only; needs GNU grep, GNU xargs, openssl (else its contender is
skipped) and (for peak RSS) GNU time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import shutil
import signal
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in Benchmarks/
import generate_tree  # noqa: E402  (sibling module)
import bench_collect  # noqa: E402  (sibling module)
from bench_collect import (  # noqa: E402  (sibling module: the harness helpers are shared)
    MB, HarnessError, find_gnu_time, first_line, host_info, manifest_source_paths, read_manifest,
    remove_outputs, run_timed, say, tail, warm, write_list)

DEFAULT_EXTRIAGE = os.path.join(REPO, ".build", "release", "extriage")
PATTERN = "ServerInfo~"

TARGETS = {
    "analyze_mb_per_s": 1000.0,  # analyze over the bundle's bytes, at least (issue #18)
    "analyze_vs_openssl": 2.5,  # analyze median / openssl dgst -sha256 median, at most (issue #18)
    "analyze_vs_grep": 3.0,  # analyze median / grep median, at most (the earlier target)
    "analyze_peak_rss_mb": 200.0,  # analyze peak RSS, below
}

ANALYZE = "extriage analyze"
GREP = "grep -c " + PATTERN
VERIFY = "extriage verify"
VERIFY256 = "verify --sha256-only"
OPENSSL = "openssl dgst -sha256"

# Log families for --breakdown, first match wins (lower-cased '/'-separated source paths).
GROUPS = [
    ("HttpProxy", lambda p: "/logging/httpproxy/" in "/" + p),
    ("IIS", lambda p: "/w3svc" in p and (p.startswith("inetpub/logs/") or "logfiles/" in p)),
    ("ECP", lambda p: "/logging/ecp/" in "/" + p),
    ("OAB", lambda p: "/logging/oabgenerator" in "/" + p),
    ("other logs", lambda p: True),
]

OWN_OUTPUTS = ["bundle.tar", "report.json", "grep.out", "logs.lst", "verify.out", "verify256.out", "openssl.out",
               "bench.log", "sub"]


def is_log(rel: str) -> bool:
    """A log member, by its path relative to the volume root (the rule in the module docstring)."""
    p = rel.lower()
    in_log_dir = "/logging/" in "/" + p or p.startswith("inetpub/logs/") or "logfiles/" in p
    return in_log_dir and p.endswith(".log")


def group_of(rel: str) -> str:
    p = rel.lower()
    return next(name for name, test in GROUPS if test(p))


# --------------------------------------------------------------------------- one measurement


def collect(extriage: str, tree: str, bundle: str, log: str, gnu_time: str | None) -> float:
    """Collect `tree` into `bundle` (untimed for the benchmark; the wall time is returned)."""
    remove_outputs(os.path.dirname(bundle), [os.path.basename(bundle)])  # and its .sha256 sidecar
    argv = [extriage, "collect", "--source", tree, "--output", bundle, "--case", "BENCH",
            "--examiner", "bench", "--quiet", "--force"]
    res = run_timed([(argv, None, None)], log, gnu_time)
    if res["rc"] != 0:
        raise HarnessError(f"collect failed (exit {res['rc']}): {shlex.join(argv)}\n"
                           f"  last lines of {log}:\n{tail(log)}")
    if not os.path.isfile(bundle):
        raise HarnessError(f"extriage collect exited 0 but wrote no {bundle}")
    return res["wall_s"]


def bundle_logs(bundle: str, tree: str) -> tuple[list[str], int, int]:
    """(log files of the bundle as paths relative to tree, manifest entries resolved, non-log entries)."""
    files, missing, _ = manifest_source_paths(read_manifest(bundle), tree)
    if missing:
        say(f"warning: {len(missing)} manifest sourcePath(s) not found under the tree, e.g. "
            + ", ".join(repr(m) for m in missing[:3]))
    logs = [f for f in files if is_log(f)]
    return logs, len(files), len(files) - len(logs)


def grep_total(path: str, nfiles: int) -> int:
    """Sum of `grep -c` counts; checks that there is one line per file."""
    total = lines = 0
    with open(path, "rb") as f:
        for raw in f:
            lines += 1
            total += int(raw.rstrip(b"\r\n").rsplit(b":", 1)[-1])  # "name:count", or "count" for one file
    if lines != nfiles:
        raise HarnessError(f"grep printed {lines} count lines for {nfiles} files (see {path})")
    return total


def measure(extriage: str, bundle: str, tree: str, logs: list[str], work: str, repeat: int,
            gnu_time: str | None, log: str, label: str) -> dict:
    """Time analyze, verify --sha256-only, openssl (when present) and grep `repeat` times each
    (interleaved, order rotating), the three-digest verify once."""
    list_path = os.path.join(work, "logs.lst")
    write_list(list_path, logs)
    report = os.path.join(work, "report.json")
    grep_out = os.path.join(work, "grep.out")
    grep_script = f"grep -c -e {shlex.quote(PATTERN)} -- \"$@\"; test $? -le 1"  # 1 = no match: not an error
    contenders = {
        ANALYZE: {"outputs": ["report.json"], "warm": (work, [os.path.basename(bundle)]),
                  "steps": [([extriage, "analyze", bundle, "--format", "json", "--output", report, "--force"], None, None)]},
        GREP: {"outputs": ["grep.out"], "warm": (tree, logs),
               "steps": [(["env", "LC_ALL=C", "xargs", "-0", "-a", list_path, "sh", "-c", grep_script, "grep"],
                          tree, grep_out)]},
        VERIFY256: {"outputs": ["verify256.out"], "warm": (work, [os.path.basename(bundle)]),
                    "steps": [([extriage, "verify", "--sha256-only", bundle], None, os.path.join(work, "verify256.out"))]},
    }
    if shutil.which("openssl"):
        contenders[OPENSSL] = {"outputs": ["openssl.out"], "warm": (work, [os.path.basename(bundle)]),
                               "steps": [(["openssl", "dgst", "-sha256", bundle], None, os.path.join(work, "openssl.out"))]}
    names = [n for n in (ANALYZE, VERIFY256, OPENSSL, GREP) if n in contenders]
    results = {n: [] for n in names}
    matches = None
    for r in range(repeat):
        for name in names[r % len(names):] + names[:r % len(names)]:  # rotate which one goes first
            c = contenders[name]
            remove_outputs(work, c["outputs"])
            warm(*c["warm"])
            res = run_timed(c["steps"], log, gnu_time)
            if res["rc"] != 0:
                raise HarnessError(f"{name} failed (exit {res['rc']}): {shlex.join(res['argv'])}\n"
                                   f"  last lines of {log}:\n{tail(log)}")
            results[name].append(res)
            say(f"{label}run {r + 1}/{repeat}  {name:20s} {res['wall_s']:8.2f} s  "
                f"{res['maxrss_kib'] / 1024:7.1f} MiB RSS")
            if name == GREP and matches is None:
                matches = grep_total(grep_out, len(logs))
            if name == ANALYZE and not os.path.isfile(report):
                raise HarnessError(f"extriage analyze exited 0 but wrote no {report}")
    warm(work, [os.path.basename(bundle)])
    vargv = [extriage, "verify", bundle]
    ver = run_timed([(vargv, None, os.path.join(work, "verify.out"))], log, gnu_time)
    if ver["rc"] != 0:
        raise HarnessError(f"{VERIFY} failed (exit {ver['rc']}): {shlex.join(vargv)}\n"
                           f"  last lines of {log}:\n{tail(log)}")
    say(f"{label}once       {VERIFY:20s} {ver['wall_s']:8.2f} s  {ver['maxrss_kib'] / 1024:7.1f} MiB RSS")
    return {"results": results, "verify": ver, "grep_matches": matches, "report": report}


def passes(value: float, op: str, target: float) -> bool:
    return {"<=": value <= target, "<": value < target, ">=": value >= target}[op]


def summarize(runs: list[dict], nbytes: int) -> dict:
    med = statistics.median(x["wall_s"] for x in runs)
    return {
        "median_s": round(med, 4),
        "mb_per_s": round(nbytes / MB / med, 1) if med > 0 else None,
        "peak_rss_mb": round(max(x["maxrss_kib"] for x in runs) * 1024 / MB, 1),
        "median_cpu_s": round(statistics.median(x["user_s"] + x["sys_s"] for x in runs), 3),
        "runs": runs,
    }


# --------------------------------------------------------------------------- report sanity


def read_report(path: str) -> dict:
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise HarnessError(f"cannot read {path}: {e}") from e
    if isinstance(doc.get("bundles"), list) and doc["bundles"]:  # the several-bundles shape
        doc = doc["bundles"][0]
    return doc


def report_sanity(doc: dict, grep_matches: int) -> dict:
    findings = [f for f in doc.get("findings", []) if isinstance(f, dict)]
    coverage = [c for c in doc.get("coverage", []) if isinstance(c, dict)]
    above = [f for f in findings if f.get("verdict", "informational") != "informational"]
    by_verdict: dict[str, int] = {}
    for f in findings:
        by_verdict[str(f.get("verdict"))] = by_verdict.get(str(f.get("verdict")), 0) + 1
    return {"verdict": doc.get("verdict"), "verification": (doc.get("verification") or {}).get("status"),
            "findings": len(findings), "findings_by_verdict": by_verdict,
            "findings_above_informational": len(above),
            "above_informational_checks": sorted({str(f.get("checkId")) for f in above}),
            "coverage_rows": len(coverage),
            "coverage": [{k: c.get(k) for k in ("checkId", "status", "members", "records", "malformed")}
                         for c in coverage],
            "grep_matches": grep_matches}


def print_sanity(s: dict) -> None:
    verdict = s["verdict"]
    if isinstance(verdict, dict):
        verdict = verdict.get("text") or verdict.get("level") or json.dumps(verdict, sort_keys=True)
    print(f"report.json: verification {s['verification']}; host verdict {verdict}")
    print(f"  findings: {s['findings']}"
          + (" (" + ", ".join(f"{k} {v}" for k, v in sorted(s["findings_by_verdict"].items())) + ")"
             if s["findings"] else ""))
    ran = sum(1 for c in s["coverage"] if c["status"] == "ran")
    print(f"  coverage rows: {s['coverage_rows']} ({ran} ran)")
    for c in s["coverage"]:
        print(f"    {str(c['checkId']):34s} {str(c['status']):15s} members {c['members'] or 0:6d}  "
              f"records {c['records'] or 0:10d}  malformed {c['malformed'] or 0}")
    print(f"  grep: {s['grep_matches']} line(s) with {PATTERN}")
    if s["grep_matches"] == 0:
        if s["findings_above_informational"]:
            print(f"  note: the synthetic tree is benign (no {PATTERN} rows), yet "
                  f"{s['findings_above_informational']} finding(s) are above informational: "
                  + ", ".join(s["above_informational_checks"]) + " (not a benchmark failure; worth a look)")
        else:
            print(f"  note: the synthetic tree is benign traffic (no {PATTERN} rows) and analyze reports "
                  f"no finding above informational, as expected")


# --------------------------------------------------------------------------- breakdown


def link_subtree(tree: str, sub: str, files: list[str]) -> None:
    """A copy of `files` of `tree` under `sub`, by hard links (copies if the filesystem refuses)."""
    for rel in files:
        src, dst = os.path.join(tree, rel), os.path.join(sub, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)


def breakdown(args, extriage: str, tree: str, out: str, all_files: list[str], logs: list[str],
              gnu_time: str | None, log: str) -> list[dict]:
    """Per log family: collect a bundle of that family's logs (plus the bundle's non-log files), then
    time analyze, grep and verify on it. Each subset is deleted before the next one."""
    log_set = set(logs)
    non_logs = [f for f in all_files if f not in log_set]
    rows = []
    for name, _ in GROUPS:
        group = [f for f in logs if group_of(f) == name]
        if not group:
            continue
        work = os.path.join(out, "sub")
        shutil.rmtree(work, ignore_errors=True)
        try:
            sub_tree = os.path.join(work, "tree")
            link_subtree(tree, sub_tree, non_logs + group)
            bundle = os.path.join(work, "bundle.tar")
            secs = collect(extriage, sub_tree, bundle, log, gnu_time)
            sub_logs, _, _ = bundle_logs(bundle, sub_tree)
            nbytes = sum(os.path.getsize(os.path.join(sub_tree, f)) for f in sub_logs)
            say(f"breakdown {name}: {len(sub_logs)} logs, {nbytes / MB:.1f} MB, collected in {secs:.1f}s")
            m = measure(extriage, bundle, sub_tree, sub_logs, work, args.repeat, gnu_time, log,
                        f"  [{name}] ")
            a = summarize(m["results"][ANALYZE], nbytes)
            g = summarize(m["results"][GREP], nbytes)
            v = summarize(m["results"][VERIFY256], nbytes)["median_s"]
            rows.append({"group": name, "files": len(sub_logs), "bytes": nbytes,
                         "bundle_bytes": os.path.getsize(bundle), "analyze": a, "grep": g, "verify_s": v,
                         "checks_s": round(a["median_s"] - v, 4)})
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return rows


def print_breakdown(rows: list[dict], whole: dict) -> None:
    print()
    print("by log family (each on its own bundle; checks = analyze - verify --sha256-only):")
    print(f"{'family':12s} {'files':>6s} {'log MB':>8s} {'analyze s':>10s} {'vfy256 s':>9s} {'checks s':>9s} "
          f"{'grep s':>7s} {'checks MB/s':>12s} {'analyze/grep':>13s} {'checks/grep':>12s} {'RSS MB':>7s}")
    for r in rows + [whole]:
        a, g = r["analyze"]["median_s"], r["grep"]["median_s"]
        cmbs = r["bytes"] / MB / r["checks_s"] if r["checks_s"] > 0 else float("nan")
        print(f"{r['group']:12s} {r['files']:6d} {r['bytes'] / MB:8.1f} {a:10.2f} {r['verify_s']:9.2f} "
              f"{r['checks_s']:9.2f} {g:7.2f} {cmbs:12.1f} {a / g:13.1f} {r['checks_s'] / g:12.1f} "
              f"{r['analyze']['peak_rss_mb']:7.1f}")


# --------------------------------------------------------------------------- main


def parse_args(argv):
    ap = bench_collect.common_parser(
        "Benchmark `extriage analyze` against grep -c 'ServerInfo~' over the same log files.",
        "directory for the bundle and outputs (default: a temporary directory under /tmp)")
    ap.add_argument("--breakdown", action="store_true",
                    help="also measure each log family (HttpProxy, IIS, ECP, OAB) on its own bundle")
    ap.add_argument("--keep", action="store_true", help="keep the bundle, report and lists (and a temporary tree)")
    return bench_collect.parse_common(ap, argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on kill
    extriage = os.path.abspath(args.extriage)
    if not (os.path.isfile(extriage) and os.access(extriage, os.X_OK)):
        say(f"error: no extriage binary at {extriage}\n"
            f"       build it first:  swift build -c release   (or pass --extriage PATH)")
        return 2
    for tool in ("grep", "xargs", "env", "sh"):
        if shutil.which(tool) is None:
            say(f"error: {tool} not found on PATH")
            return 2

    temp_root = None  # everything we create under /tmp by default
    if args.out is None or args.tree is None:
        temp_root = tempfile.mkdtemp(prefix="extriage-bench-analyze-")
    out = os.path.abspath(args.out) if args.out else os.path.join(temp_root, "out")
    os.makedirs(out, exist_ok=True)
    tree = os.path.abspath(args.tree) if args.tree else os.path.join(temp_root, "tree")
    try:
        return run(args, extriage, tree, out)
    except HarnessError as e:
        say(f"error: {e}")
        return e.code
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    finally:
        if args.keep:
            say(f"kept outputs in {out}" + (f" and tree {tree}" if args.tree is None else ""))
            shutil.rmtree(os.path.join(out, "sub"), ignore_errors=True)
        else:
            if os.path.isdir(out):
                remove_outputs(out, OWN_OUTPUTS)
            if temp_root:
                shutil.rmtree(temp_root, ignore_errors=True)


def run(args, extriage: str, tree: str, out: str) -> int:
    started = dt.datetime.now(dt.timezone.utc)
    log = os.path.join(out, "bench.log")
    host = host_info()
    gnu_time = find_gnu_time()
    rss_method = (f"GNU time %M ({gnu_time})" if gnu_time else
                  "os.wait4 ru_maxrss (includes the forked harness image)")

    # 1. The tree, and the bundle (collected once, not timed).
    marker = bench_collect.prepare_tree(args, tree)
    bundle = os.path.join(out, "bundle.tar")
    collect_s = collect(extriage, tree, bundle, log, gnu_time)
    bundle_bytes = os.path.getsize(bundle)
    say(f"collect: {bundle} ({bundle_bytes / MB:.1f} MB) in {collect_s:.1f}s (not timed for the benchmark)")

    # 2. The same log files: the bundle's log members, taken from the tree.
    logs, nentries, nonlog = bundle_logs(bundle, tree)
    if not logs:
        raise HarnessError("the bundle holds no log member (see the selection rule in --help)")
    log_bytes = sum(os.path.getsize(os.path.join(tree, f)) for f in logs)
    groups: dict[str, list[int]] = {}
    for f in logs:
        g = groups.setdefault(group_of(f), [0, 0])
        g[0] += 1
        g[1] += os.path.getsize(os.path.join(tree, f))

    # 3. Warm the page cache: the bundle and the log files, once.
    b_read, b_secs = warm(out, ["bundle.tar"])
    l_read, l_secs = warm(tree, logs)
    say(f"warm: bundle {b_read / MB:.1f} MB in {b_secs:.1f}s, {len(logs)} logs {l_read / MB:.1f} MB in {l_secs:.1f}s")
    floor = run_timed([(["true"], None, None)], log, gnu_time)["maxrss_kib"]
    say(f"rss:  measured with {rss_method}; `true` measures {floor / 1024:.1f} MiB")

    # 4. Contenders.
    m = measure(extriage, bundle, tree, logs, out, args.repeat, gnu_time, log, "")
    summary = {name: summarize(runs, log_bytes) for name, runs in m["results"].items()}
    ver = m["verify"]
    a_med, g_med, v_s = summary[ANALYZE]["median_s"], summary[GREP]["median_s"], ver["wall_s"]
    v256_s = summary[VERIFY256]["median_s"]
    checks_s = a_med - v256_s
    checks = [
        ("analyze MB/s (bundle bytes)", bundle_bytes / MB / a_med, ">=", TARGETS["analyze_mb_per_s"], ""),
    ]
    if OPENSSL in summary:
        checks.append(("analyze / openssl sha256", a_med / summary[OPENSSL]["median_s"], "<=",
                       TARGETS["analyze_vs_openssl"], ""))
    checks += [
        ("analyze / grep", a_med / g_med, "<=", TARGETS["analyze_vs_grep"], ""),
        ("analyze peak RSS", summary[ANALYZE]["peak_rss_mb"], "<", TARGETS["analyze_peak_rss_mb"], " MB"),
    ]
    sanity = report_sanity(read_report(m["report"]), m["grep_matches"])

    rows = []
    if args.breakdown:
        rows = breakdown(args, extriage, tree, out, manifest_source_paths(read_manifest(bundle), tree)[0],
                         logs, gnu_time, log)

    # 5. Summary.
    print()
    print(f"bundle: {bundle_bytes / MB:.1f} MB, {nentries} entries ({nonlog} not logs); "
          f"collected in {collect_s:.1f}s (not timed)")
    print(f"logs:   {len(logs)} files, {log_bytes / MB:.1f} MB ({log_bytes / bundle_bytes:.0%} of the bundle): "
          + ", ".join(f"{k} {n} ({b / MB:.0f} MB)" for k, (n, b) in groups.items()))
    print(f"tree:   {tree}   runs per contender: {args.repeat}   cpus: {host['cpus']}")
    print(f"RSS:    {rss_method}; floor (`true`) {floor * 1024 / MB:.1f} MB")
    print()
    print(f"{'contender':24s} {'median s':>9s} {'MB/s':>8s} {'peak RSS MB':>12s} {'CPU s':>7s}   runs (s)"
          "   (MB/s over the log bytes)")
    for name in summary:
        s = summary[name]
        runs = " ".join(f"{x['wall_s']:.2f}" for x in s["runs"])
        print(f"{name:24s} {s['median_s']:9.2f} {s['mb_per_s']:8.1f} {s['peak_rss_mb']:12.1f} "
              f"{s['median_cpu_s']:7.2f}   {runs}")
    print(f"{VERIFY + ' (1 run)':24s} {v_s:9.2f} {log_bytes / MB / v_s:8.1f} "
          f"{ver['maxrss_kib'] * 1024 / MB:12.1f} {ver['user_s'] + ver['sys_s']:7.2f}   "
          f"(hashes all {bundle_bytes / MB:.0f} MB: {bundle_bytes / MB / v_s:.1f} MB/s)")
    cmbs = f"{log_bytes / MB / checks_s:8.1f}" if checks_s > 0 else f"{'-':>8s}"
    print(f"{'analyze - ' + VERIFY256:24s} {checks_s:9.2f} {cmbs}   (the log checks: the same verification subtracted)")
    print()
    print("issue targets (the full analyze, verification included):")
    failed = False
    for label, value, op, target, unit in checks:
        ok = passes(value, op, target)
        failed |= not ok
        tgt = f"{target:.0f}{unit}" if unit else f"{target:.2f}"
        print(f"  {label:30s} {value:8.2f}{unit:3s}  target {op} {tgt:8s} {'PASS' if ok else 'FAIL'}")
    print("for information (no target):")
    print(f"  {'(analyze - vfy256) / grep':30s} {checks_s / g_med:8.2f}     the log checks alone")
    print(f"  {'verify --sha256-only / grep':30s} {v256_s / g_med:8.2f}     what analyze verifies (bundle and member SHA-256)")
    print(f"  {'verify share of analyze':30s} {v256_s / a_med:8.0%}")
    print(f"  {'verify (3 digests) MB/s':30s} {bundle_bytes / MB / v_s:8.1f}     bundle bytes, one run")
    if rows:
        whole = {"group": "all logs", "files": len(logs), "bytes": log_bytes, "analyze": summary[ANALYZE],
                 "grep": summary[GREP], "verify_s": v256_s, "checks_s": round(checks_s, 4)}
        print_breakdown(rows, whole)
    print()
    print_sanity(sanity)

    doc = {
        "schema": 1,
        "started": started.isoformat(timespec="seconds"),
        "host": host,
        "rss_method": rss_method,
        "rss_floor_mb": round(floor * 1024 / MB, 1),
        "extriage": {"path": extriage, "version": first_line([extriage, "--version"])},
        "tree": {"path": tree, "marker": {k: v for k, v in (marker or {}).items() if k != "selected"} or None},
        "bundle": {"bytes": bundle_bytes, "entries": nentries, "collect_s": round(collect_s, 3)},
        "logs": {"files": len(logs), "bytes": log_bytes,
                 "by_family": {k: {"files": n, "bytes": b} for k, (n, b) in groups.items()}},
        "pattern": PATTERN,
        "repeat": args.repeat,
        "contenders": summary,
        "verify": {"wall_s": v_s, "user_s": ver["user_s"], "sys_s": ver["sys_s"],
                   "peak_rss_mb": round(ver["maxrss_kib"] * 1024 / MB, 1)},
        "verify_sha256_only_s": v256_s,
        "analyze_minus_verify_sha256_only_s": round(checks_s, 4),
        "targets": TARGETS,
        "checks": [{"name": l, "value": round(v, 4), "op": o, "target": t,
                    "pass": passes(v, o, t)} for l, v, o, t, _ in checks],
        "info": {"checks_vs_grep": round(checks_s / g_med, 4), "verify_sha256_only_vs_grep": round(v256_s / g_med, 4)},
        "breakdown": rows or None,
        "report": sanity,
        "pass": not failed,
    }
    if args.json:
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
        say(f"wrote {args.json}")
    return 1 if (failed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
