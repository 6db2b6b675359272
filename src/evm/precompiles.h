/*
 * Precompiled contracts (addresses 0x01..0x0a).
 *
 * Each precompile is one function that prices its input for the fork, and when the price fits in
 * gas_limit, runs it. Contract of every pv_precompile_fn:
 *  - in may be NULL when in_len == 0; any length is accepted (short input is zero-padded where
 *    the EIP says so, rejected where it says so).
 *  - Returns ok = true, gas_used = the price (<= gas_limit) and the output on success.
 *  - Returns ok = false on any failure (price above gas_limit, invalid input); the caller then
 *    consumes all gas given to the call. gas_used is unspecified, output is NULL.
 *  - output is malloc'd (NULL when output_size == 0); the caller frees it.
 */
#ifndef PV_EVM_PRECOMPILES_H
#define PV_EVM_PRECOMPILES_H

#include "../util/types.h"
#include "fork.h"

typedef struct pv_precompile_result {
    bool ok;
    int64_t gas_used;
    uint8_t *output;
    size_t output_size;
} pv_precompile_result;

typedef pv_precompile_result (*pv_precompile_fn)(const uint8_t *in, size_t in_len,
                                                 int64_t gas_limit, pv_fork fork);

/* Returns 1..10 when addr is a precompile active in fork (0x01-0x04 always; 0x05-0x08 from
 * Byzantium; 0x09 from Istanbul; 0x0a from Cancun), else 0. */
int pv_precompile_id(const pv_address *addr, pv_fork fork);

/* Runs precompile id (1..10). */
pv_precompile_result pv_precompile_run(int id, const uint8_t *in, size_t in_len, int64_t gas_limit,
                                       pv_fork fork);

/* The individual precompiles. */
pv_precompile_result pv_pc_ecrecover(const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork);
pv_precompile_result pv_pc_sha256(const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork);
pv_precompile_result pv_pc_ripemd160(const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork);
pv_precompile_result pv_pc_identity(const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork);
pv_precompile_result pv_pc_modexp(const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork);
pv_precompile_result pv_pc_ecadd(const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork);
pv_precompile_result pv_pc_ecmul(const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork);
pv_precompile_result pv_pc_ecpairing(const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork);
pv_precompile_result pv_pc_blake2f(const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork);
pv_precompile_result pv_pc_point_evaluation(const uint8_t *in, size_t in_len, int64_t gas_limit, pv_fork fork);


#endif
