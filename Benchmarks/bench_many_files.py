#!/usr/bin/env python3
"""Peak memory and time of `extriage collect`, `verify` and `analyze` over many small files.

Issue #14 items 3 and 4: memory must not grow with the number of files, and the collector must
never write a bundle its own `verify` rejects. For each size in --files (default 20000,200000,
smallest first) a tree (made once, kept with --tree; otherwise deleted after its run) holds
that many small files with long paths (--path-length bytes, default 490), half
under inetpub/wwwroot/aspnet_client/system_web/... (web pages, scripts, text in the favourite
drop zone, so each is a web-file finding) and half under Windows/Temp/... (temp files, logs,
DLLs), in folders of 1,000 files. Then, once each, not repeated:

  a. extriage collect --source TREE --output OUT/many.tar --case BENCH --examiner bench --quiet --force
  b. extriage verify OUT/many.tar
  c. extriage analyze OUT/many.tar --format json --output OUT/report.json --force

Prints one table: per size and step, exit code, wall time and peak RSS (GNU time %M), then the
sizes of the bundle, its manifest.json and the JSON report. Targets: every peak RSS < 200 MB, verify
exits 0 (the bundle it was given is intact). Exits 1 only with --strict when a target fails, 2
on a usage problem (such as a missing extriage binary).

Python 3 standard library only; GNU time (/usr/bin/time) for peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in Benchmarks/
import bench_collect  # noqa: E402  (sibling module: find_gnu_time)

DEFAULT_EXTRIAGE = os.path.join(REPO, ".build", "release", "extriage")
MB = 1_000_000
RSS_TARGET_MB = 200.0
MARKER = ".bench-many-files.json"
PER_FOLDER = 1000
WEB_ROOT = "inetpub/wwwroot/aspnet_client/system_web"
WEB_EXTENSIONS = (".aspx", ".js", ".htm", ".txt")
TEMP_EXTENSIONS = (".tmp", ".log", ".dll")


def say(*a) -> None:
    print(*a, file=sys.stderr, flush=True)


def folder_path(root: str, kind: str, index: int, length: int) -> str:
    """A folder whose files' paths are about `length` bytes: long components, each < 255 bytes."""
    stem = f"{kind}-folder-{index:05d}-"
    room = max(40, length - len(root) - 40)
    parts = []
    while room > 0:
        size = min(200, room)
        parts.append((stem + "x" * size)[:size])
        room -= size + 1
    return "/".join([root] + parts)


def make_tree(tree: str, files: int, length: int) -> None:
    """Writes the tree unless a marker says it already holds these files."""
    marker = os.path.join(tree, MARKER)
    want = {"files": files, "pathLength": length, "version": 2}
    try:
        with open(marker) as f:
            if json.load(f) == want:
                say(f"tree {tree} already holds {files} files")
                return
    except (OSError, ValueError):
        pass
    if os.path.exists(tree):
        shutil.rmtree(tree)
    say(f"writing {files} files under {tree} ...")
    t0 = time.perf_counter()
    for n in range(files):
        web = n % 2 == 0
        half = n // 2
        folder = folder_path(WEB_ROOT if web else "Windows/Temp", "web" if web else "tmp",
                             half // PER_FOLDER, length)
        extensions = WEB_EXTENSIONS if web else TEMP_EXTENSIONS
        name = f"file-{half:07d}{extensions[half % len(extensions)]}"
        directory = os.path.join(tree, folder)
        if half % PER_FOLDER == 0:
            os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, name), "w") as f:
            f.write(f"<html><body>page {n}</body></html>\n" if web else f"temporary data {n}\n")
    with open(marker, "w") as f:
        json.dump(want, f)
    say(f"  {time.perf_counter() - t0:.1f} s")


def run(gnu_time: str | None, argv: list[str], log: str) -> dict:
    """Runs argv once; exit code, wall time and peak RSS (MB, from GNU time when present)."""
    stat = log + ".time"
    full = [gnu_time, "-o", stat, "-f", "%M", "--", *argv] if gnu_time else argv
    with open(log, "ab") as lf:
        lf.write(("$ " + " ".join(argv) + "\n").encode())
        lf.flush()
        t0 = time.perf_counter()
        p = subprocess.run(full, stdin=subprocess.DEVNULL, stdout=lf, stderr=lf)
        wall = time.perf_counter() - t0
    rss = None
    if gnu_time:
        try:
            with open(stat) as f:
                rss = int(f.read().strip().splitlines()[-1]) * 1024 / MB
        except (OSError, ValueError, IndexError):
            pass
    return {"rc": p.returncode, "wall_s": round(wall, 2), "peak_rss_mb": None if rss is None else round(rss, 1)}


