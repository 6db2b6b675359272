/*
 * World state and the journaled overlay.
 *
 * pv_world: accounts in an open-addressing table; each account owns a slot table.
 * pv_state: records for every account and slot the execution has looked at, kept in arrays
 * (indices are stable) and found through open-addressing index tables. A record loaded from
 * the world and never written equals the world. Every change pushes a journal entry holding
 * the previous record, so revert is "copy back". Storage of a destroyed account is invalidated
 * by bumping the account's generation: slot records of an older generation read as zero.
 * Destruction only happens at the end of a transaction (selfdestruct, EIP-161), so a slot's
 * "original" value (EIP-2200) is simply its value when the transaction began.
 */
#include "state.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <stdio.h>
#include <stdlib.h>

#include "../exec/transition.h"
#include "../util/hex.h"
#include "../util/keccak.h"
#include "../util/sort.h"
#include "../util/rlp.h"
#include "trie.h"

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fputs("parevm: out of memory\n", stderr);
        abort();
    }
    return p;
}


static inline uint64_t hash_addr(const pv_address *a)
{
    uint64_t x, y;
    uint32_t z;
    memcpy(&x, a->b, 8);
    memcpy(&y, a->b + 8, 8);
    memcpy(&z, a->b + 16, 4);
    return pv_mix64(x ^ pv_mix64(y ^ z));
}

static inline uint64_t hash_key(const u256 *k)
{
    return pv_mix64(k->w[0] ^ pv_mix64(k->w[1] ^ pv_mix64(k->w[2] ^ k->w[3])));
}

/* ------------------------------------------------------------------ index table */
/* Maps a hash to a uint32 record index; equality is checked by the caller's records. One word
 * per slot: the hash's high half and the record's index + 1 (0 = empty). A probe of a
 * cold table misses one cache line, where two arrays (indexes, hashes) missed two, and a slot
 * takes 8 bytes, not 12 (10,000 transfers, sequential, pinned: 1-2% faster; index and full hash
 * in 16 bytes a slot measured 8% slower than the two arrays). A hash's home slot comes from its
 * high half too, so that growing needs no other bits. */
typedef struct idx_table {
    uint64_t *e;
    size_t cap, count;
} idx_table;

static inline size_t idx_home(const idx_table *t, uint64_t h) { return (size_t)(h >> 32) & (t->cap - 1); }
/* Whether slot value v is taken by a hash with h's high half (then the caller compares keys). */
static inline bool idx_tag_eq(uint64_t v, uint64_t h) { return (v >> 32) == (h >> 32); }
static inline uint32_t idx_record(uint64_t v) { return (uint32_t)v - 1; }

static void idx_free(idx_table *t)
{
    free(t->e);
    memset(t, 0, sizeof *t);
}

static void idx_insert_raw(idx_table *t, uint64_t h, uint32_t idx)
{
    size_t i = idx_home(t, h);
    while (t->e[i])
        i = (i + 1) & (t->cap - 1);
    t->e[i] = (h & 0xffffffff00000000ULL) | ((uint64_t)idx + 1);
}

/* Grows t to cap slots (a power of two, larger than now), rehashing what it holds. */
static void idx_grow(idx_table *t, size_t cap)
{
    idx_table n;
    n.cap = cap;
    n.e = calloc(n.cap, sizeof *n.e);
    if (!n.e) abort();
    for (size_t i = 0; i < t->cap; i++)
        if (t->e[i])
            idx_insert_raw(&n, t->e[i], idx_record(t->e[i]));
    n.count = t->count;
    free(t->e);
    *t = n;
}

/* Room for count entries without growing. */
static void idx_reserve(idx_table *t, size_t count)
{
    size_t cap = t->cap ? t->cap : 16;
    while (count * 4 > cap * 3)
        cap *= 2;
    if (cap > t->cap)
        idx_grow(t, cap);
}

static void idx_insert(idx_table *t, uint64_t h, uint32_t idx)
{
    if ((t->count + 1) * 4 > t->cap * 3)
        idx_grow(t, t->cap ? t->cap * 2 : 16);
    idx_insert_raw(t, h, idx);
    t->count++;
}

/* ------------------------------------------------------------------ world */
typedef struct world_slot {
    u256 key, value;
    bool used;
} world_slot;

typedef struct world_acct {
    pv_address addr;
    uint64_t nonce;
    u256 balance;
    const pv_code *code;
    world_slot *slots;
    size_t slot_cap, slot_count;
    bool root_cached;
    pv_bytes32 storage_root;
} world_acct;

struct pv_world {
    pv_state_source as_source;   /* first member: the world is also a source */
    world_acct *accts;
    size_t count, cap;
    idx_table index;
};

static const pv_state_source_fn world_source_fn;

pv_world *pv_world_new(void)
{
    pv_world *w = calloc(1, sizeof *w);
    if (!w) abort();
    w->as_source.fn = &world_source_fn;
    return w;
}

pv_state_source *pv_world_source(pv_world *w) { return &w->as_source; }

void pv_world_free(pv_world *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->count; i++)
        free(w->accts[i].slots);
    free(w->accts);
    idx_free(&w->index);
    free(w);
}

static world_acct *world_find(const pv_world *w, const pv_address *a)
{
    if (!w->index.cap)
        return NULL;
    uint64_t h = hash_addr(a);
    for (size_t i = idx_home(&w->index, h);; i = (i + 1) & (w->index.cap - 1)) {
        uint64_t v = w->index.e[i];
        if (!v)
            return NULL;
        if (idx_tag_eq(v, h) && pv_address_eq(&w->accts[idx_record(v)].addr, a))
            return &w->accts[idx_record(v)];
    }
}

static const pv_code *code_of(const uint8_t *code, size_t size)
{
    if (!size)
        return NULL;
    pv_bytes32 h;
    pv_keccak256(code, size, h.b);
    return pv_code_get(code, size, &h);
}

void pv_world_put_account(pv_world *w, const pv_address *addr, uint64_t nonce, const u256 *balance,
                          const uint8_t *code, size_t code_size)
{
    world_acct *a = world_find(w, addr);
    if (!a) {
        if (w->count == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 16;
            w->accts = xrealloc(w->accts, w->cap * sizeof *w->accts);
        }
        a = &w->accts[w->count];
        memset(a, 0, sizeof *a);
        a->addr = *addr;
        idx_insert(&w->index, hash_addr(addr), (uint32_t)w->count);
        w->count++;
    }
    a->nonce = nonce;
    a->balance = *balance;
    a->code = code_of(code, code_size);
    a->root_cached = false;
}

static world_slot *world_slot_find(const world_acct *a, const u256 *key)
{
    if (!a->slot_cap)
        return NULL;
    for (size_t i = hash_key(key) & (a->slot_cap - 1);; i = (i + 1) & (a->slot_cap - 1)) {
        world_slot *s = &a->slots[i];
        if (!s->used)
            return NULL;
        if (u256_eq(&s->key, key))
            return s;
    }
}

void pv_world_prefetch_account(const pv_world *w, const pv_address *a, bool deep)
{
    if (!w->index.cap)
        return;
    size_t i = idx_home(&w->index, hash_addr(a));
    if (!deep) {
        __builtin_prefetch(&w->index.e[i]);
        return;
    }
    uint64_t v = w->index.e[i]; /* the first probe's record: usually the one */
    if (v)
        __builtin_prefetch(&w->accts[idx_record(v)]);
}

const pv_world_account *pv_world_find_account(const pv_world *w, const pv_address *a)
{
    return world_find(w, a);
}

u256 pv_world_account_storage(const pv_world_account *acct, const u256 *key)
{
    const world_slot *s = acct ? world_slot_find(acct, key) : NULL;
    return s ? s->value : u256_zero();
}

void pv_world_prefetch_slot(const pv_world_account *acct, const u256 *key)
{
    if (acct && acct->slot_cap)
        __builtin_prefetch(&acct->slots[hash_key(key) & (acct->slot_cap - 1)]);
}

