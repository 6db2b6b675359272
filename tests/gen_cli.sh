#!/bin/sh
# `parevm gen` from the command line: usage errors exit 2 with a message naming the option,
# the same arguments give the same file, and `parevm block` replays what gen writes (with
# --skip-invalid for --invalid blocks).
. "$(dirname "$0")/checks.sh"
dir="$tmp"
usage_error() {  # description, expected text, gen arguments...
    d=$1; want=$2; shift 2
    "$PAREVM" gen "$@" >"$dir/out" 2>&1
    rc=$?
    check "$d: exit 2 (got $rc)" [ $rc -eq 2 ]
    check "$d: message" grep -q -- "$want" "$dir/out"
}
ok="--seed 5 --txs 40 --conflicts 0.5"
usage_error "no arguments" "missing --seed"
usage_error "no output" "missing -o" $ok
usage_error "bad seed" "\-\-seed: 'abc'" --seed abc --txs 4 --conflicts 0 -o "$dir/a.json"
usage_error "ratio above 1" "\-\-conflicts: '1.5'" --seed 1 --txs 4 --conflicts 1.5 -o "$dir/a.json"
usage_error "negative invalid" "\-\-invalid: '-0.1'" $ok --invalid -0.1 -o "$dir/a.json"
usage_error "unknown fork" "unknown fork 'Londn'" $ok --fork Londn -o "$dir/a.json"
usage_error "Constantinople" "Petersburg" $ok --fork Constantinople -o "$dir/a.json"
usage_error "tiny gas limit" "\-\-gas-limit: '100'" $ok --gas-limit 100 -o "$dir/a.json"
usage_error "file name" "must end in .json" $ok -o "$dir/a.txt"
usage_error "unknown option" "unknown option or argument '--fast'" $ok --fast -o "$dir/a.json"
usage_error "missing value" "\-\-txs needs a value" --seed 1 --txs
"$PAREVM" gen $ok -o /nonexistent/dir/a.json >"$dir/out" 2>&1
check "unwritable output: exit 1" [ $? -eq 1 ]
check "unwritable output: named" grep -q "/nonexistent/dir/a.json: cannot write" "$dir/out"

"$PAREVM" gen $ok --fork Berlin -o "$dir/a.json.gz" >/dev/null &&
    "$PAREVM" gen --seed=5 --txs=40 --conflicts=0.5 --fork=Berlin -o "$dir/b.json.gz" >/dev/null
check "same arguments, same bytes" cmp -s "$dir/a.json.gz" "$dir/b.json.gz"
"$PAREVM" gen $ok --fork Berlin -o - >"$dir/c.json" 2>/dev/null
check "standard output is the JSON" sh -c "gzip -dc '$dir/a.json.gz' | cmp -s - '$dir/c.json'"
"$PAREVM" block "$dir/a.json.gz" >"$dir/out" 2>&1
check "parevm block replays it" grep -qE 'txRoot pass.*PASS' "$dir/out"
"$PAREVM" gen --seed 9 --txs 60 --conflicts 1 --invalid 0.2 --fork Cancun -o "$dir/d.json" >/dev/null
"$PAREVM" block "$dir/d.json" >"$dir/out" 2>&1
check "an --invalid block fails plain replay" grep -q 'is invalid' "$dir/out"
"$PAREVM" block --skip-invalid "$dir/d.json" >"$dir/out" 2>&1
check "and passes with --skip-invalid" grep -qE 'invalid transaction\(s\) left out' "$dir/out"
check "(1 passed)" grep -q '^1 passed, 0 failed' "$dir/out"
[ $fail -ne 0 ] && cat "$dir/out"
summary
