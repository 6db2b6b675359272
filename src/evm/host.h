/*
 * The host boundary: the only way the interpreter reaches state.
 *
 * The interpreter (interp.c) knows nothing about accounts, storage maps, journals or threads. It
 * executes one call frame's code and calls back into the host for every piece of world state and
 * for nested calls and creates. The sequential executor implements this interface over a
 * journaled per-transaction state; the parallel executor implements it over multi-version memory.
 *
 * Contract for implementations:
 *  - Every read of world state made by the interpreter passes through one of these functions, so
 *    an implementation can record it (read sets for Block-STM validation).
 *  - Every write (storage, transient storage, logs, selfdestruct, and everything a nested call
 *    does) is buffered in the current transaction and undone if the frame that made it reverts.
 *    The interpreter never undoes anything itself: it reports a failed or reverted frame in its
 *    result, and the host's call() reverts the frame's writes.
 *  - Addresses are raw 20 bytes; storage keys and values are u256 numbers.
 *  - Functions never fail: an account that does not exist reads as empty (balance 0, no code,
 *    storage all zero). Out-of-memory aborts the process.
 *  - Pointers returned by get_code stay valid until the end of the current transaction.
 */
#ifndef PV_EVM_HOST_H
#define PV_EVM_HOST_H

#include "../util/types.h"
#include "../util/uint256.h"
#include "fork.h"

typedef enum pv_call_kind {
    PV_CALL = 0,
    PV_DELEGATECALL,
    PV_CALLCODE,
    PV_CREATE,
    PV_CREATE2,
} pv_call_kind;

/* Outcome of a frame. Everything except SUCCESS reverts the frame's state changes; everything
 * except SUCCESS and REVERT also consumes all the frame's gas. */
typedef enum pv_status {
    PV_SUCCESS = 0,
    PV_REVERT,
    PV_OUT_OF_GAS,
    PV_INVALID_INSTRUCTION,     /* 0xfe INVALID and undefined opcodes */
    PV_STACK_UNDERFLOW,
    PV_STACK_OVERFLOW,
    PV_BAD_JUMP_DESTINATION,
    PV_INVALID_MEMORY_ACCESS,   /* RETURNDATACOPY out of bounds */
    PV_STATIC_MODE_VIOLATION,
    PV_CALL_DEPTH_EXCEEDED,     /* reported for nested calls that were not made */
    PV_INSUFFICIENT_BALANCE,    /* likewise */
    PV_CREATE_COLLISION,
    PV_CONTRACT_SIZE_LIMIT,     /* EIP-170 */
    PV_INVALID_CODE_PREFIX,     /* EIP-3541: 0xEF */
    PV_PRECOMPILE_FAILURE,
    PV_INTERNAL_ERROR,
} pv_status;

const char *pv_status_name(pv_status s);

typedef struct pv_message {
    pv_call_kind kind;
    bool is_static;             /* STATICCALL or inside one */
    int32_t depth;              /* 0 for the transaction's own frame */
    int64_t gas;
    pv_address recipient;       /* whose storage and balance the code acts on (new address for creates) */
    pv_address sender;          /* CALLER */
    pv_address code_address;    /* whose code runs (differs for DELEGATECALL/CALLCODE) */
    const uint8_t *input;       /* calldata, or initcode for creates */
    size_t input_size;
    u256 value;                 /* CALLVALUE (apparent value for DELEGATECALL) */
    u256 create2_salt;
} pv_message;

typedef struct pv_result {
    pv_status status;
    /* Gas not consumed: what the frame left for SUCCESS and REVERT; all of msg.gas for a create
     * refused before it runs (PV_CALL_DEPTH_EXCEEDED, PV_INSUFFICIENT_BALANCE, sender nonce at
     * 2^64-1); 0 otherwise (exceptional halts, create collisions). */
    int64_t gas_left;
    int64_t gas_refund;         /* accumulated refund counter of the frame; 0 unless SUCCESS */
    uint8_t *output;            /* malloc'd, owned by the receiver of the result; NULL if empty */
    size_t output_size;
    pv_address create_address;  /* for successful creates */
} pv_result;

