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

/*
 * Where a pv_state reads what it has not loaded yet: the pre-state of a block behind a provider,
 * or, in the parallel executor, a transaction's view of multi-version memory. A pv_world is one
 * (pv_state_new). Reads are per location kind, so a source can record them as read sets:
 *  - basic: existence, nonce, code (and whether the account has any storage, for EIP-7610);
 *  - balance, separately, so that credits to an unread balance can stay deltas;
 *  - storage slots.
 * Implementations never fail: an absent account reads as not existing, an absent slot as zero.
 */
#include "../evm/code.h"

typedef struct pv_account_basic {
    bool exists;
    uint64_t nonce;
    const pv_code *code;      /* NULL when the account has no code; owned by the code cache */
    bool has_storage;         /* any non-zero slot (only consulted by the EIP-7610 rule) */
} pv_account_basic;

typedef struct pv_state_source pv_state_source;
typedef struct pv_state_source_fn {
    void (*read_basic)(pv_state_source *src, const pv_address *a, pv_account_basic *out);
    u256 (*read_balance)(pv_state_source *src, const pv_address *a);
    u256 (*read_storage)(pv_state_source *src, const pv_address *a, const u256 *key);
    /* Optional (NULL: read_basic, then read_balance when needed). read_basic, and the balance too
     * as a hint from the same lookup: for a lazy_balance source the hint is not a read of the
     * balance; the state reports the read with note_balance_read (optional too) if it ever uses
     * the value in a transaction. Saves a second lookup per account (the optimistic chunks). */
    void (*read_basic_with_balance)(pv_state_source *src, const pv_address *a, pv_account_basic *out,
                                    u256 *balance);
    void (*note_balance_read)(pv_state_source *src, const pv_address *a);
    /* Optional (NULL: read_balance). Whether a's balance is at least *min, as a read of that fact
     * only: the parallel executor's view records it as a predicate that its validation
     * re-checks, so a sender's transaction does not depend on the exact balance its earlier
     * transactions left, only on its being enough. A lazy_balance state that asked this may keep
     * debits of up to *min as deltas too (see pv_st_balance_at_least). */
    bool (*balance_at_least)(pv_state_source *src, const pv_address *a, const u256 *min);
} pv_state_source_fn;

struct pv_state_source {
    const pv_state_source_fn *fn;
    /* Set by a source whose answers stopped being meaningful (see pv_host.halt); reads may then
     * return anything. Never set by a world or a cache. */
    bool halted;
    /* When set, pv_st_add_balance on an account whose balance this state has not read keeps the
     * credit as a delta instead of reading the balance (the parallel executor's commutative
     * credits). The balance is read (and the delta folded in) as soon as anything needs it. */
    bool lazy_balance;
};

/* An account and its balance from src: one lookup where the source offers both at once. */
static inline void pv_source_read_account(pv_state_source *src, const pv_address *a, pv_account_basic *basic,
                                          u256 *balance)
{
    if (src->fn->read_basic_with_balance) {
        src->fn->read_basic_with_balance(src, a, basic, balance);
    } else {
        src->fn->read_basic(src, a, basic);
        *balance = src->fn->read_balance(src, a);
    }
}

/*
 * A hook that pv_st_end_tx calls, at the end of every transaction, for each location whose value
 * changed in it (against its value when the transaction began; a location changed and changed
 * back may be reported too): the optimistic chunk executor (src/exec/chunks.c) publishes write
 * sets with it. Kinds: BASIC (existence, nonce or code), BALANCE (the balance or a pending
 * credit), STORAGE (a slot; key is set), DESTROYED (the account's storage was wiped). fn NULL
 * removes the hook. pv_state_reset keeps it.
 */
typedef enum pv_state_write_kind {
    PV_WRITE_BASIC = 0,
    PV_WRITE_BALANCE = 1,
    PV_WRITE_STORAGE = 2,
    PV_WRITE_DESTROYED = 3,
} pv_state_write_kind;
typedef void (*pv_state_write_hook)(void *ctx, pv_state_write_kind kind, const pv_address *a, const u256 *key);
void pv_state_set_write_hook(pv_state *s, pv_state_write_hook fn, void *ctx);

/*
 * A state over a world that tells which pre-state locations its transactions read (the
 * optimistic chunks' read sets, without a source between the state and the world):
 *  - pv_state_set_lazy_balance: credits to a balance not read yet stay deltas, as over a
 *    lazy_balance source (a fresh state over a world only; aborts otherwise);
 *  - pv_state_set_read_hook: fn is told of each location as it is read from the pre-state:
 *    BASIC when an account is loaded (existence, nonce, code, storage presence), BALANCE when
 *    a balance is used (with lazy balances: only then), STORAGE when a slot is loaded (key set;
 *    not for an account whose storage was wiped first). A location may be told more than once.
 *    fn NULL stops the reports (collecting the changes reads no more than the transactions
 *    did). A state over a source aborts: its source sees its reads.
 * pv_state_reset removes the hook and the laziness.
 */
