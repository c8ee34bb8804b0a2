#!/usr/bin/env bash
# Runs each libFuzzer target for FUZZ_SECONDS (default 60) from a fresh seed corpus; a crash is
# copied to Tests/FuzzRegressions/<target>/ (replayed by `make test`) and fuzzing goes on for
# the rest of the time. Prints per target: seconds, executions, crashes.
# Usage: Fuzz/run.sh [TARGET...]   (FUZZ_SECONDS, FUZZ_BIN_DIR, EXTRIAGE may be set)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-60}
bins=${FUZZ_BIN_DIR:-$root/Fuzz/.build/debug}
extriage=${EXTRIAGE:-$root/.build/debug/extriage}
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(tar manifest w3c exchange-csv evtx minidump profile rules hive prefetch pe-version)
summary=()
# Known leaks outside extriage (each explained in the file) do not stop a run.
export LSAN_OPTIONS="suppressions=$root/Fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
for target in "${targets[@]}"; do
    work="$root/Fuzz/work/$target"; rm -rf "$work"; mkdir -p "$work/seeds" "$work/corpus" "$work/crashes"
    "$root/Fuzz/seed.sh" "$target" "$work/seeds" "$extriage" || { echo "seeding $target failed" >&2; exit 1; }
    start=$(date +%s); executions=0; crashes=0
    while left=$((seconds - ($(date +%s) - start))); [ "$left" -gt 0 ]; do
        (cd "$work" && "$bins/fuzz-$target" -max_total_time="$left" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
            -artifact_prefix="$work/crashes/" corpus seeds > "$work/log" 2>&1)
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$' | tail -1)
        if [ -z "$runs" ]; then runs=$(grep -oE '^#[0-9]+' "$work/log" | tail -1 | tr -d '#'); fi
        executions=$((executions + ${runs:-0}))
        found=$(ls "$work/crashes" | wc -l)
        if [ "$found" -gt "$crashes" ]; then
            crashes=$found
            grep -m3 -E 'ERROR:|Fatal error|SUMMARY' "$work/log" | sed "s/^/  $target: /"
        elif ! grep -q 'Done [0-9]* runs' "$work/log"; then
            echo "  $target: the fuzzer stopped without a crash file; see $work/log" >&2; break
        fi
    done
    mkdir -p "$root/Tests/FuzzRegressions/$target"
    for file in "$work/crashes"/*; do [ -e "$file" ] && cp "$file" "$root/Tests/FuzzRegressions/$target/"; done
    summary+=("$(printf '%-13s %4ss  %9s executions  %s crashes' "$target" "$(( $(date +%s) - start ))" "$executions" "$crashes")")
done
echo; printf '%s\n' "${summary[@]}"