void pv_world_put_storage(pv_world *w, const pv_address *addr, const u256 *key, const u256 *value)
{
    world_acct *a = world_find(w, addr);
    if (!a || u256_is_zero(value))
        return;
    world_slot *s = world_slot_find(a, key);
    if (s) {
        s->value = *value;
        return;
    }
    if ((a->slot_count + 1) * 4 > a->slot_cap * 3) {
        size_t ncap = a->slot_cap ? a->slot_cap * 2 : 8;
        world_slot *n = calloc(ncap, sizeof *n);
        if (!n) abort();
        for (size_t i = 0; i < a->slot_cap; i++) {
            if (!a->slots[i].used)
                continue;
            size_t j = hash_key(&a->slots[i].key) & (ncap - 1);
            while (n[j].used)
                j = (j + 1) & (ncap - 1);
            n[j] = a->slots[i];
        }
        free(a->slots);
        a->slots = n;
        a->slot_cap = ncap;
    }
    size_t j = hash_key(key) & (a->slot_cap - 1);
    while (a->slots[j].used)
        j = (j + 1) & (a->slot_cap - 1);
    a->slots[j] = (world_slot){*key, *value, true};
    a->slot_count++;
    a->root_cached = false;
}

static void world_read_basic(pv_state_source *src, const pv_address *a, pv_account_basic *out)
{
    const world_acct *w = world_find((const pv_world *)src, a);
    out->exists = w != NULL;
    out->nonce = w ? w->nonce : 0;
    out->code = w ? w->code : NULL;
    out->has_storage = w && w->slot_count > 0;
}

static u256 world_read_balance(pv_state_source *src, const pv_address *a)
{
    const world_acct *w = world_find((const pv_world *)src, a);
    return w ? w->balance : u256_zero();
}

static u256 world_read_storage(pv_state_source *src, const pv_address *a, const u256 *key)
{
    const world_acct *w = world_find((const pv_world *)src, a);
    const world_slot *s = w ? world_slot_find(w, key) : NULL;
    return s ? s->value : u256_zero();
}

static void world_read_basic_with_balance(pv_state_source *src, const pv_address *a, pv_account_basic *out,
                                          u256 *balance)
{
    const world_acct *w = world_find((const pv_world *)src, a);
    out->exists = w != NULL;
    out->nonce = w ? w->nonce : 0;
    out->code = w ? w->code : NULL;
    out->has_storage = w && w->slot_count > 0;
    *balance = w ? w->balance : u256_zero();
}

static const pv_state_source_fn world_source_fn = {world_read_basic, world_read_balance, world_read_storage,
                                                   world_read_basic_with_balance, NULL, NULL};

const pv_world *pv_source_world(const pv_state_source *src)
{
    return src->fn == &world_source_fn ? (const pv_world *)src : NULL;
}

/* ------------------------------------------------------------------ overlay */
typedef struct acct {
    pv_address addr;
    uint64_t nonce;
    u256 balance;
    const pv_code *code;
    const world_acct *world;   /* NULL if the world has no such account (or no world) */
    u256 balance_delta;        /* credits not yet folded in (lazy sources, !balance_loaded); debits
                                * too when balance_at_least allowed them (then it may wrap) */
    u256 debit_allowance;      /* what lazy debits may still take (pv_st_balance_at_least) */
    uint32_t generation;       /* bumped when destroyed: older slot records read as zero */
    bool exists;
    bool balance_loaded;       /* balance holds the value (else: source value + balance_delta) */
    bool balance_debited;      /* balance_delta holds a debit: not a credit that proves non-empty */
    bool has_storage_pre;      /* the source said the account had storage (non-world sources) */
    bool storage_cleared;      /* the world's storage no longer applies */
    bool storage_dirty;        /* some slot record written */
    /* per transaction */
    bool warm, touched, created, destructed;
} acct;

typedef struct slot {
    pv_address addr;
    u256 key;
    u256 value;
    u256 original;             /* value at the start of the transaction */
    uint32_t acct;             /* index of the account record */
    uint32_t generation;
    bool warm;                 /* per transaction */
} slot;

typedef struct tslot {
    pv_address addr;
    u256 key, value;
} tslot;

enum jkind { J_ACCT, J_SLOT, J_TSTORE, J_LOG };

typedef struct jentry {
    uint8_t kind;
    uint32_t index;
    union {
        acct a;
        slot s;
        u256 v;
    } prev;
} jentry;

struct pv_state {
    const pv_world *world;     /* the source when it is a world (fast path), else NULL */
    pv_state_source *src;      /* the source when it is not a world */
    bool lazy_balance;
    bool collecting;           /* in pv_state_collect_changes: no balance counts as used */
    /* Over a world: told of each pre-state location as it is first read (pv_state_set_read_hook). */
    pv_state_read_hook read_hook;
    void *read_hook_ctx;
    /* What a (non-world) source answered, per record index: the parallel executor's write sets
     * are what differs from it. Set once per load, never journaled. */
    pv_account_basic *loaded_basic;
    u256 *loaded_balance;
    bool *balance_was_read;
    bool *nonce_read;          /* non-world sources: the exact nonce was asked for (pv_st_nonce),
                                * in any frame, reverted or not: not journaled */
    bool *balance_hinted;      /* loaded_balance holds read_basic_with_balance's hint (not read) */
    size_t cap_loaded_acct;
    u256 *loaded_slot;
    size_t cap_loaded_slot;
    acct *accts;
    size_t nacct, cap_acct;
    idx_table acct_index;
    slot *slots;
    size_t nslot, cap_slot;
    idx_table slot_index;
    tslot *tslots;
    size_t ntslot, cap_tslot;
    idx_table tslot_index;
    jentry *journal;
    size_t njournal, cap_journal;
    pv_log *logs;
    size_t nlogs, cap_logs;
    bool ripemd_touched;       /* the RIPEMD precompile's touch survives reverts (block 2675119) */
    pv_state_write_hook write_hook;
    void *write_hook_ctx;
};

pv_state *pv_state_new(const pv_world *base)
{
    pv_state *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->world = base;
    return s;
}

pv_state *pv_state_new_from(pv_state_source *src)
{
    if (src->fn == &world_source_fn)
        return pv_state_new((const pv_world *)src);
    pv_state *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->src = src;
    s->lazy_balance = src->lazy_balance;
    return s;
}

void pv_state_reserve(pv_state *s, size_t accounts, size_t slots)
{
    if (accounts > s->cap_acct) {
        s->cap_acct = accounts;
        s->accts = xrealloc(s->accts, s->cap_acct * sizeof *s->accts);
    }
    if (slots > s->cap_slot) {
        s->cap_slot = slots;
        s->slots = xrealloc(s->slots, s->cap_slot * sizeof *s->slots);
    }
    idx_reserve(&s->acct_index, accounts);
    idx_reserve(&s->slot_index, slots);
}

static void free_logs(pv_log *logs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pv_log_payload_free(&logs[i]);
}

void pv_state_free(pv_state *s)
{
    if (!s)
        return;
    free(s->accts);
    idx_free(&s->acct_index);
    free(s->slots);
    idx_free(&s->slot_index);
    free(s->tslots);
    idx_free(&s->tslot_index);
    free(s->journal);
    free_logs(s->logs, s->nlogs);
    free(s->logs);
    free(s->loaded_basic);
    free(s->loaded_balance);
    free(s->balance_was_read);
    free(s->nonce_read);
    free(s->balance_hinted);
    free(s->loaded_slot);
    free(s);
}

static uint32_t acct_lookup(pv_state *s, const pv_address *a, bool *found)
{
    uint64_t h = hash_addr(a);
    if (s->acct_index.cap) {
        for (size_t i = idx_home(&s->acct_index, h);; i = (i + 1) & (s->acct_index.cap - 1)) {
            uint64_t v = s->acct_index.e[i];
            if (!v)
                break;
            if (idx_tag_eq(v, h) && pv_address_eq(&s->accts[idx_record(v)].addr, a)) {
                *found = true;
                return idx_record(v);
            }
        }
    }
    *found = false;
    return 0;
}

