#!/usr/bin/env python3
"""Recall and false positives of extriage's web-shell detection over labelled folders.

Each folder's files are copied into a neutral web folder of a fresh evidence tree
(TREE/inetpub/wwwroot/app/<file>: collected, scanned, but no drop-zone verdict to lean on), the
tree is collected into a bundle and analyzed to JSON with the given rules:

    extriage collect --source TREE --output OUT/bundle.tar --case EVAL --examiner eval --quiet --force
    extriage analyze OUT/bundle.tar --format json --output OUT/report.json [--rules DIR ...]

A file is "flagged" when a web-shell finding (EXT-C10 content, EXT-C09 location) names it with a
verdict above informational (likely or confirmed). Recall = flagged bad files / bad files; false
positives = flagged good files. The files missed and wrongly flagged are listed.

Defaults: bad = ../shared/corpora/webshells, good = ../shared/corpora/benign-aspx, relative to
the repository; a folder that does not exist is skipped with a message. Targets (the issue's,
built-in rules alone): recall >= 95 %, zero good files flagged. Exits 1 only with --strict when
a target is missed, 2 on a usage problem, 0 otherwise.

Python 3 standard library only. Files are never modified; the temporary tree is deleted.
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
DEFAULT_EXTRIAGE = os.path.join(REPO, ".build", "release", "extriage")
DEFAULT_BAD = os.path.join(REPO, "..", "shared", "corpora", "webshells")
DEFAULT_GOOD = os.path.join(REPO, "..", "shared", "corpora", "benign-aspx")
WEB_FOLDER = os.path.join("inetpub", "wwwroot", "app")
CHECKS = {"EXT-C10", "EXT-C09"}
ABOVE_INFORMATIONAL = {"attempt", "likely", "confirmed"}
TARGET_RECALL = 0.95


def run(cmd: list[str]) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:2])} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
    return result


def evaluate(extriage: str, folder: str, rules: list[str], no_builtin: bool, work: str) -> tuple[list[str], dict[str, dict]]:
    """Returns (files, {file: {"verdict": tier, "rules": [...]}}) for one labelled folder."""
    tree = os.path.join(work, "tree")
    target = os.path.join(tree, WEB_FOLDER)
    os.makedirs(target)
    files = sorted(name for name in os.listdir(folder) if os.path.isfile(os.path.join(folder, name)))
    for name in files:
        shutil.copyfile(os.path.join(folder, name), os.path.join(target, name))
    bundle = os.path.join(work, "bundle.tar")
    report = os.path.join(work, "report.json")
    run([extriage, "collect", "--source", tree, "--output", bundle, "--case", "EVAL", "--examiner", "eval", "--quiet", "--force"])
    cmd = [extriage, "analyze", bundle, "--format", "json", "--output", report, "--force"]
    for directory in rules:
        cmd += ["--rules", directory]
    if no_builtin:
        cmd.append("--no-builtin-rules")
    run(cmd)
    with open(report, encoding="utf-8") as handle:
        doc = json.load(handle)
    doc = doc[0] if isinstance(doc, list) else doc
    prefix = WEB_FOLDER.replace(os.sep, "/") + "/"
    verdicts: dict[str, dict] = {}
    order = ["informational", "attempt", "likely", "confirmed"]
    for finding in doc.get("findings", []):
        if finding.get("checkId") not in CHECKS:
            continue
        for evidence in finding.get("evidence", [])[:1]:
            path = evidence.get("originalPath", "")
            if not path.startswith(prefix):
                continue
            name = path[len(prefix):]
            current = verdicts.get(name)
            if current is None or order.index(finding["verdict"]) > order.index(current["verdict"]):
                verdicts[name] = {"verdict": finding["verdict"], "rules": finding.get("pivots", {}).get("yaraRule", [])}
    shutil.rmtree(tree)
    return files, verdicts


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bad", default=DEFAULT_BAD, help="folder of known web shells (default: ../shared/corpora/webshells)")
    parser.add_argument("--good", default=DEFAULT_GOOD, help="folder of known-good pages (default: ../shared/corpora/benign-aspx)")
    parser.add_argument("--extriage", default=DEFAULT_EXTRIAGE, help="the extriage binary (default: .build/release/extriage)")
    parser.add_argument("--rules", action="append", default=[], help="extra rule directory passed to analyze (repeatable)")
    parser.add_argument("--no-builtin-rules", action="store_true", help="evaluate the --rules packs alone")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not os.access(args.extriage, os.X_OK):
        print(f"error: no extriage binary at {args.extriage} (run `swift build -c release` or pass --extriage)", file=sys.stderr)
        return 2
    sets = []
    for label, folder in (("bad", args.bad), ("good", args.good)):
        folder = os.path.normpath(folder)
        if os.path.isdir(folder):
            sets.append((label, folder))
        else:
            print(f"skipped: the {label} folder {folder} does not exist")
    if not sets:
        print("nothing to evaluate")
        return 0
    missed_target = False
    rules_text = ("--rules " + " ".join(args.rules) if args.rules else "") + (" --no-builtin-rules" if args.no_builtin_rules else "")
    print(f"rules: {'built-in' if not args.no_builtin_rules else ''} {rules_text}".strip())
    for label, folder in sets:
        with tempfile.TemporaryDirectory(prefix="extriage-eval-") as work:
            files, verdicts = evaluate(args.extriage, folder, args.rules, args.no_builtin_rules, work)
        flagged = [name for name in files if verdicts.get(name, {}).get("verdict") in ABOVE_INFORMATIONAL]
        noted = [name for name in files if verdicts.get(name, {}).get("verdict") == "informational"]
        if label == "bad":
            recall = len(flagged) / len(files) if files else 0.0
            ok = recall >= TARGET_RECALL
            missed_target |= not ok
            print(f"\nweb shells ({folder}): {len(flagged)}/{len(files)} flagged above informational, "
                  f"recall {recall:.1%} (target >= {TARGET_RECALL:.0%}: {'PASS' if ok else 'FAIL'})")
            by_tier = {}
            for name in flagged:
                by_tier[verdicts[name]["verdict"]] = by_tier.get(verdicts[name]["verdict"], 0) + 1
            print("  by tier: " + ", ".join(f"{tier} {count}" for tier, count in sorted(by_tier.items())))
            missed = [name for name in files if name not in flagged]
            print(f"  missed ({len(missed)}):" + ("" if missed else " none"))
            for name in missed:
                extra = " (informational only)" if name in noted else ""
                print(f"    {name}{extra}")
        else:
            ok = not flagged
            missed_target |= not ok
            print(f"\nbenign pages ({folder}): {len(flagged)}/{len(files)} flagged above informational "
                  f"(target 0: {'PASS' if ok else 'FAIL'}); {len(noted)} informational")
            for name in flagged:
                print(f"    {name}: {verdicts[name]['verdict']} {', '.join(verdicts[name]['rules'])}")
            for name in noted:
                print(f"    (informational) {name}: {', '.join(verdicts[name]['rules'])}")
    return 1 if (args.strict and missed_target) else 0


if __name__ == "__main__":
    sys.exit(main())
