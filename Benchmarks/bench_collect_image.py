#!/usr/bin/env python3
"""Benchmark `extriage collect` from a raw NTFS image against the same tree as a directory, same run.

The synthetic tree (generate_tree.py) is copied once into an unpartitioned NTFS image with no
mount and no root (mkntfs, then Samples/tools/ntfs_populate.c over libntfs-3g, compiled here with
gcc; not timed). Contenders, each run --repeat times (default 3, median reported), alternating,
from a hot page cache (the tree's files and the whole image are read before every run):

  a. extriage collect --source TREE      --output OUT/dir.tar --case BENCH --examiner bench --quiet --force
  b. extriage collect --source NTFS.raw  --output OUT/img.tar --case BENCH --examiner bench --quiet --force

After the first runs the two manifests must list the same members with the same sha256 values
(the harness fails otherwise). Target (the issue's): image / directory <= 1.5. Peak RSS of both
is reported.

Exits 1 only with --strict when the target fails; 2 on a usage problem (no extriage binary, a
missing image tool); 3 when a contender or the harness fails.

Python 3 standard library only; needs mkntfs (ntfs-3g), gcc and ntfs-3g-dev (`make deps`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in Benchmarks/
import generate_tree  # noqa: E402  (sibling module)
import bench_collect  # noqa: E402  (sibling module)
from bench_collect import (  # noqa: E402  (sibling module: the harness helpers are shared)
    MB, HarnessError, find_gnu_time, host_info, read_manifest, run_timed, say, tail, walk_files, warm)

TARGETS = {"image_vs_directory": 1.5}  # image collection median / directory collection median, at most

DIRECTORY = "collect from directory"
IMAGE = "collect from NTFS image"
SBIN = ["/usr/sbin", "/sbin"]


def tool(name: str) -> str:
    found = shutil.which(name) or next((os.path.join(d, name) for d in SBIN if os.access(os.path.join(d, name), os.X_OK)), None)
    if not found:
        raise HarnessError(f"{name} not found (run `make deps`)", 2)
    return found


def build_image(tree: str, image: str, work: str) -> dict:
    """An unpartitioned NTFS image holding every file of `tree` (not timed)."""
    helper = os.path.join(work, "ntfs_populate")
    subprocess.run([tool("gcc"), "-O2", "-o", helper, os.path.join(REPO, "Samples", "tools", "ntfs_populate.c"), "-lntfs-3g"],
                   check=True)
    tree_bytes = sum(os.path.getsize(os.path.join(tree, f)) for f in walk_files(tree))
    size = (int(tree_bytes * 1.2) + (96 << 20)) // (1 << 20) << 20
    with open(image, "wb") as f:
        f.truncate(size)
    t0 = dt.datetime.now()
    subprocess.run([tool("mkntfs"), "-F", "-Q", "-q", "-L", "BENCH", image], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # The generator's marker file is not evidence; keep it out so both sources hold the same files.
    r = subprocess.run([helper, image, tree], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise HarnessError(f"ntfs_populate failed: {r.stdout.decode(errors='replace')[-2000:]}")
    return {"bytes": size, "tree_bytes": tree_bytes, "seconds": (dt.datetime.now() - t0).total_seconds()}


def entries(bundle: str) -> list[tuple[str, str]]:
    return [(e["path"], e["sha256"]) for e in read_manifest(bundle)["entries"]]


def warm_file(path: str) -> None:
    buf = bytearray(8 << 20)
    with open(path, "rb", buffering=0) as f:
        while f.readinto(buf):
            pass


def main(argv=None) -> int:
    ap = bench_collect.common_parser(
        "Benchmark `extriage collect` from a raw NTFS image against the same tree as a directory.",
        "directory for the image and bundles (default: a temporary directory under /tmp)")
    ap.add_argument("--keep", action="store_true", help="keep the image, bundles (and a temporary tree)")
    args = bench_collect.parse_common(ap, argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    extriage = os.path.abspath(args.extriage)
    if not (os.path.isfile(extriage) and os.access(extriage, os.X_OK)):
        say(f"error: no extriage binary at {extriage}; build it first: swift build -c release")
        return 2
    temp_root = tempfile.mkdtemp(prefix="extriage-bench-image-")
    out = os.path.abspath(args.out) if args.out else os.path.join(temp_root, "out")
    tree = os.path.abspath(args.tree) if args.tree else os.path.join(temp_root, "tree")
    os.makedirs(out, exist_ok=True)
    try:
        return run(args, extriage, tree, out, temp_root)
    except HarnessError as e:
        say(f"error: {e}")
        return e.code
    except subprocess.CalledProcessError as e:
        say(f"error: {e}")
        return 3
    finally:
        if args.keep:
            say(f"kept {out}" + (f" and tree {tree}" if args.tree is None else ""))
        else:
            for name in ("ntfs.raw", "dir.tar", "img.tar", "bench.log"):
                for p in (os.path.join(out, name), os.path.join(out, name + ".sha256"),
                          os.path.join(out, name + ".custody.jsonl")):
                    if os.path.exists(p):
                        os.unlink(p)
            shutil.rmtree(temp_root, ignore_errors=True)


def run(args, extriage: str, tree: str, out: str, temp_root: str) -> int:
    started = dt.datetime.now(dt.timezone.utc)
    if not os.path.isdir(tree):
        say(f"tree: generating {generate_tree.fmt_bytes(args.size_bytes)} at {tree}")
        generate_tree.generate(tree, args.size_bytes, seed=args.seed, quiet=True)
    marker_path = os.path.join(tree, generate_tree.MARKER)
    marker_backup = None
    if os.path.exists(marker_path):  # keep the marker out of the image, restore it afterwards
        marker_backup = os.path.join(temp_root, "marker.json")
        shutil.move(marker_path, marker_backup)
    image = os.path.join(out, "ntfs.raw")
    try:
        say("image: building an NTFS image of the tree (mkntfs + libntfs-3g helper, not timed)")
        built = build_image(tree, image, temp_root)
    finally:
        if marker_backup:
            shutil.move(marker_backup, marker_path)
    say(f"       {generate_tree.fmt_bytes(built['bytes'])} image in {built['seconds']:.1f}s")

    files = walk_files(tree)
    log = os.path.join(out, "bench.log")
    gnu_time = find_gnu_time()
    common = ["--case", "BENCH", "--examiner", "bench", "--quiet", "--force"]
    contenders = {
        DIRECTORY: [extriage, "collect", "--source", tree, "--output", os.path.join(out, "dir.tar"), *common],
        IMAGE: [extriage, "collect", "--source", image, "--output", os.path.join(out, "img.tar"), *common],
    }
    results = {name: [] for name in contenders}
    for r in range(args.repeat):
        order = list(contenders) if r % 2 == 0 else list(reversed(contenders))
        for name in order:
            warm(tree, files)
            warm_file(image)
            res = run_timed([(contenders[name], None, None)], log, gnu_time)
            if res["rc"] != 0:
                raise HarnessError(f"{name} failed (exit {res['rc']}); last lines of {log}:\n{tail(log)}")
            results[name].append(res)
            say(f"run {r + 1}/{args.repeat}  {name:24s} {res['wall_s']:8.2f} s  {res['maxrss_kib'] / 1024:7.1f} MiB RSS")
        if r == 0:
            a, b = entries(os.path.join(out, "dir.tar")), entries(os.path.join(out, "img.tar"))
            if a != b:
                only = sorted(set(a) ^ set(b))[:3]
                raise HarnessError(f"the two bundles differ ({len(a)} vs {len(b)} members), e.g. {only}")
            collected = len(a)
            say(f"note: both bundles hold the same {collected} members with the same sha256")

    manifest = read_manifest(os.path.join(out, "img.tar"))
    nbytes = sum(e.get("size", 0) for e in manifest["entries"])
    summary = {}
    for name, runs in results.items():
        med = statistics.median(x["wall_s"] for x in runs)
        summary[name] = {"median_s": round(med, 4), "mb_per_s": round(nbytes / MB / med, 1) if med else None,
                         "peak_rss_mb": round(max(x["maxrss_kib"] for x in runs) * 1024 / MB, 1), "runs": runs}
    ratio = summary[IMAGE]["median_s"] / summary[DIRECTORY]["median_s"]
    ok = ratio <= TARGETS["image_vs_directory"]
    print()
    print(f"files: {collected} members, {nbytes / MB:.1f} MB read from each source; tree {generate_tree.fmt_bytes(built['tree_bytes'])}, "
          f"image {generate_tree.fmt_bytes(built['bytes'])}; runs per contender: {args.repeat}")
    print(f"{'contender':26s} {'median s':>9s} {'MB/s':>8s} {'peak RSS MB':>12s}   runs (s)")
    for name, s in summary.items():
        print(f"{name:26s} {s['median_s']:9.2f} {s['mb_per_s']:8.1f} {s['peak_rss_mb']:12.1f}   "
              + " ".join(f"{x['wall_s']:.2f}" for x in s["runs"]))
    print()
    print(f"{'image / directory':28s} {ratio:8.2f}     target <= {TARGETS['image_vs_directory']:.2f}   {'PASS' if ok else 'FAIL'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"schema": 1, "started": started.isoformat(timespec="seconds"), "host": host_info(),
                       "extriage": extriage, "image": built, "members": collected, "bytes": nbytes,
                       "contenders": summary, "targets": TARGETS, "ratio": round(ratio, 4), "pass": ok}, f, indent=2)
            f.write("\n")
    return 1 if (not ok and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
