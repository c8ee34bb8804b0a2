#!/usr/bin/env python3
"""Evaluate the event-log detection on labelled EVTX files: which categories fire, per file.

For each file of the corpus folder (default ../shared/corpora/evtx beside the checkout; skipped with a
message when absent), the file is placed alone in a fresh evidence tree as
Windows/System32/winevt/Logs/<name>, collected (`extriage collect`), analyzed to JSON (`extriage analyze
--format json`), and the `category` of every finding is read. The label is the file-name prefix:

    Credential_Access_*  ->  credential-access  (LSASS memory access or dumping)
    Lateral_Movement_*   ->  lateral-movement

A file counts as detected when a finding with its label's category fired; the table also shows whether
that finding is above `informational`, and any other categories. The target (issue #12) is at least 90%
of the files flagged above `informational` with the right category, with the built-in rules alone and
with a Sigma pack (`--sigma DIR`, e.g. ../shared/corpora/sigma/rules). Nothing from the corpus is copied into the repository;
the temporary trees are deleted.

Exit status: 0 when the target is met (or the corpus is absent), 1 below target with --strict, 2 on a
usage problem (no extriage binary), 3 when collect or analyze fails on a file.

Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_CORPUS = os.path.join(os.path.dirname(REPO), "shared", "corpora", "evtx")
DEFAULT_EXTRIAGE = os.path.join(REPO, ".build", "release", "extriage")
LABELS = [("Credential_Access_", "credential-access"), ("Lateral_Movement_", "lateral-movement")]
TARGET = 0.90


def label_of(name: str) -> str | None:
    for prefix, category in LABELS:
        if name.startswith(prefix):
            return category
    return None


def analyze_one(extriage: str, path: str, work: str, extra: list[str]) -> dict:
    """Collect a one-file evidence tree and return the parsed JSON report."""
    tree = os.path.join(work, "tree")
    logs = os.path.join(tree, "Windows", "System32", "winevt", "Logs")
    os.makedirs(logs)
    shutil.copyfile(path, os.path.join(logs, os.path.basename(path)))
    bundle = os.path.join(work, "bundle.tar")
    collect = subprocess.run([extriage, "collect", "--source", tree, "--output", bundle, "--case", "EVAL", "--examiner", "eval",
                              "--quiet"], capture_output=True, text=True)
    if collect.returncode != 0:
        raise RuntimeError(f"collect failed ({collect.returncode}): {collect.stderr.strip()[-400:]}")
    analyze = subprocess.run([extriage, "analyze", bundle, "--format", "json"] + extra, capture_output=True, text=True)
    if analyze.returncode not in (0,):
        raise RuntimeError(f"analyze failed ({analyze.returncode}): {analyze.stderr.strip()[-400:]}")
    return json.loads(analyze.stdout)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=DEFAULT_CORPUS, help="folder of labelled .evtx files")
    parser.add_argument("--extriage", default=DEFAULT_EXTRIAGE, help="extriage binary (default: the release build)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when below the target")
    parser.add_argument("--verbose", action="store_true", help="also print the checks that fired per file")
    parser.add_argument("--sigma", action="append", default=[], help="also run this Sigma rule folder (repeatable)")
    args = parser.parse_args(argv)

    if not os.path.isdir(args.corpus):
        print(f"evaluate_evtx: corpus folder {args.corpus} is absent; skipping the event-log evaluation")
        return 0
    if not os.access(args.extriage, os.X_OK):
        print(f"evaluate_evtx: no extriage binary at {args.extriage} (make release)", file=sys.stderr)
        return 2

    files = sorted(name for name in os.listdir(args.corpus) if name.lower().endswith(".evtx") and label_of(name))
    per_label: dict[str, list[int]] = {category: [0, 0, 0] for _, category in LABELS}  # files, detected, detected above informational
    failures = 0
    rows = []
    for name in files:
        label = label_of(name)
        with tempfile.TemporaryDirectory(prefix="extriage-eval-") as work:
            try:
                report = analyze_one(args.extriage, os.path.join(args.corpus, name), work,
                                     [item for folder in args.sigma for item in ("--sigma", folder)])
            except (RuntimeError, json.JSONDecodeError) as error:
                failures += 1
                per_label[label][0] += 1
                rows.append((name, label, "ERROR", str(error).splitlines()[0][:160], ""))
                continue
        fired: dict[str, str] = {}
        checks: dict[str, set] = {}
        order = ["informational", "attempt", "likely", "confirmed"]
        for finding in report.get("findings", []):
            category = finding.get("category")
            if not category:
                continue
            best = fired.get(category)
            if best is None or order.index(finding["verdict"]) > order.index(best):
                fired[category] = finding["verdict"]
            checks.setdefault(category, set()).add(finding["checkId"])
        evtx = next((row for row in report.get("coverage", []) if row.get("checkId") == "EVTX"), {})
        per_label[label][0] += 1
        hit = label in fired
        strong = hit and fired[label] != "informational"
        per_label[label][1] += hit
        per_label[label][2] += strong
        status = "HIT" if strong else ("hit-info" if hit else "MISS")
        fired_text = ", ".join(f"{c}:{v}" for c, v in sorted(fired.items())) or "-"
        detail = f"records {evtx.get('records', 0)}, failed {evtx.get('malformed', 0)}"
        if args.verbose:
            detail += "; " + "; ".join(f"{c}: {' '.join(sorted(ids))}" for c, ids in sorted(checks.items()))
        rows.append((name, label, status, fired_text, detail))

    width = max((len(row[0]) for row in rows), default=10)
    print(f"{'file':<{width}}  {'label':<17}  {'result':<8}  categories fired (best verdict)  [{'records'}]")
    for name, label, status, fired_text, detail in rows:
        print(f"{name:<{width}}  {label:<17}  {status:<8}  {fired_text}  [{detail}]")
    print()
    total = detected = strong = 0
    for _, category in LABELS:
        count, hits, strong_hits = per_label[category]
        total += count
        detected += hits
        strong += strong_hits
        if count:
            print(f"{category:<17}: {hits}/{count} detected ({100 * hits / count:.0f}%), {strong_hits}/{count} above informational")
    if total:
        print(f"rules: built-in{''.join(' + ' + folder for folder in args.sigma)}")
        rate = strong / total
        verdict = "PASS" if rate >= TARGET else "FAIL"
        print(f"{'overall':<17}: {detected}/{total} detected, {strong}/{total} above informational ({100 * rate:.1f}%); "
              f"target >= {100 * TARGET:.0f}% above informational: {verdict}")
        if failures:
            print(f"{failures} file(s) could not be collected or analyzed", file=sys.stderr)
            return 3
        return 1 if args.strict and rate < TARGET else 0
    print("evaluate_evtx: no labelled .evtx files in the corpus")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
