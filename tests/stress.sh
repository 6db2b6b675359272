#!/bin/sh
# `make stress`: the long determinism suite (parallel == sequential), also under ThreadSanitizer.
#   - every mainnet fixture block, 20 runs each at 2, 4, 8 and 16 threads;
#   - 2000 generated blocks (every fork, conflict ratios 0..1, invalid transactions and full
#     blocks) at 2, 4, 8 and 16 threads;
#   - the optimistic chunks forced on every block: mainnet x5 at 2, 3 and 8 threads, the 2000
#     generated blocks at 2, 3 and 8 threads, both again at 4 threads with the final validation
#     alone (--chunks-window none), big synthetic blocks of 5 seeds;
#   - Block-STM's sequential prefix forced (40% and 90% of the gas limits): mainnet x5 at 2, 3
#     and 8 threads, the 2000 generated blocks at 2 and 4 threads;
#   - every mainnet block over perturbed pre-states (parevm block --perturb): 40 seeds at 2, 4, 8
#     and 16 threads, 10 with the chunks forced, 10 with the prefix forced;
#   - under ThreadSanitizer: every mainnet block twice at 4 threads, the 2000 generated blocks at
#     4 and 16 threads, with forced chunks at 3 threads, and with a forced prefix at 3 threads;
#     every mainnet block over 3 perturbed pre-states at 4 threads.
FIX=${PAREVM_FIXTURES:-../shared/fixtures}
export PAREVM_FIXTURES="$FIX"
export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
total_pass=0; total_fail=0; status=0
log=$(mktemp); GEN=$(mktemp -d); trap 'rm -f "$log"; rm -rf "$GEN"' EXIT
# (its variables are stage_*: a caller's loop variable must survive a stage)
stage() {
    stage_name=$1; shift
    echo "== $stage_name"
    stage_start=$(date +%s)
    "$@" >"$log" 2>&1; stage_rc=$?
    grep -E 'DIFFERENT|WARNING' "$log" | head -5
    stage_line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    echo "   $stage_line ($(( $(date +%s) - stage_start )) s)"
    stage_p=$(printf '%s' "$stage_line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
    stage_f=$(printf '%s' "$stage_line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
    if [ $stage_rc -ne 0 ] || [ -z "$stage_line" ]; then status=1; [ -z "$stage_f" ] || [ "$stage_f" = 0 ] && stage_f=1; fi
    total_pass=$((total_pass + ${stage_p:-0})); total_fail=$((total_fail + ${stage_f:-0}))
}
for t in 2 4 8 16; do
    stage "mainnet blocks x20 at $t threads" build/parevm block --compare --repeat 20 --threads $t "$FIX"/mainnet/*.json.gz
done
stage "generate 2000 random blocks" sh -c "sh tests/gen_blocks.sh '$GEN' 1 2000 && echo '2000 passed, 0 failed'"
for t in 2 4 8 16; do
    stage "2000 generated blocks at $t threads" sh tests/compare_generated.sh "$GEN" $t 1
done
for t in 2 3 8; do
    stage "mainnet blocks x5, optimistic chunks forced, at $t threads" \
        build/parevm block --compare --repeat 5 --chunks always --threads $t "$FIX"/mainnet/*.json.gz
    stage "2000 generated blocks, optimistic chunks forced, at $t threads" \
        env PAREVM_BLOCK_OPTS="--chunks always" sh tests/compare_generated.sh "$GEN" $t 1
done
# Every chunk but the last starts with one transaction: threads split running chunks at once.
for t in 2 4; do
    stage "mainnet blocks x5, optimistic chunks forced, skewed (stealing), at $t threads" \
        build/parevm block --compare --repeat 5 --chunks always --chunks-steal skewed --threads $t "$FIX"/mainnet/*.json.gz
    stage "2000 generated blocks, optimistic chunks forced, skewed (stealing), at $t threads" \
        env PAREVM_BLOCK_OPTS="--chunks always --chunks-steal skewed" sh tests/compare_generated.sh "$GEN" $t 1
done
# Block-STM's sequential prefix forced (40% of the gas limits, and 90%: mostly taken back).
for p in 40 90; do
    for t in 2 3 8; do
        stage "mainnet blocks x5, sequential prefix forced ($p%), at $t threads" \
            build/parevm block --compare --repeat 5 --prefix always --prefix-percent $p --threads $t "$FIX"/mainnet/*.json.gz
    done
    for t in 2 4; do
        stage "2000 generated blocks, sequential prefix forced ($p%), at $t threads" \
            env PAREVM_BLOCK_OPTS="--prefix always --prefix-percent $p" sh tests/compare_generated.sh "$GEN" $t 1
    done
done
# Perturbed pre-states: 40 seeds of every mainnet block at 2, 4, 8 and 16 threads, and 10 with
# the chunks and the prefix forced.
for t in 2 4 8 16; do
    stage "mainnet blocks over perturbed pre-states (seeds 101-140) at $t threads" \
        sh tests/compare_perturbed.sh 101 140 $t
done
stage "mainnet blocks over perturbed pre-states (seeds 141-150), optimistic chunks forced, at 3 threads" \
    env PAREVM_BLOCK_OPTS="--chunks always" sh tests/compare_perturbed.sh 141 150 3
stage "mainnet blocks over perturbed pre-states (seeds 151-160), sequential prefix forced (40%), at 2 threads" \
    env PAREVM_BLOCK_OPTS="--prefix always --prefix-percent 40" sh tests/compare_perturbed.sh 151 160 2
# No early checks: the final validation alone decides.
stage "mainnet blocks x5, optimistic chunks forced, final validation only, at 4 threads" \
    build/parevm block --compare --repeat 5 --chunks always --chunks-window none --threads 4 "$FIX"/mainnet/*.json.gz
stage "2000 generated blocks, optimistic chunks forced, final validation only, at 4 threads" \
    env PAREVM_BLOCK_OPTS="--chunks always --chunks-window none" sh tests/compare_generated.sh "$GEN" 4 1
# (bench blocks exits non-zero when a parallel result differs; its status, not tail's, decides)
stage "synthetic blocks (5 seeds x 4 workloads, 8000 transactions) at 2 and 4 threads" sh -c \
    "for s in 1 2 3 4 5; do for t in 2 4; do
         build/parevm bench blocks --workload all --txs 8000 --seed \$s --repeat 1 --threads \$t > '$GEN/bench.out' || exit 1
         tail -n 1 '$GEN/bench.out'
     done; done && echo '40 passed, 0 failed'"
stage "mainnet blocks under ThreadSanitizer (x2, 4 threads)" \
    build/tsan/parevm block --compare --repeat 2 --threads 4 "$FIX"/mainnet/*.json.gz
for t in 4 16; do
    stage "2000 generated blocks under ThreadSanitizer at $t threads" \
        sh tests/compare_generated.sh "$GEN" $t 1 build/tsan/parevm
done
stage "2000 generated blocks under ThreadSanitizer, optimistic chunks forced, at 3 threads" \
    env PAREVM_BLOCK_OPTS="--chunks always" sh tests/compare_generated.sh "$GEN" 3 1 build/tsan/parevm
stage "2000 generated blocks under ThreadSanitizer, optimistic chunks forced, skewed (stealing), at 2 threads" \
    env PAREVM_BLOCK_OPTS="--chunks always --chunks-steal skewed" sh tests/compare_generated.sh "$GEN" 2 1 build/tsan/parevm
stage "2000 generated blocks under ThreadSanitizer, sequential prefix forced (90%), at 3 threads" \
    env PAREVM_BLOCK_OPTS="--prefix always --prefix-percent 90" sh tests/compare_generated.sh "$GEN" 3 1 build/tsan/parevm
stage "mainnet blocks over perturbed pre-states under ThreadSanitizer (seeds 161-163, 4 threads)" \
    sh tests/compare_perturbed.sh 161 163 4 build/tsan/parevm
echo "stress: $total_pass passed, $total_fail failed"
exit $status
