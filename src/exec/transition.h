/*
 * Transaction execution: validation, intrinsic gas, buying gas, running the message through the
 * interpreter, refunds, fee payment. pv_transact is the only entry point executors use.
 */
#ifndef PV_EXEC_TRANSITION_H
#define PV_EXEC_TRANSITION_H

#include "../evm/fork.h"
#include "../evm/host.h"
#include "../state/state.h"

typedef struct pv_access_entry {
    pv_address address;
    const u256 *keys;
    size_t keys_count;
} pv_access_entry;

typedef struct pv_tx {
    uint8_t type;                   /* 0 legacy, 1 EIP-2930, 2 EIP-1559, 3 EIP-4844 */
    uint64_t nonce;
    u256 gas_price;                 /* types 0 and 1 */
    u256 max_fee_per_gas;           /* types 2 and 3 */
    u256 max_priority_fee_per_gas;  /* types 2 and 3 */
    uint64_t gas_limit;
    bool is_create;                 /* no `to`: contract creation */
    pv_address to;
    u256 value;
    const uint8_t *data;
    size_t data_size;
    const pv_access_entry *access_list;
    size_t access_list_count;
    u256 max_fee_per_blob_gas;      /* type 3 */
    const pv_bytes32 *blob_hashes;  /* type 3 */
    size_t blob_hashes_count;
    pv_address sender;              /* already recovered or given */
} pv_tx;

typedef struct pv_block_env {
    pv_address coinbase;
    int64_t number;
    int64_t timestamp;
    uint64_t gas_limit;
    u256 difficulty;                /* before Paris */
    u256 prev_randao;               /* from Paris */
    u256 base_fee;                  /* from London */
    uint64_t excess_blob_gas;       /* from Cancun */
    u256 chain_id;                  /* 1 on mainnet and in the state tests */
    /* BLOCKHASH source: returns the hash of block `number`, or zero if unknown. */
    pv_bytes32 (*block_hash)(void *ctx, int64_t number);
    void *block_hash_ctx;
} pv_block_env;

/* Reasons a transaction is invalid (not included in a block; the state is left unchanged). */
typedef enum pv_tx_error {
    PV_TX_VALID = 0,
    PV_TX_TYPE_NOT_SUPPORTED,       /* type not active in the fork */
    PV_TX_NONCE_TOO_LOW,
    PV_TX_NONCE_TOO_HIGH,
    PV_TX_NONCE_MAX,                /* EIP-2681: sender nonce is 2^64-1 */
    PV_TX_GAS_LIMIT_EXCEEDS_BLOCK,  /* tx gas limit above the gas still available in the block */
    PV_TX_INTRINSIC_GAS,            /* gas limit below the intrinsic gas */
    PV_TX_INSUFFICIENT_FUNDS,       /* balance below gas_limit * max price + value (+ blob fee) */
    PV_TX_FEE_CAP_BELOW_BASE_FEE,
    PV_TX_PRIORITY_FEE_ABOVE_FEE_CAP,
    PV_TX_FEE_TOO_LARGE,            /* a fee field overflows (gas_limit * price beyond 2^256) */
    PV_TX_SENDER_NOT_EOA,           /* EIP-3607: sender has code */
    PV_TX_INITCODE_TOO_LARGE,       /* EIP-3860 */
    PV_TX_BLOB_CREATE,              /* type 3 must have a `to` */
    PV_TX_BLOB_COUNT,               /* no blobs, or more than 6 */
    PV_TX_BLOB_VERSIONED_HASH,      /* a hash not starting with 0x01 */
    PV_TX_BLOB_FEE_CAP_TOO_LOW,     /* max_fee_per_blob_gas below the blob base fee */
    PV_TX_ERROR_COUNT
} pv_tx_error;

const char *pv_tx_error_name(pv_tx_error e);

/* An executed log's topics and data share one allocation, the topics first (one malloc a log,
 * not two): free them with pv_log_payload_free. */
typedef struct pv_log {
    pv_address address;
    pv_bytes32 *topics;
    size_t topics_count;
    uint8_t *data;
    size_t data_size;
} pv_log;

void pv_log_payload_free(pv_log *l);

typedef struct pv_receipt {
    pv_status status;               /* PV_SUCCESS or the top frame's failure */
    uint64_t gas_used;              /* after refunds */
    pv_log *logs;                   /* owned; free with pv_receipt_free */
    size_t logs_count;
    pv_address contract_address;    /* for successful creations */
} pv_receipt;

void pv_receipt_free(pv_receipt *r);

/* Executes tx on st. On PV_TX_VALID fills *receipt and commits the transaction's changes into st
 * (so the next transaction sees them). On any other value st is unchanged and *receipt is
 * zeroed. block_gas_used is the gas used by earlier transactions of the block. */
pv_tx_error pv_transact(pv_state *st, const pv_block_env *env, pv_fork fork, const pv_tx *tx,
                        uint64_t block_gas_used, pv_receipt *receipt);

/* Intrinsic gas of a transaction (21000/53000 base, calldata, access list, EIP-3860 initcode). */
uint64_t pv_tx_intrinsic_gas(const pv_tx *tx, pv_fork fork);

/* keccak256(RLP(list of [address, [topics...], data])) as the state tests' "logs" field. */
pv_bytes32 pv_logs_hash(const pv_log *logs, size_t n);

/* Blob base fee from the excess blob gas (EIP-4844 fake_exponential). */
u256 pv_blob_base_fee(uint64_t excess_blob_gas);

#endif
