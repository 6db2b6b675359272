/*
 * Mainnet block fixtures (format: ../shared/fixtures/mainnet/README.md): one JSON object, plain
 * or gzip, holding a JSON-RPC block with full transactions, the touched pre-state and the block
 * hashes BLOCKHASH reads. Loading decodes every transaction, checks its hash against the
 * consensus encoding and recovers its sender (which must equal `from`).
 *
 * Nothing here prints: every problem comes back as a malloc'd message naming the file and the
 * field (e.g. "x.json.gz: block.transactions[3].r: invalid number").
 */
#ifndef PV_IO_BLOCK_JSON_H
#define PV_IO_BLOCK_JSON_H

#include <stdatomic.h>

#include "../exec/block.h"
#include "tx_codec.h"

typedef struct pv_block_hash_entry {
    int64_t number;
    pv_bytes32 hash;
} pv_block_hash_entry;

typedef struct pv_block_file {
    char *path;
    pv_world *pre;                    /* sealed */
    pv_block block;                   /* points into the arrays below */
    pv_signed_tx *stxs;
    pv_tx *txs;
    size_t txs_count;
    pv_withdrawal *withdrawals;
    pv_block_hash_entry *hashes;      /* sorted by number */
    size_t hashes_count;
    atomic_uint missing_hash_reads;   /* BLOCKHASH of a recent block the file does not give */

    /* header values the execution is checked against; a generated block (parevm gen) leaves
     * out those that cannot be known before execution, and their checks are "not checked" */
    bool has_hash, has_gas_used, has_logs_bloom, has_receipts_root, has_transactions_root;
    pv_bytes32 hash, parent_hash, ommers_hash, state_root, transactions_root, receipts_root;
    uint8_t logs_bloom[256];
    uint64_t gas_used;
    bool has_withdrawals_root, has_blob_gas_used;
    pv_bytes32 withdrawals_root;
    uint64_t blob_gas_used;
    bool header_hash_ok;              /* keccak(RLP(header)) == hash: the parsed header is intact
                                         (only when has_hash: every header field is present) */
    bool transactions_root_ok;        /* transactions re-encoded give transactionsRoot */
    bool withdrawals_root_ok;         /* only meaningful when has_withdrawals_root */
} pv_block_file;

/* Mainnet fork rules at a block number and timestamp (README table). */
pv_fork pv_mainnet_fork(int64_t number, int64_t timestamp);

/* Loads and decodes path (.json or .json.gz). Returns NULL with *err (malloc'd) on any problem. */
pv_block_file *pv_block_file_load(const char *path, char **err);
void pv_block_file_free(pv_block_file *f);

/* Reads a whole file, gunzipping it when it is gzip. *err on failure (truncated gzip included). */
bool pv_read_file_maybe_gz(const char *path, uint8_t **data, size_t *len, char **err);

#endif
