#!/bin/sh
# Bad input to `parevm block`: a wrong header value, a tampered signature, a forged sender, a
# transaction with a too-low nonce, a truncated .json.gz, malformed JSON and a missing file each
# give a clear error or mismatch report naming the file (never a crash), and a non-zero exit.
. "$(dirname "$0")/checks.sh"
SRC="$FIX/mainnet/46147.json.gz"   # Frontier, one transfer
run() {  # file: runs parevm block on it; output in $tmp/out, exit code in $rc
    "$PAREVM" block "$@" >"$tmp/out" 2>&1; rc=$?
}

run "$SRC"
check "the untouched block passes" grep -q '^1 passed, 0 failed' "$tmp/out"

zcat "$SRC" | sed 's/"gasUsed":"0x5208"/"gasUsed":"0x5209"/' | gzip >"$tmp/gas.json.gz"
run "$tmp/gas.json.gz"
check "wrong gasUsed: exit 1" [ $rc -eq 1 ]
check "wrong gasUsed: the gas check fails" grep -q 'gasUsed FAIL' "$tmp/out"
check "wrong gasUsed: the header hash no longer matches" grep -q 'header FAIL' "$tmp/out"
check "wrong gasUsed: mismatch explained" grep -q 'mismatch: gas used 21000 is .* below\|mismatch: first differing' "$tmp/out"

zcat "$SRC" | sed 's/"r":"0x88ff6cf0fefd94db/"r":"0x88ff6cf0fefd94dc/' | gzip >"$tmp/sig.json.gz"
run "$tmp/sig.json.gz"
check "tampered r: exit 1" [ $rc -eq 1 ]
check "tampered r: names the transaction and the hash check" \
    grep -q 'sig.json.gz: block.transactions\[0\].hash: .* does not match the transaction' "$tmp/out"

zcat "$SRC" | sed 's/"from":"0xa1e4380a3b1f749673e270229993ee55f35663b4"/"from":"0xa1e4380a3b1f749673e270229993ee55f35663b5"/' \
    | gzip >"$tmp/from.json.gz"
run "$tmp/from.json.gz"
check "forged from: exit 1" [ $rc -eq 1 ]
check "forged from: the recovered sender is named" \
    grep -q 'block.transactions\[0\].from: 0xa1e4380a3b1f749673e270229993ee55f35663b5, but the signature recovers 0xa1e4380a3b1f749673e270229993ee55f35663b4' "$tmp/out"

# The sender's nonce in the pre-state is above the transaction's.
zcat "$SRC" | sed 's/"0xa1e4380a3b1f749673e270229993ee55f35663b4":{"balance":"0x6c6b935b8bbd400000","nonce":0/"0xa1e4380a3b1f749673e270229993ee55f35663b4":{"balance":"0x6c6b935b8bbd400000","nonce":3/' \
    | gzip >"$tmp/nonce.json.gz"
run "$tmp/nonce.json.gz"
check "nonce too low: exit 1" [ $rc -eq 1 ]
check "nonce too low: the transaction and the reason are named" \
    grep -q 'mismatch: tx 0 (0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060) is invalid: NONCE_TOO_LOW' "$tmp/out"
run --threads 2 --compare "$tmp/nonce.json.gz"
check "nonce too low: parallel reports the same" grep -q 'compare: identical' "$tmp/out"

head -c 400 "$SRC" >"$tmp/cut.json.gz"
run "$tmp/cut.json.gz"
check "truncated gzip: exit 1" [ $rc -eq 1 ]
check "truncated gzip: named" grep -q "cut.json.gz: truncated gzip stream" "$tmp/out"

printf '{"number": 1, "block": {"hash": "0x12' >"$tmp/bad.json"
run "$tmp/bad.json"
check "malformed JSON: position named" grep -q 'bad.json: invalid JSON at line 1' "$tmp/out"

printf '{"number":1,"block":{"number":"0xzz"}}' >"$tmp/field.json"
run "$tmp/field.json"
check "bad field: named" grep -q "field.json: block.miner: missing or not a string\|field.json: block.number: invalid number" "$tmp/out"

run /nonexistent/block.json.gz "$SRC"
check "missing file: exit 1" [ $rc -eq 1 ]
check "missing file: named" grep -q '/nonexistent/block.json.gz: No such file or directory' "$tmp/out"
check "missing file: the good file still ran" grep -q '^1 passed, 1 failed' "$tmp/out"

"$PAREVM" block --threads x "$SRC" >"$tmp/out" 2>&1; rc=$?
check "bad option value: usage error (exit 2)" [ $rc -eq 2 ]
for bad in "--prefix sometimes" "--chunks x" "--prefix-percent 0" "--prefix-percent 100" "--prefix-percent 5x"; do
    # shellcheck disable=SC2086
    "$PAREVM" block $bad "$SRC" >"$tmp/out" 2>&1; rc=$?
    check "bad option value $bad: usage error (exit 2)" [ $rc -eq 2 ]
    check "bad option value $bad: named" grep -q -- "${bad%% *}" "$tmp/out"
done

summary
