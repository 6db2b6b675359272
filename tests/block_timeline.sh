#!/bin/sh
# `parevm block --timeline CSV`: every Block-STM task of every worker. Checked on block 8889776
# (330 transactions) with and without the sequential prefix, against what Block-STM guarantees:
# a worker runs one task at a time; every transaction above the prefix executes, and its last
# incarnation is validated after that execution ended; the prefix's transactions [0, m) are one
# task, published after it. Bad combinations and unwritable files exit 2 and say why.
. "$(dirname "$0")/checks.sh"
B=8889776 N=330

# No two tasks of one worker overlap; every time is >= 0 and every task ends after it starts.
one_at_a_time() {
    tail -n +2 "$1" | sort -t, -k2,2n -k6,6g | awk -F, '
        $6 < 0 || $7 < $6 { bad = 1 }
        $2 == w && $6 < end - 0.001 { bad = 1 }
        { w = $2; end = $7 }
        END { exit bad }'
}
# Every transaction from $2 to N-1 has an execute row, and a validate row of its last executed
# incarnation that starts after that execution ended.
executed_and_validated() {
    tail -n +2 "$1" | awk -F, -v from="$2" -v n=$N '
        $3 == "execute" && (!($4 in inc) || $5 >= inc[$4]) { inc[$4] = $5; ended[$4] = $7 }
        $3 == "validate" { v[$4 "," $5] = (v[$4 "," $5] == "" || $6 > v[$4 "," $5]) ? $6 : v[$4 "," $5] }
        END {
            for (t = from; t < n; t++) {
                if (!(t in inc)) { print "tx " t ": never executed"; exit 1 }
                k = t "," inc[t]
                if (v[k] == "" || v[k] < ended[t] - 0.001) { print "tx " t ": last incarnation not validated after it ran"; exit 1 }
            }
        }'
}

"$PAREVM" block --timeline "$tmp/p.csv" --threads 2 --repeat 3 --prefix always --prefix-percent 40 \
    "$FIX/mainnet/$B.json.gz" >"$tmp/out" 2>&1; rc=$?
check "$B, prefix: exit 0, block passes" [ $rc -eq 0 ]
check "$B, prefix: CSV header" [ "$(head -1 "$tmp/p.csv")" = "block,worker,kind,tx,incarnation,start_us,end_us" ]
check "$B, prefix: every row is the block's, with 7 fields" \
    awk -F, -v b=$B 'NR > 1 && (NF != 7 || $1 != b) { exit 1 }' "$tmp/p.csv"
check "$B, prefix: one prefix task, on worker 0" \
    [ "$(grep -c "^$B,0,prefix," "$tmp/p.csv")" -eq 1 -a "$(grep -c ',prefix,' "$tmp/p.csv")" -eq 1 ]
m=$(awk -F, '$3 == "prefix" { print $4 }' "$tmp/p.csv")
check "$B, prefix: it ran at least 2 transactions and left some ($m)" [ "${m:-0}" -ge 2 -a "${m:-0}" -lt $N ]
check "$B, prefix: published once, after it ran" awk -F, '
    $3 == "prefix" { p = $7 } $3 == "publish" { n++; s = $6 } END { exit !(n == 1 && s >= p - 0.001) }' "$tmp/p.csv"
check "$B, prefix: one task at a time per worker" one_at_a_time "$tmp/p.csv"
check "$B, prefix: every transaction above it executed and validated after" \
    executed_and_validated "$tmp/p.csv" "${m:-0}"
# the checks above can fail: a task of worker 0 inside its prefix, a transaction never executed
awk -F, -v b=$B '1; $3 == "prefix" { print b ",0,execute," $4 ",0," $6 + 1 "," $6 + 2 }' OFS=, "$tmp/p.csv" \
    >"$tmp/overlap.csv"
check "the one-task-at-a-time check catches an overlap" fails one_at_a_time "$tmp/overlap.csv"
grep -v ",execute,$((N - 1))," "$tmp/p.csv" >"$tmp/dropped.csv"
check "the execution check catches a transaction never executed" fails executed_and_validated "$tmp/dropped.csv" 0
grep -v ",validate,$((N - 1))," "$tmp/p.csv" >"$tmp/unvalidated.csv"
check "the validation check catches a transaction never validated" fails executed_and_validated "$tmp/unvalidated.csv" 0
# (whether worker 1 gets a task depends on the machine's load: a line for it either way)
check "$B, prefix: summary of both workers" grep -q '^    worker 1: \(first task at [0-9.]*; .*waiting\|no task\)' "$tmp/out"
check "$B, prefix: summary shows the prefix" grep -q '^    worker 0: first task at [0-9.]*; prefix [0-9.]* (1) publish' "$tmp/out"

"$PAREVM" block --timeline "$tmp/n.csv" --threads 2 --prefix never "$FIX/mainnet/$B.json.gz" >"$tmp/out" 2>&1; rc=$?
check "$B, no prefix: exit 0" [ $rc -eq 0 ]
check "$B, no prefix: no prefix task" sh -c "! grep -q ',prefix,\|,publish,' '$tmp/n.csv'"
check "$B, no prefix: one task at a time per worker" one_at_a_time "$tmp/n.csv"
check "$B, no prefix: every transaction executed and validated after" executed_and_validated "$tmp/n.csv" 0

"$PAREVM" block --timeline "$tmp/x.csv" --sequential "$FIX/mainnet/$B.json.gz" >"$tmp/out" 2>&1; rc=$?
check "--timeline with --sequential: exit 2" [ $rc -eq 2 ]
check "--timeline with --sequential: says why" grep -q 'excludes .*--timeline' "$tmp/out"
"$PAREVM" block --timeline "$tmp/no/such/dir/t.csv" "$FIX/mainnet/$B.json.gz" >"$tmp/out" 2>&1; rc=$?
check "--timeline to an unwritable file: exit 2" [ $rc -eq 2 ]
check "--timeline to an unwritable file: names it" grep -q "cannot write $tmp/no/such/dir/t.csv" "$tmp/out"
"$PAREVM" block --timeline >"$tmp/out" 2>&1; rc=$?
check "--timeline without a file: exit 2" [ $rc -eq 2 ]

summary
