#!/bin/sh
# Runs `parevm statetest` once per top-level test folder of both fixture trees and prints a
# table: folder, passed, failed, skipped, seconds. Used for the figures in the issue notes.
FIX=${PAREVM_FIXTURES:-../shared/fixtures}
printf '%-62s %8s %7s %8s %8s\n' folder passed failed skipped seconds
for d in "$FIX"/ethereum-tests/GeneralStateTests/* "$FIX"/legacy-tests/*/GeneralStateTests/*; do
    [ -d "$d" ] || continue
    start=$(date +%s.%N)
    line=$(build/parevm statetest "$d" 2>/dev/null | tail -n 1)
    end=$(date +%s.%N)
    p=$(printf '%s' "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
    f=$(printf '%s' "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
    s=$(printf '%s' "$line" | grep -oE '[0-9]+ skipped' | grep -oE '[0-9]+')
    printf '%-62s %8s %7s %8s %8.1f\n' "${d#"$FIX"/}" "${p:-0}" "${f:-0}" "${s:-0}" "$(echo "$end - $start" | bc)"
done
