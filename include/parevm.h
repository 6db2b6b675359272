/*
 * parevm: parallel EVM block execution. The public C API.
 *
 * Execute a block's transactions on top of a pre-state your application provides, sequentially
 * or on N threads (optimistic Block-STM), and get back exactly what sequential execution gives:
 * receipts, gas, logs, bloom, receipts root and the block's state changes.
 *
 *   parevm_tx *txs[n];                      // parevm_tx_decode() each raw transaction
 *   parevm_block_env env = {...};           // header values (see the struct)
 *   parevm_state_provider pre = {ctx, get_account, get_storage};
 *   parevm_options opt = {.threads = 0};    // 0: choose by block size and hardware
 *   parevm_block_result res;
 *   if (parevm_execute_block(&env, txs, n, &pre, &opt, &res) != 0) ...  // bad arguments
 *   ... res.valid, res.receipts[i], res.changes[j] ...
 *   parevm_block_result_free(&res);
 *
 * Conventions: addresses are 20 bytes, hashes and 256-bit numbers 32 bytes big-endian. Every
 * pointer in a result stays valid until parevm_block_result_free. No function prints; errors are
 * returned. Functions are thread-safe unless stated otherwise.
 */
#ifndef PAREVM_H
#define PAREVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PAREVM_VERSION "0.2.0"

/* Hard forks in activation order (Constantinople is run as Petersburg on mainnet). */
typedef enum parevm_fork {
    PAREVM_FRONTIER = 0,
    PAREVM_HOMESTEAD,
    PAREVM_TANGERINE_WHISTLE,
    PAREVM_SPURIOUS_DRAGON,
    PAREVM_BYZANTIUM,
    PAREVM_CONSTANTINOPLE,
    PAREVM_PETERSBURG,
    PAREVM_ISTANBUL,
    PAREVM_BERLIN,
    PAREVM_LONDON,
    PAREVM_PARIS,
    PAREVM_SHANGHAI,
    PAREVM_CANCUN,
} parevm_fork;

/* The fork active on Ethereum mainnet at a block number and timestamp. */
parevm_fork parevm_mainnet_fork(uint64_t number, uint64_t timestamp);

/* ---- pre-state ---- */

typedef struct parevm_account {
    uint64_t nonce;
    uint8_t balance[32];
    const uint8_t *code;      /* runtime code (NULL when code_size == 0); copied by parevm */
    size_t code_size;
    bool has_storage;         /* storage root is not the empty root (EIP-7610 create collisions) */
} parevm_account;

/*
 * Read-only access to the state before the block. Called from worker threads, possibly at the
 * same time: both callbacks must be thread-safe. Each location is asked for at most a few times
 * per block (parevm caches what it read). Callbacks cannot fail: an I/O error in the application
 * must be handled there (e.g. abort), since a wrong answer would give a wrong result.
 */
typedef struct parevm_state_provider {
    void *ctx;
    /* Returns false when the account does not exist; otherwise fills *out. */
    bool (*get_account)(void *ctx, const uint8_t address[20], parevm_account *out);
    /* Writes the slot's value (zero when absent). */
    void (*get_storage)(void *ctx, const uint8_t address[20], const uint8_t key[32], uint8_t value[32]);
} parevm_state_provider;

/* ---- block ---- */

typedef struct parevm_withdrawal {
    uint64_t index, validator_index;
    uint8_t address[20];
    uint64_t amount_gwei;
} parevm_withdrawal;

typedef struct parevm_uncle {
    uint64_t number;
    uint8_t miner[20];
} parevm_uncle;

typedef struct parevm_block_env {
    parevm_fork fork;
    uint64_t chain_id;                /* 1 on mainnet */
    uint64_t number, timestamp, gas_limit;
    uint8_t coinbase[20];
    uint8_t difficulty[32];           /* before Paris */
    uint8_t prev_randao[32];          /* from Paris (the header's mixHash) */
    uint8_t base_fee[32];             /* from London */
    uint64_t excess_blob_gas;         /* from Cancun */
    bool has_parent_beacon_root;      /* Cancun: run the EIP-4788 system call */
    uint8_t parent_beacon_root[32];
    bool has_withdrawals;             /* Shanghai */
    const parevm_withdrawal *withdrawals;
    size_t withdrawals_count;
    /* Pre-merge rewards: uncles with known headers get theirs; uncles known only by hash still
     * count for the miner's inclusion reward, but their own rewards cannot be paid (the result
     * says so in uncle_rewards_missing). */
    const parevm_uncle *uncles;
    size_t uncles_count;
    size_t uncles_without_header;
    /* BLOCKHASH: the hash of one of the 256 previous blocks; return false if unknown (reads as
     * zero). Thread-safe. May be NULL (all zero). */
    bool (*get_block_hash)(void *ctx, uint64_t number, uint8_t hash[32]);
    void *block_hash_ctx;
} parevm_block_env;

/* ---- transactions ---- */

typedef struct parevm_tx parevm_tx;   /* a decoded, signature-checked transaction */

/* Decodes a raw signed transaction (the consensus encoding: RLP, or type byte || RLP), checks
 * its signature under fork's rules and chain_id, and recovers the sender. Returns NULL and a
 * message in err (err_len bytes, may be 0) on any problem. */
parevm_tx *parevm_tx_decode(const uint8_t *raw, size_t len, parevm_fork fork, uint64_t chain_id,
                            char *err, size_t err_len);
