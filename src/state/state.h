/*
 * World state for execution.
 *
 * Two layers:
 *  - pv_world: an immutable-during-execution account map (the pre-state). Built by loaders from
 *    fixtures; later backed by the block executor's pre-state provider.
 *  - pv_state: a state under change on top of a world: every write is buffered in the overlay,
 *    every read falls through to the world when the overlay has no entry, and a journal lets any
 *    call frame roll back. The world is never modified, so one pre-state serves many executions
 *    (each state-test case, each parallel incarnation) without copying.
 */
#ifndef PV_STATE_STATE_H
#define PV_STATE_STATE_H

#include "../util/types.h"
#include "../util/uint256.h"

typedef struct pv_world pv_world;

pv_world *pv_world_new(void);
void pv_world_free(pv_world *w);
/* Creates or replaces an account; code is copied. */
void pv_world_put_account(pv_world *w, const pv_address *addr, uint64_t nonce, const u256 *balance,
                          const uint8_t *code, size_t code_size);
/* Sets a storage slot of an account already put (a zero value stores nothing). */
void pv_world_put_storage(pv_world *w, const pv_address *addr, const u256 *key, const u256 *value);

typedef struct pv_state pv_state;

pv_state *pv_state_new(const pv_world *base);
void pv_state_free(pv_state *s);

/* Block-level balance credit (mining reward, withdrawal, the state tests' zero reward). Creates
 * the account if absent and marks it touched (so an empty one is removed by EIP-161 cleanup). */
void pv_state_add_balance(pv_state *s, const pv_address *addr, const u256 *amount);
/* EIP-161 (from Spurious Dragon): deletes every touched account that is empty. */
void pv_state_clear_touched_empty(pv_state *s);

/* Secure Merkle-Patricia root of the full state (world + overlay). */
pv_bytes32 pv_state_root(pv_state *s);

#endif
