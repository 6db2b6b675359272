#!/bin/sh
# Generates random blocks for the parallel == sequential suite: gen_blocks.sh DIR FIRST COUNT
# Seeds FIRST..FIRST+COUNT-1; the fork cycles through every mainnet rule set, the conflict ratio
# through 0, 0.1, 0.3, 0.5, 0.8, 1, the size from 20 to ~400 transactions. Every fifth block also
# has invalid transactions and a block gas limit that leaves transactions out (use
# `parevm block --skip-invalid` on the *-skip.json.gz files).
PAREVM=${PAREVM:-build/parevm}
dir=$1; first=$2; count=$3
mkdir -p "$dir" || exit 1
forks="Frontier Homestead EIP150 EIP158 Byzantium ConstantinopleFix Istanbul Berlin London Paris Shanghai Cancun"
ratios="0 0.1 0.3 0.5 0.8 1"
i=0
while [ $i -lt "$count" ]; do
    seed=$((first + i))
    fork=$(echo $forks | tr ' ' '\n' | sed -n "$((seed % 12 + 1))p")
    ratio=$(echo $ratios | tr ' ' '\n' | sed -n "$((seed % 6 + 1))p")
    txs=$((20 + (seed * 37) % 380))
    if [ $((seed % 5)) -eq 0 ]; then
        "$PAREVM" gen --seed "$seed" --txs "$txs" --conflicts "$ratio" --fork "$fork" --invalid 0.1 \
            --gas-limit $((1000000 + (seed % 7) * 700000)) -o "$dir/$seed-skip.json.gz" >/dev/null || exit 1
    else
        "$PAREVM" gen --seed "$seed" --txs "$txs" --conflicts "$ratio" --fork "$fork" \
            -o "$dir/$seed.json.gz" >/dev/null || exit 1
    fi
    i=$((i + 1))
done
