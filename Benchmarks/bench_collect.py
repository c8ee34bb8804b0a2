#!/usr/bin/env python3
"""Benchmark `extriage collect` against `tar + sha256sum` and plain `tar`, in the same run.

Contenders, each run --repeat times (default 3) on the same file list, from a hot page cache:

  a. extriage collect --source TREE --output OUT/b.tar --case BENCH --examiner bench --quiet --force
  b. tar -cf OUT/base.tar -C TREE --null --verbatim-files-from -T LIST
     then  xargs -0 -a LIST sha256sum > OUT/base.sha256   (cwd TREE; both timed together)
  c. tar -cf OUT/tar.tar  -C TREE --null --verbatim-files-from -T LIST

  d. (--hash-floor, for reference) xargs -0 -a LIST sha256sum; ... sha1sum; ... md5sum

LIST is the set of files extriage collected, read from the `manifest.json` of its first bundle
(entries[].sourcePath, relative to the volume root); the manifest's sha256 values are checked
against sha256sum's. With --skip-extriage only the baselines run, on every log/web file of the
generated tree (the generator's own list), to test the harness.

Reports the median wall time, throughput and peak RSS of each contender, the ratios
extriage/(tar+sha256sum) (target <= 1.0), extriage/tar (target <= 1.3) and extriage's peak RSS
(target < 100 MB), each PASS/FAIL. Exits 1 only with --strict when a target fails; 2 on a
usage problem (such as a missing extriage binary); 3 when a contender fails.

Python 3 standard library only; needs GNU tar, GNU xargs and coreutils sha256sum.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in Benchmarks/
import generate_tree  # noqa: E402  (sibling module)

DEFAULT_EXTRIAGE = os.path.join(REPO, ".build", "release", "extriage")
MB = 1_000_000  # throughput and RSS are in SI megabytes (10^6 bytes)

TARGETS = {
    "extriage_vs_tar_sha256sum": 1.0,  # extriage median / (tar + sha256sum) median, at most
    "extriage_vs_tar": 1.3,  # extriage median / tar median, at most
    "extriage_peak_rss_mb": 100.0,  # extriage peak RSS, below
}

EXTRIAGE = "extriage collect"
TAR_SHA = "tar + sha256sum"
TAR = "tar"
HASHES = "sha256+sha1+md5sum"

# Used only when a tree has no generator marker and --skip-extriage is given: a subset of the
# collection globs of EXCHANGE-ARTIFACTS.md §1.3, over lower-cased '/'-separated paths.
FALLBACK_SELECT = [re.compile(p) for p in (
    r"(^|/)logging/httpproxy/(.+/)?httpproxy_[^/]*\.log$",
    r"(^|/)logging/ecp/server/ecpserver[^/]*\.log$",
    r"(^|/)logging/ecp/activity/ecpactivity_[^/]*\.log$",
    r"(^|/)logging/(oabgeneratorlog|oabgeneratorsimplelog|cmdletinfra)/.+",
    r"(^|/)bin/exsetup\.exe$",
    r"(^|/)frontend/httpproxy/(.+/)?[^/]+\.(aspx|asmx|ashx|asax|asp|cshtml|js|htm|html|config)$",
    r"(^|/)frontend/httpproxy/(owa|ecp)/auth/.+",
    r"(^|/)frontend/httpproxy/oab/.+",
    r"^inetpub/wwwroot/.+",
    r"^inetpub/logs/logfiles/w3svc[^/]*/[^/]+\.log$",
    r"^windows/system32/inetsrv/config/(applicationhost|administration|redirection)\.config$",
)]


class HarnessError(Exception):
    def __init__(self, message: str, code: int = 3):
        super().__init__(message)
        self.code = code


def say(*a) -> None:
    print(*a, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- file lists


def walk_files(tree: str) -> list[str]:
    """Every regular file under tree, relative, '/'-separated, sorted (marker file excluded)."""
    out = []
    for d, dirs, files in os.walk(tree):
        dirs.sort()
        for f in sorted(files):
            rel = os.path.relpath(os.path.join(d, f), tree).replace(os.sep, "/")
            if rel != generate_tree.MARKER and os.path.isfile(os.path.join(tree, rel)):
                out.append(rel)
    return out


def baseline_selection(tree: str) -> tuple[list[str], str]:
    marker = generate_tree.read_marker(tree)
    if marker and isinstance(marker.get("selected"), list):
        return list(marker["selected"]), "generator marker (all log/web files)"
    files = [r for r in walk_files(tree) if any(p.search(r.lower()) for p in FALLBACK_SELECT)]
    return files, "fallback globs (subset of EXCHANGE-ARTIFACTS.md §1.3)"


def read_manifest(bundle: str) -> dict:
    """The bundle's manifest.json (found by scanning member headers; data is seeked over)."""
    data = None
    try:
        with tarfile.open(bundle, "r:") as tf:
            for ti in tf:
                if ti.isfile() and ti.name.lstrip("./") == "manifest.json":
                    f = tf.extractfile(ti)
                    data = f.read() if f else None  # keep scanning: the last one wins
    except (tarfile.TarError, OSError) as e:
        say(f"note: Python tarfile could not read {bundle} ({e}); trying tar -xOf")
        try:
            data = subprocess.run(["tar", "-xOf", bundle, "manifest.json"], check=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout
        except subprocess.CalledProcessError as e2:
            raise HarnessError(f"cannot read manifest.json from {bundle}: "
                               f"{e2.stderr.decode(errors='replace').strip()}") from e2
    if data is None:
        raise HarnessError(f"{bundle} has no manifest.json member")
    try:
        return json.loads(data)
    except ValueError as e:
        raise HarnessError(f"manifest.json in {bundle} is not JSON: {e}") from e


def manifest_source_paths(manifest: dict, tree: str) -> tuple[list[str], list[str], dict[str, str]]:
    """(paths relative to tree that exist as files, paths that did not resolve, path -> sha256)."""
    entries = None
    for key in ("entries", "members", "files"):
        if isinstance(manifest.get(key), list):
            entries = manifest[key]
            break
    if entries is None:
        raise HarnessError("manifest.json has no entries[] list")
    tree_abs = os.path.abspath(tree).replace(os.sep, "/").strip("/")
    seen, found, missing, digests = set(), [], [], {}
    for e in entries:
        if not isinstance(e, dict):
            continue
        sp = e.get("sourcePath", e.get("source_path"))
        if isinstance(e.get("sourcePathHex"), str):  # a name that is not valid UTF-8: the raw bytes
            try:
                sp = os.fsdecode(bytes.fromhex(e["sourcePathHex"]))
            except ValueError:
                pass
        if not isinstance(sp, str) or not sp:
            continue
        p = sp.replace("\\", "/")
        if re.match(r"^[A-Za-z]:/", p):  # a drive letter
            p = p[2:]
        p = p.strip("/")
        if p.startswith(tree_abs + "/"):  # an absolute host path into the tree
            p = p[len(tree_abs) + 1:]
        if p in seen:
            continue
        seen.add(p)
        (found if os.path.isfile(os.path.join(tree, p)) else missing).append(p)
        if isinstance(e.get("sha256"), str):
            digests[p] = e["sha256"].lower()
    return found, missing, digests


def read_sha256sum(path: str) -> dict[str, str]:
    """Parse `sha256sum` output (names escaped with a leading backslash when needed)."""
    out = {}
    with open(path, "rb") as f:
        for raw in f:
            line = raw.rstrip(b"\n").decode("utf-8", "surrogateescape")
            escaped = line.startswith("\\")
            if escaped:
                line = line[1:]
            digest, _, rest = line.partition(" ")
            name = rest[1:] if rest[:1] in (" ", "*") else rest  # text or binary mode marker
            if escaped:
                name = re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r"}.get(m.group(1), m.group(1)), name)
            out[name] = digest.lower()
    return out


def write_list(path: str, files: list[str]) -> None:
    with open(path, "wb") as f:
        for rel in files:
            f.write(os.fsencode(rel) + b"\0")


# --------------------------------------------------------------------------- running


def warm(tree: str, files: list[str]) -> tuple[int, float]:
    """Read every file once so that every contender starts from the same hot page cache."""
    t0 = time.perf_counter()
    buf = bytearray(8 << 20)
    total = 0
    for rel in files:
        with open(os.path.join(tree, rel), "rb", buffering=0) as f:
            while True:
                n = f.readinto(buf)
                if not n:
                    break
                total += n
    return total, time.perf_counter() - t0


def find_gnu_time() -> str | None:
    """GNU time, whose own child starts from a tiny image, so %M is the command's real peak RSS."""
    for cand in ("/usr/bin/time", shutil.which("gtime") or ""):
        if cand and os.access(cand, os.X_OK):
            v = subprocess.run([cand, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if b"GNU" in v.stdout:
                return cand
    return None


def run_timed(steps: list[tuple[list[str], str | None, str | None]], log: str,
              gnu_time: str | None) -> dict:
    """Run (argv, cwd, stdout_path) steps one after another; wall time, summed CPU, max RSS.

    Wall time is measured here. Peak RSS and CPU come from GNU time (%M, %U, %S) when it is
    available; otherwise from os.wait4, whose ru_maxrss also counts the forked Python image the
    command started from (a floor of about the harness's own RSS, reported as such)."""
    wall = cpu_user = cpu_sys = 0.0
    maxrss_kib = 0
    stat = log + ".time"
    with open(log, "ab") as lf:
        for argv, cwd, stdout_path in steps:
            lf.write(("$ " + shlex.join(argv) + (f"   (cwd {cwd})" if cwd else "") + "\n").encode())
            lf.flush()
            full = [gnu_time, "-o", stat, "-f", "%M %U %S", "--", *argv] if gnu_time else argv
            out = open(stdout_path, "wb") if stdout_path else lf
            try:
                t0 = time.perf_counter()
                p = subprocess.Popen(full, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=lf,
                                     start_new_session=True)
                try:
                    _, status, ru = os.wait4(p.pid, 0)
                except BaseException:  # interrupted: stop this contender's process group, then go
                    try:
                        os.killpg(p.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    p.wait()
                    raise
                t1 = time.perf_counter()
            finally:
                if stdout_path:
                    out.close()
            p.returncode = rc = os.waitstatus_to_exitcode(status)
            wall += t1 - t0
            if gnu_time:
                try:
                    with open(stat) as f:
                        kib, user, sys_ = f.read().strip().splitlines()[-1].split()
                    maxrss_kib = max(maxrss_kib, int(kib))
                    cpu_user += float(user)
                    cpu_sys += float(sys_)
                except (OSError, ValueError, IndexError):
                    rc = rc or 125
            else:
                cpu_user += ru.ru_utime
                cpu_sys += ru.ru_stime
                maxrss_kib = max(maxrss_kib, ru.ru_maxrss)
            if rc != 0:
                return {"rc": rc, "argv": argv, "wall_s": wall}
    return {"rc": 0, "wall_s": round(wall, 4), "user_s": round(cpu_user, 3), "sys_s": round(cpu_sys, 3),
            "maxrss_kib": maxrss_kib}


def tail(path: str, n: int = 15) -> str:
    try:
        with open(path, "rb") as f:
            lines = f.read().decode(errors="replace").splitlines()
        return "\n".join("    " + line for line in lines[-n:])
    except OSError:
        return "    (no log)"


def remove_outputs(out: str, names: list[str]) -> None:
    for entry in os.listdir(out):
        if any(entry == n or entry.startswith(n + ".") for n in names):
            p = os.path.join(out, entry)
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p, ignore_errors=True)
            else:
                try:
                    os.unlink(p)
                except FileNotFoundError:
                    pass


def first_line(argv: list[str]) -> str:
    try:
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20)
        return r.stdout.decode(errors="replace").strip().splitlines()[0] if r.stdout else ""
    except (OSError, subprocess.SubprocessError, IndexError):
        return ""


def host_info() -> dict:
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = f.readline().split(":", 1)[1].strip()
    except OSError:
        pass
    return {
        "hostname": platform.node(),
        "system": f"{platform.system()} {platform.release()}",
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "memory": mem,
        "loadavg_at_start": list(os.getloadavg()),
        "python": platform.python_version(),
        "tar": first_line(["tar", "--version"]),
        "sha256sum": first_line(["sha256sum", "--version"]),
    }


# --------------------------------------------------------------------------- main


def common_parser(description: str, out_help: str) -> argparse.ArgumentParser:
    """The options every extriage benchmark shares (binary, tree, size, runs, outputs)."""
    ap = argparse.ArgumentParser(
        description=description,
        epilog="Exit status: 0 done (targets reported), 1 a target failed with --strict, "
               "2 usage problem (e.g. no extriage binary), 3 a contender or the harness failed.")
    ap.add_argument("--extriage", default=DEFAULT_EXTRIAGE,
                    help="extriage binary (default: <repo>/.build/release/extriage)")
    ap.add_argument("--size", default=None, help="tree size to generate, e.g. 200M, 2G (default 2G)")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--tree", default=None,
                    help="source tree; generated there if missing and then kept for reuse "
                         "(default: a temporary tree, removed afterwards)")
    ap.add_argument("--out", default=None, help=out_help)
    ap.add_argument("--repeat", type=int, default=3, help="runs per contender (default 3); median is reported")
    ap.add_argument("--json", default=None, metavar="FILE", help="also write the results as JSON")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    return ap


def parse_common(ap: argparse.ArgumentParser, argv):
    """Parses and checks the shared options; `args.size_bytes` is the tree size in bytes."""
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    try:
        args.size_bytes = generate_tree.parse_size(args.size or "2G")
    except ValueError as e:
        ap.error(str(e))
    return args


def parse_args(argv):
    ap = common_parser("Benchmark `extriage collect` against tar + sha256sum and plain tar.",
                       "directory for the bundles (default: a temporary directory under /tmp)")
    ap.add_argument("--extriage-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for `extriage collect` (repeatable)")
    ap.add_argument("--skip-extriage", action="store_true",
                    help="run only the baselines, on all generated log/web files (harness test)")
    ap.add_argument("--hash-floor", action="store_true",
                    help="also time sha256sum, sha1sum and md5sum one after another over the list "
                         "(the one-core cost of the three digests; for reference, no target)")
    ap.add_argument("--keep", action="store_true", help="keep the last outputs (and a temporary tree)")
    ap.add_argument("--compare", default=None, metavar="FILE", help="show changes against an earlier --json")
    return parse_common(ap, argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on kill
    extriage = os.path.abspath(args.extriage)
    if not args.skip_extriage and not (os.path.isfile(extriage) and os.access(extriage, os.X_OK)):
        say(f"error: no extriage binary at {extriage}\n"
            f"       build it first:  swift build -c release   (or pass --extriage PATH)\n"
            f"       to test only the harness and the baselines:  {sys.argv[0]} --skip-extriage")
        return 2
    for tool in ("tar", "xargs", "sha256sum"):
        if shutil.which(tool) is None:
            say(f"error: {tool} not found on PATH")
            return 2

    temp_root = None  # everything we create under /tmp by default
    if args.out is None or args.tree is None:
        temp_root = tempfile.mkdtemp(prefix="extriage-bench-")
    out = os.path.abspath(args.out) if args.out else os.path.join(temp_root, "out")
    os.makedirs(out, exist_ok=True)
    tree = os.path.abspath(args.tree) if args.tree else os.path.join(temp_root, "tree")
    own_names = ["b.tar", "base.tar", "base.sha256", "tar.tar", "hashes", "files.lst", "bench.log"]
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
        else:
            if os.path.isdir(out):
                remove_outputs(out, own_names)
            if temp_root:
                shutil.rmtree(temp_root, ignore_errors=True)


def prepare_tree(args, tree: str) -> dict | None:
    """Reuses the tree at `tree` (saying what it is) or generates one of --size; returns its marker."""
    if os.path.exists(tree):
        marker = generate_tree.read_marker(tree)
        if marker:
            note = f"generated tree, {generate_tree.fmt_bytes(marker['total_bytes'])}, seed {marker['seed']}"
            if args.size is not None and marker.get("requested_size") != args.size_bytes:
                say(f"note: reusing {tree} ({note}); --size {args.size} ignored (delete the tree to regenerate)")
        else:
            note = "existing tree (no generator marker)"
        say(f"tree: {tree} ({note})")
    else:
        say(f"tree: generating {generate_tree.fmt_bytes(args.size_bytes)} at {tree}")
        m = generate_tree.generate(tree, args.size_bytes, seed=args.seed, quiet=True)
        say(f"      {m['total_files']} files, {generate_tree.fmt_bytes(m['total_bytes'])} in {m['seconds']}s")
    return generate_tree.read_marker(tree)


def run(args, extriage: str, tree: str, out: str) -> int:
    started = dt.datetime.now(dt.timezone.utc)
    log = os.path.join(out, "bench.log")
    list_path = os.path.join(out, "files.lst")
    host = host_info()

    # 1. The source tree.
    marker = prepare_tree(args, tree)

    # 2. Warm the page cache: every file of the tree, once.
    all_files = walk_files(tree)
    nbytes, secs = warm(tree, all_files)
    say(f"warm: read {len(all_files)} files, {generate_tree.fmt_bytes(nbytes)} in {secs:.1f}s")

    # 3. Contenders.
    gnu_time = find_gnu_time()
    floor = run_timed([(["true"], None, None)], log, gnu_time)["maxrss_kib"]
    rss_method = (f"GNU time %M ({gnu_time})" if gnu_time else
                  "os.wait4 ru_maxrss (includes the forked harness image)")
    say(f"rss:  measured with {rss_method}; `true` measures {floor / 1024:.1f} MiB")
    bundle = os.path.join(out, "b.tar")
    extriage_cmd = [extriage, "collect", "--source", tree, "--output", bundle, "--case", "BENCH",
                    "--examiner", "bench", "--quiet", "--force", *args.extriage_arg]
    tar_flags = ["-C", tree, "--null", "--verbatim-files-from", "-T", list_path]
    contenders = {
        EXTRIAGE: {"outputs": ["b.tar"],
                   "steps": [(extriage_cmd, None, None)]},
        TAR_SHA: {"outputs": ["base.tar", "base.sha256"],
                  "steps": [(["tar", "-cf", os.path.join(out, "base.tar"), *tar_flags], None, None),
                            (["xargs", "-0", "-a", list_path, "sha256sum"], tree,
                             os.path.join(out, "base.sha256"))]},
        TAR: {"outputs": ["tar.tar"],
              "steps": [(["tar", "-cf", os.path.join(out, "tar.tar"), *tar_flags], None, None)]},
        HASHES: {"outputs": ["hashes.sha256", "hashes.sha1", "hashes.md5"],
                 "steps": [(["xargs", "-0", "-a", list_path, tool], tree, os.path.join(out, f"hashes.{ext}"))
                           for tool, ext in (("sha256sum", "sha256"), ("sha1sum", "sha1"), ("md5sum", "md5"))]},
    }
    names = [TAR_SHA, TAR] if args.skip_extriage else [EXTRIAGE, TAR_SHA, TAR]
    if args.hash_floor:
        names.append(HASHES)
    files: list[str] = []
    selection = ""
    if args.skip_extriage:
        files, selection = baseline_selection(tree)
        if not files:
            raise HarnessError(f"no log/web files found under {tree}", 2)
        write_list(list_path, files)
    results = {n: [] for n in names}
    expected = None
    digests: dict[str, str] = {}

    for r in range(args.repeat):
        order = names[r % len(names):] + names[:r % len(names)]  # rotate, so no contender is always first
        for name in order:
            c = contenders[name]
            remove_outputs(out, c["outputs"])
            os.sync()
            if files:
                warm(tree, files)
            else:
                warm(tree, all_files)
            res = run_timed(c["steps"], log, gnu_time)
            if res["rc"] != 0:
                raise HarnessError(f"{name} failed (exit {res['rc']}): {shlex.join(res['argv'])}\n"
                                   f"  last lines of {log}:\n{tail(log)}")
            results[name].append(res)
            say(f"run {r + 1}/{args.repeat}  {name:18s} {res['wall_s']:8.2f} s  "
                f"{res['maxrss_kib'] / 1024:7.1f} MiB RSS")
            if name == EXTRIAGE and r == 0:
                if not os.path.isfile(bundle):
                    raise HarnessError(f"extriage exited 0 but wrote no {bundle}")
                manifest = read_manifest(bundle)
                files, missing, digests = manifest_source_paths(manifest, tree)
                partial = sum(1 for e in manifest.get("entries", []) if isinstance(e, dict)
                              and e.get("status") == "partial")
                if partial:
                    say(f"note: {partial} manifest entries are `partial` (head stored only); "
                        f"the baselines still archive those files whole")
                if missing:
                    say(f"warning: {len(missing)} manifest sourcePath(s) not found under the tree, e.g. "
                        + ", ".join(repr(m) for m in missing[:3]))
                if not files:
                    raise HarnessError("the manifest lists no file that exists under the tree")
                write_list(list_path, files)
                selection = "extriage manifest.json entries[].sourcePath"
                if marker and isinstance(marker.get("selected"), list):
                    exp = set(marker["selected"])
                    got = set(files)
                    expected = {"generator_selectable": len(exp), "collected": len(got),
                                "not_collected": len(exp - got), "extra": len(got - exp)}
                    say(f"note: extriage collected {len(got)} files; generator marked {len(exp)} selectable "
                        f"({len(exp - got)} of them not collected, {len(got - exp)} others collected)")
            if r == 0:
                check_outputs(name, out, files, tree)
                if name == TAR_SHA and digests:
                    got = read_sha256sum(os.path.join(out, "base.sha256"))
                    bad = [f for f in files if f in digests and got.get(f) != digests[f]]
                    if bad:
                        raise HarnessError(f"{len(bad)} manifest sha256 value(s) differ from sha256sum, e.g. "
                                           f"{bad[0]!r}: manifest {digests[bad[0]]}, sha256sum {got.get(bad[0])}")
                    say(f"note: manifest sha256 matches sha256sum for {len(digests)} files")

    # 4. Summary.
    list_bytes = sum(os.path.getsize(os.path.join(tree, f)) for f in files)
    summary = {}
    for name in names:
        runs = results[name]
        med = statistics.median(x["wall_s"] for x in runs)
        summary[name] = {
            "median_s": round(med, 4),
            "mb_per_s": round(list_bytes / MB / med, 1) if med > 0 else None,
            "peak_rss_mb": round(max(x["maxrss_kib"] for x in runs) * 1024 / MB, 1),
            "median_cpu_s": round(statistics.median(x["user_s"] + x["sys_s"] for x in runs), 3),
            "runs": runs,
        }
    checks = []
    if not args.skip_extriage:
        e = summary[EXTRIAGE]
        checks = [
            ("extriage / (tar+sha256sum)", e["median_s"] / summary[TAR_SHA]["median_s"],
             "<=", TARGETS["extriage_vs_tar_sha256sum"], ""),
            ("extriage / tar", e["median_s"] / summary[TAR]["median_s"], "<=", TARGETS["extriage_vs_tar"], ""),
            ("extriage peak RSS", e["peak_rss_mb"], "<", TARGETS["extriage_peak_rss_mb"], " MB"),
        ]
    info_ratio = summary[TAR_SHA]["median_s"] / summary[TAR]["median_s"]

    print()
    print(f"files: {len(files)} ({generate_tree.fmt_bytes(list_bytes)}, {list_bytes / MB:.1f} MB) "
          f"from {selection}")
    print(f"tree:  {tree}   runs per contender: {args.repeat}   cpus: {host['cpus']}")
    print(f"RSS:   {rss_method}; floor (`true`) {floor * 1024 / MB:.1f} MB")
    print()
    print(f"{'contender':18s} {'median s':>9s} {'MB/s':>8s} {'peak RSS MB':>12s} {'CPU s':>7s}   runs (s)")
    for name in names:
        s = summary[name]
        runs = " ".join(f"{x['wall_s']:.2f}" for x in s["runs"])
        print(f"{name:18s} {s['median_s']:9.2f} {s['mb_per_s']:8.1f} {s['peak_rss_mb']:12.1f} "
              f"{s['median_cpu_s']:7.2f}   {runs}")
    print()
    failed = False
    for label, value, op, target, unit in checks:
        ok = value <= target if op == "<=" else value < target
        failed |= not ok
        tgt = f"{target:.0f}{unit}" if unit else f"{target:.2f}"
        print(f"{label:28s} {value:8.2f}{unit:3s}  target {op} {tgt:8s} {'PASS' if ok else 'FAIL'}")
    print(f"{'(tar+sha256sum) / tar':28s} {info_ratio:8.2f}     (for reference)")
    if args.skip_extriage:
        print("extriage skipped (--skip-extriage): no targets checked")

    doc = {
        "schema": 1,
        "started": started.isoformat(timespec="seconds"),
        "host": host,
        "rss_method": rss_method,
        "rss_floor_mb": round(floor * 1024 / MB, 1),
        "extriage": None if args.skip_extriage else {
            "path": extriage, "version": first_line([extriage, "--version"]), "args": args.extriage_arg},
        "tree": {"path": tree, "marker": {k: v for k, v in (marker or {}).items() if k != "selected"} or None},
        "file_list": {"source": selection, "files": len(files), "bytes": list_bytes},
        "selection_vs_generator": expected,
        "repeat": args.repeat,
        "contenders": summary,
        "targets": TARGETS,
        "checks": [{"name": l, "value": round(v, 4), "op": o, "target": t,
                    "pass": (v <= t if o == "<=" else v < t)} for l, v, o, t, _ in checks],
        "pass": None if args.skip_extriage else not failed,
    }
    if args.compare:
        compare(args.compare, doc)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
        say(f"wrote {args.json}")
    return 1 if (failed and args.strict) else 0


def check_outputs(name: str, out: str, files: list[str], tree: str) -> None:
    """Sanity checks after the first run of each contender."""
    total = sum(os.path.getsize(os.path.join(tree, f)) for f in files) if files else 0
    if name == TAR_SHA:
        with open(os.path.join(out, "base.sha256"), "rb") as f:
            n = sum(1 for _ in f)
        if n != len(files):
            raise HarnessError(f"sha256sum printed {n} lines for {len(files)} files")
    if name == HASHES:
        return
    tarname = {EXTRIAGE: "b.tar", TAR_SHA: "base.tar", TAR: "tar.tar"}[name]
    size = os.path.getsize(os.path.join(out, tarname))
    if size < total:
        raise HarnessError(f"{tarname} is {size} bytes, less than the {total} bytes of its files")


def compare(path: str, doc: dict) -> None:
    try:
        with open(path) as f:
            old = json.load(f)
    except (OSError, ValueError) as e:
        say(f"warning: cannot read {path} for --compare: {e}")
        return
    print(f"\nagainst {path} ({old.get('started', '?')}):")
    for name, s in doc["contenders"].items():
        o = old.get("contenders", {}).get(name)
        if not o:
            continue
        d = (s["median_s"] / o["median_s"] - 1) * 100 if o.get("median_s") else float("nan")
        print(f"  {name:18s} {o['median_s']:8.2f} -> {s['median_s']:8.2f} s ({d:+.1f}%)   "
              f"RSS {o['peak_rss_mb']:.1f} -> {s['peak_rss_mb']:.1f} MB")
    if old.get("file_list", {}).get("bytes") != doc["file_list"]["bytes"]:
        print("  note: the file lists differ in size; compare MB/s rather than seconds")


if __name__ == "__main__":
    sys.exit(main())
