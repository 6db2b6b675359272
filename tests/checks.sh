# Sourced by the command-line test scripts (tests/*.sh): the binary under test ($PAREVM), the
# fixtures ($FIX), a scratch folder ($tmp, removed at exit; a command's output goes to
# $tmp/out by convention), and
#   check DESCRIPTION COMMAND...  counts a pass, or a failure: its description and the head of
#                                 $tmp/out;
#   fails COMMAND...              succeeds when the command fails (to show a check can fail);
#   summary                       the runner's closing line; returns non-zero on any failure.
PAREVM=${PAREVM:-build/parevm}
FIX=${PAREVM_FIXTURES:-../shared/fixtures}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
check() {
    d=$1; shift
    if "$@"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "FAIL: $d"
        if [ -f "$tmp/out" ]; then head -c 2000 "$tmp/out"; echo; fi
    fi
}
fails() { ! "$@" >/dev/null; }
summary() {
    echo "$pass passed, $fail failed"
    [ $fail -eq 0 ]
}
