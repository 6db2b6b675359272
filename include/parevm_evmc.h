/*
 * parevm's interpreter as an EVMC VM (ABI version 12), so that EVMC hosts and benchmark harnesses
 * can load it beside other interpreters:
 *
 *     struct evmc_vm *vm = evmc_create_parevm();   // from libparevm.so (dlsym works too)
 *
 * The declarations below follow the published EVMC 12 specification (the C ABI: type layouts,
 * enum values and function signatures), written for parevm; a host compiled against the
 * official evmc.h sees the same layout. Supported: the EVM1 capability, revisions Frontier to
 * Cancun (later ones are answered with EVMC_REJECTED), no options.
 */
#ifndef PAREVM_EVMC_H
#define PAREVM_EVMC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { EVMC_ABI_VERSION = 12 };

typedef struct evmc_bytes32 { uint8_t bytes[32]; } evmc_bytes32;
typedef struct evmc_bytes32 evmc_uint256be;
typedef struct evmc_address { uint8_t bytes[20]; } evmc_address;

enum evmc_call_kind { EVMC_CALL = 0, EVMC_DELEGATECALL = 1, EVMC_CALLCODE = 2, EVMC_CREATE = 3, EVMC_CREATE2 = 4,
                      EVMC_EOFCREATE = 5 };
enum evmc_flags { EVMC_STATIC = 1, EVMC_DELEGATED = 2 };

struct evmc_message {
    enum evmc_call_kind kind;
    uint32_t flags;
    int32_t depth;
    int64_t gas;
    evmc_address recipient;
    evmc_address sender;
    const uint8_t *input_data;
    size_t input_size;
    evmc_uint256be value;
    evmc_bytes32 create2_salt;
    evmc_address code_address;
    const uint8_t *code;
    size_t code_size;
};

typedef struct evmc_tx_initcode {
    evmc_bytes32 hash;
    const uint8_t *code;
    size_t code_size;
} evmc_tx_initcode;

struct evmc_tx_context {
    evmc_uint256be tx_gas_price;
    evmc_address tx_origin;
    evmc_address block_coinbase;
    int64_t block_number;
    int64_t block_timestamp;
    int64_t block_gas_limit;
    evmc_uint256be block_prev_randao;
    evmc_uint256be chain_id;
    evmc_uint256be block_base_fee;
    evmc_uint256be blob_base_fee;
    const evmc_bytes32 *blob_hashes;
    size_t blob_hashes_count;
    const evmc_tx_initcode *initcodes;
    size_t initcodes_count;
};

struct evmc_host_context;

enum evmc_status_code {
    EVMC_SUCCESS = 0, EVMC_FAILURE = 1, EVMC_REVERT = 2, EVMC_OUT_OF_GAS = 3, EVMC_INVALID_INSTRUCTION = 4,
    EVMC_UNDEFINED_INSTRUCTION = 5, EVMC_STACK_OVERFLOW = 6, EVMC_STACK_UNDERFLOW = 7,
    EVMC_BAD_JUMP_DESTINATION = 8, EVMC_INVALID_MEMORY_ACCESS = 9, EVMC_CALL_DEPTH_EXCEEDED = 10,
    EVMC_STATIC_MODE_VIOLATION = 11, EVMC_PRECOMPILE_FAILURE = 12, EVMC_CONTRACT_VALIDATION_FAILURE = 13,
    EVMC_ARGUMENT_OUT_OF_RANGE = 14, EVMC_WASM_UNREACHABLE_INSTRUCTION = 15, EVMC_WASM_TRAP = 16,
    EVMC_INSUFFICIENT_BALANCE = 17, EVMC_INTERNAL_ERROR = -1, EVMC_REJECTED = -2, EVMC_OUT_OF_MEMORY = -3
};

struct evmc_result;
typedef void (*evmc_release_result_fn)(const struct evmc_result *result);

struct evmc_result {
    enum evmc_status_code status_code;
    int64_t gas_left;
    int64_t gas_refund;
    const uint8_t *output_data;
    size_t output_size;
    evmc_release_result_fn release;
    evmc_address create_address;
    uint8_t padding[4];
};

enum evmc_storage_status {
    EVMC_STORAGE_ASSIGNED = 0, EVMC_STORAGE_ADDED = 1, EVMC_STORAGE_DELETED = 2, EVMC_STORAGE_MODIFIED = 3,
    EVMC_STORAGE_DELETED_ADDED = 4, EVMC_STORAGE_MODIFIED_DELETED = 5, EVMC_STORAGE_DELETED_RESTORED = 6,
    EVMC_STORAGE_ADDED_DELETED = 7, EVMC_STORAGE_MODIFIED_RESTORED = 8
};

