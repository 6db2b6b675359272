/*
 * Block execution: the block-level rules around the transactions (EIP-4788 beacon-root system
 * call, block gas limit, withdrawals, pre-merge mining rewards), receipts with blooms and the
 * receipts root, and the block's state changes.
 *
 * pv_block_execute runs sequentially; the parallel executor (parallel.h) produces the same
 * pv_block_result for the same inputs, byte for byte.
 */
#ifndef PV_EXEC_BLOCK_H
#define PV_EXEC_BLOCK_H

#include <stdatomic.h>

#include "../state/state.h"
#include "transition.h"
#include "../util/rlp.h"

typedef struct pv_withdrawal {
    uint64_t index, validator_index;
    pv_address address;
    uint64_t amount_gwei;
} pv_withdrawal;

typedef struct pv_uncle {
    int64_t number;
    pv_address miner;
} pv_uncle;

typedef struct pv_block {
    pv_fork fork;
    pv_block_env env;
    bool has_parent_beacon_root;        /* Cancun: the EIP-4788 system call runs */
    pv_bytes32 parent_beacon_root;
    bool has_withdrawals;               /* Shanghai */
    const pv_withdrawal *withdrawals;
    size_t withdrawals_count;
    const pv_uncle *uncles;             /* uncles whose header (number, miner) is known */
    size_t uncles_count;
    size_t uncles_unknown;              /* uncles known only by hash: their rewards cannot be paid */
    const pv_tx *txs;
    size_t txs_count;
} pv_block;

/* What to do with a transaction that is invalid (nonce, balance, block gas, ...). */
typedef enum pv_invalid_tx_policy {
    PV_INVALID_TX_ABORT = 0,            /* the block is invalid: stop there (block validation) */
    PV_INVALID_TX_SKIP,                 /* leave it out and go on (block building, t8n) */
} pv_invalid_tx_policy;

typedef struct pv_block_receipt {
    uint8_t tx_type;
    pv_tx_error rejected;               /* PV_TX_VALID unless the transaction was left out */
    pv_status status;
    uint64_t gas_used;
    uint64_t cumulative_gas_used;
    pv_log *logs;
    size_t logs_count;
    uint8_t bloom[256];
    bool has_contract_address;
    pv_address contract_address;
} pv_block_receipt;

typedef struct pv_block_result {
    bool valid;                         /* false: a transaction was invalid under PV_INVALID_TX_ABORT */
    size_t invalid_tx;                  /* its index */
    pv_tx_error invalid_error;
    pv_block_receipt *receipts;         /* one per transaction executed (or rejected, when skipped) */
    size_t receipts_count;
    uint64_t gas_used;
    uint8_t logs_bloom[256];
    bool receipts_root_known;           /* from Byzantium: before, receipts hold intermediate state roots */
    pv_bytes32 receipts_root;
    pv_state_changes changes;
    bool uncle_rewards_missing;         /* uncles without headers: their rewards are not in changes */
} pv_block_result;

void pv_block_result_free(pv_block_result *r);

/* Executes the block on top of pre (read-only, may be shared). Always fills *out. */
void pv_block_execute(pv_state_source *pre, const pv_block *b, pv_invalid_tx_policy policy,
                      pv_block_result *out);

/* The same on an existing state (its source is the pre-state); the state is left holding the
 * post-state. Used by the parallel executor's sequential fallback and by tests. */
void pv_block_execute_on(pv_state *st, const pv_block *b, pv_invalid_tx_policy policy, pv_block_result *out);

/* ---- pieces the parallel executor shares ---- */

/* The EIP-4788 beacon-root system call (Cancun; no-op without parent beacon root or code). */
void pv_block_beacon_root_call(pv_state *st, const pv_block *b);
/* Withdrawals, then mining rewards (pre-Paris), then EIP-161 cleanup: after the transactions. */
bool pv_block_finish_rewards(pv_state *st, const pv_block *b);
/* Fills cumulative gas, the block's logs bloom and the receipts root from receipts[0..n) (each
 * receipt's own bloom must be set already: executors compute it per transaction). */
void pv_block_finish_receipts(pv_block_result *r, pv_fork fork, unsigned threads);

/* The same finish in steps, for an executor that runs them beside its own work. The receipts
 * are cut into slices (contiguous, in order, covering all of them):
 *   pv_receipt_slice_sum      each slice's gas, included count and bloom (any thread);
 *   pv_receipt_slices_prefix  each slice's starting gas, the block's gas and logs bloom;
 *   pv_receipt_slice_encode   each slice's cumulative gas and encodings (any thread, each once);
 *   pv_receipt_slices_root    the receipts root over all encodings; frees them.
 * pv_receipt_slices_free releases the encodings of an abandoned finish. */
typedef struct pv_receipt_slice {
    size_t lo, hi;                /* receipts [lo, hi) */
    uint64_t gas, base;           /* gas used in the slice; before it */
    size_t included;              /* receipts of included transactions */
    uint8_t bloom[256];
    pv_buf buf;                   /* the encodings, back to back ... */
    size_t *offs;                 /* ... each one's offset */
    /* Optional: a trie of every included receipt of the block whose leaves each slice hashes
     * as it encodes them (pv_ordered_trie_set, items from first_item on); the root is then
     * taken from it. The caller creates and frees it. */
    struct pv_ordered_trie *trie;
    size_t first_item;
} pv_receipt_slice;

