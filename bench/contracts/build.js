// Compiles Pool.sol with solc-js (standard JSON) and writes its runtime bytecode to
// Pool.runtime.hex. Called by build.sh, which installs the pinned solc version.
const fs = require('fs');
const path = require('path');
const solc = require(process.argv[2]);
const input = {
    language: 'Solidity',
    sources: { 'Pool.sol': { content: fs.readFileSync(path.join(__dirname, 'Pool.sol'), 'utf8') } },
    settings: {
        optimizer: { enabled: true, runs: 200 },
        evmVersion: 'istanbul',
        outputSelection: { '*': { Pool: ['evm.deployedBytecode.object'] } },
    },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
for (const e of out.errors || []) {
    console.error(e.formattedMessage);
    if (e.severity === 'error') process.exit(1);
}
const hex = out.contracts['Pool.sol'].Pool.evm.deployedBytecode.object;
fs.writeFileSync(path.join(__dirname, 'Pool.runtime.hex'), hex);
console.log(`Pool.runtime.hex: ${hex.length / 2} bytes, solc ${solc.version()}`);
