/*
 * Synthetic blocks for the benchmarks (`parevm bench blocks`): built in memory from a seed, the
 * transactions carrying their senders (no signatures: the benchmarks measure execution).
 *
 * Workloads (every transaction from its own sender):
 *   transfers  plain value transfers between distinct accounts (21,000 gas each);
 *   erc20      ERC-20 transfer() calls of one token (the fixture bytecode) between distinct
 *              holders: different storage slots of one contract;
 *   swaps      constant-product AMM swaps (bench/contracts/Pool.sol), one pool per transaction,
 *              each pulling token A from the trader and paying token B (two token contracts
 *              shared by all pools, distinct slots);
 *   mixed      a mix of the three where a fraction hot_ratio of the transactions touches a few hot
 *              places instead (ERC-20 transfers to one hot holder, swaps in one hot pool): from
 *              0 (independent) to 1 (every transaction conflicts with the previous ones).
 */
#ifndef PV_BENCH_SYNTH_H
#define PV_BENCH_SYNTH_H

#include "../exec/block.h"

typedef enum pv_synth_kind { PV_SYNTH_TRANSFERS, PV_SYNTH_ERC20, PV_SYNTH_SWAPS, PV_SYNTH_MIXED } pv_synth_kind;

typedef struct pv_synth_params {
    pv_synth_kind kind;
    uint64_t seed;
    uint64_t gas;                 /* target gas of the block (its gas limit leaves some room) */
    size_t txs;                   /* or a transaction count (when non-zero, gas is ignored) */
    double hot_ratio;             /* mixed only */
    pv_fork fork;
    const uint8_t *erc20_code;    /* runtime bytecode (fixtures/contracts/ERC20Token.runtime.hex) */
    size_t erc20_size;
    const uint8_t *pool_code;     /* runtime bytecode (bench/contracts/Pool.runtime.hex) */
    size_t pool_size;
} pv_synth_params;

typedef struct pv_synth_block {
    pv_world *pre;                /* sealed */
    pv_block block;
    pv_tx *txs;
    uint8_t *calldata;            /* storage for the transactions' input */
} pv_synth_block;

const char *pv_synth_kind_name(pv_synth_kind k);
bool pv_synth_kind_from_name(const char *name, pv_synth_kind *out);

/* Builds the block. Returns NULL, or a static message for unusable parameters (missing code). */
const char *pv_synth_build(const pv_synth_params *p, pv_synth_block *out);
void pv_synth_free(pv_synth_block *b);

#endif
