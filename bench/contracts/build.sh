#!/bin/sh
# Regenerates Pool.runtime.hex from Pool.sol with solc 0.8.26 (solc-js from the npm registry),
# optimizer on (200 runs), EVM version Istanbul (runs on every fork parevm benchmarks).
# Usage: sh bench/contracts/build.sh   (needs node and npm, and access to the npm registry)
set -e
cd "$(dirname "$0")"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
npm install --silent --no-audit --no-fund --prefix "$tmp" solc@0.8.26 >/dev/null 2>&1
node build.js "$tmp/node_modules/solc"