/* The account record for a, loaded from the world on first use. */
static acct *get_acct(pv_state *s, const pv_address *a)
{
    bool found;
    uint32_t i = acct_lookup(s, a, &found);
    if (found)
        return &s->accts[i];
    if (s->nacct == s->cap_acct) {
        s->cap_acct = s->cap_acct ? s->cap_acct * 2 : 32;
        s->accts = xrealloc(s->accts, s->cap_acct * sizeof *s->accts);
    }
    acct *r = &s->accts[s->nacct];
    memset(r, 0, sizeof *r);
    r->addr = *a;
    if (s->world) {
        const world_acct *w = world_find(s->world, a);
        if (w) {
            r->world = w;
            r->exists = true;
            r->nonce = w->nonce;
            r->code = w->code;
            if (!s->lazy_balance)
                r->balance = w->balance;
        }
        r->balance_loaded = !s->lazy_balance;
        if (s->lazy_balance) { /* which balances its transactions used: pv_state_loaded_account */
            if (s->nacct >= s->cap_loaded_acct) {
                s->cap_loaded_acct = s->cap_acct;
                s->balance_was_read = xrealloc(s->balance_was_read, s->cap_loaded_acct * sizeof *s->balance_was_read);
            }
            s->balance_was_read[s->nacct] = false;
        }
        if (s->read_hook)
            s->read_hook(s->read_hook_ctx, PV_READ_BASIC, a, NULL);
    } else {
        pv_account_basic b;
        u256 hint;
        bool hinted = s->lazy_balance && s->src->fn->read_basic_with_balance;
        if (hinted)
            s->src->fn->read_basic_with_balance(s->src, a, &b, &hint);
        else
            s->src->fn->read_basic(s->src, a, &b);
        r->exists = b.exists;
        r->nonce = b.nonce;
        r->code = b.code;
        r->has_storage_pre = b.has_storage;
        if (s->nacct == s->cap_loaded_acct) {
            s->cap_loaded_acct = s->cap_acct;
            s->loaded_basic = xrealloc(s->loaded_basic, s->cap_loaded_acct * sizeof *s->loaded_basic);
            s->loaded_balance = xrealloc(s->loaded_balance, s->cap_loaded_acct * sizeof *s->loaded_balance);
            s->balance_was_read = xrealloc(s->balance_was_read, s->cap_loaded_acct * sizeof *s->balance_was_read);
            s->balance_hinted = xrealloc(s->balance_hinted, s->cap_loaded_acct * sizeof *s->balance_hinted);
            s->nonce_read = xrealloc(s->nonce_read, s->cap_loaded_acct * sizeof *s->nonce_read);
        }
        s->loaded_basic[s->nacct] = b;
        s->balance_was_read[s->nacct] = false;
        s->nonce_read[s->nacct] = false;
        s->balance_hinted[s->nacct] = hinted;
        if (hinted)
            s->loaded_balance[s->nacct] = hint;
        if (!s->lazy_balance) {
            r->balance = s->src->fn->read_balance(s->src, a);
            r->balance_loaded = true;
            s->loaded_balance[s->nacct] = r->balance;
            s->balance_was_read[s->nacct] = true;
        }
    }
    idx_insert(&s->acct_index, hash_addr(a), (uint32_t)s->nacct);
    return &s->accts[s->nacct++];
}

/* A new journal entry of that kind and index, its prev for the caller to fill in place (an
 * entry built on the stack and copied in stalled on store forwarding: the 1- and 4-byte stores
 * read back by 64-byte loads, a third of the account writes' time). */
static jentry *journal_next(pv_state *s, uint8_t kind, uint32_t index)
{
    if (s->njournal == s->cap_journal) {
        s->cap_journal = s->cap_journal ? s->cap_journal * 2 : 64;
        s->journal = xrealloc(s->journal, s->cap_journal * sizeof *s->journal);
    }
    jentry *e = &s->journal[s->njournal++];
    e->kind = kind;
    e->index = index;
    return e;
}

/* Journals account record r before a change and returns it. */
static acct *acct_journal(pv_state *s, acct *r)
{
    journal_next(s, J_ACCT, (uint32_t)(r - s->accts))->prev.a = *r;
    return r;
}

static acct *acct_for_write(pv_state *s, const pv_address *a) { return acct_journal(s, get_acct(s, a)); }

/* Makes r->balance the account's balance (reads the source once; folds pending credits in). Not
 * journaled: a reverted copy of the record is merely "not loaded yet" again, which is still true. */
static inline void load_balance(pv_state *s, acct *r)
{
    if (PV_LIKELY(r->balance_loaded))
        return;
    size_t i = (size_t)(r - s->accts);
    u256 v;
    if (s->world) { /* a lazy world state (pv_state_set_lazy_balance) */
        v = r->world ? r->world->balance : u256_zero();
        if (!s->collecting) /* collecting reads nothing for a transaction */
            s->balance_was_read[i] = true;
        if (s->read_hook)
            s->read_hook(s->read_hook_ctx, PV_READ_BALANCE, &r->addr, NULL);
    } else {
        if (s->balance_hinted[i]) {
            v = s->loaded_balance[i];
            if (s->src->fn->note_balance_read)
                s->src->fn->note_balance_read(s->src, &r->addr);
        } else {
            v = s->src->fn->read_balance(s->src, &r->addr);
        }
        s->loaded_balance[i] = v;
        s->balance_was_read[i] = true;
    }
    u256_add(&r->balance, &v, &r->balance_delta);
    r->balance_delta = u256_zero();
    r->balance_loaded = true;
    r->balance_debited = false;
}

static inline bool acct_is_empty(pv_state *s, acct *r)
{
    if (!r->exists)
        return true;
    if (r->nonce != 0 || r->code != NULL)
        return false;
    if (!r->balance_loaded && !r->balance_debited && !u256_is_zero(&r->balance_delta))
        return false; /* a pending credit (non-zero) makes it non-empty whatever it held */
    load_balance(s, r);
    return u256_is_zero(&r->balance);
}

static const pv_address RIPEMD_ADDR = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3}};

bool pv_st_exists(pv_state *s, const pv_address *a) { return get_acct(s, a)->exists; }

bool pv_st_is_empty(pv_state *s, const pv_address *a) { return acct_is_empty(s, get_acct(s, a)); }

u256 pv_st_balance(pv_state *s, const pv_address *a)
{
    acct *r = get_acct(s, a);
    load_balance(s, r);
    return r->balance;
}
uint64_t pv_st_nonce(pv_state *s, const pv_address *a)
{
    acct *r = get_acct(s, a);
    if (!s->world)
        s->nonce_read[r - s->accts] = true;
    return r->nonce;
}

bool pv_state_nonce_was_read(pv_state *s, const pv_address *a)
{
    bool found;
    uint32_t i = acct_lookup(s, a, &found);
    return !found || s->world || s->nonce_read[i];
}
const pv_code *pv_st_code(pv_state *s, const pv_address *a) { return get_acct(s, a)->code; }

/* pv_st_touch, returning the record; *journaled: the touch journaled it (then a change made
 * with it, before any snapshot, needs no second entry). */
static acct *touch(pv_state *s, const pv_address *a, bool *journaled)
{
    acct *r = get_acct(s, a);
    if (pv_address_eq(a, &RIPEMD_ADDR))
        s->ripemd_touched = true;
    *journaled = !(r->touched && r->exists);
    if (!*journaled)
        return r;
    acct_journal(s, r);
    r->touched = true;
    r->exists = true;
    return r;
}

void pv_st_touch(pv_state *s, const pv_address *a)
{
    bool journaled;
    touch(s, a, &journaled);
}

void pv_st_add_balance(pv_state *s, const pv_address *a, const u256 *v)
{
    bool journaled;
    acct *r = touch(s, a, &journaled);
    if (u256_is_zero(v))
        return;
    if (!journaled)
        acct_journal(s, r);
    if (!r->balance_loaded)
        u256_add(&r->balance_delta, &r->balance_delta, v);
    else
        u256_add(&r->balance, &r->balance, v);
}

bool pv_st_balance_at_least(pv_state *s, const pv_address *a, const u256 *min)
{
    acct *r = get_acct(s, a);
    if (!r->balance_loaded && !s->world && s->lazy_balance && s->src->fn->balance_at_least &&
        u256_is_zero(&r->balance_delta)) {
        if (!s->src->fn->balance_at_least(s->src, a, min))
            return false;
        /* Not journaled, as a load is not: the fact stays true whatever is reverted. */
        r->debit_allowance = *min;
        return true;
    }
    load_balance(s, r);
    return !u256_lt(&r->balance, min);
}

void pv_st_sub_balance(pv_state *s, const pv_address *a, const u256 *v)
{
    bool journaled;
    acct *r = touch(s, a, &journaled);
    if (!journaled)
        acct_journal(s, r);
    if (!r->balance_loaded && !u256_is_zero(&r->debit_allowance) && !u256_lt(&r->debit_allowance, v)) {
        /* Covered by a balance known to be at least what was asked: a delta, like a credit. */
        u256_sub(&r->debit_allowance, &r->debit_allowance, v);
        u256_sub(&r->balance_delta, &r->balance_delta, v);
        r->balance_debited = true;
        return;
    }
    load_balance(s, r);
    u256_sub(&r->balance, &r->balance, v);
}

