#!/bin/sh
# `make check`: every test stage, then one closing line with the totals.
#   unit tests (release, ASan+UBSan, ThreadSanitizer for the concurrent ones); state tests (a
#   sample under ASan+UBSan and TSan, bad input, the full run); mainnet blocks (every fixture
#   against its header, parallel == sequential at 2/4/8/16 threads, a sample under TSan, bad input);
#   the optimistic chunks forced on every mainnet and generated block (once with the final
#   validation alone) and on big synthetic blocks; Block-STM's sequential prefix forced on every
#   mainnet and generated block; parevm gen's command line.
# Each stage ends with "N passed, N failed"; the totals are summed into the closing line.
FIX=${PAREVM_FIXTURES:-../shared/fixtures}
export PAREVM_FIXTURES="$FIX"
total_pass=0; total_fail=0; total_skip=0; status=0
log=$(mktemp); trap 'rm -f "$log"' EXIT

# (its variables are stage_*: a caller's loop variable must survive a stage)
stage() {
    stage_name=$1; shift
    echo "== $stage_name"
    "$@" >"$log" 2>&1; stage_rc=$?
    # Show the output's tail (a full state-test run prints only failures and its totals).
    tail -n 40 "$log"
    stage_line=$(grep -E '([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    stage_p=$(printf '%s' "$stage_line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
    stage_f=$(printf '%s' "$stage_line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
    stage_k=$(printf '%s' "$stage_line" | grep -oE '[0-9]+ skipped' | grep -oE '[0-9]+')
    if [ $stage_rc -ne 0 ] || [ -z "$stage_line" ]; then
        status=1
        [ -z "$stage_f" ] || [ "$stage_f" = 0 ] && stage_f=1
        echo "!! stage '$stage_name' failed (exit $stage_rc)"
    fi
    total_pass=$((total_pass + ${stage_p:-0})); total_fail=$((total_fail + ${stage_f:-0})); total_skip=$((total_skip + ${stage_k:-0}))
}

stage "unit tests" sh tests/run.sh unit build/tests/test_*
stage "unit tests (ASan+UBSan)" sh tests/run.sh unit-asan build/asan/tests/test_*
# A TSan report makes the program exit non-zero.
export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
stage "unit tests of concurrent code (ThreadSanitizer)" sh tests/run.sh unit-tsan build/tsan/tests/test_*
MAINNET="$FIX/mainnet"
stage "mainnet blocks against their headers (automatic threads)" build/parevm block "$MAINNET"/*.json.gz
for t in 2 4 8 16; do
    stage "mainnet blocks: parallel == sequential at $t threads (x2)" \
        build/parevm block --compare --repeat 2 --threads $t "$MAINNET"/*.json.gz
done
stage "mainnet blocks: parallel == sequential under ThreadSanitizer (sample, 4 threads)" \
    build/tsan/parevm block --compare --threads 4 "$MAINNET"/15538827.json.gz "$MAINNET"/19933612.json.gz \
    "$MAINNET"/12300570.json.gz "$MAINNET"/4864590.json.gz "$MAINNET"/2179522.json.gz "$MAINNET"/18085863.json.gz \
    "$MAINNET"/15537394.json.gz
# At 2 threads with no early checks: the final validation alone must find every conflict.
stage "mainnet blocks: optimistic chunks (forced, final validation only) == sequential at 2 threads" \
    build/parevm block --compare --chunks always --chunks-window none --threads 2 "$MAINNET"/*.json.gz
stage "mainnet blocks: optimistic chunks (forced) == sequential at 5 threads" \
    build/parevm block --compare --chunks always --threads 5 "$MAINNET"/*.json.gz
stage "mainnet blocks: optimistic chunks (forced) under ThreadSanitizer (sample, 3 threads)" \
    build/tsan/parevm block --compare --chunks always --threads 3 "$MAINNET"/15274915.json.gz \
    "$MAINNET"/19933612.json.gz "$MAINNET"/12300570.json.gz "$MAINNET"/2179522.json.gz
# Every chunk but the last starts with one transaction: the threads split running chunks at once.
stage "mainnet blocks: optimistic chunks (forced, skewed, stealing) == sequential at 3 threads" \
    build/parevm block --compare --chunks always --chunks-steal skewed --threads 3 "$MAINNET"/*.json.gz
stage "mainnet blocks: optimistic chunks (forced, skewed, stealing) under ThreadSanitizer (sample, 2 threads)" \
    build/tsan/parevm block --compare --repeat 2 --chunks always --chunks-steal skewed --threads 2 \
    "$MAINNET"/15274915.json.gz "$MAINNET"/12300570.json.gz "$MAINNET"/2179522.json.gz
# Block-STM's sequential prefix forced: 40% of the gas limits, and 90% (the other workers then
# take most of it back).
# (one stage per run: each run's own closing line and exit status count)
for p in 40 90; do
    for t in 2 3; do
        stage "mainnet blocks: sequential prefix (forced, $p%) == sequential at $t threads" \
            build/parevm block --compare --prefix always --prefix-percent $p --threads $t "$MAINNET"/*.json.gz
    done
done
stage "mainnet blocks: sequential prefix (forced, 90%) under ThreadSanitizer (sample, 2 threads)" \
    build/tsan/parevm block --compare --prefix always --prefix-percent 90 --threads 2 "$MAINNET"/8889776.json.gz \
    "$MAINNET"/15538827.json.gz "$MAINNET"/13217637.json.gz "$MAINNET"/12300570.json.gz
# Perturbed pre-states (parevm block --perturb): the real blocks' code on other balances, nonces
# and slots, so other branches and other failing transactions; one stage per seed range and mode.
stage "mainnet blocks over perturbed pre-states (seeds 1-3): parallel == sequential at 2 threads" \
    sh tests/compare_perturbed.sh 1 3 2
stage "mainnet blocks over perturbed pre-states (seeds 4-6): parallel == sequential at 4 threads" \
    sh tests/compare_perturbed.sh 4 6 4
stage "mainnet blocks over perturbed pre-states (seeds 7-8), optimistic chunks (forced) at 3 threads" \
    env PAREVM_BLOCK_OPTS="--chunks always" sh tests/compare_perturbed.sh 7 8 3
stage "mainnet blocks over perturbed pre-states (seeds 9-10), sequential prefix (forced, 60%) at 2 threads" \
    env PAREVM_BLOCK_OPTS="--prefix always --prefix-percent 60" sh tests/compare_perturbed.sh 9 10 2
stage "mainnet blocks over a perturbed pre-state under ThreadSanitizer (sample, seed 11, 4 threads)" \
    build/tsan/parevm block --compare --skip-invalid --perturb 11 --threads 4 "$MAINNET"/15538827.json.gz \
    "$MAINNET"/19933612.json.gz "$MAINNET"/8889776.json.gz "$MAINNET"/4864590.json.gz "$MAINNET"/18085863.json.gz
# Big synthetic blocks (the chunks' own ground: they succeed there); each run is compared with
# the sequential result.
# (bench blocks exits non-zero when a parallel result differs: its status decides, not tail's)
stage "synthetic 6000-transaction blocks: chunks and Block-STM == sequential" sh -c \
    "out=\$(mktemp) &&
     build/parevm bench blocks --workload all --txs 6000 --repeat 1 --threads 2 > \$out && tail -n 1 \$out &&
     build/parevm bench blocks --workload all --txs 6000 --repeat 1 --threads 3 --chunks never > \$out &&
     tail -n 1 \$out && rm -f \$out && echo '8 passed, 0 failed'"
GEN=$(mktemp -d); trap 'rm -f "$log"; rm -rf "$GEN"' EXIT
stage "generate 120 random blocks (parevm gen)" sh -c "sh tests/gen_blocks.sh '$GEN' 1 120 && echo '120 passed, 0 failed'"
for t in 2 4 8 16; do
    stage "generated blocks: parallel == sequential at $t threads (x2)" sh tests/compare_generated.sh "$GEN" $t 2
done
stage "generated blocks: optimistic chunks (forced, final validation only) == sequential at 2 threads" \
    env PAREVM_BLOCK_OPTS="--chunks always --chunks-window none" sh tests/compare_generated.sh "$GEN" 2 1
stage "generated blocks: optimistic chunks (forced) == sequential at 4 threads" \
    env PAREVM_BLOCK_OPTS="--chunks always" sh tests/compare_generated.sh "$GEN" 4 1
stage "generated blocks: optimistic chunks (forced, skewed, stealing) == sequential at 2 threads" \
    env PAREVM_BLOCK_OPTS="--chunks always --chunks-steal skewed" sh tests/compare_generated.sh "$GEN" 2 1
for p in 40 90; do
    stage "generated blocks: sequential prefix (forced, $p%) == sequential at 2 threads" \
        env PAREVM_BLOCK_OPTS="--prefix always --prefix-percent $p" sh tests/compare_generated.sh "$GEN" 2 1
done
mkdir -p "$GEN/tsan"
for s in $(seq 10 29); do cp "$GEN/$s.json.gz" "$GEN/tsan/" 2>/dev/null; cp "$GEN/$s-skip.json.gz" "$GEN/tsan/" 2>/dev/null; done
for t in 4 16; do
    stage "generated blocks (seeds 10-29) under ThreadSanitizer at $t threads" \
        sh tests/compare_generated.sh "$GEN/tsan" $t 1 build/tsan/parevm
done
stage "generated blocks (seeds 10-29), sequential prefix (forced, 90%), under ThreadSanitizer at 3 threads" \
    env PAREVM_BLOCK_OPTS="--prefix always --prefix-percent 90" sh tests/compare_generated.sh "$GEN/tsan" 3 1 \
    build/tsan/parevm
stage "block bad input" sh tests/block_bad_input.sh
stage "block read and write sets (--rw-sets, ASan+UBSan)" env PAREVM=build/asan/parevm sh tests/block_rw_sets.sh
stage "block timeline (--timeline, ASan+UBSan)" env PAREVM=build/asan/parevm sh tests/block_timeline.sh
stage "block perturbed pre-states (--perturb, ASan+UBSan)" env PAREVM=build/asan/parevm sh tests/block_perturb.sh
ST="$FIX/ethereum-tests/GeneralStateTests"
stage "state tests sample (ASan+UBSan)" build/asan/parevm statetest \
    "$ST/stExample" "$ST/stCallCodes" "$ST/stSStoreTest" "$ST/Pyspecs/cancun" "$ST/stRevertTest" \
    "$ST/stCreate2" "$ST/stStaticCall" "$ST/stRefundTest" "$ST/stTransactionTest" "$ST/stSpecialTest" \
    "$ST/stEIP1559" "$ST/stPreCompiledContracts2"
stage "state tests under ThreadSanitizer (4 threads)" \
    build/tsan/parevm statetest --threads 4 "$ST/stExample" "$ST/stCallCodes" "$ST/stRevertTest" \
    "$ST/stStackTests/stackOverflowPUSH.json"
stage "statetest bad input" sh tests/statetest_bad_input.sh
stage "parevm gen command line" sh tests/gen_cli.sh
start=$(date +%s)
stage "state tests (all forks, both fixture folders)" build/parevm statetest \
    "$FIX/ethereum-tests/GeneralStateTests" "$FIX/legacy-tests"
echo "   full state-test run: $(( $(date +%s) - start )) s"

if [ $total_skip -gt 0 ]; then
    echo "check: $total_pass passed, $total_fail failed, $total_skip skipped"
else
    echo "check: $total_pass passed, $total_fail failed"
fi
exit $status
