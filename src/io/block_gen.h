/*
 * Random block generator (`parevm gen`): one block in the mainnet fixture format
 * (../shared/fixtures/mainnet/README.md) that `parevm block` / pv_block_file_load load and
 * execute, built to exercise what a parallel executor finds hard: a tunable share of
 * transactions on a small hot set, contracts that read what earlier transactions wrote,
 * reverts, out-of-gas, CREATE/CREATE2 (with an address collision), SELFDESTRUCT and re-creation,
 * coinbase transfers, precompiles, and optionally transactions made invalid by earlier ones.
 * docs/ARCHITECTURE.md ("Random blocks") lists the mix and the hard cases.
 *
 * Deterministic: the same parameters give the same bytes (no time, no addresses of memory, no
 * hash-table order; the gzip header has no name and no mtime). Nothing here prints; problems
 * come back as malloc'd messages.
 */
#ifndef PV_IO_BLOCK_GEN_H
#define PV_IO_BLOCK_GEN_H

#include "../evm/fork.h"
#include "../util/types.h"

typedef struct pv_gen_params {
    uint64_t seed;
    size_t txs;                /* number of transactions (0 .. PV_GEN_MAX_TXS) */
    double conflicts;          /* 0..1: share of transactions that touch the hot set */
    double invalid;            /* 0..1: share made invalid by an earlier transaction */
    pv_fork fork;              /* a mainnet rule set: any pv_fork except PV_CONSTANTINOPLE */
    uint64_t gas_limit;        /* block gas limit; 0: enough for every transaction */
} pv_gen_params;

#define PV_GEN_MAX_TXS 1000000

/* seed 1, 100 transactions, conflicts 0.5, invalid 0, Cancun, gas limit 0. */
void pv_gen_params_default(pv_gen_params *p);

/* What a transaction is (the mix; docs/ARCHITECTURE.md gives the weights). */
typedef enum pv_gen_kind {
    PV_GEN_TRANSFER = 0,        /* value transfer to a fresh or an existing account */
    PV_GEN_COINBASE,            /* value transfer to or from the coinbase */
    PV_GEN_TOKEN,               /* ERC-20 transfer (some exceed the balance and revert) */
    PV_GEN_WETH,                /* WETH9 deposit / withdraw (hot only: WETH's balance is shared) */
    PV_GEN_COUNTER,             /* counter contract: slot s += 1, slot s+1 = old value */
    PV_GEN_READER,              /* reads a token balance (STATICCALL), BALANCE, BLOCKHASH */
    PV_GEN_REVERT,              /* conditional REVERT, nested revert, reverting initcode */
    PV_GEN_OOG,                 /* out of gas: endless loop, or too little gas for SSTORE */
    PV_GEN_CREATE,              /* CREATE transaction (from London some deploy 0xEF code: fails) */
    PV_GEN_CALL_NEW,            /* call to a contract created earlier in the block */
    PV_GEN_CREATE2,             /* CREATE2 through a factory (CREATE before Constantinople) */
    PV_GEN_PRECOMPILE,          /* ecrecover, sha256, ripemd160, identity */
    PV_GEN_BLOB,                /* EIP-4844 blob transaction (Cancun) */
    /* scripted hard cases, at fixed places in the block (from 24 transactions on) */
    PV_GEN_CREATE2_COLLISION,   /* the second CREATE2 of the same salt and initcode */
    PV_GEN_SELFDESTRUCT,        /* SELFDESTRUCT of a pre-state contract */
    PV_GEN_RECREATE,            /* CREATE2 again at a self-destructed address */
    PV_GEN_CALL_DESTROYED,      /* call to a self-destructed (or re-created) contract */
    PV_GEN_CREATE_DESTROY,      /* CREATE whose initcode self-destructs */
    PV_GEN_FACTORY_DESTROY,     /* factory creates a child and calls it; the child self-destructs */
    PV_GEN_BEACON_READ,         /* reads the EIP-4788 root the system call stored (Cancun) */
    /* --invalid */
    PV_GEN_DRAIN,               /* valid: sends nearly the whole balance away */
    PV_GEN_INVALID_NONCE,       /* reuses the nonce of an earlier transaction of its sender */
    PV_GEN_INVALID_FUNDS,       /* from a drained sender: cannot pay for its gas */
    PV_GEN_KIND_COUNT
} pv_gen_kind;

const char *pv_gen_kind_name(pv_gen_kind k);

/* The outcome the generator built a transaction for, when the block is executed as a whole
 * (nothing skipped because of --gas-limit). */
typedef enum pv_gen_expect {
    PV_GEN_EXPECT_SUCCESS = 0,
    PV_GEN_EXPECT_REVERT,       /* top-level REVERT (before Byzantium: an exceptional halt) */
    PV_GEN_EXPECT_OOG,          /* out of gas */
    PV_GEN_EXPECT_FAIL,         /* some failure status */
    PV_GEN_EXPECT_ANY,          /* depends on the order of execution (state-dependent revert) */
    PV_GEN_EXPECT_NONCE_TOO_LOW,   /* rejected */
    PV_GEN_EXPECT_INSUFFICIENT_FUNDS,
} pv_gen_expect;

typedef struct pv_gen_info {
    pv_fork fork;
    int64_t number, timestamp;
    uint64_t gas_limit;
    size_t txs, senders, pre_accounts, withdrawals, block_hashes;
    size_t hot;                         /* transactions touching the hot set */
    size_t kinds[PV_GEN_KIND_COUNT];
    uint8_t *tx_kind;                   /* per transaction: pv_gen_kind */
    uint8_t *tx_expect;                 /* per transaction: pv_gen_expect */
    bool *tx_hot;
    /* hard cases, for tests (valid only when the block has them) */
    bool has_collision;                 /* a CREATE2 meets an existing contract (log topic 0) */
    size_t collision_tx;
    bool has_selfdestruct;
    pv_address factory;                 /* logs (salt, created address or 0) per creation */
    pv_address destroyed;               /* self-destructed and left alone (removed before Cancun) */
    pv_address recreated;               /* self-destructed, re-created by CREATE2 (Constantinople..Shanghai) */
    pv_address coinbase, counter, token, weth, hot_recipient, hot_holder, beacon_roots;
} pv_gen_info;

void pv_gen_info_free(pv_gen_info *info);

/* Checks the parameters; NULL or a malloc'd message. */
char *pv_gen_check_params(const pv_gen_params *p);

/* The block file as JSON text (malloc'd, NUL-terminated, *len bytes without the NUL). NULL and
 * *err (malloc'd) for bad parameters. info may be NULL; otherwise it is filled (free it with
 * pv_gen_info_free). */
char *pv_gen_block_json(const pv_gen_params *p, size_t *len, pv_gen_info *info, char **err);

/* Writes the block file: gzip when path ends in ".json.gz", plain JSON for ".json" (other
 * names are an error). */
bool pv_gen_block_write(const pv_gen_params *p, const char *path, pv_gen_info *info, char **err);

/* gzip of data with a fixed header (no file name, mtime 0, OS "unknown"): the same input gives
 * the same bytes. *out is malloc'd. */
void pv_gzip_fixed(const uint8_t *data, size_t len, uint8_t **out, size_t *out_len);

#endif