void pv_st_set_balance(pv_state *s, const pv_address *a, const u256 *v)
{
    acct *r = acct_for_write(s, a);
    load_balance(s, r);
    r->exists = true;
    r->balance = *v;
}

void pv_st_set_nonce(pv_state *s, const pv_address *a, uint64_t nonce)
{
    acct *r = acct_for_write(s, a);
    r->exists = true;
    r->nonce = nonce;
}

void pv_st_set_code(pv_state *s, const pv_address *a, const uint8_t *code, size_t size)
{
    acct *r = acct_for_write(s, a);
    r->exists = true;
    r->code = code_of(code, size);
}

void pv_st_create_account(pv_state *s, const pv_address *a)
{
    acct *r = acct_for_write(s, a);
    r->exists = true;
    r->created = true;
}

bool pv_st_created_in_tx(pv_state *s, const pv_address *a) { return get_acct(s, a)->created; }

static uint64_t slot_hash(const pv_address *a, const u256 *k) { return hash_addr(a) ^ hash_key(k); }

/* The slot record, loaded on first use; reset if its account was destroyed since. */
/* The slot record of (a, key), whose slot_hash is h, or NULL. */
static slot *find_slot(pv_state *s, const pv_address *a, const u256 *key, uint64_t h)
{
    if (!s->slot_index.cap)
        return NULL;
    for (size_t i = idx_home(&s->slot_index, h);; i = (i + 1) & (s->slot_index.cap - 1)) {
        uint64_t v = s->slot_index.e[i];
        if (!v)
            return NULL;
        slot *c = &s->slots[idx_record(v)];
        if (idx_tag_eq(v, h) && u256_eq(&c->key, key) && pv_address_eq(&c->addr, a))
            return c;
    }
}

static slot *get_slot(pv_state *s, const pv_address *a, const u256 *key)
{
    uint64_t h = slot_hash(a, key);
    acct *ac = get_acct(s, a);
    uint32_t ai = (uint32_t)(ac - s->accts);
    slot *r = find_slot(s, a, key, h);
    if (r) {
        if (r->generation != ac->generation) {
            r->generation = ac->generation;
            r->value = r->original = u256_zero();
        }
        return r;
    }
    if (s->nslot == s->cap_slot) {
        s->cap_slot = s->cap_slot ? s->cap_slot * 2 : 64;
        s->slots = xrealloc(s->slots, s->cap_slot * sizeof *s->slots);
    }
    r = &s->slots[s->nslot];
    memset(r, 0, sizeof *r);
    r->addr = *a;
    r->key = *key;
    r->acct = ai;
    r->generation = ac->generation;
    if (!ac->storage_cleared) {
        if (ac->world) {
            const world_slot *ws = world_slot_find(ac->world, key);
            if (ws)
                r->value = ws->value;
        } else if (!s->world) {
            r->value = s->src->fn->read_storage(s->src, a, key);
        }
        if (s->read_hook)
            s->read_hook(s->read_hook_ctx, PV_READ_STORAGE, a, key);
    }
    r->original = r->value;
    if (!s->world) {
        if (s->nslot >= s->cap_loaded_slot) {
            s->cap_loaded_slot = s->cap_slot;
            s->loaded_slot = xrealloc(s->loaded_slot, s->cap_loaded_slot * sizeof *s->loaded_slot);
        }
        s->loaded_slot[s->nslot] = r->value;
    }
    idx_insert(&s->slot_index, h, (uint32_t)s->nslot);
    return &s->slots[s->nslot++];
}

u256 pv_st_get_storage(pv_state *s, const pv_address *a, const u256 *key)
{
    return get_slot(s, a, key)->value;
}

void pv_st_set_storage(pv_state *s, const pv_address *a, const u256 *key, const u256 *value,
                       u256 *original, u256 *current)
{
    slot *r = get_slot(s, a, key);
    *original = r->original;
    *current = r->value;
    journal_next(s, J_SLOT, (uint32_t)(r - s->slots))->prev.s = *r;
    r->value = *value;
    acct *ac = &s->accts[r->acct];
    if (!ac->storage_dirty) {
        acct *w = acct_for_write(s, a);
        w->storage_dirty = true;
    }
}

bool pv_st_has_storage(pv_state *s, const pv_address *a)
{
    acct *ac = get_acct(s, a);
    if (!s->world && ac->has_storage_pre && !ac->storage_cleared)
        return true; /* a source cannot enumerate slots; see pv_account_basic.has_storage */
    if (ac->world && !ac->storage_cleared && ac->world->slot_count) {
        /* any world slot not overwritten with zero */
        for (size_t i = 0; i < ac->world->slot_cap; i++) {
            const world_slot *ws = &ac->world->slots[i];
            if (!ws->used)
                continue;
            u256 v = pv_st_get_storage(s, a, &ws->key);
            if (!u256_is_zero(&v))
                return true;
        }
    }
    if (ac->storage_dirty) {
        for (size_t i = 0; i < s->nslot; i++)
            if (s->slots[i].acct == (uint32_t)(ac - s->accts) && s->slots[i].generation == ac->generation &&
                !u256_is_zero(&s->slots[i].value))
                return true;
    }
    return false;
}

static tslot *find_tslot(pv_state *s, const pv_address *a, const u256 *key)
{
    if (!s->tslot_index.cap)
        return NULL;
    uint64_t h = slot_hash(a, key);
    for (size_t i = idx_home(&s->tslot_index, h);; i = (i + 1) & (s->tslot_index.cap - 1)) {
        uint64_t v = s->tslot_index.e[i];
        if (!v)
            return NULL;
        tslot *t = &s->tslots[idx_record(v)];
        if (idx_tag_eq(v, h) && u256_eq(&t->key, key) && pv_address_eq(&t->addr, a))
            return t;
    }
}

u256 pv_st_get_transient(pv_state *s, const pv_address *a, const u256 *key)
{
    tslot *t = find_tslot(s, a, key);
    return t ? t->value : u256_zero();
}

void pv_st_set_transient(pv_state *s, const pv_address *a, const u256 *key, const u256 *value)
{
    tslot *t = find_tslot(s, a, key);
    if (!t) {
        if (s->ntslot == s->cap_tslot) {
            s->cap_tslot = s->cap_tslot ? s->cap_tslot * 2 : 16;
            s->tslots = xrealloc(s->tslots, s->cap_tslot * sizeof *s->tslots);
        }
        idx_insert(&s->tslot_index, slot_hash(a, key), (uint32_t)s->ntslot);
        t = &s->tslots[s->ntslot++];
        t->addr = *a;
        t->key = *key;
        t->value = u256_zero();
    }
    journal_next(s, J_TSTORE, (uint32_t)(t - s->tslots))->prev.v = t->value;
    t->value = *value;
}

bool pv_st_access_account(pv_state *s, const pv_address *a)
{
    acct *r = get_acct(s, a);
    if (r->warm)
        return true;
    acct_journal(s, r)->warm = true;
    return false;
}

bool pv_st_access_slot(pv_state *s, const pv_address *a, const u256 *key)
{
    slot *r = get_slot(s, a, key);
    if (r->warm)
        return true;
    journal_next(s, J_SLOT, (uint32_t)(r - s->slots))->prev.s = *r;
    r->warm = true;
    return false;
}

bool pv_st_mark_selfdestruct(pv_state *s, const pv_address *a)
{
    acct *r = get_acct(s, a);
    if (r->destructed)
        return false;
    acct_journal(s, r)->destructed = true;
    return true;
}

void pv_st_add_log(pv_state *s, const pv_address *a, const uint8_t *data, size_t size,
                   const pv_bytes32 *topics, size_t n)
{
    if (s->nlogs == s->cap_logs) {
        s->cap_logs = s->cap_logs ? s->cap_logs * 2 : 16;
        s->logs = xrealloc(s->logs, s->cap_logs * sizeof *s->logs);
    }
    pv_log *l = &s->logs[s->nlogs++];
    l->address = *a;
    l->topics_count = n;
    l->data_size = size;
    size_t topics_bytes = n * sizeof *topics;
    uint8_t *p = topics_bytes + size ? xrealloc(NULL, topics_bytes + size) : NULL; /* see pv_log */
    l->topics = n ? (pv_bytes32 *)p : NULL;
    l->data = size ? p + topics_bytes : NULL;
    if (n)
        memcpy(l->topics, topics, topics_bytes);
    if (size)
        memcpy(l->data, data, size);
    journal_next(s, J_LOG, (uint32_t)(s->nlogs - 1));
}