void parevm_tx_free(parevm_tx *tx);
void parevm_tx_sender(const parevm_tx *tx, uint8_t out[20]);
void parevm_tx_hash(const parevm_tx *tx, uint8_t out[32]);

/* ---- execution ---- */

typedef struct parevm_options {
    /* Worker threads: 0 = automatic (by block size and hardware), 1 = sequential. */
    unsigned threads;
    /* false: an invalid transaction makes the block invalid and execution stops there (block
     * validation). true: it is left out and execution goes on (block building). */
    bool skip_invalid_txs;
} parevm_options;

typedef struct parevm_log {
    uint8_t address[20];
    const uint8_t (*topics)[32];
    size_t topics_count;
    const uint8_t *data;
    size_t data_size;
} parevm_log;

typedef struct parevm_receipt {
    uint8_t tx_type;
    const char *rejected;             /* NULL, or why the transaction was left out (skip mode) */
    bool success;                     /* the status (from Byzantium the receipt's status field) */
    uint64_t gas_used, cumulative_gas_used;
    const parevm_log *logs;
    size_t logs_count;
    uint8_t bloom[256];
    bool has_contract_address;
    uint8_t contract_address[20];
} parevm_receipt;

typedef struct parevm_slot_change {
    uint8_t key[32], value[32];
} parevm_slot_change;

/* The block's effect on one account (see docs/ARCHITECTURE.md, "State changes"): values after
 * the block. storage_reset: every slot the account had before is gone (it was destroyed); apply
 * it before the listed slots. An account with exists == false is deleted. */
typedef struct parevm_account_change {
    uint8_t address[20];
    bool exists;
    bool storage_reset;
    uint64_t nonce;
    uint8_t balance[32];
    uint8_t code_hash[32];
    const uint8_t *code;
    size_t code_size;
    const parevm_slot_change *slots;  /* ascending by key */
    size_t slots_count;
} parevm_account_change;

typedef struct parevm_stats {
    unsigned threads;                 /* workers used (1 = sequential) */
    bool sequential_fallback;         /* the parallel path was not taken or was abandoned */
    char fallback_reason[96];
    uint64_t executions, reexecutions, validations, aborts, dependency_waits;
    double execute_ms;                /* wall time of the whole call */
} parevm_stats;

typedef struct parevm_block_result {
    bool valid;                       /* false: transaction invalid_tx was invalid (abort mode) */
    size_t invalid_tx;
    const char *invalid_reason;
    const parevm_receipt *receipts;   /* in transaction order */
    size_t receipts_count;
    uint64_t gas_used;
    uint8_t logs_bloom[256];
    bool receipts_root_known;         /* false before Byzantium (receipts hold state roots) */
    uint8_t receipts_root[32];
    const parevm_account_change *changes;   /* ascending by address */
    size_t changes_count;
    bool uncle_rewards_missing;
    parevm_stats stats;
    void *internal_;                  /* owned memory; do not touch */
} parevm_block_result;

/* Executes txs[0..txs_count) as one block. Returns 0 and fills *out (free it with
 * parevm_block_result_free) or returns -1 for unusable arguments (NULL pointers, unknown fork),
 * leaving *out empty. An invalid transaction is not an error of the call: see out->valid.
 * Runs on parevm's own worker threads, which poll for ~100 us after each job before they park;
 * called from another thread, the block is handed to one of them and the caller sleeps until it
 * is done (see parevm_run_on_executor_thread to avoid that). The workers of a parallel block are
 * bound to distinct CPUs of the process's affinity mask as it was at the first block (the least
 * busy ones); set PAREVM_BIND_WORKERS=0 in the environment to leave their placement to the kernel.
 * A block allocates and frees tens of megabytes on those threads; with glibc, a process that
 * executes blocks back to back should keep that memory mapped (the parevm tool calls
 * mallopt(M_TOP_PAD, 64 << 20) and raises M_MMAP_THRESHOLD and M_TRIM_THRESHOLD), or use an
 * allocator such as jemalloc: otherwise every block pays its page faults again. The tool also
 * turns glibc's fast bins off (M_MXFAST 0): the next block's first large allocation merged the
 * previous block's small frees all at once (0.3-0.5 ms on a 3,000-transaction block). Where page
 * faults are dear (15 us each on some virtual machines), start the process with
 * GLIBC_TUNABLES=glibc.malloc.hugetlb=1, as the tool does for itself. */
int parevm_execute_block(const parevm_block_env *env, parevm_tx *const *txs, size_t txs_count,
                         const parevm_state_provider *pre, const parevm_options *options,
                         parevm_block_result *out);
void parevm_block_result_free(parevm_block_result *r);

/* Runs fn(arg) on one of parevm's worker threads (their stacks are large enough for 1024-deep
 * calls) and returns when fn returns. parevm_execute_block called from inside fn runs its block
 * on that thread, where from any other thread it hands the block to one of parevm's and sleeps
 * until it is done: a client's block-processing loop run this way saves that hand-over and the
 * wake-up after it on every block (25-100 us on a virtual machine; the parevm tool runs all its
 * commands so). Called from one of those threads (inside fn), it runs fn there at once. */
void parevm_run_on_executor_thread(void (*fn)(void *arg), void *arg);

#ifdef __cplusplus
}
#endif

#endif