enum evmc_access_status { EVMC_ACCESS_COLD = 0, EVMC_ACCESS_WARM = 1 };

struct evmc_host_interface {
    bool (*account_exists)(struct evmc_host_context *c, const evmc_address *addr);
    evmc_bytes32 (*get_storage)(struct evmc_host_context *c, const evmc_address *addr, const evmc_bytes32 *key);
    enum evmc_storage_status (*set_storage)(struct evmc_host_context *c, const evmc_address *addr,
                                            const evmc_bytes32 *key, const evmc_bytes32 *value);
    evmc_uint256be (*get_balance)(struct evmc_host_context *c, const evmc_address *addr);
    size_t (*get_code_size)(struct evmc_host_context *c, const evmc_address *addr);
    evmc_bytes32 (*get_code_hash)(struct evmc_host_context *c, const evmc_address *addr);
    size_t (*copy_code)(struct evmc_host_context *c, const evmc_address *addr, size_t code_offset,
                        uint8_t *buffer_data, size_t buffer_size);
    bool (*selfdestruct)(struct evmc_host_context *c, const evmc_address *addr, const evmc_address *beneficiary);
    struct evmc_result (*call)(struct evmc_host_context *c, const struct evmc_message *msg);
    struct evmc_tx_context (*get_tx_context)(struct evmc_host_context *c);
    evmc_bytes32 (*get_block_hash)(struct evmc_host_context *c, int64_t number);
    void (*emit_log)(struct evmc_host_context *c, const evmc_address *addr, const uint8_t *data, size_t data_size,
                     const evmc_bytes32 topics[], size_t topics_count);
    enum evmc_access_status (*access_account)(struct evmc_host_context *c, const evmc_address *addr);
    enum evmc_access_status (*access_storage)(struct evmc_host_context *c, const evmc_address *addr,
                                              const evmc_bytes32 *key);
    evmc_bytes32 (*get_transient_storage)(struct evmc_host_context *c, const evmc_address *addr,
                                          const evmc_bytes32 *key);
    void (*set_transient_storage)(struct evmc_host_context *c, const evmc_address *addr, const evmc_bytes32 *key,
                                  const evmc_bytes32 *value);
};

enum evmc_set_option_result { EVMC_SET_OPTION_SUCCESS = 0, EVMC_SET_OPTION_INVALID_NAME = 1,
                              EVMC_SET_OPTION_INVALID_VALUE = 2 };

enum evmc_revision {
    EVMC_FRONTIER = 0, EVMC_HOMESTEAD = 1, EVMC_TANGERINE_WHISTLE = 2, EVMC_SPURIOUS_DRAGON = 3,
    EVMC_BYZANTIUM = 4, EVMC_CONSTANTINOPLE = 5, EVMC_PETERSBURG = 6, EVMC_ISTANBUL = 7, EVMC_BERLIN = 8,
    EVMC_LONDON = 9, EVMC_PARIS = 10, EVMC_SHANGHAI = 11, EVMC_CANCUN = 12, EVMC_PRAGUE = 13, EVMC_OSAKA = 14,
    EVMC_EXPERIMENTAL = 15
};

enum evmc_capabilities { EVMC_CAPABILITY_EVM1 = 1u << 0, EVMC_CAPABILITY_EWASM = 1u << 1,
                         EVMC_CAPABILITY_PRECOMPILES = 1u << 2 };
typedef uint32_t evmc_capabilities_flagset;

struct evmc_vm {
    const int abi_version;
    const char *name;
    const char *version;
    void (*destroy)(struct evmc_vm *vm);
    struct evmc_result (*execute)(struct evmc_vm *vm, const struct evmc_host_interface *host,
                                  struct evmc_host_context *context, enum evmc_revision rev,
                                  const struct evmc_message *msg, const uint8_t *code, size_t code_size);
    evmc_capabilities_flagset (*get_capabilities)(struct evmc_vm *vm);
    enum evmc_set_option_result (*set_option)(struct evmc_vm *vm, const char *name, const char *value);
};

/* Creates the VM (each call a new instance; free it with vm->destroy). */
struct evmc_vm *evmc_create_parevm(void);

#ifdef __cplusplus
}
#endif

#endif