size_t pv_st_snapshot(pv_state *s) { return s->njournal; }

void pv_st_revert(pv_state *s, size_t snapshot)
{
    while (s->njournal > snapshot) {
        jentry *e = &s->journal[--s->njournal];
        switch (e->kind) {
        case J_ACCT:
            s->accts[e->index] = e->prev.a;
            break;
        case J_SLOT:
            s->slots[e->index] = e->prev.s;
            break;
        case J_TSTORE:
            s->tslots[e->index].value = e->prev.v;
            break;
        case J_LOG:
            s->nlogs--;
            pv_log_payload_free(&s->logs[s->nlogs]);
            break;
        }
    }
}

static void destroy(acct *r)
{
    r->exists = false;
    r->nonce = 0;
    r->balance = u256_zero();
    r->balance_delta = u256_zero();
    r->debit_allowance = u256_zero();
    r->balance_loaded = true;
    r->balance_debited = false;
    r->has_storage_pre = false;
    r->code = NULL;
    r->storage_cleared = true;
    r->storage_dirty = false;
    r->generation++;
}

void pv_state_set_write_hook(pv_state *s, pv_state_write_hook fn, void *ctx)
{
    s->write_hook = fn;
    s->write_hook_ctx = ctx;
}

void pv_state_set_lazy_balance(pv_state *s)
{
    if (!s->world || s->nacct) {
        fputs("parevm: pv_state_set_lazy_balance needs a fresh state over a world\n", stderr);
        abort();
    }
    s->lazy_balance = true;
}

bool pv_state_loaded_account(pv_state *s, const pv_address *a, bool *balance_used)
{
    bool found;
    uint32_t i = acct_lookup(s, a, &found);
    *balance_used = found && s->world && s->lazy_balance && s->balance_was_read[i];
    return found;
}

bool pv_state_loaded_slot(pv_state *s, const pv_address *a, const u256 *key)
{
    return find_slot(s, a, key, slot_hash(a, key)) != NULL;
}

bool pv_state_loaded_any_slot(pv_state *s, const pv_address *a, const pv_slot_change *slots, size_t n)
{
    if (!s->slot_index.cap || !n)
        return false;
    enum { AHEAD = 8 };
    const uint64_t ha = hash_addr(a);
    uint64_t h[AHEAD];
    for (size_t i = 0; i < n && i < AHEAD; i++) { /* the first lookups' index lines */
        h[i] = ha ^ hash_key(&slots[i].key);
        __builtin_prefetch(&s->slot_index.e[idx_home(&s->slot_index, h[i])]);
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t hi = h[i % AHEAD];
        if (i + AHEAD < n) {
            uint64_t hn = ha ^ hash_key(&slots[i + AHEAD].key);
            h[i % AHEAD] = hn;
            __builtin_prefetch(&s->slot_index.e[idx_home(&s->slot_index, hn)]);
        }
        if (find_slot(s, a, &slots[i].key, hi))
            return true;
    }
    return false;
}

void pv_state_set_read_hook(pv_state *s, pv_state_read_hook fn, void *ctx)
{
    if (!s->world) {
        fputs("parevm: pv_state_set_read_hook needs a state over a world (a source sees its reads)\n", stderr);
        abort();
    }
    s->read_hook = fn;
    s->read_hook_ctx = ctx;
}

/* The hook's calls for one transaction: every journal entry compared with what it saved (the
 * first entry of a record holds its value at the start of the transaction). */
static void report_writes(pv_state *s)
{
    for (size_t i = 0; i < s->njournal; i++) {
        const jentry *e = &s->journal[i];
        if (e->kind == J_ACCT) {
            const acct *r = &s->accts[e->index], *p = &e->prev.a;
            if (r->generation != p->generation)
                s->write_hook(s->write_hook_ctx, PV_WRITE_DESTROYED, &r->addr, NULL);
            if (r->generation != p->generation || r->exists != p->exists || r->nonce != p->nonce ||
                r->code != p->code)
                s->write_hook(s->write_hook_ctx, PV_WRITE_BASIC, &r->addr, NULL);
            if (r->balance_loaded != p->balance_loaded || !u256_eq(&r->balance, &p->balance) ||
                !u256_eq(&r->balance_delta, &p->balance_delta))
                s->write_hook(s->write_hook_ctx, PV_WRITE_BALANCE, &r->addr, NULL);
        } else if (e->kind == J_SLOT) {
            const slot *r = &s->slots[e->index];
            if (r->generation != e->prev.s.generation || !u256_eq(&r->value, &e->prev.s.value))
                s->write_hook(s->write_hook_ctx, PV_WRITE_STORAGE, &r->addr, &r->key);
        }
    }
}

void pv_st_end_tx(pv_state *s, bool eip161, pv_log **logs, size_t *n)
{
    /* Only when RIPEMD was touched: reading its account every transaction would make it a
     * location every parallel transaction depends on. */
    bool ripemd = s->ripemd_touched;
    if (ripemd) {
        acct *r = get_acct(s, &RIPEMD_ADDR);
        if (r->exists)
            r->touched = true;
        s->ripemd_touched = false;
    }
    /* Every account and slot changed in this transaction has a journal entry. */
    for (size_t i = 0; i < s->njournal; i++) {
        jentry *e = &s->journal[i];
        if (e->kind == J_ACCT) {
            acct *r = &s->accts[e->index];
            if (r->destructed)
                destroy(r);
            else if (eip161 && r->touched && r->exists && acct_is_empty(s, r))
                destroy(r);
        }
    }
    /* RIPEMD touched only through a reverted frame has no surviving journal entry. */
    if (ripemd) {
        acct *r = get_acct(s, &RIPEMD_ADDR);
        if (eip161 && r->touched && r->exists && acct_is_empty(s, r)) {
            if (s->write_hook) {
                s->write_hook(s->write_hook_ctx, PV_WRITE_DESTROYED, &r->addr, NULL);
                s->write_hook(s->write_hook_ctx, PV_WRITE_BASIC, &r->addr, NULL);
                s->write_hook(s->write_hook_ctx, PV_WRITE_BALANCE, &r->addr, NULL);
            }
            destroy(r);
        }
    }
    if (s->write_hook)
        report_writes(s);
    for (size_t i = 0; i < s->njournal; i++) {
        jentry *e = &s->journal[i];
        if (e->kind == J_ACCT) {
            acct *r = &s->accts[e->index];
            r->warm = r->touched = r->created = r->destructed = false;
        } else if (e->kind == J_SLOT) {
            slot *r = &s->slots[e->index];
            r->warm = false;
            r->original = r->value;
        }
    }
    s->njournal = 0;
    if (s->ntslot) {
        s->ntslot = 0;
        memset(s->tslot_index.e, 0, s->tslot_index.cap * sizeof *s->tslot_index.e);
        s->tslot_index.count = 0;
    }
    if (logs) {
        *logs = s->logs;
        *n = s->nlogs;
        s->logs = NULL;
        s->nlogs = s->cap_logs = 0;
    } else {
        free_logs(s->logs, s->nlogs);
        s->nlogs = 0;
    }
}

void pv_state_add_balance(pv_state *s, const pv_address *addr, const u256 *amount)
{
    pv_st_add_balance(s, addr, amount);
}

void pv_state_clear_touched_empty(pv_state *s)
{
    pv_st_end_tx(s, true, NULL, NULL);
}

/* ------------------------------------------------------------------ state root */
static void put_slot_entry(pv_buf *vals, pv_trie_entry *e, uint8_t *keybuf, const u256 *k, const u256 *v)
{
    u256_to_be(k, keybuf);
    size_t off = vals->len;
    pv_rlp_put_u256(vals, v);
    e->key = keybuf;
    e->key_len = 32;
    e->value = (const uint8_t *)(uintptr_t)off;  /* fixed up after the buffer stops moving */
    e->value_len = vals->len - off;
}

