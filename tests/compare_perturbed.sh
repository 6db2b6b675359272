#!/bin/sh
# parallel == sequential on the mainnet blocks over perturbed pre-states (parevm block --perturb):
# compare_perturbed.sh FIRST_SEED LAST_SEED THREADS [PAREVM]. Each seed changes other balances,
# nonces and slots, so the blocks' real code takes other branches and other transactions fail
# (--skip-invalid leaves those out and goes on). One closing "N passed, N failed" over all seeds
# (a pass is one block at one seed). PAREVM_BLOCK_OPTS adds options (e.g. --chunks always).
first=$1; last=$2; threads=$3; PAREVM=${4:-${PAREVM:-build/parevm}}
FIX=${PAREVM_FIXTURES:-../shared/fixtures}
out=$(mktemp); trap 'rm -f "$out"' EXIT
p=0; f=0; status=0
for seed in $(seq "$first" "$last"); do
    # shellcheck disable=SC2086
    "$PAREVM" block --skip-invalid ${PAREVM_BLOCK_OPTS:-} --compare --perturb "$seed" --threads "$threads" \
        "$FIX"/mainnet/*.json.gz >"$out" 2>&1 || status=1
    grep -E 'DIFFERENT|WARNING: ThreadSanitizer|FAIL' "$out" | sed "s/^/seed $seed: /" | head -5
    line=$(tail -n 1 "$out")
    case "$line" in
    *passed*failed*) ;;
    *) echo "seed $seed: no closing line: $line"; status=1; f=$((f + 1)); continue ;;
    esac
    p=$((p + $(printf '%s' "$line" | grep -oE '^[0-9]+'))); f=$((f + $(printf '%s' "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')))
done
echo "$p passed, $f failed"
[ $status -eq 0 ] && [ $f -eq 0 ]
