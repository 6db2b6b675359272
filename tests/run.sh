#!/bin/sh
# Runs test programs, each ending with "N passed, N failed"; prints per-program results and the
# total as the closing line. Exit 1 if any program failed or crashed.
label=$1; shift
total_pass=0; total_fail=0; total_skip=0; status=0
for t in "$@"; do
    out=$("$t" 2>&1); rc=$?
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
    p=$(printf '%s' "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
    f=$(printf '%s' "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
    k=$(printf '%s' "$line" | grep -oE '[0-9]+ skipped' | grep -oE '[0-9]+')
    if [ -z "$line" ] || [ $rc -ne 0 ]; then
        printf '%s\n' "$out" | tail -n 20
        [ -z "$f" ] || [ "$f" = 0 ] && f=1
        status=1
    fi
    printf '  %-40s %s%s\n' "$(basename "$t")" "${line:-no result line}" "$( [ $rc -ne 0 ] && echo " (exit $rc)")"
    total_pass=$((total_pass + ${p:-0})); total_fail=$((total_fail + ${f:-0})); total_skip=$((total_skip + ${k:-0}))
done
if [ $total_skip -gt 0 ]; then
    echo "$label: $total_pass passed, $total_fail failed, $total_skip skipped"
else
    echo "$label: $total_pass passed, $total_fail failed"
fi
exit $status
