#!/bin/sh
# parallel == sequential on generated blocks: compare_generated.sh DIR THREADS REPEAT [PAREVM]
# Runs the valid blocks with the abort policy and the *-skip files with --skip-invalid; prints
# one closing "N passed, N failed" over both. PAREVM_BLOCK_OPTS adds options (e.g. --chunks always).
dir=$1; threads=$2; repeat=$3; PAREVM=${4:-${PAREVM:-build/parevm}}
out=$(mktemp); trap 'rm -f "$out"' EXIT
p=0; f=0; status=0
valid=$(ls "$dir"/*.json.gz 2>/dev/null | grep -v -- '-skip.json.gz')
skip=$(ls "$dir"/*-skip.json.gz 2>/dev/null)
for set in valid skip; do
    files=$(eval echo \$$set)
    [ -z "$files" ] && continue
    if [ $set = skip ]; then opt=--skip-invalid; else opt=; fi
    # shellcheck disable=SC2086
    "$PAREVM" block $opt ${PAREVM_BLOCK_OPTS:-} --compare --threads "$threads" --repeat "$repeat" $files >"$out" 2>&1 || status=1
    grep -E 'DIFFERENT|WARNING: ThreadSanitizer' "$out" | head -5
    line=$(tail -n 1 "$out")
    p=$((p + $(printf '%s' "$line" | grep -oE '^[0-9]+'))); f=$((f + $(printf '%s' "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')))
done
echo "$p passed, $f failed"
[ $status -eq 0 ] && [ $f -eq 0 ]