def manifest_size(bundle: str) -> int | None:
    try:
        with tarfile.open(bundle, "r:") as tf:
            for info in tf:
                if info.name == "manifest.json":
                    return info.size
    except (OSError, tarfile.TarError):
        pass
    return None


def file_size(path: str) -> int | None:
    try:
        return os.path.getsize(path)
    except OSError:
        return None


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", default="20000,200000",
                    help="numbers of files, comma-separated (default 20000,200000)")
    ap.add_argument("--path-length", type=int, default=490, help="bytes per file path (default 490)")
    ap.add_argument("--tree", help="where the trees are (kept, one folder per size; made when absent or different)")
    ap.add_argument("--out", help="where bundles, reports and the log go (default: a temporary folder, deleted)")
    ap.add_argument("--extriage", default=DEFAULT_EXTRIAGE, help="the extriage binary")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = ap.parse_args(argv)
    try:
        args.sizes = sorted({int(n) for n in args.files.split(",") if n.strip()})
    except ValueError:
        ap.error("--files takes numbers separated by commas")
    if not args.sizes or min(args.sizes) <= 0:
        ap.error("--files needs at least one positive number")
    return args


def run_size(args, gnu_time: str | None, files: int, scratch: str) -> dict:
    """Makes (or reuses) the tree of `files` files, runs the three steps once each, removes what it made."""
    tree = os.path.join(args.tree, f"tree-{files}") if args.tree else os.path.join(scratch, f"tree-{files}")
    out = os.path.join(args.out, f"out-{files}") if args.out else os.path.join(scratch, f"out-{files}")
    os.makedirs(out, exist_ok=True)
    make_tree(tree, files, args.path_length)
    bundle = os.path.join(out, "many.tar")
    report = os.path.join(out, "report.json")
    log = os.path.join(out, "bench.log")
    steps = {
        "collect": [args.extriage, "collect", "--source", tree, "--output", bundle, "--case", "BENCH",
                    "--examiner", "bench", "--quiet", "--force"],
        "verify": [args.extriage, "verify", bundle],
        "analyze": [args.extriage, "analyze", bundle, "--format", "json", "--output", report, "--force"],
    }
    results = {"files": files, "pathLength": args.path_length}
    for name, argv_ in steps.items():
        say(f"{files} files: {name} ...")
        results[name] = run(gnu_time, argv_, log)
    results["bundle_bytes"] = file_size(bundle)
    results["manifest_bytes"] = manifest_size(bundle)
    results["report_bytes"] = file_size(report)
    results["log"] = log if args.out else None
    if not args.tree:
        shutil.rmtree(tree, ignore_errors=True)  # disk: 200,000 files take about 1 GB
    if not args.out:
        shutil.rmtree(out, ignore_errors=True)
    return results


def main(argv=None) -> int:
    args = parse_args(argv)
    if not os.access(args.extriage, os.X_OK):
        say(f"no extriage binary at {args.extriage} (swift build -c release, or --extriage PATH)")
        return 2
    gnu_time = bench_collect.find_gnu_time()
    if not gnu_time:
        say("GNU time not found: peak RSS is not measured")
    scratch = tempfile.mkdtemp(prefix="bench-many-")
    try:
        runs = [run_size(args, gnu_time, files, scratch) for files in args.sizes]
        print(f"paths of about {args.path_length} bytes; target: peak RSS < {RSS_TARGET_MB:.0f} MB, verify exits 0")
        print(f"{'files':>8} {'step':<8} {'rc':>3} {'wall s':>8} {'peak RSS MB':>12}")
        failed = False
        for r in runs:
            for name in ("collect", "verify", "analyze"):
                step = r[name]
                rss = step["peak_rss_mb"]
                ok = rss is not None and rss < RSS_TARGET_MB and (name != "verify" or step["rc"] == 0)
                failed = failed or not ok
                print(f"{r['files']:>8} {name:<8} {step['rc']:>3} {step['wall_s']:>8.2f} "
                      f"{rss if rss is not None else '-':>12}  {'PASS' if ok else 'FAIL'}")
        for r in runs:
            sizes = ", ".join(f"{key.replace('_bytes', '')} {r[key] / MB:.1f} MB" if r[key] is not None else f"{key}: -"
                              for key in ("bundle_bytes", "manifest_bytes", "report_bytes"))
            print(f"{r['files']:>8} files: {sizes}" + (f"; log: {r['log']}" if r["log"] else ""))
        if args.json:
            with open(args.json, "w") as f:
                json.dump(runs, f, indent=2)
        return 1 if failed and args.strict else 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)  # --tree and --out are elsewhere and kept


if __name__ == "__main__":
    sys.exit(main())