/* Storage root of world slots w (NULL: none apply) overridden by the slot records ids[0..nslots). */
static pv_bytes32 storage_root(const world_acct *w, const slot *slots, const uint32_t *slot_ids, size_t nslots)
{
    size_t cap = nslots + (w ? w->slot_count : 0);
    pv_trie_entry *e = xrealloc(NULL, (cap ? cap : 1) * sizeof *e);
    uint8_t *keys = xrealloc(NULL, (cap ? cap : 1) * 32);
    pv_buf vals;
    pv_buf_init(&vals);
    size_t n = 0;
    if (w) {
        for (size_t i = 0; i < w->slot_cap; i++) {
            const world_slot *ws = &w->slots[i];
            if (!ws->used)
                continue;
            /* skip slots the overlay has a record for */
            bool over = false;
            for (size_t j = 0; j < nslots && !over; j++)
                over = u256_eq(&slots[slot_ids[j]].key, &ws->key);
            if (over)
                continue;
            put_slot_entry(&vals, &e[n], keys + 32 * n, &ws->key, &ws->value);
            n++;
        }
    }
    for (size_t j = 0; j < nslots; j++) {
        const slot *sl = &slots[slot_ids[j]];
        if (u256_is_zero(&sl->value))
            continue;
        put_slot_entry(&vals, &e[n], keys + 32 * n, &sl->key, &sl->value);
        n++;
    }
    for (size_t i = 0; i < n; i++)
        e[i].value = vals.data + (uintptr_t)e[i].value;
    pv_bytes32 root = pv_trie_root_secure(e, n);
    pv_buf_free(&vals);
    free(e);
    free(keys);
    return root;
}

static pv_bytes32 compute_world_storage_root(const world_acct *w)
{
    return storage_root(w, NULL, NULL, 0);
}

/* The world is read-only during execution: the root comes from pv_world_seal's cache, or is
 * computed on the spot for an unsealed world. */
static pv_bytes32 world_storage_root(const world_acct *w)
{
    return w->root_cached ? w->storage_root : compute_world_storage_root(w);
}

void pv_world_seal(pv_world *w)
{
    for (size_t i = 0; i < w->count; i++) {
        world_acct *a = &w->accts[i];
        if (!a->root_cached) {
            a->storage_root = compute_world_storage_root(a);
            a->root_cached = true;
        }
    }
}

/* Appends RLP([nonce, balance, storage_root, code_hash]) to vals as the trie entry of addr; the
 * value pointer is an offset into vals until the caller fixes it up. */
static void put_account_entry(pv_buf *vals, pv_trie_entry *e, const pv_address *addr, uint64_t nonce,
                              const u256 *balance, const pv_bytes32 *storage_root, const pv_code *code)
{
    size_t off = vals->len;
    size_t start = pv_rlp_list_begin(vals);
    pv_rlp_put_u64(vals, nonce);
    pv_rlp_put_u256(vals, balance);
    pv_rlp_put_bytes(vals, storage_root->b, 32);
    pv_rlp_put_bytes(vals, code ? code->hash.b : PV_EMPTY_CODE_HASH.b, 32);
    pv_rlp_list_end(vals, start);
    e->key = addr->b;
    e->key_len = 20;
    e->value = (const uint8_t *)(uintptr_t)off;
    e->value_len = vals->len - off;
}

/* Orders slot record ids by their account's index (a counting sort: stable, linear). */
static void sort_slot_ids_by_acct(const pv_state *s, uint32_t *ids, size_t n)
{
    size_t *start = calloc(s->nacct + 1, sizeof *start);
    uint32_t *out = xrealloc(NULL, (n ? n : 1) * sizeof *out);
    if (!start)
        abort();
    for (size_t i = 0; i < n; i++)
        start[s->slots[ids[i]].acct + 1]++;
    for (size_t a = 0; a < s->nacct; a++)
        start[a + 1] += start[a];
    for (size_t i = 0; i < n; i++)
        out[start[s->slots[ids[i]].acct]++] = ids[i];
    memcpy(ids, out, n * sizeof *ids);
    free(out);
    free(start);
}

/* The slot records of the accounts' current generation (older ones read as zero), grouped by
 * account; the caller frees the array. */
static uint32_t *live_slot_ids_by_acct(const pv_state *s, size_t *n)
{
    uint32_t *ids = xrealloc(NULL, (s->nslot ? s->nslot : 1) * sizeof *ids);
    size_t k = 0;
    for (size_t i = 0; i < s->nslot; i++)
        if (s->slots[i].generation == s->accts[s->slots[i].acct].generation)
            ids[k++] = (uint32_t)i;
    sort_slot_ids_by_acct(s, ids, k);
    *n = k;
    return ids;
}

pv_bytes32 pv_state_root(pv_state *s)
{
    if (!s->world) {
        fputs("parevm: pv_state_root needs a state over a world\n", stderr);
        abort();
    }
    for (size_t i = 0; s->lazy_balance && i < s->nacct; i++)
        load_balance(s, &s->accts[i]); /* a lazy world state: credits folded in */
    size_t nids;
    uint32_t *ids = live_slot_ids_by_acct(s, &nids);
    size_t *first = xrealloc(NULL, (s->nacct + 1) * sizeof *first);
    size_t *count = calloc(s->nacct + 1, sizeof *count);
    if (!count) abort();
    for (size_t i = 0; i < nids; i++) {
        uint32_t a = s->slots[ids[i]].acct;
        if (!count[a]++)
            first[a] = i;
    }

    size_t cap = s->nacct + s->world->count;
    pv_trie_entry *e = xrealloc(NULL, (cap ? cap : 1) * sizeof *e);
    pv_buf vals;
    pv_buf_init(&vals);
    size_t n = 0;
    for (size_t i = 0; i < s->nacct; i++) {
        const acct *r = &s->accts[i];
        if (!r->exists)
            continue;
        pv_bytes32 sroot;
        if (r->storage_dirty || (r->storage_cleared && count[i]))
            sroot = storage_root(r->world && !r->storage_cleared ? r->world : NULL, s->slots,
                                 count[i] ? ids + first[i] : NULL, count[i]);
        else if (r->world && !r->storage_cleared)
            sroot = world_storage_root(r->world);
        else
            sroot = PV_EMPTY_TRIE_ROOT;
        put_account_entry(&vals, &e[n++], &r->addr, r->nonce, &r->balance, &sroot, r->code);
    }
    for (size_t i = 0; i < s->world->count; i++) {
        const world_acct *w = &s->world->accts[i];
        bool found;
        acct_lookup(s, &w->addr, &found);
        if (found)
            continue;
        pv_bytes32 sroot = world_storage_root(w);
        put_account_entry(&vals, &e[n++], &w->addr, w->nonce, &w->balance, &sroot, w->code);
    }
    for (size_t i = 0; i < n; i++)
        e[i].value = vals.data + (uintptr_t)e[i].value;
    pv_bytes32 root = pv_trie_root_secure(e, n);
    pv_buf_free(&vals);
    free(e);
    free(ids);
    free(first);
    free(count);
    return root;
}

/* ------------------------------------------------------------------ state changes */

/* What the source holds for an account (the pre-state of the state's first transaction): the
 * values it gave when the account was first loaded (a source is a fixed pre-state), the balance
 * read now only if it never was (an account only credited, without a hint). */
static void source_account(pv_state *s, const acct *r, bool *exists, uint64_t *nonce, u256 *balance,
                           const pv_code **code, bool *has_storage)
{
    if (s->world) {
        const world_acct *w = r->world;
        *exists = w != NULL;
        *nonce = w ? w->nonce : 0;
        *balance = w ? w->balance : u256_zero();
        *code = w ? w->code : NULL;
        *has_storage = w && w->slot_count > 0;
        return;
    }
    size_t i = (size_t)(r - s->accts);
    const pv_account_basic *b = &s->loaded_basic[i];
    *exists = b->exists;
    *nonce = b->nonce;
    *code = b->code;
    *has_storage = b->has_storage;
    if (!s->balance_was_read[i] && !s->balance_hinted[i]) {
        s->loaded_balance[i] = s->src->fn->read_balance(s->src, &r->addr);
        s->balance_hinted[i] = true; /* load_balance below takes it from here */
    }
    *balance = s->loaded_balance[i];
}

