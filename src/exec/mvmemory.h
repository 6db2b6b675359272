/*
 * Multi-version memory (Block-STM): for every state location, the value each transaction of the
 * block wrote, by transaction index, so that transaction j reads the latest write of a
 * transaction i < j, or the pre-state.
 *
 * Locations (the keys) follow the host boundary, split so that unrelated fields do not conflict:
 *   BASIC(address)        existence, nonce, code, and "destroyed by this transaction"
 *   BALANCE(address)      a full value, or a DELTA: a credit added to whatever the balance was
 *                         (fees to the coinbase, value to a recipient that did not read its
 *                         balance); a read sums deltas back to the latest full value
 *   STORAGE(address,key)  the slot's value; a slot reads as zero when its account was destroyed
 *                         after the slot's latest write (the "floor" of BASIC's destroyed flags)
 *
 * An ESTIMATE flag marks the writes of a transaction that is being re-executed: a reader that
 * meets one must wait for that transaction (execution) or fail (validation).
 *
 * Thread-safety: reads and writes of different transactions run concurrently. Each location has
 * its own mutex, held only while its short version list is searched or changed; the map of
 * locations is pv_cmap (insert-only, lock-free lookups).
 */
#ifndef PV_EXEC_MVMEMORY_H
#define PV_EXEC_MVMEMORY_H

#include <pthread.h>
#include <stdatomic.h>

#include "../state/state.h"
#include "../util/arena.h"
#include "../util/conc_map.h"

typedef enum pv_loc_kind { PV_LOC_BASIC = 0, PV_LOC_BALANCE = 1, PV_LOC_STORAGE = 2 } pv_loc_kind;

/* A location, laid out without padding holes so that memcmp compares it (pv_loc_make zeroes
 * the pad bytes). */
typedef struct pv_loc {
    u256 key;                 /* storage key, zero for account locations */
    pv_address addr;
    uint8_t kind;
    uint8_t pad[3];
} pv_loc;

_Static_assert(sizeof(pv_loc) == 56, "pv_loc has no padding holes");

static inline void pv_loc_make(pv_loc *l, pv_loc_kind kind, const pv_address *a, const u256 *key)
{
    l->key = key ? *key : u256_zero();
    l->addr = *a;
    l->kind = (uint8_t)kind;
    l->pad[0] = l->pad[1] = l->pad[2] = 0;
}

enum { PV_MV_ESTIMATE = 1, PV_MV_DELTA = 2, PV_MV_DESTROYED = 4 };

/* A location's value: BASIC uses basic, the others value. */
typedef union pv_loc_value {
    pv_account_basic basic;
    u256 value;
} pv_loc_value;

typedef struct pv_mv_entry {
    uint32_t tx;
    uint32_t incarnation;
    uint8_t flags;
    pv_loc_value v;
} pv_mv_entry;

typedef struct pv_mv_loc {
    atomic_flag lock;         /* a spinlock: held for a few dozen instructions at most */
    uint32_t n, cap;
    pv_mv_entry *entries;     /* ascending by tx; first in inline_entry (most locations have one writer) */
    pv_mv_entry inline_entry;
} pv_mv_loc;

typedef struct pv_mvmemory {
    pv_cmap *map;             /* pv_loc -> pv_mv_loc */
    pv_shared_arena lists;    /* version lists that outgrow their inline entry */
    pv_state_source *pre;     /* the block's pre-state (thread-safe) */
} pv_mvmemory;

/* A write of a transaction: where, how (flags: DELTA, DESTROYED) and what. */
typedef struct pv_mv_write {
    pv_loc loc;
    uint8_t flags;
    pv_loc_value v;
} pv_mv_write;

void pv_mvmemory_init(pv_mvmemory *m, pv_state_source *pre, size_t expected_locations);
void pv_mvmemory_destroy(pv_mvmemory *m);

static inline uint64_t pv_loc_hash(const pv_loc *l)
{
    uint64_t a0, a1;
    uint32_t a2;
    memcpy(&a0, l->addr.b, 8);
    memcpy(&a1, l->addr.b + 8, 8);
    memcpy(&a2, l->addr.b + 16, 4);
    uint64_t h = (a0 ^ ((uint64_t)a2 << 29) ^ l->kind) * 0x9e3779b97f4a7c15ULL;
    h ^= (a1 ^ l->key.w[0]) * 0xc2b2ae3d27d4eb4fULL;
    h ^= (l->key.w[1] ^ (l->key.w[2] << 1) ^ (l->key.w[3] << 2)) * 0x165667b19e3779f9ULL;
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ULL;
    return h ^ (h >> 29);
}

/* The location's version list, created when create is set (else NULL when never written). */
pv_mv_loc *pv_mv_get(pv_mvmemory *m, const pv_loc *l, bool create);

/* Sets tx's entry at loc (replacing an older incarnation's, clearing ESTIMATE). */
void pv_mv_write_entry(pv_mvmemory *m, pv_mv_loc *loc, uint32_t tx, uint32_t incarnation, uint8_t flags,
                       const pv_loc_value *v);
/* Removes tx's entry (a location the new incarnation no longer writes). */
void pv_mv_remove_entry(pv_mv_loc *loc, uint32_t tx);
/* Marks tx's entry ESTIMATE (its transaction is being re-executed). */
void pv_mv_mark_estimate(pv_mv_loc *loc, uint32_t tx);

/* Outcome of a read for transaction `tx` (the latest writes of transactions < tx). */
typedef enum pv_mv_read_status {
    PV_MV_OK = 0,
    PV_MV_BLOCKED,            /* an ESTIMATE of transaction *blocker decides the value */
} pv_mv_read_status;

/* *from_pre is set when no write of a lower transaction decided the value (the pre-state did);
 * read_basic also gives the writer's index (UINT32_MAX for the pre-state); read_balance, when
 * full_at is not NULL, the index of the full value the deltas were added to (UINT32_MAX: the
 * pre-state's). */
pv_mv_read_status pv_mv_read_basic(pv_mvmemory *m, const pv_address *a, uint32_t tx, pv_account_basic *out,
                                   uint32_t *blocker, uint32_t *writer);
pv_mv_read_status pv_mv_read_balance(pv_mvmemory *m, const pv_address *a, uint32_t tx, u256 *out, uint32_t *blocker,
                                     bool *from_pre, uint32_t *full_at);
pv_mv_read_status pv_mv_read_storage(pv_mvmemory *m, const pv_address *a, const u256 *key, uint32_t tx, u256 *out,
                                     uint32_t *blocker, bool *from_pre);

/* Whether a transaction below tx has an entry (any, ESTIMATE included) at l. */
bool pv_mv_has_versions_below(pv_mvmemory *m, const pv_loc *l, uint32_t tx);

/* The block's net state changes (canonical, as pv_state_collect_changes): the final value of
 * every location written, compared with the pre-state. After execution; on up to `threads`
 * threads (the pool). */
void pv_mv_collect_changes(pv_mvmemory *m, pv_state_changes *out, unsigned threads);

#endif