typedef enum pv_state_read_kind {
    PV_READ_BASIC = 0,
    PV_READ_BALANCE = 1,
    PV_READ_STORAGE = 2,
} pv_state_read_kind;
typedef void (*pv_state_read_hook)(void *ctx, pv_state_read_kind kind, const pv_address *a, const u256 *key);
void pv_state_set_lazy_balance(pv_state *s);
void pv_state_set_read_hook(pv_state *s, pv_state_read_hook fn, void *ctx);
/* For walks that look many locations of a world up in a known order (the parallel executor's
 * final collect): an account found once for all its slots (NULL: absent, every slot zero), and
 * cache hints, which change no result: pv_world_prefetch_account fetches the index entry of
 * account a (deep false), or, once that is in the cache, the account's record (deep true: a
 * few lookups later); pv_world_prefetch_slot fetches where a slot's entry is. */
typedef struct world_acct pv_world_account;
const pv_world_account *pv_world_find_account(const pv_world *w, const pv_address *a);
u256 pv_world_account_storage(const pv_world_account *acct, const u256 *key);
void pv_world_prefetch_account(const pv_world *w, const pv_address *a, bool deep);
void pv_world_prefetch_slot(const pv_world_account *acct, const u256 *key);

/* What a lazy world state read from the pre-state, asked after its transactions (the
 * optimistic chunks' validation, where a read log would cost every transaction):
 *  - pv_state_loaded_account: whether account a was loaded (its existence, nonce, code and
 *    storage presence read), and in *balance_used whether a transaction used its balance;
 *  - pv_state_loaded_slot: whether slot (a, key) was loaded (read, unless the account's
 *    storage had been wiped first: an over-approximation, never an omission).
 * Slots and accounts only written are loaded too (a write reads first). */
bool pv_state_loaded_account(pv_state *s, const pv_address *a, bool *balance_used);

/* Whether the exact nonce of a was asked for (pv_st_nonce) since the state was reset, in any
 * frame, reverted ones included. Everything else looks at a nonce only as zero or not (an
 * account's emptiness). Tracked over a non-world source (the parallel executor's view, which
 * then validates such a read on the nonce being zero or not); otherwise, and for an account
 * never loaded, true. */
bool pv_state_nonce_was_read(pv_state *s, const pv_address *a);
bool pv_state_loaded_slot(pv_state *s, const pv_address *a, const u256 *key);

/* The world behind src when src is a world's source (pv_world_source), else NULL. */
const pv_world *pv_source_world(const pv_state_source *src);

/* The halt flag of the state's source (NULL for a world), for pv_host.halt. */
const bool *pv_state_halt_flag(pv_state *s);

/* Empties s and points it at src, keeping its allocations (a worker reuses one state for many
 * transactions). */
void pv_state_reset(pv_state *s, pv_state_source *src);

/*
 * Everything a state over a source holds, beside what the source answered, for building a
 * parallel write set: every account record and every live slot record. Called at the end of a
 * transaction (the state's records then are that transaction's result).
 */
typedef struct pv_state_visit_account {
    const pv_address *addr;
    const pv_account_basic *loaded;   /* the source's answer */
    pv_account_basic now;
    bool destroyed;                   /* storage reset during this state's lifetime */
    bool balance_read;                /* the source was asked for the balance ... */
    const u256 *loaded_balance;       /* ... and answered this (valid when balance_read) */
    bool balance_loaded;              /* balance_or_delta is the balance, else a pending credit */
    const u256 *balance_or_delta;
} pv_state_visit_account;

/* slot's loaded: the source's answer, or zero when the account was destroyed during the state's
 * lifetime (its storage then starts from zero; a slot loaded before and written again after a
 * re-creation is still live). */
typedef struct pv_state_visitor {
    void (*account)(void *ctx, const pv_state_visit_account *a);
    void (*slot)(void *ctx, const pv_address *a, const u256 *key, const u256 *loaded, const u256 *value);
} pv_state_visitor;
void pv_state_visit(pv_state *s, const pv_state_visitor *v, void *ctx);

/* The world as a source (thread-safe once sealed; reads never modify it). */
pv_state_source *pv_world_source(pv_world *w);

/* A state over a world (statetests, sequential replay of an in-memory pre-state). */
pv_state *pv_state_new(const pv_world *base);
/* A state over any source; the source must outlive the state. pv_state_root needs a world. */
pv_state *pv_state_new_from(pv_state_source *src);
void pv_state_free(pv_state *s);
/* Room for this many account and slot records without growing (a block executor knows roughly
 * how many its transactions touch: growing by doubling copies the records several times). */
