#!/usr/bin/env python3
"""Benchmark `extriage case add` and `case report` against `extriage analyze` on the same bundles.

N bundles (default 1,000) are made once (not timed) from the fleet sample
(`Samples/tools/make_samples.py --fleet`): bundle i is a copy of Fabrikam server i % 6 with its
host renamed (`FB00042`) and, per group of 60 bundles, the actors' source addresses and shell
passwords changed (so the shells' hashes differ between groups and the case holds many clusters;
the mass scanner stays the same everywhere). Each copy is collected with `extriage collect`.

Contenders, from a hot page cache, each into a fresh SQLite case:

  a. extriage analyze B... --format json --output /dev/null         (the baseline: analyze alone)
  b. extriage case add B... --db sqlite:OUT/case.sqlite --jobs J     for J in --jobs (default 1,2,4)
  c. extriage case report --db sqlite:OUT/case.sqlite --format json  (on the last case)

With --postgres URL (a server the harness may create databases on; also $EXTRIAGE_BENCH_POSTGRES_URL),
each into a fresh database made with psql:

  d. extriage case add B... --db postgresql://…/bench_jJ --jobs J     (J workers in one process)
  e. J processes at once, each `case add --jobs 1` on every J-th bundle (as J machines would)
  f. extriage case report --db postgresql://… --format json

Printed: bundles/s, MB/s (bundle bytes), wall time and peak RSS per contender (for e, the largest
process); the store's overhead (case add with as many jobs as cores, against analyze, which also
uses every core); and PASS/FAIL for the issue's targets: overhead < 10 %, report < 10 s.

Python 3 standard library only; GNU time (/usr/bin/time) gives peak RSS when installed.
Exits 1 only with --strict when a target fails; 2 on a usage problem; 3 when the harness fails.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in Benchmarks/
from bench_collect import HarnessError, find_gnu_time, host_info, run_timed, say, tail  # noqa: E402

DEFAULT_EXTRIAGE = os.path.join(REPO, ".build", "release", "extriage")
SERVERS = 6
GROUP = 60  # bundles sharing one pair of actor addresses and passwords
TARGETS = {"store_overhead": 0.10, "report_seconds": 10.0}
ACTOR_VALUES = {  # fleet sample value -> format of its per-group variant (same role, new value)
    b"203.0.113.61": "203.0.{a}.{b}",
    b"198.51.100.77": "198.51.{a}.{b}",
    b"Xk9orange": "Xk9or{g:04d}",
    b"p4ssB33": "p4ssB{g:04d}",
}


def make_fleet(work: str) -> str:
    template = os.path.join(work, "fleet-template")
    subprocess.run([sys.executable, os.path.join(REPO, "Samples", "tools", "make_samples.py"), "--fleet", template],
                   check=True, stdout=subprocess.DEVNULL)
    return template


def variant(template: str, index: int, out: str) -> str:
    """Copy server index % 6 as host FB<index>, with the group's actor values."""
    server = index % SERVERS + 1
    group = index // GROUP
    host = f"FB{index:05d}".encode()
    replacements = {f"FAB-MB{server}".encode(): host, f"fab-mb{server}".encode(): host.lower()}
    for old, pattern in ACTOR_VALUES.items():
        replacements[old] = pattern.format(g=group, a=100 + group // 250, b=1 + group % 250).encode()
    tree = os.path.join(out, f"fb{index:05d}")
    source = os.path.join(template, f"fab-mb{server}")
    for folder, _, files in os.walk(source):
        target = os.path.join(tree, os.path.relpath(folder, source))
        os.makedirs(target, exist_ok=True)
        for name in files:
            with open(os.path.join(folder, name), "rb") as f:
                data = f.read()
            for old, new in replacements.items():
                data = data.replace(old, new)
            with open(os.path.join(target, name), "wb") as f:
                f.write(data)
    return tree


def make_bundles(extriage: str, count: int, work: str) -> list[str]:
    template = make_fleet(work)
    trees = os.path.join(work, "trees")
    bundles = os.path.join(work, "bundles")
    os.makedirs(bundles, exist_ok=True)

    def one(index: int) -> str:
        tree = variant(template, index, trees)
        bundle = os.path.join(bundles, f"fb{index:05d}.tar")
        argv = [extriage, "collect", "--source", tree, "--output", bundle, "--case", "BENCH-FLEET",
                "--examiner", "bench", "--quiet", "--force"]
        res = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if res.returncode != 0:
            raise HarnessError(f"collect failed for {tree}: {res.stderr.decode(errors='replace')[-400:]}")
        shutil.rmtree(tree)
        return bundle

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return list(pool.map(one, range(count)))


def warm(paths: list[str]) -> int:
    total = 0
    for path in paths:
        with open(path, "rb") as f:
            while chunk := f.read(8 << 20):
                total += len(chunk)
    return total


def measure(name: str, argv: list[str], log: str, gnu_time: str | None, count: int, size: int) -> dict:
    res = run_timed([(argv, None, None)], log, gnu_time)
    if res["rc"] not in (0, 3, 6):
        raise HarnessError(f"{name} failed (exit {res['rc']}); last lines of {log}:\n{tail(log)}")
    wall = max(res["wall_s"], 1e-9)
    row = {"name": name, "wall_s": round(wall, 3), "peak_rss_mb": round(res.get("maxrss_kib", 0) / 1024, 1),
           "bundles_per_s": round(count / wall, 2), "mb_per_s": round(size / wall / 1e6, 2)}
    say(f"  {name:<32} {row['wall_s']:>9.2f} s {row['bundles_per_s']:>9.2f} bundles/s {row['mb_per_s']:>8.2f} MB/s"
        f" {row['peak_rss_mb']:>8.1f} MB peak")
    return row


def fresh_postgres(url: str, name: str) -> str:
    """Drops and creates database `name` on the server of `url`; returns its URL."""
    for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        res = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qc", sql], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if res.returncode != 0:
            raise HarnessError(f"psql {sql!r} failed: {res.stderr.decode(errors='replace')[-400:]}")
    parsed = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parsed._replace(path="/" + name))


