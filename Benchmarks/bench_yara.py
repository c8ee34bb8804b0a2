#!/usr/bin/env python3
"""Benchmark YARA scanning of web files: `extriage analyze` versus the `yara` command-line tool,
with the same rules over the same files, in the same run.

A folder of synthetic ASP.NET pages (deterministic per --seed; a few carry shell traits) is
written to TREE/inetpub/wwwroot/app/ and collected once into a bundle (not timed). Then, each
--repeat times (median reported), from a hot page cache:

  a. extriage analyze OUT/bundle.tar --format json --output OUT/report.json
     (verifies the bundle, i.e. hashes every member, streams each web file to the YARA workers)
  b. yara -p THREADS -d filename= -d filepath= -d extension= -d filetype= -d owner= \\
          RULE_FILES... TREE/inetpub/wwwroot/app        (every built-in rule file, no -r needed)

plus, once and for information, `extriage verify OUT/bundle.tar` (hashing alone), so that
`analyze - verify` approximates extriage's scanning cost. CPU seconds (user + system) of each
contender are printed beside the wall times: on a shared machine they vary less. The number of matching files from each
contender is printed as a sanity check (they should agree: same rules, same bytes).

Target (the issue's): analyze / yara <= 1.2, PASS/FAIL. Exits 1 only with --strict when the target
fails, 2 on a usage problem (no extriage binary, no yara), 3 when a contender fails.

Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_EXTRIAGE = os.path.join(REPO, ".build", "release", "extriage")
RULES = sorted(glob.glob(os.path.join(REPO, "Profiles", "rules", "yara", "*.yar")))
WEB = os.path.join("inetpub", "wwwroot", "app")
TARGET = 1.2

WORDS = ("customer order invoice report settings profile account message folder calendar contact "
         "search filter result summary detail update status user group role permission").split()
SNIPPETS = [
    '<asp:Label ID="lbl{n}" runat="server" Text="{w}" />',
    '<asp:TextBox ID="txt{n}" runat="server" CssClass="{w}" />',
    "<div class=\"{w}\"><%= Server.HtmlEncode(Model.{W}) %></div>",
    "<script type=\"text/javascript\">function on{W}{n}() {{ var x = document.getElementById('{w}'); x.value = ''; }}</script>",
    "<p>The {w} list shows every {w} for this {w2}. Choose one to see its details.</p>",
    "<% if (IsPostBack) {{ {w}Grid.DataBind(); }} %>",
    "<table><tr><td>{w}</td><td><%# Eval(\"{W}\") %></td></tr></table>",
]
SHELL_TRAITS = [
    '<% var p = new System.Diagnostics.ProcessStartInfo("cmd.exe", "/c " + Request.Form["c"]); System.Diagnostics.Process.Start(p); %>',
    '<%@ Page Language="Jscript"%><%eval(Request.Item["p"],"unsafe");%>',
]


def page(rng: random.Random, size: int, shell: bool) -> bytes:
    parts = ['<%@ Page Language="C#" AutoEventWireup="true" CodeBehind="Page.aspx.cs" Inherits="App.Page" %>\n<html><body>\n']
    total = len(parts[0])
    n = 0
    while total < size:
        w, w2 = rng.choice(WORDS), rng.choice(WORDS)
        line = rng.choice(SNIPPETS).format(n=n, w=w, w2=w2, W=w.capitalize()) + "\n"
        parts.append(line)
        total += len(line)
        n += 1
    if shell:
        parts.insert(rng.randrange(1, len(parts)), "<%-- inert benchmark sample --%>" + rng.choice(SHELL_TRAITS) + "\n")
    parts.append("</body></html>\n")
    return "".join(parts).encode()


def make_tree(tree: str, total_bytes: int, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    folder = os.path.join(tree, WEB)
    os.makedirs(folder, exist_ok=True)
    written = files = 0
    while written < total_bytes:
        size = int(rng.lognormvariate(9.5, 1.0))  # median ~13 KB, a few hundred KB
        size = max(600, min(size, 2 << 20))
        data = page(rng, size, shell=rng.random() < 0.01)
        with open(os.path.join(folder, f"page{files:05d}.aspx"), "wb") as handle:
            handle.write(data)
        written += len(data)
        files += 1
    return files, written


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


CPU: dict[str, list[float]] = {}


def timed(cmd: list[str], stdout=subprocess.DEVNULL, label: str | None = None) -> tuple[float, subprocess.CompletedProcess]:
    """Wall seconds of one run; its CPU seconds (user + system) are kept under `label`."""
    cpu = cpu_seconds()
    start = time.perf_counter()
    result = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if label:
        CPU.setdefault(label, []).append(cpu_seconds() - cpu)
    if result.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({result.returncode}): {result.stderr.strip()[-1500:]}")
    return elapsed, result


def parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip().upper().rstrip("B").rstrip("I")
    return int(float(text[:-1]) * units[text[-1]]) if text and text[-1] in units else int(text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="100M", help="total bytes of web files (default 100M)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="yara -p (default: cores)")
    parser.add_argument("--extriage", default=DEFAULT_EXTRIAGE)
    parser.add_argument("--yara", default=shutil.which("yara") or "yara")
    parser.add_argument("--keep", help="work folder to keep (default: a temporary one, deleted)")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args(argv)
    if not os.access(args.extriage, os.X_OK):
        print(f"error: no extriage binary at {args.extriage} (swift build -c release)", file=sys.stderr)
        return 2
    if not shutil.which(args.yara):
        print("error: the yara command-line tool is not installed (apt-get install yara)", file=sys.stderr)
        return 2
    work = args.keep or tempfile.mkdtemp(prefix="extriage-bench-yara-")
    try:
        tree = os.path.join(work, "tree")
        if os.path.isdir(tree):
            shutil.rmtree(tree)
        files, nbytes = make_tree(tree, parse_size(args.size), args.seed)
        bundle = os.path.join(work, "bundle.tar")
        report = os.path.join(work, "report.json")
        subprocess.run([args.extriage, "collect", "--source", tree, "--output", bundle, "--case", "BENCH",
                        "--examiner", "bench", "--quiet", "--force"], check=True, stdout=subprocess.DEVNULL)
        version = subprocess.run([args.yara, "--version"], capture_output=True, text=True).stdout.strip()
        print(f"{files} web files, {nbytes / 1e6:.1f} MB; {len(RULES)} rule files; yara {version}, -p {args.threads}; "
              f"{os.cpu_count()} cores; repeat {args.repeat}")
        externals = [flag for name in ("filename", "filepath", "extension", "filetype", "owner") for flag in ("-d", f"{name}=")]
        yara_cmd = [args.yara, "-p", str(args.threads)] + externals + RULES + [os.path.join(tree, WEB)]
        analyze_cmd = [args.extriage, "analyze", bundle, "--format", "json", "--output", report, "--force"]
        # Warm the page cache and both programs once.
        timed(yara_cmd)
        timed(analyze_cmd)
        analyze_times, yara_times = [], []
        yara_out = None
        for _ in range(args.repeat):
            elapsed, _ = timed(analyze_cmd, label="analyze")
            analyze_times.append(elapsed)
            elapsed, yara_out = timed(yara_cmd, stdout=subprocess.PIPE, label="yara")
            yara_times.append(elapsed)
        verify_time, _ = timed([args.extriage, "verify", bundle], label="verify")
        with open(report, encoding="utf-8") as handle:
            doc = json.load(handle)
        doc = doc[0] if isinstance(doc, list) else doc
        extriage_hits = {f["evidence"][0]["originalPath"] for f in doc.get("findings", []) if f.get("checkId") == "EXT-C10"}
        yara_hits = {line.split(" ", 1)[1] for line in (yara_out.stdout if yara_out else "").splitlines() if " " in line}
        analyze = statistics.median(analyze_times)
        yara = statistics.median(yara_times)
        ratio = analyze / yara if yara else float("inf")
        print(f"extriage analyze : median {analyze:.3f} s  ({nbytes / 1e6 / analyze:.0f} MB/s)  runs {', '.join(f'{t:.3f}' for t in analyze_times)}")
        print(f"yara CLI         : median {yara:.3f} s  ({nbytes / 1e6 / yara:.0f} MB/s)  runs {', '.join(f'{t:.3f}' for t in yara_times)}")
        print(f"extriage verify  : {verify_time:.3f} s (hashing only; analyze - verify = {analyze - verify_time:.3f} s)")
        cpu = {label: statistics.median(values) for label, values in CPU.items()}
        print(f"CPU seconds      : analyze {cpu['analyze']:.3f}, yara {cpu['yara']:.3f}, verify {cpu['verify']:.3f} "
              f"(analyze / yara {cpu['analyze'] / cpu['yara']:.2f}; less sensitive than wall time to other load on the machine)")
        print(f"files matched    : extriage {len(extriage_hits)}, yara {len(yara_hits)}")
        ok = ratio <= TARGET
        print(f"analyze / yara = {ratio:.2f} (target <= {TARGET}: {'PASS' if ok else 'FAIL'})")
        return 1 if (args.strict and not ok) else 0
    except (RuntimeError, subprocess.CalledProcessError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