void pv_state_reserve(pv_state *s, size_t accounts, size_t slots);

/* Block-level balance credit (mining reward, withdrawal, the state tests' zero reward). Creates
 * the account if absent and marks it touched (so an empty one is removed by EIP-161 cleanup). */
void pv_state_add_balance(pv_state *s, const pv_address *addr, const u256 *amount);
/* EIP-161 (from Spurious Dragon): deletes every touched account that is empty. */
void pv_state_clear_touched_empty(pv_state *s);

/* Secure Merkle-Patricia root of the full state (world + overlay). */
pv_bytes32 pv_state_root(pv_state *s);

/*
 * The net effect of everything executed on a state, relative to its source: what a client
 * writes to its database after a block. Canonical (both block executors produce the same bytes
 * for the same block): accounts ascending by address, slots ascending by key, and
 *  - an account is listed when its existence, nonce, balance, code or any slot differs from the
 *    source, or its storage was reset;
 *  - storage_reset: the account existed with storage before and was destroyed (SELFDESTRUCT,
 *    EIP-161) at least once, so none of its old slots survive;
 *  - slots: the value after the block of every slot that differs from the source (after a
 *    reset: every non-zero slot). A deleted account (exists = false) lists no slots.
 */
typedef struct pv_slot_change {
    u256 key, value;
} pv_slot_change;

/* Whether any of the n slots (a, slots[i].key) was loaded (pv_state_loaded_slot for each, with
 * the lookups fetched ahead: a big contract's thousands of slot changes, each a cache miss). */
bool pv_state_loaded_any_slot(pv_state *s, const pv_address *a, const pv_slot_change *slots, size_t n);

enum { PV_CHANGED_BASIC = 1, PV_CHANGED_BALANCE = 2 };

typedef struct pv_account_change {
    pv_address address;
    bool exists;
    bool storage_reset;
    uint8_t changed;          /* PV_CHANGED_*: which fields differ from the pre-state (set by
                                 pv_state_collect_changes only; not compared by _equal) */
    uint64_t nonce;
    u256 balance;
    const pv_code *code;
    pv_slot_change *slots;    /* points into pv_state_changes.slot_pool */
    size_t slots_count;
} pv_account_change;

typedef struct pv_state_changes {
    pv_account_change *accounts;
    size_t count;
    pv_slot_change *slot_pool;
} pv_state_changes;

void pv_state_collect_changes(pv_state *s, pv_state_changes *out);
/* The same without putting the accounts in order (each account's slots are sorted): *order
 * gets the accounts by address, count entries (malloc'd; free it), each with the first 8 bytes
 * of its address big-endian, so that comparisons rarely touch the records, and *slots_count
 * the number of slot changes of them all. For a merge of several states' changes (the
 * optimistic chunks): it writes each record once, in order, where sorting first would have
 * copied every record twice. */
typedef struct pv_change_ref {
    uint64_t prefix;
    const pv_account_change *change;
    uint64_t slots_count;         /* the change's, so that counting slots reads no record */
} pv_change_ref;
/* An address with its first 8 bytes big-endian, as in pv_change_ref. */
typedef struct pv_address_ref {
    uint64_t prefix;
    const pv_address *addr;
} pv_address_ref;
/* ... and *unchanged the accounts loaded but left as they were, by address, *n_unchanged of
 * them (malloc'd; the addresses live as long as the state): with the order, every account the
 * state loaded, for a validation by a merge of sorted lists. */
void pv_state_collect_changes_unordered(pv_state *s, pv_state_changes *out, pv_change_ref **order,
                                        size_t *slots_count, pv_address_ref **unchanged, size_t *n_unchanged);
void pv_state_changes_free(pv_state_changes *c);
/* Sorts accounts by address and each account's slots by key (producers call this). */
void pv_state_changes_sort(pv_state_changes *c);
/* True when equal; otherwise writes the first difference into why (why_len bytes). */
bool pv_state_changes_equal(const pv_state_changes *a, const pv_state_changes *b, char *why, size_t why_len);


/* ---- Account-level access used by the host and the transaction code (src/exec). ----
 * Reads fall through to the world; writes go to the overlay and are journaled. */

bool pv_st_exists(pv_state *s, const pv_address *a);
bool pv_st_is_empty(pv_state *s, const pv_address *a);   /* nonce 0, balance 0, no code (or absent) */
u256 pv_st_balance(pv_state *s, const pv_address *a);
/* Whether a's balance is at least *min. Over a lazy_balance source with balance_at_least (and
 * nothing pending on the account), asks the source instead of reading the balance, and then
 * lets pv_st_sub_balance keep debits of up to *min in all as a delta; otherwise reads it. */
bool pv_st_balance_at_least(pv_state *s, const pv_address *a, const u256 *min);
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

#endif
