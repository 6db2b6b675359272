#!/bin/sh
# Bad input to `parevm statetest`: each bad file or path gets one error line naming it and the
# field, the good file still runs, and the exit code is non-zero.
. "$(dirname "$0")/checks.sh"
GOOD="$FIX/ethereum-tests/GeneralStateTests/stExample/add11.json"
out="$tmp/out"
"$PAREVM" statetest tests/data/bad/truncated.json tests/data/bad/bad_hex.json \
    tests/data/bad/unknown_fork.json /nonexistent/path.json "$GOOD" >"$out" 2>&1
rc=$?
check "exit code is non-zero" [ $rc -ne 0 ]
check "truncated JSON named with its position" grep -q '^error: tests/data/bad/truncated.json: invalid JSON at line' "$out"
check "malformed hex named with its field" grep -q "^error: tests/data/bad/bad_hex.json: test 'add11': transaction.gasLimit\[0\]: invalid number '0xzz'" "$out"
check "unknown fork named" grep -q "^error: tests/data/bad/unknown_fork.json: test 'add11': post.Londn: unknown fork name" "$out"
check "unreadable path named" grep -q '^error: /nonexistent/path.json: cannot read' "$out"
check "one error line per bad input" [ "$(grep -c '^error:' "$out")" -eq 4 ]
check "the good file still ran and passed" grep -qE '^[1-9][0-9]* passed, 0 failed' "$out"
check "unknown-fork cases are counted as skipped" grep -qE ', 1 skipped$' "$out"
[ $fail -ne 0 ] && cat "$out"
summary
