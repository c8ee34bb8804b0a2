#!/usr/bin/env bash
# Writes the seed corpus of one fuzz target into DIR, from the project's own data: a tiny bundle
# collected by extriage (and its manifest), sample logs, event logs, dump heads, profiles, rules.
# Usage: Fuzz/seed.sh TARGET DIR EXTRIAGE_BINARY
set -euo pipefail
target=$1 dir=$2 bin=$3
root=$(cd "$(dirname "$0")/.." && pwd)
samples="$root/Samples/images"
mkdir -p "$dir"

tiny_bundle() { # a small signed and an unsigned bundle of a two-file tree, in $1
    local work=$1
    mkdir -p "$work/tree/inetpub/wwwroot/aspnet_client" "$work/tree/Windows/Temp"
    printf '<%%@ Page Language="C#" %%><%% Response.Write("x"); %%>' > "$work/tree/inetpub/wwwroot/aspnet_client/a.aspx"
    printf 'MDMP\223\247\0\0' > "$work/tree/Windows/Temp/x.dmp"
    "$bin" keygen --out "$work/k" > /dev/null
    "$bin" collect --source "$work/tree" --output "$work/signed.tar" --case FUZZ --examiner seed --sign-key "$work/k.key" --quiet --force > /dev/null 2>&1 || true
    "$bin" collect --source "$work/tree" --output "$work/plain.tar" --case FUZZ --examiner seed --quiet --force > /dev/null 2>&1 || true
}

heads() { # the first 4 KiB of each file given, numbered
    local n=0
    for file in "$@"; do n=$((n + 1)); head -c 4096 "$file" > "$dir/seed-$n"; done
}

case $target in
tar)
    work=$(mktemp -d "$dir/../bundle.XXXXXX"); tiny_bundle "$work"
    cp "$work/signed.tar" "$work/plain.tar" "$dir/"; head -c 3000 "$work/plain.tar" > "$dir/cut.tar"; rm -rf "$work" ;;
manifest)
    work=$(mktemp -d "$dir/../bundle.XXXXXX"); tiny_bundle "$work"
    tar -xOf "$work/signed.tar" manifest.json > "$dir/manifest.json"; rm -rf "$work" ;;
w3c)
    mapfile -t files < <(find "$samples" -path '*inetpub/logs*' -name '*.log' | sort | head -6; find "$samples" -iname 'httperr*.log' | sort | head -2)
    heads "${files[@]}" ;;
exchange-csv)
    mapfile -t files < <(find "$samples" -name '*.LOG' | sort | awk 'NR % 8 == 1' | head -10)
    heads "${files[@]}" ;;
evtx)
    n=0; while IFS= read -r file; do n=$((n + 1)); cp "$file" "$dir/seed-$n.evtx"; done < <(find "$samples" -name '*.evtx' | sort) ;;
minidump)
    n=0; while IFS= read -r file; do n=$((n + 1)); head -c 65536 "$file" > "$dir/seed-$n.dmp"; done < <(grep -rl '^MDMP' "$samples" | sort | head -5 || true)
    printf 'MDMP\223\247\0\0\1\0\0\0\40\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\4\0\0\0\0\0\0\0\54\0\0\0' > "$dir/tiny.dmp" ;;
profile)
    n=0; for file in $(find "$root/Profiles/profiles" "$root/Profiles/artifacts" -name '*.yaml' | sort | head -20); do n=$((n + 1)); cp "$file" "$dir/seed-$n.yaml"; done ;;
rules)
    n=0; for file in $(find "$root/Profiles/rules/logs" "$root/Profiles/rules/sigma" -name '*.y*ml' | sort | head -20); do n=$((n + 1)); cp "$file" "$dir/seed-$n.yaml"; done ;;
hive)
    n=0; while IFS= read -r file; do n=$((n + 1)); cp "$file" "$dir/seed-$n.hive"; done < <(find "$samples" -path '*config/S*' -o -name 'Amcache.hve' | sort) ;;
prefetch)
    n=0; while IFS= read -r file; do n=$((n + 1)); cp "$file" "$dir/seed-$n.pf"; done < <(find "$samples" -name '*.pf' | sort) ;;
pe-version)
    n=0; while IFS= read -r file; do n=$((n + 1)); head -c 1048576 "$file" > "$dir/seed-$n.exe"; done < <(find "$root/Tests/FuzzRegressions/pe-version" -type f | sort) ;;
*) echo "unknown fuzz target: $target" >&2; exit 1 ;;
esac
