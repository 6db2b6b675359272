/* The sequential host: implements src/evm/host.h over a pv_state. */
#ifndef PV_EXEC_HOST_IMPL_H
#define PV_EXEC_HOST_IMPL_H

#include "../evm/host.h"
#include "../state/state.h"
#include "transition.h"

typedef struct pv_state_host {
    pv_host base;
    pv_state *st;
    pv_fork fork;
    pv_tx_context ctx;
    const pv_block_env *env;
} pv_state_host;

void pv_state_host_init(pv_state_host *h, pv_state *st, pv_fork fork, const pv_block_env *env);

/* Runs a create message. check_caller is false for a creation transaction, whose depth, balance
 * and nonce were validated with the transaction. Increments the sender's nonce. */
pv_result pv_host_create(pv_state_host *h, const pv_message *msg, bool check_caller);

/* The address of a contract created by sender with CREATE at nonce (keccak(rlp([sender,
 * nonce]))[12:]) and with CREATE2 (keccak(0xff ++ sender ++ salt ++ keccak(code))[12:]). */
pv_address pv_create_address(const pv_address *sender, uint64_t nonce);
pv_address pv_create2_address(const pv_address *sender, const u256 *salt, const uint8_t *code, size_t n);

#endif
