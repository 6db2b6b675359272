#!/bin/sh
# `parevm block --rw-sets`: each transaction's final read and write sets. Block 46147 (Frontier)
# is one value transfer from 0xa1e4...63b4 to 0x5df9...e734, an account the pre-state lacks,
# mined by 0xe6a7...6bca: the transfer reads the sender's account and balance and the
# recipient's account (and the miner's, for its fees); it writes the sender's nonce, the
# recipient's creation, and three balance deltas (the sender's debit, the recipient's and the
# miner's credits). A bigger block: one entry per transaction, in order. Bad combinations exit 2.
. "$(dirname "$0")/checks.sh"
S=0xa1e4380a3b1f749673e270229993ee55f35663b4 R=0x5df9b87991262f6ba471f09758cde1c0fc1de734
M=0xe6a7a1d47ff21b6321162aea7c6cb457d5476bca
"$PAREVM" block --rw-sets --json "$FIX/mainnet/46147.json.gz" >"$tmp/out" 2>&1; rc=$?
check "46147: exit 0" [ $rc -eq 0 ]
reads="\"reads\":[{\"kind\":\"basic\",\"address\":\"$S\"},{\"kind\":\"balance\",\"address\":\"$S\"},{\"kind\":\"basic\",\"address\":\"$R\"},{\"kind\":\"basic\",\"address\":\"$M\"}]"
writes="\"writes\":[{\"kind\":\"basic\",\"address\":\"$S\"},{\"kind\":\"balance\",\"address\":\"$S\",\"delta\":true},{\"kind\":\"basic\",\"address\":\"$R\"},{\"kind\":\"balance\",\"address\":\"$R\",\"delta\":true},{\"kind\":\"balance\",\"address\":\"$M\",\"delta\":true}]"
check "46147: an entry for tx 0" grep -qF "\"tx\":0," "$tmp/out"
check "46147: the transfer's reads" grep -qF "$reads" "$tmp/out"
check "46147: the transfer's writes" grep -qF "$writes" "$tmp/out"
check "46147: one transaction" [ "$(grep -o '"tx":' "$tmp/out" | wc -l)" -eq 1 ]

"$PAREVM" block --rw-sets --threads 3 "$FIX/mainnet/46147.json.gz" >"$tmp/out" 2>&1
check "46147, text: the reads" grep -q "^    reads 4: basic $S balance $S basic $R basic $M\$" "$tmp/out"
check "46147, text: the writes" \
    grep -q "^    writes 5: basic $S balance $S (delta) basic $R balance $R (delta) balance $M (delta)\$" "$tmp/out"

B=19923400   # Cancun, 24 transactions, storage traffic
"$PAREVM" block --rw-sets --json "$FIX/mainnet/$B.json.gz" >"$tmp/out" 2>&1; rc=$?
check "$B: exit 0, block passes" [ $rc -eq 0 ]
check "$B: 24 entries, numbered 0..23 in order" \
    [ "$(grep -o '"tx":[0-9]*' "$tmp/out" | tr '\n' ' ')" = "$(seq 0 23 | sed 's/^/"tx":/' | tr '\n' ' ')" ]
check "$B: storage locations carry 32-byte keys" grep -q '"kind":"storage","address":"0x[0-9a-f]\{40\}","key":"0x[0-9a-f]\{64\}"' "$tmp/out"
check "$B: no storage location without a key" sh -c "! grep -q '\"kind\":\"storage\",\"address\":\"0x[0-9a-f]*\"}' '$tmp/out'"

"$PAREVM" block --rw-sets --sequential "$FIX/mainnet/46147.json.gz" >"$tmp/out" 2>&1; rc=$?
check "--rw-sets with --sequential: exit 2" [ $rc -eq 2 ]
check "--rw-sets with --sequential: says why" grep -q 'excludes .*--rw-sets' "$tmp/out"

summary