def processes(argvs: list[list[str]]) -> list[str]:
    """One shell command starting every argv at once and failing with the first failure."""
    script = "pids=''; " + " ".join(f"{shlex.join(a)} & pids=\"$pids $!\";" for a in argvs)
    script += " rc=0; for p in $pids; do wait $p || rc=$?; done; exit $rc"
    return ["sh", "-c", script]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bundles", type=int, default=1000, help="how many bundles (default 1000)")
    ap.add_argument("--jobs", default="1,2,4", help="case add --jobs values, comma-separated (default 1,2,4)")
    ap.add_argument("--extriage", default=DEFAULT_EXTRIAGE, help="the extriage binary (default .build/release/extriage)")
    ap.add_argument("--work", help="working folder (default: a new temporary one, removed unless --keep)")
    ap.add_argument("--keep", action="store_true", help="keep the working folder")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    ap.add_argument("--postgres", default=os.environ.get("EXTRIAGE_BENCH_POSTGRES_URL"),
                    help="also measure PostgreSQL on this server (databases bench_* are created on it)")
    args = ap.parse_args(argv)
    if not os.access(args.extriage, os.X_OK):
        say(f"no extriage binary at {args.extriage}: swift build -c release, or --extriage PATH")
        return 2
    jobs = [int(j) for j in args.jobs.split(",") if j.strip()]
    work = args.work or tempfile.mkdtemp(prefix="extriage-bench-case-")
    os.makedirs(work, exist_ok=True)
    log = os.path.join(work, "bench.log")
    gnu_time = find_gnu_time()
    try:
        say(f"making {args.bundles} bundles in {work} (not timed) ...")
        bundles = make_bundles(args.extriage, args.bundles, work)
        size = warm(bundles)
        say(f"{len(bundles)} bundles, {size / 1e6:.1f} MB; contenders:")
        rows = [measure("analyze (all cores)", [args.extriage, "analyze", *bundles, "--format", "json", "--output", os.path.join(work, "analyze.json"), "--force"],
                        log, gnu_time, len(bundles), size)]
        db = os.path.join(work, "case.sqlite")
        for j in jobs:
            for leftover in (db, db + "-wal", db + "-shm"):
                if os.path.exists(leftover):
                    os.unlink(leftover)
            rows.append(measure(f"case add --jobs {j} (SQLite)", [args.extriage, "case", "add", *bundles, "--db", "sqlite:" + db,
                                                                 "--jobs", str(j)], log, gnu_time, len(bundles), size))
        report = measure("case report (SQLite)", [args.extriage, "case", "report", "--db", "sqlite:" + db, "--format", "json",
                                                       "--output", os.path.join(work, "fleet.json"), "--force"],
                         log, gnu_time, len(bundles), size)
        rows.append(report)
        if args.postgres:
            for j in jobs:
                url = fresh_postgres(args.postgres, f"bench_j{j}")
                rows.append(measure(f"case add --jobs {j} (PostgreSQL)", [args.extriage, "case", "add", *bundles, "--db", url,
                                                                         "--jobs", str(j)], log, gnu_time, len(bundles), size))
            for j in [j for j in jobs if j > 1]:
                url = fresh_postgres(args.postgres, f"bench_p{j}")
                argvs = [[args.extriage, "case", "add", *bundles[k::j], "--db", url, "--jobs", "1"] for k in range(j)]
                rows.append(measure(f"{j} processes x --jobs 1 (PostgreSQL)", processes(argvs), log, gnu_time, len(bundles), size))
            rows.append(measure("case report (PostgreSQL)", [args.extriage, "case", "report", "--db", url, "--format", "json",
                                                             "--output", os.path.join(work, "fleet-pg.json"), "--force"],
                                log, gnu_time, len(bundles), size))
        cores = os.cpu_count() or 1
        sqlite_adds = [r for r in rows if r["name"].startswith("case add") and r["name"].endswith("(SQLite)")]
        same = next((r for r in sqlite_adds if r["name"] == f"case add --jobs {cores} (SQLite)"), sqlite_adds[-1])
        overhead = same["wall_s"] / rows[0]["wall_s"] - 1
        verdicts = {"store_overhead": overhead < TARGETS["store_overhead"], "report_seconds": report["wall_s"] < TARGETS["report_seconds"]}
        say(f"store overhead ({same['name']} vs analyze): {overhead * 100:+.1f} % "
            f"(target < {TARGETS['store_overhead'] * 100:.0f} %): {'PASS' if verdicts['store_overhead'] else 'FAIL'}")
        say(f"case report: {report['wall_s']:.2f} s for {len(bundles)} hosts (target < {TARGETS['report_seconds']:.0f} s): "
            f"{'PASS' if verdicts['report_seconds'] else 'FAIL'}")
        if not args.postgres:
            say("PostgreSQL: not measured (no --postgres URL)")
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"host": host_info(), "bundles": len(bundles), "bytes": size, "rows": rows,
                           "store_overhead": round(overhead, 4), "targets": TARGETS, "pass": verdicts}, f, indent=2)
        return 1 if args.strict and not all(verdicts.values()) else 0
    except HarnessError as error:
        say(f"error: {error}")
        return error.code
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
