#!/bin/sh
# `parevm block --compare --perturb SEED`: the pre-state's changes are real (another gas total,
# other transactions left out), the same for a seed in every process and different between
# seeds; the header's execution checks are "not checked", never "pass"; bad uses are refused.
. "$(dirname "$0")/checks.sh"
SRC="$FIX/mainnet/8889776.json.gz"   # 330 transactions, a 40-transaction sender chain
field() {  # field NAME FILE: the number after "NAME": in a JSON line
    grep -oE "\"$1\":[0-9]+" "$2" | head -n 1 | grep -oE '[0-9]+$'
}
"$PAREVM" block --json "$SRC" >"$tmp/plain" 2>&1
"$PAREVM" block --json --compare --skip-invalid --perturb 1 --threads 2 "$SRC" >"$tmp/p1" 2>&1; rc1=$?
"$PAREVM" block --json --compare --skip-invalid --perturb 1 --threads 3 "$SRC" >"$tmp/p1b" 2>&1
"$PAREVM" block --json --compare --skip-invalid --perturb 2 --threads 2 "$SRC" >"$tmp/p2" 2>&1
cp "$tmp/p1" "$tmp/out"
check "perturbed: exit 0" [ $rc1 -eq 0 ]
check "perturbed: the executors agree" grep -q '"compare":true' "$tmp/p1"
check "perturbed: gasUsed not checked" grep -q '"gas_check":"not checked"' "$tmp/p1"
check "perturbed: logsBloom not checked" grep -q '"bloom_check":"not checked"' "$tmp/p1"
check "perturbed: receiptsRoot not checked" grep -q '"receipts_root_check":"not checked"' "$tmp/p1"
check "perturbed: the file's own checks still run" grep -q '"header_hash_check":"pass"' "$tmp/p1"
check "perturbed: the seed is named" grep -q 'pre-state perturbed, seed 1' "$tmp/p1"
g0=$(field gas_used "$tmp/plain"); g1=$(field gas_used "$tmp/p1"); g1b=$(field gas_used "$tmp/p1b"); g2=$(field gas_used "$tmp/p2")
check "perturbed: another gas total than the real block ($g0 -> $g1)" [ -n "$g1" ] && [ "$g1" != "$g0" ]
check "perturbed: transactions left out" [ "$(field skipped "$tmp/p1")" -gt 0 ]
check "perturbed: the same seed gives the same block ($g1, $g1b)" [ -n "$g1b" ] && [ "$g1" = "$g1b" ]
check "perturbed: the same seed gives the same changes" \
    [ "$(field state_changes "$tmp/p1")" = "$(field state_changes "$tmp/p1b")" ]
check "perturbed: another seed gives another block ($g1, $g2)" [ -n "$g2" ] && [ "$g1" != "$g2" ]

# Without --skip-invalid a perturbed block may be invalid: both executors say so alike.
"$PAREVM" block --compare --perturb 7 --threads 2 "$SRC" >"$tmp/out" 2>&1; rc=$?
check "perturbed, abort policy: exit 0" [ $rc -eq 0 ]
check "perturbed, abort policy: the invalid transaction is named" \
    grep -q 'mismatch: (perturbed pre-state) tx [0-9]* (0x[0-9a-f]*) is invalid' "$tmp/out"
check "perturbed, abort policy: compared" grep -q 'compare: identical' "$tmp/out"

"$PAREVM" block --perturb 1 "$SRC" >"$tmp/out" 2>&1; rc=$?
check "--perturb without --compare: usage error (exit 2)" [ $rc -eq 2 ]
check "--perturb without --compare: named" grep -q -- '--perturb needs --compare' "$tmp/out"
for bad in x -1 1x 99999999999999999999999; do
    "$PAREVM" block --compare --perturb "$bad" "$SRC" >"$tmp/out" 2>&1; rc=$?
    check "--perturb $bad: usage error (exit 2)" [ $rc -eq 2 ]
    check "--perturb $bad: named" grep -q -- "--perturb needs a seed" "$tmp/out"
done
summary