static u256 source_slot(pv_state *s, const acct *r, const u256 *key)
{
    if (s->world) {
        const world_slot *ws = r->world ? world_slot_find(r->world, key) : NULL;
        return ws ? ws->value : u256_zero();
    }
    return s->src->fn->read_storage(s->src, &r->addr, key);
}


static void sort_slots(pv_slot_change *slots, size_t n);

/* A record that another thread reads next (the optimistic chunks' merge) goes past this CPU's
 * cache: its lines were read by the other CPU in the previous block's merge, and writing them
 * back into this cache first waited for that CPU to give them up (a quarter of the chunks'
 * collect on 10,000 transfers). The caller fences before the records are handed over. */
static inline void store_streaming(pv_account_change *dst, const pv_account_change *rec)
{
#if defined(__x86_64__)
    _Static_assert(sizeof *rec % 8 == 0, "whole words");
    long long w[sizeof *rec / 8];
    memcpy(w, rec, sizeof w);
    for (size_t i = 0; i < sizeof *rec / 8; i++)
        _mm_stream_si64((long long *)dst + i, w[i]);
#else
    *dst = *rec;
#endif
}

/* The changed accounts' records into out, in the state's order, each with its slots; returns how
 * many slot changes it made (slot_pool's length). The accounts loaded but not changed go to
 * unchanged (their record indexes; NULL: not wanted), *n_unchanged of them. With refs (the
 * unordered collect), each kept record's reference goes to refs[k] beside it, its slots are
 * sorted here (still in the cache) and the record is streamed (store_streaming), fenced at the
 * end. */
static size_t collect_unsorted(pv_state *s, pv_state_changes *out, uint32_t *unchanged, size_t *n_unchanged,
                               pv_change_ref *refs)
{
    memset(out, 0, sizeof *out);
    size_t nids;
    uint32_t *ids = live_slot_ids_by_acct(s, &nids);
    s->collecting = true;
    out->accounts = xrealloc(NULL, (s->nacct ? s->nacct : 1) * sizeof *out->accounts);
    out->slot_pool = xrealloc(NULL, (nids ? nids : 1) * sizeof *out->slot_pool);
    size_t nslots = 0, k = 0;
    for (size_t i = 0; i < s->nacct; i++) {
        acct *r = &s->accts[i];
        bool pre_exists, pre_has_storage;
        uint64_t pre_nonce;
        u256 pre_balance;
        const pv_code *pre_code;
        source_account(s, r, &pre_exists, &pre_nonce, &pre_balance, &pre_code, &pre_has_storage);
        load_balance(s, r);
        pv_account_change rec, *c = &rec;
        memset(c, 0, sizeof *c);
        c->address = r->addr;
        c->exists = r->exists;
        /* What decides whether the record is kept stays in locals: read back from the record,
         * the narrower stores just made to it could not be forwarded, and the load waited for
         * them to reach the cache (half of this function's samples on a block of transfers). */
        bool storage_reset = r->storage_cleared && pre_exists && pre_has_storage;
        c->storage_reset = storage_reset;
        if (r->exists) {
            c->nonce = r->nonce;
            c->balance = r->balance;
            c->code = r->code;
        }
        c->slots = out->slot_pool + nslots;
        size_t slots_count = 0;
        /* this account's slot records: ids[k..) while acct == i (ids sorted by acct) */
        while (k < nids && s->slots[ids[k]].acct < i)
            k++;
        for (; k < nids && s->slots[ids[k]].acct == i; k++) {
            const slot *sl = &s->slots[ids[k]];
            if (!r->exists)
                continue;
            /* the value loaded with the record (records made after a wipe are not compared) */
            u256 pre = r->storage_cleared ? u256_zero() : s->world ? source_slot(s, r, &sl->key) : s->loaded_slot[ids[k]];
            if (r->storage_cleared ? !u256_is_zero(&sl->value) : !u256_eq(&pre, &sl->value)) {
                out->slot_pool[nslots++] = (pv_slot_change){sl->key, sl->value};
                slots_count++;
            }
        }
        c->slots_count = slots_count;
        uint8_t changed_bits = 0;
        if (r->exists != pre_exists)
            changed_bits = PV_CHANGED_BASIC | PV_CHANGED_BALANCE;
        else if (r->exists)
            changed_bits = (r->nonce != pre_nonce || !pv_code_same(r->code, pre_code) ? PV_CHANGED_BASIC : 0) |
                           (!u256_eq(&r->balance, &pre_balance) ? PV_CHANGED_BALANCE : 0);
        c->changed = changed_bits;
        if (changed_bits || storage_reset || slots_count) {
            pv_account_change *dst = &out->accounts[out->count];
            if (refs) {
                sort_slots(rec.slots, slots_count);
                refs[out->count] = (pv_change_ref){pv_key64_be(rec.address.b), dst, slots_count};
                store_streaming(dst, &rec);
            } else {
                *dst = rec;
            }
            out->count++;
        } else {
            nslots -= slots_count;
            if (unchanged)
                unchanged[(*n_unchanged)++] = (uint32_t)i;
        }
    }
    free(ids);
#if defined(__x86_64__)
    if (refs)
        _mm_sfence();
#endif
    s->collecting = false;
    return nslots;
}

void pv_state_collect_changes(pv_state *s, pv_state_changes *out)
{
    collect_unsorted(s, out, NULL, NULL, NULL);
    pv_state_changes_sort(out);
}

void pv_state_changes_free(pv_state_changes *c)
{
    free(c->accounts);
    free(c->slot_pool);
    memset(c, 0, sizeof *c);
}

static int cmp_change_addr(const void *a, const void *b)
{
    return memcmp(((const pv_account_change *)a)->address.b, ((const pv_account_change *)b)->address.b, 20);
}

static int cmp_slot_change(const void *a, const void *b)
{
    const u256 *x = &((const pv_slot_change *)a)->key, *y = &((const pv_slot_change *)b)->key;
    return u256_lt(x, y) ? -1 : u256_eq(x, y) ? 0 : 1;
}

/* Big arrays are sorted on a 64-bit prefix of their key with a pointer beside it, then permuted:
 * comparison sorts of 100-byte records cost several times more (a block of 50,000 transfers
 * changes 100,000 accounts; a token's contract may change 40,000 slots). */
typedef struct keyed_ptr {
    uint64_t key;
    const void *p;
} keyed_ptr;

static int cmp_keyed_account(const void *a, const void *b)
{
    return cmp_change_addr(((const keyed_ptr *)a)->p, ((const keyed_ptr *)b)->p);
}

static int cmp_keyed_slot(const void *a, const void *b)
{
    return cmp_slot_change(((const keyed_ptr *)a)->p, ((const keyed_ptr *)b)->p);
}

/* Sorts n records of size bytes by (prefix, cmp) through a keyed index. */
/* The records of base sorted into a new array (the caller frees base, or copies back). */
static void *sorted_copy(const void *base, size_t n, size_t size, uint64_t (*prefix)(const void *),
                         int (*keyed_cmp)(const void *, const void *))
{
    keyed_ptr *k = xrealloc(NULL, n * sizeof *k);
    const unsigned char *b = base;
    for (size_t i = 0; i < n; i++)
        k[i] = (keyed_ptr){prefix(b + i * size), (void *)(b + i * size)};
    pv_sort_by_key64(k, n, sizeof *k);
    pv_sort_settle_ties(k, n, sizeof *k, keyed_cmp);
    unsigned char *out = xrealloc(NULL, n * size);
    for (size_t i = 0; i < n; i++)
        memcpy(out + i * size, k[i].p, size);
    free(k);
    return out;
}

static void sort_records(void *base, size_t n, size_t size, uint64_t (*prefix)(const void *),
                         int (*keyed_cmp)(const void *, const void *))
{
    void *out = sorted_copy(base, n, size, prefix, keyed_cmp);
    memcpy(base, out, n * size);
    free(out);
}

static uint64_t account_prefix(const void *a) { return pv_key64_be(((const pv_account_change *)a)->address.b); }
static uint64_t slot_prefix(const void *a) { return ((const pv_slot_change *)a)->key.w[3]; }

static int cmp_change_ref(const void *a, const void *b)
{
    return cmp_change_addr(((const pv_change_ref *)a)->change, ((const pv_change_ref *)b)->change);
}

