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

/* Finishes building: computes what later reads cache (storage roots). After this the world is
 * read-only and may be shared by threads; without it, roots are computed per use. */
void pv_world_seal(pv_world *w);

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

/* ---- Account-level access used by the host and the transaction code (src/exec). ----
 * Reads fall through to the world; writes go to the overlay and are journaled. */
#include "../evm/code.h"

bool pv_st_exists(pv_state *s, const pv_address *a);
bool pv_st_is_empty(pv_state *s, const pv_address *a);   /* nonce 0, balance 0, no code (or absent) */
u256 pv_st_balance(pv_state *s, const pv_address *a);
uint64_t pv_st_nonce(pv_state *s, const pv_address *a);
const pv_code *pv_st_code(pv_state *s, const pv_address *a); /* NULL when no code */
bool pv_st_has_storage(pv_state *s, const pv_address *a);     /* any non-zero slot (EIP-7610) */

void pv_st_touch(pv_state *s, const pv_address *a);           /* creates the account if absent */
void pv_st_add_balance(pv_state *s, const pv_address *a, const u256 *v);   /* touches */
void pv_st_sub_balance(pv_state *s, const pv_address *a, const u256 *v);   /* touches; caller checked */
void pv_st_set_balance(pv_state *s, const pv_address *a, const u256 *v);
void pv_st_set_nonce(pv_state *s, const pv_address *a, uint64_t nonce);
void pv_st_set_code(pv_state *s, const pv_address *a, const uint8_t *code, size_t size);
/* Makes the account exist (keeping its balance), marks it created in this transaction. */
void pv_st_create_account(pv_state *s, const pv_address *a);
bool pv_st_created_in_tx(pv_state *s, const pv_address *a);

u256 pv_st_get_storage(pv_state *s, const pv_address *a, const u256 *key);
void pv_st_set_storage(pv_state *s, const pv_address *a, const u256 *key, const u256 *value,
                       u256 *original, u256 *current);
u256 pv_st_get_transient(pv_state *s, const pv_address *a, const u256 *key);
void pv_st_set_transient(pv_state *s, const pv_address *a, const u256 *key, const u256 *value);

bool pv_st_access_account(pv_state *s, const pv_address *a);  /* returns: was warm */
bool pv_st_access_slot(pv_state *s, const pv_address *a, const u256 *key);

/* Registers a for destruction at the end of the transaction; true the first time. */
bool pv_st_mark_selfdestruct(pv_state *s, const pv_address *a);

void pv_st_add_log(pv_state *s, const pv_address *a, const uint8_t *data, size_t size,
                   const pv_bytes32 *topics, size_t n);

size_t pv_st_snapshot(pv_state *s);
void pv_st_revert(pv_state *s, size_t snapshot);

/* Ends the current transaction: destroys self-destructed accounts, from Spurious Dragon
 * (eip161) deletes touched empty accounts, clears transient storage and per-transaction marks,
 * and hands the logs to the caller (*logs, *n; owned by the caller). */
struct pv_log;
void pv_st_end_tx(pv_state *s, bool eip161, struct pv_log **logs, size_t *n);