/* Block and transaction constants visible to the code. */
typedef struct pv_tx_context {
    u256 gas_price;             /* effective gas price */
    pv_address origin;
    pv_address coinbase;
    int64_t number;
    int64_t timestamp;
    int64_t gas_limit;
    u256 prev_randao;           /* DIFFICULTY before Paris, PREVRANDAO from Paris on */
    u256 chain_id;
    u256 base_fee;
    u256 blob_base_fee;
    const pv_bytes32 *blob_hashes;
    size_t blob_hashes_count;
} pv_tx_context;

typedef struct pv_host pv_host;

typedef struct pv_host_interface {
    /* True if the account exists for the purpose of the new-account gas charge: before
     * Spurious Dragon any account in the state; from it on, a non-empty account (EIP-161). */
    bool (*account_exists)(pv_host *h, const pv_address *addr);
    u256 (*get_storage)(pv_host *h, const pv_address *addr, const u256 *key);
    /* Writes a slot; returns the slot's value at the start of the transaction (*original) and
     * just before this write (*current), which SSTORE pricing needs. */
    void (*set_storage)(pv_host *h, const pv_address *addr, const u256 *key, const u256 *value,
                        u256 *original, u256 *current);
    u256 (*get_balance)(pv_host *h, const pv_address *addr);
    size_t (*get_code_size)(pv_host *h, const pv_address *addr);
    /* EXTCODEHASH semantics: zero for an account that does not exist or (from Spurious Dragon,
     * EIP-161) is empty; keccak256 of the code otherwise. */
    pv_bytes32 (*get_code_hash)(pv_host *h, const pv_address *addr);
    const uint8_t *(*get_code)(pv_host *h, const pv_address *addr, size_t *size);
    /* Registers addr for destruction (per fork: EIP-6780 restricts it to accounts created in the
     * same transaction) and moves its balance to beneficiary. Returns true the first time addr is
     * registered in this transaction (for the pre-London refund). */
    bool (*selfdestruct)(pv_host *h, const pv_address *addr, const pv_address *beneficiary);
    /* Executes a nested message. For calls the interpreter has already checked depth and the
     * caller's balance. For creates the host does everything after the gas charges, in the
     * order of the specification: compute the new address, mark it warm (Berlin), refuse when
     * depth >= 1024, balance < value or the sender's nonce is 2^64-1 (returning all gas),
     * then increment the sender's nonce, check for a collision, and run the initcode. */
    pv_result (*call)(pv_host *h, const pv_message *msg);
    const pv_tx_context *(*get_tx_context)(pv_host *h);
    /* Hash of block number (only the 256 most recent are given; zero otherwise). */
    pv_bytes32 (*get_block_hash)(pv_host *h, int64_t number);
    void (*emit_log)(pv_host *h, const pv_address *addr, const uint8_t *data, size_t data_size,
                     const pv_bytes32 *topics, size_t topics_count);
    /* EIP-2929: marks warm; returns true if it was warm already. */
    bool (*access_account)(pv_host *h, const pv_address *addr);
    bool (*access_storage)(pv_host *h, const pv_address *addr, const u256 *key);
    u256 (*get_transient_storage)(pv_host *h, const pv_address *addr, const u256 *key);
    void (*set_transient_storage)(pv_host *h, const pv_address *addr, const u256 *key,
                                  const u256 *value);
} pv_host_interface;

struct pv_host {
    const pv_host_interface *fn;
    /* NULL, or a flag the host sets when the rest of the execution no longer matters (the
     * parallel executor found that the transaction read a value that is being rewritten). The
     * interpreter checks it after every host call that reads state and then stops at once with
     * PV_INTERNAL_ERROR, so a doomed incarnation does not run on to its gas limit. */
    const bool *halt;
};

#endif