static void sort_slots(pv_slot_change *slots, size_t n)
{
    if (n >= 256)
        sort_records(slots, n, sizeof *slots, slot_prefix, cmp_keyed_slot);
    else if (n > 1) /* most accounts have none or one: no call per account */
        qsort(slots, n, sizeof *slots, cmp_slot_change);
}

static void sort_each_accounts_slots(pv_state_changes *c)
{
    for (size_t i = 0; i < c->count; i++)
        sort_slots(c->accounts[i].slots, c->accounts[i].slots_count);
}

void pv_state_changes_sort(pv_state_changes *c)
{
    if (c->count >= 256) { /* the sorted copy replaces the array: no copy back */
        pv_account_change *sorted = sorted_copy(c->accounts, c->count, sizeof *c->accounts, account_prefix,
                                                cmp_keyed_account);
        free(c->accounts);
        c->accounts = sorted;
    } else
        qsort(c->accounts, c->count, sizeof *c->accounts, cmp_change_addr);
    sort_each_accounts_slots(c);
}

static int cmp_address_ref(const void *a, const void *b)
{
    return memcmp(((const pv_address_ref *)a)->addr->b, ((const pv_address_ref *)b)->addr->b, 20);
}

void pv_state_collect_changes_unordered(pv_state *s, pv_state_changes *out, pv_change_ref **order,
                                        size_t *slots_count, pv_address_ref **unchanged, size_t *n_unchanged)
{
    uint32_t *idx = xrealloc(NULL, (s->nacct ? s->nacct : 1) * sizeof *idx);
    pv_change_ref *k = xrealloc(NULL, (s->nacct ? s->nacct : 1) * sizeof *k);
    *n_unchanged = 0;
    *slots_count = collect_unsorted(s, out, idx, n_unchanged, k);
    pv_address_ref *u = xrealloc(NULL, (*n_unchanged ? *n_unchanged : 1) * sizeof *u);
    for (size_t i = 0; i < *n_unchanged; i++)
        u[i] = (pv_address_ref){pv_key64_be(s->accts[idx[i]].addr.b), &s->accts[idx[i]].addr};
    free(idx);
    pv_sort_by_key64(u, *n_unchanged, sizeof *u);
    pv_sort_settle_ties(u, *n_unchanged, sizeof *u, cmp_address_ref);
    *unchanged = u;
    pv_sort_by_key64(k, out->count, sizeof *k);
    pv_sort_settle_ties(k, out->count, sizeof *k, cmp_change_ref);
    *order = k;
}

bool pv_state_changes_equal(const pv_state_changes *a, const pv_state_changes *b, char *why, size_t why_len)
{
    char addr[43], x[67], y[67];
    size_t n = a->count < b->count ? a->count : b->count;
    for (size_t i = 0; i < n; i++) {
        const pv_account_change *p = &a->accounts[i], *q = &b->accounts[i];
        if (pv_address_eq(&p->address, &q->address) && p->exists == q->exists &&
            p->storage_reset == q->storage_reset && p->nonce == q->nonce && u256_eq(&p->balance, &q->balance) &&
            pv_code_same(p->code, q->code) && p->slots_count == q->slots_count &&
            (!p->slots_count || memcmp(p->slots, q->slots, p->slots_count * sizeof *p->slots) == 0))
            continue; /* the common case: no strings to build */
        pv_hex_encode(p->address.b, 20, addr);
        if (!pv_address_eq(&p->address, &q->address)) {
            char addr2[43];
            pv_hex_encode(q->address.b, 20, addr2);
            snprintf(why, why_len, "account #%zu: %s vs %s", i, addr, addr2);
            return false;
        }
        if (p->exists != q->exists || p->storage_reset != q->storage_reset) {
            snprintf(why, why_len, "%s: exists %d/%d, storage reset %d/%d", addr, p->exists, q->exists,
                     p->storage_reset, q->storage_reset);
            return false;
        }
        if (p->nonce != q->nonce) {
            snprintf(why, why_len, "%s: nonce %llu vs %llu", addr, (unsigned long long)p->nonce,
                     (unsigned long long)q->nonce);
            return false;
        }
        if (!u256_eq(&p->balance, &q->balance)) {
            u256_to_hex(&p->balance, x);
            u256_to_hex(&q->balance, y);
            snprintf(why, why_len, "%s: balance %s vs %s", addr, x, y);
            return false;
        }
        if (!pv_code_same(p->code, q->code)) {
            snprintf(why, why_len, "%s: code differs (%zu vs %zu bytes)", addr, p->code ? p->code->size : 0,
                     q->code ? q->code->size : 0);
            return false;
        }
        size_t m = p->slots_count < q->slots_count ? p->slots_count : q->slots_count;
        for (size_t j = 0; j <= m; j++) {
            if (j == m) {
                if (p->slots_count != q->slots_count) {
                    const pv_slot_change *extra = p->slots_count > m ? &p->slots[m] : &q->slots[m];
                    u256_to_hex(&extra->key, x);
                    snprintf(why, why_len, "%s: %zu vs %zu changed slots (first extra: %s)", addr,
                             p->slots_count, q->slots_count, x);
                    return false;
                }
                break;
            }
            const pv_slot_change *u = &p->slots[j], *v = &q->slots[j];
            if (!u256_eq(&u->key, &v->key) || !u256_eq(&u->value, &v->value)) {
                u256_to_hex(&u->key, x);
                u256_to_hex(&u->value, y);
                char x2[67], y2[67];
                u256_to_hex(&v->key, x2);
                u256_to_hex(&v->value, y2);
                snprintf(why, why_len, "%s: slot %s = %s vs slot %s = %s", addr, x, y, x2, y2);
                return false;
            }
        }
    }
    if (a->count != b->count) {
        const pv_account_change *extra = a->count > n ? &a->accounts[n] : &b->accounts[n];
        pv_hex_encode(extra->address.b, 20, addr);
        snprintf(why, why_len, "%zu vs %zu changed accounts (first extra: %s)", a->count, b->count, addr);
        return false;
    }
    if (why_len)
        why[0] = 0;
    return true;
}

/* ------------------------------------------------------------------ parallel support */

const bool *pv_state_halt_flag(pv_state *s) { return s->src ? &s->src->halted : NULL; }

static void idx_clear(idx_table *t)
{
    if (t->cap > 4096) {
        idx_free(t);
        return;
    }
    if (t->count) {
        memset(t->e, 0, t->cap * sizeof *t->e);
        t->count = 0;
    }
}

void pv_state_reset(pv_state *s, pv_state_source *src)
{
    s->read_hook = NULL;
    if (src->fn == &world_source_fn) {
        s->world = (const pv_world *)src;
        s->src = NULL;
        s->lazy_balance = false;
    } else {
        s->world = NULL;
        s->src = src;
        s->lazy_balance = src->lazy_balance;
    }
    s->nacct = s->nslot = s->ntslot = s->njournal = 0;
    idx_clear(&s->acct_index);
    idx_clear(&s->slot_index);
    idx_clear(&s->tslot_index);
    free_logs(s->logs, s->nlogs);
    s->nlogs = 0;
    s->ripemd_touched = false;
}

void pv_state_visit(pv_state *s, const pv_state_visitor *v, void *ctx)
{
    if (s->world) {
        fputs("parevm: pv_state_visit needs a state over a source\n", stderr);
        abort();
    }
    for (size_t i = 0; i < s->nacct; i++) {
        const acct *r = &s->accts[i];
        pv_state_visit_account a = {
            .addr = &r->addr,
            .loaded = &s->loaded_basic[i],
            .now = {r->exists, r->nonce, r->code, r->has_storage_pre},
            .destroyed = r->storage_cleared,
            .balance_read = s->balance_was_read[i],
            .loaded_balance = &s->loaded_balance[i],
            .balance_loaded = r->balance_loaded,
            .balance_or_delta = r->balance_loaded ? &r->balance : &r->balance_delta,
        };
        v->account(ctx, &a);
    }
    static const u256 zero;
    for (size_t i = 0; i < s->nslot; i++) {
        const slot *sl = &s->slots[i];
        const acct *ac = &s->accts[sl->acct];
        /* after a destruction the storage starts from zero, whatever the slot was loaded with
         * before it (as in pv_state_collect_changes) */
        if (sl->generation == ac->generation)
            v->slot(ctx, &sl->addr, &sl->key, ac->storage_cleared ? &zero : &s->loaded_slot[i], &sl->value);
    }
}
