#!/bin/sh
# `make demo`: the main job on bundled data. Until the block executor lands (issues 4 and 5),
# this runs the state tests of one small fixture folder as a smoke run.
FIX=${PAREVM_FIXTURES:-../shared/fixtures}
echo "parevm demo: the block executor (mainnet replay, parallel execution) is not built yet;"
echo "smoke run: the Ethereum state tests of stExample, every fork"
exec build/parevm statetest "$FIX/ethereum-tests/GeneralStateTests/stExample"