void pv_receipt_slice_sum(const pv_block_receipt *receipts, pv_receipt_slice *s);
void pv_receipt_slices_prefix(pv_block_result *res, pv_fork fork, pv_receipt_slice *s, unsigned n);
void pv_receipt_slice_encode(pv_block_result *res, pv_fork fork, pv_receipt_slice *s);
void pv_receipt_slices_root(pv_block_result *res, pv_receipt_slice *s, unsigned n, unsigned threads);
void pv_receipt_slices_free(pv_receipt_slice *s, unsigned n);

/* The receipts finish shared by threads that join it at different times (one starts at once,
 * another after its own part of the block's finish): the receipts are cut into up to
 * PV_RECEIPTS_SHARE_SLICES slices that the callers of pv_receipts_share_work claim in order,
 * each encoding its slice and hashing its leaves into one trie; the first caller sums the
 * slices and fixes their cumulative gas before anyone encodes. Then pv_receipts_share_root
 * (after every worker returned) takes the root, as pv_block_finish_receipts would. */
enum { PV_RECEIPTS_SHARE_SLICES = 4 };

/* A receipt big enough to hash while it is being encoded (block 15537394's 10,001 logs: 1.6 MB,
 * 1 ms to encode and 3.1 ms of Keccak after it, one after the other on one thread): the thread
 * that encodes it publishes its bytes as they are written and another hashes them as they come,
 * as the leaf of the receipts trie (pv_ordered_trie_set_leaf_hash). Whoever finishes second of
 * the slice's encodings and the leaf's hash hashes the slice's leaves. */
typedef struct pv_receipt_stream {
    size_t receipt;               /* its index; SIZE_MAX: none */
    unsigned slice;               /* the slice holding it */
    size_t item, len;             /* its item in the trie; its encoding's length */
    uint8_t prefix[32];           /* its leaf node's bytes before the encoding ... */
    size_t prefix_len;            /* ... and how many */
    const uint8_t *_Atomic data;  /* its encoding, once the encoder reaches it */
    _Atomic size_t ready;         /* bytes of the encoding written so far */
    _Atomic bool claimed;         /* a thread hashes it */
    _Atomic unsigned pending;     /* of the slice's encodings and the leaf hash, those not done */
    uint8_t hash[32];
} pv_receipt_stream;

typedef struct pv_receipts_share {
    pv_block_result *res;
    pv_fork fork;
    unsigned nslices;
    pv_receipt_slice s[PV_RECEIPTS_SHARE_SLICES];
    _Atomic unsigned stage;       /* 0: not summed; 1: summing; 2: sums and prefix ready */
    _Atomic unsigned next;        /* the next slice to claim */
    pv_receipt_stream big;        /* set by pv_receipts_share_init when a receipt is worth it */
} pv_receipts_share;

/* After init, sh->big.receipt != SIZE_MAX says that a receipt will be hashed as it is encoded:
 * then sharing pays even for a few receipts, if a second thread calls pv_receipts_share_work. */
void pv_receipts_share_init(pv_receipts_share *sh, pv_block_result *res, pv_fork fork);
void pv_receipts_share_work(pv_receipts_share *sh);
void pv_receipts_share_root(pv_receipts_share *sh);
/* The 2048-bit bloom of logs, OR-ed into bloom. */
void pv_bloom_add_logs(uint8_t bloom[256], const pv_log *logs, size_t n);
/* The same for each of receipts [0, n) from its own logs, the hashing batched across them all
 * (and repeated addresses or topics hashed once): for an executor that has a run of receipts. */
void pv_bloom_add_receipts(pv_block_receipt *receipts, size_t n);

/* Bit positions of addresses and topics met lately (a token's address, an event's signature).
 * Direct-mapped: an item evicted is only hashed again. */
enum { PV_BLOOM_CACHE = 256, PV_BLOOM_BATCH = 64 };
typedef struct pv_bloom_cache {
    struct {
        uint8_t key[32];
        uint8_t len;           /* 20 (an address) or 32 (a topic); 0: empty */
        uint16_t bit[3];
    } e[PV_BLOOM_CACHE];
} pv_bloom_cache;
void pv_bloom_cache_clear(pv_bloom_cache *c);

/* Items waiting to be hashed together (copied: the logs may be freed before the flush), each
 * with the bloom its bits go to. A Block-STM worker keeps one (and a cache) for the whole block,
 * so that a transaction's two or three new items share a batch with the next transactions'
 * instead of filling a vector of Keccak states alone; its blooms are complete after
 * pv_bloom_batch_flush. */
typedef struct pv_bloom_batch {
    pv_bloom_cache *cache;     /* may be NULL */
    uint8_t item[PV_BLOOM_BATCH][32];
    uint8_t len[PV_BLOOM_BATCH];
    uint8_t *dst[PV_BLOOM_BATCH];
    size_t k;
} pv_bloom_batch;
void pv_bloom_batch_init(pv_bloom_batch *bb, pv_bloom_cache *cache);
void pv_bloom_batch_add_logs(pv_bloom_batch *bb, uint8_t bloom[256], const pv_log *logs, size_t n);
void pv_bloom_batch_flush(pv_bloom_batch *bb);

/* Consensus encoding of a receipt (type byte || RLP) into out. */
struct pv_buf;
void pv_receipt_encode(const pv_block_receipt *r, pv_fork fork, struct pv_buf *out);
/* The number of bytes pv_receipt_encode appends for r as it is now. */
size_t pv_receipt_encoded_size(const pv_block_receipt *r, pv_fork fork);

/* First difference between two results (receipts, gas, logs, state changes), or true if equal. */
bool pv_block_results_equal(const pv_block_result *a, const pv_block_result *b, char *why, size_t why_len);

#endif
