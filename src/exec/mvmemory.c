/* Multi-version memory: per-location version lists over an insert-only concurrent map. */
#include "mvmemory.h"

#include "../util/sort.h"

#include "../util/pool.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

static void oom(void)
{
    fputs("parevm: out of memory (multi-version memory)\n", stderr);
    abort();
}

static void loc_init(void *value, const void *key, void *ctx)
{
    (void)key;
    (void)ctx;
    pv_mv_loc *l = value;
    atomic_flag_clear(&l->lock);
    l->entries = &l->inline_entry;
    l->cap = 1;
    l->n = 0;
}


static inline void loc_lock(pv_mv_loc *l)
{
    unsigned spins = 0;
    while (atomic_flag_test_and_set_explicit(&l->lock, memory_order_acquire)) {
        if (++spins > 100) {
            sched_yield(); /* the holder may have been preempted (more threads than cores) */
            spins = 0;
        }
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
}

static inline void loc_unlock(pv_mv_loc *l) { atomic_flag_clear_explicit(&l->lock, memory_order_release); }

void pv_mvmemory_init(pv_mvmemory *m, pv_state_source *pre, size_t expected)
{
    m->map = pv_cmap_new(sizeof(pv_loc), sizeof(pv_mv_loc), expected);
    pv_shared_arena_init(&m->lists, 0);
    m->pre = pre;
}

void pv_mvmemory_destroy(pv_mvmemory *m)
{
    pv_cmap_free(m->map, NULL); /* nodes and lists live in arenas: nothing to walk */
    pv_shared_arena_destroy(&m->lists);
    m->map = NULL;
}

pv_mv_loc *pv_mv_get(pv_mvmemory *m, const pv_loc *l, bool create)
{
    uint64_t h = pv_loc_hash(l);
    if (!create)
        return pv_cmap_find(m->map, l, h);
    return pv_cmap_get_or_insert(m->map, l, h, loc_init, NULL, NULL);
}

/* Index of the first entry with entry.tx >= tx. The end first: transactions mostly write in
 * order, and a hot location's list (a deposit address credited by most of a block, the
 * coinbase) is written by both workers, so each probe of a binary search was a line the other
 * one had just written. */
static uint32_t lower_bound(const pv_mv_loc *l, uint32_t tx)
{
    if (!l->n || l->entries[l->n - 1].tx < tx)
        return l->n;
    uint32_t lo = 0, hi = l->n - 1; /* entries[n - 1].tx >= tx */
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (l->entries[mid].tx < tx)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void pv_mv_write_entry(pv_mvmemory *m, pv_mv_loc *l, uint32_t tx, uint32_t incarnation, uint8_t flags, const pv_loc_value *v)
{
    loc_lock(l);
    uint32_t i = lower_bound(l, tx);
    if (i == l->n || l->entries[i].tx != tx) {
        if (l->n == l->cap) {
            uint32_t cap = l->cap * 2;
            pv_mv_entry *e = pv_shared_arena_alloc(&m->lists, cap * sizeof *e);
            memcpy(e, l->entries, l->n * sizeof *e);
            l->entries = e; /* the old array stays in the arena until the block ends */
            l->cap = cap;
        }
        memmove(&l->entries[i + 1], &l->entries[i], (l->n - i) * sizeof *l->entries);
        l->n++;
    }
    pv_mv_entry *e = &l->entries[i];
    e->tx = tx;
    e->incarnation = incarnation;
    e->flags = flags;
    e->v = *v;
    loc_unlock(l);
}

void pv_mv_remove_entry(pv_mv_loc *l, uint32_t tx)
{
    loc_lock(l);
    uint32_t i = lower_bound(l, tx);
    if (i < l->n && l->entries[i].tx == tx) {
        memmove(&l->entries[i], &l->entries[i + 1], (l->n - i - 1) * sizeof *l->entries);
        l->n--;
    }
    loc_unlock(l);
}

void pv_mv_mark_estimate(pv_mv_loc *l, uint32_t tx)
{
    loc_lock(l);
    uint32_t i = lower_bound(l, tx);
    if (i < l->n && l->entries[i].tx == tx)
        l->entries[i].flags |= PV_MV_ESTIMATE;
    loc_unlock(l);
}


bool pv_mv_has_versions_below(pv_mvmemory *m, const pv_loc *key, uint32_t tx)
{
    pv_mv_loc *l = pv_mv_get(m, key, false);
    if (!l)
        return false;
    loc_lock(l);
    bool any = l->n && l->entries[0].tx < tx;
    loc_unlock(l);
    return any;
}

pv_mv_read_status pv_mv_read_basic(pv_mvmemory *m, const pv_address *a, uint32_t tx, pv_account_basic *out,
                                   uint32_t *blocker, uint32_t *writer)
{
    pv_loc key;
    pv_loc_make(&key, PV_LOC_BASIC, a, NULL);
    pv_mv_loc *l = pv_mv_get(m, &key, false);
    *writer = UINT32_MAX;
    if (l) {
        loc_lock(l);
        uint32_t i = lower_bound(l, tx);
        if (i > 0) {
            /* Only the latest write matters: every BASIC write follows a BASIC read of the same
             * transaction, so a change further back re-validates that writer first. Its
             * has_storage is already false when it (or anything it read) destroyed the account. */
            const pv_mv_entry *e = &l->entries[i - 1];
            if (e->flags & PV_MV_ESTIMATE) {
                *blocker = e->tx;
                loc_unlock(l);
                return PV_MV_BLOCKED;
            }
            *out = e->v.basic;
            *writer = e->tx;
            loc_unlock(l);
            return PV_MV_OK;
        }
        loc_unlock(l);
    }
    m->pre->fn->read_basic(m->pre, a, out);
    return PV_MV_OK;
}

pv_mv_read_status pv_mv_read_balance(pv_mvmemory *m, const pv_address *a, uint32_t tx, u256 *out, uint32_t *blocker,
                                     bool *from_pre, uint32_t *full_at)
{
    *from_pre = false;
    if (full_at)
        *full_at = UINT32_MAX;
    pv_loc key;
    pv_loc_make(&key, PV_LOC_BALANCE, a, NULL);
    pv_mv_loc *l = pv_mv_get(m, &key, false);
    u256 sum = u256_zero();
    bool any = false;
    if (l) {
        loc_lock(l);
        uint32_t i = lower_bound(l, tx);
        any = i > 0;
        while (i > 0) {
            const pv_mv_entry *e = &l->entries[--i];
            if (e->flags & PV_MV_ESTIMATE) {
                *blocker = e->tx;
                loc_unlock(l);
                return PV_MV_BLOCKED;
            }
            u256_add(&sum, &sum, &e->v.value);
            if (!(e->flags & PV_MV_DELTA)) {
                if (full_at)
                    *full_at = e->tx;
                loc_unlock(l);
                *out = sum;
                return PV_MV_OK;
            }
        }
        loc_unlock(l);
    }
    u256 pre = m->pre->fn->read_balance(m->pre, a);
    *from_pre = !any;
    u256_add(out, &pre, &sum);
    return PV_MV_OK;
}

pv_mv_read_status pv_mv_read_storage(pv_mvmemory *m, const pv_address *a, const u256 *k, uint32_t tx, u256 *out,
                                     uint32_t *blocker, bool *from_pre)
{
    *from_pre = false;
    pv_loc key;
    pv_loc_make(&key, PV_LOC_STORAGE, a, k);
    pv_mv_loc *l = pv_mv_get(m, &key, false);
    bool have_write = false;
    uint32_t write_tx = 0;
    u256 value = u256_zero();
    if (l) {
        loc_lock(l);
        uint32_t i = lower_bound(l, tx);
        if (i > 0) {
            const pv_mv_entry *e = &l->entries[i - 1];
            if (e->flags & PV_MV_ESTIMATE) {
                *blocker = e->tx;
                loc_unlock(l);
                return PV_MV_BLOCKED;
            }
            have_write = true;
            write_tx = e->tx;
            value = e->v.value;
        }
        loc_unlock(l);
    }
    /* The floor: a destruction of the account after the slot's latest write zeroes it. */
    pv_loc bkey;
    pv_loc_make(&bkey, PV_LOC_BASIC, a, NULL);
    pv_mv_loc *b = pv_mv_get(m, &bkey, false);
    bool destroyed = false;
    if (b) {
        loc_lock(b);
        uint32_t i = lower_bound(b, tx);
        while (i > 0) {
            const pv_mv_entry *e = &b->entries[--i];
            if (have_write && e->tx < write_tx)
                break;
            if (e->flags & PV_MV_ESTIMATE) {
                *blocker = e->tx;
                loc_unlock(b);
                return PV_MV_BLOCKED;
            }
            if (e->flags & PV_MV_DESTROYED) {
                destroyed = true;
                break;
            }
        }
        loc_unlock(b);
    }
    if (destroyed) {
        *out = u256_zero();
    } else if (have_write) {
        *out = value;
    } else {
        *out = m->pre->fn->read_storage(m->pre, a, k);
        *from_pre = true;
    }
    return PV_MV_OK;
}

/* ---- final state changes ---- */

typedef struct loc_ref {
    uint64_t prefix;          /* the address's first 8 bytes, big-endian: most comparisons end here */
    const pv_loc *key;
    pv_mv_loc *loc;
} loc_ref;

typedef struct loc_list {
    loc_ref *v;
    size_t n, cap;
} loc_list;

static void collect_loc(const void *key, void *value, void *ctx)
{
    loc_list *ls = ctx;
    pv_mv_loc *l = value;
    if (!l->n)
        return;
    if (ls->n == ls->cap) {
        ls->cap = ls->cap ? ls->cap * 2 : 256;
        ls->v = realloc(ls->v, ls->cap * sizeof *ls->v);
        if (!ls->v)
            oom();
    }
    const pv_loc *k = key;
    uint64_t p;
    memcpy(&p, k->addr.b, 8);
    ls->v[ls->n++] = (loc_ref){__builtin_bswap64(p), k, l};
}

/* By address, then kind (BASIC, BALANCE, STORAGE), then storage key as a number: the order of
 * pv_state_changes, so no sort is needed afterwards. */
static int cmp_loc_ref(const void *a, const void *b)
{
    const loc_ref *p = a, *q = b;
    if (p->prefix != q->prefix)
        return p->prefix < q->prefix ? -1 : 1;
    const pv_loc *x = p->key, *y = q->key;
    int c = memcmp(x->addr.b + 8, y->addr.b + 8, 12);
    if (c)
        return c;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    for (int i = 3; i >= 0; i--)
        if (x->key.w[i] != y->key.w[i])
            return x->key.w[i] < y->key.w[i] ? -1 : 1;
    return 0;
}

/* One account's locations by value, for a radix sort: kind and the key's top word, then the
 * rest of the key for ties. */
typedef struct slot_sort_item {
    uint64_t k;               /* kind in the top 2 bits, then the key's top 62 bits */
    uint64_t w3, w2, w1, w0;
    loc_ref r;
} slot_sort_item;

static int cmp_slot_item(const void *a, const void *b)
{
    const slot_sort_item *p = a, *q = b;
    if (p->k != q->k)
        return p->k < q->k ? -1 : 1;
    const uint64_t *x = &p->w3, *y = &q->w3;
    for (int i = 0; i < 4; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

/* A long run of one address prefix: usually one contract's many slots. Sorted by comparing
 * copies (a qsort through the key pointers was a cache miss per comparison: 13 ms for the
 * 48,000 slots of one token in a mixed block); other runs by the full comparator. */
static void sort_long_run(loc_ref *v, size_t n)
{
    slot_sort_item *t = malloc(n * sizeof *t);
    if (!t)
        oom();
    /* one pass over the keys, which are scattered over the map's arena: each fetched ahead */
    for (size_t i = 0; i < n; i++) {
        if (i + 16 < n)
            __builtin_prefetch(v[i + 16].key);
        const pv_loc *k = v[i].key;
        if (memcmp(k->addr.b, v[0].key->addr.b, 20) != 0) { /* two accounts share the prefix */
            free(t);
            qsort(v, n, sizeof *v, cmp_loc_ref);
            return;
        }
        t[i] = (slot_sort_item){((uint64_t)k->kind << 62) | (k->key.w[3] >> 2), k->key.w[3], k->key.w[2],
                                k->key.w[1], k->key.w[0], v[i]};
    }
    pv_sort_by_key64(t, n, sizeof *t);
    pv_sort_settle_ties(t, n, sizeof *t, cmp_slot_item);
    for (size_t i = 0; i < n; i++)
        v[i] = t[i].r;
    free(t);
}

/* Sorts runs of equal address prefixes in v[lo, hi) by the full comparator. */
static void fix_ties(loc_ref *v, size_t lo, size_t hi)
{
    size_t ahead = lo; /* keys fetched up to here: a tie's comparisons read them */
    for (size_t i = lo; i < hi;) {
        size_t j = i + 1;
        while (j < hi && v[j].prefix == v[i].prefix)
            j++;
        for (; ahead < hi && ahead < j + 32; ahead++)
            if ((ahead > lo && v[ahead].prefix == v[ahead - 1].prefix) ||
                (ahead + 1 < hi && v[ahead].prefix == v[ahead + 1].prefix))
                __builtin_prefetch(v[ahead].key);
        if (j - i > 32) {
            sort_long_run(v + i, j - i);
        } else if (j - i > 1) {
            for (size_t a = i + 1; a < j; a++) { /* insertion sort: runs are short */
                loc_ref x = v[a];
                size_t b = a;
                while (b > i && cmp_loc_ref(&v[b - 1], &x) > 0) {
                    v[b] = v[b - 1];
                    b--;
                }
                v[b] = x;
            }
        }
        i = j;
    }
}

/* Orders v by address prefix only (the radix sort: qsort through the comparator was 0.3 ms of
 * a 1,100-transaction block's 0.7 ms finish). Runs of one prefix are left for fix_ties. */
static void sort_by_prefix(loc_ref *v, size_t n)
{
    pv_sort_by_key64(v, n, sizeof *v);
}


/* A slice of the sorted locations and what it contributes. A slice may start or end inside one
 * account's storage (a token with tens of thousands of slots must not keep one thread busy
 * while the others wait): a slice that starts inside an account contributes its slots as a
 * continuation of the previous slice's last record, and a slice that ends inside one emits that
 * account's record whatever its own part holds (the assembly decides whether it changed). */
typedef struct collect_chunk {
    pv_mvmemory *m;
    loc_ref *v;
    size_t lo, hi;
    size_t first_start;       /* where the account of v[lo] starts (< lo: a continuation) */
    bool open_end;            /* v[hi] is a slot of the account of v[hi - 1] */
    pv_account_change *accounts;
    size_t count;
    pv_slot_change *slot_pool;
    size_t nslots;
    size_t cont_slots;        /* slot_pool[0..cont_slots): the previous slice's last account's */
    bool all_continuation;    /* no record of its own: one account's slots from end to end */
    bool open_changed;        /* the open last record changed, slots apart */
} collect_chunk;

static bool same_account(const loc_ref *x, const loc_ref *y)
{
    return x->prefix == y->prefix && memcmp(x->key->addr.b, y->key->addr.b, 20) == 0;
}

/* Account-level outcome of the locations of one account that start at v[start]. */
typedef struct account_outcome {
    pv_account_basic pre, post;
    u256 pre_balance, balance;
    bool destroyed_ever;
    const pv_mv_loc *basic;
} account_outcome;

static void account_outcome_of(pv_mvmemory *m, const loc_ref *v, size_t start, size_t end, account_outcome *o)
{
    const pv_address *a = &v[start].key->addr;
    pv_source_read_account(m->pre, a, &o->pre, &o->pre_balance);
    o->post = o->pre;
    o->balance = o->pre_balance;
    o->destroyed_ever = false;
    o->basic = NULL;
    /* BASIC and BALANCE sort before the slots: the first locations of the account */
    for (size_t k = start; k < end && v[k].key->kind != PV_LOC_STORAGE; k++) {
        const pv_mv_loc *l = v[k].loc;
        if (v[k].key->kind == PV_LOC_BASIC) {
            o->basic = l;
            o->post = l->entries[l->n - 1].v.basic;
            for (uint32_t e = 0; e < l->n; e++)
                o->destroyed_ever |= (l->entries[e].flags & PV_MV_DESTROYED) != 0;
        } else {
            u256 sum = u256_zero();
            bool full = false;
            for (uint32_t e = l->n; e > 0 && !full; e--) {
                u256_add(&sum, &sum, &l->entries[e - 1].v.value);
                full = !(l->entries[e - 1].flags & PV_MV_DELTA);
            }
            if (full)
                o->balance = sum;
            else
                u256_add(&o->balance, &o->pre_balance, &sum);
        }
    }
}

/* The changed slots among v[from, to) (one account's), appended to pool; returns how many. */
static size_t changed_slots(pv_mvmemory *m, const loc_ref *v, size_t from, size_t to, const account_outcome *o,
                            pv_slot_change *pool)
{
    size_t n = 0;
    const pv_address *a = &v[from].key->addr;
    const pv_world *world = pv_source_world(m->pre);
    const pv_world_account *wa = world && !o->destroyed_ever ? pv_world_find_account(world, a) : NULL;
    for (size_t k = from; k < to; k++) {
        if (v[k].key->kind != PV_LOC_STORAGE)
            continue;
        if (k + 16 < to) {
            __builtin_prefetch(v[k + 16].loc);
            __builtin_prefetch(v[k + 16].key);
        }
        if (world && k + 8 < to)
            pv_world_prefetch_slot(wa, &v[k + 8].key->key);
        const pv_mv_loc *l = v[k].loc;
        const pv_mv_entry *w = &l->entries[l->n - 1];
        u256 value = w->v.value;
        for (uint32_t e = o->basic ? o->basic->n : 0; e > 0; e--) {
            const pv_mv_entry *be = &o->basic->entries[e - 1];
            if (be->tx < w->tx)
                break;
            if (be->flags & PV_MV_DESTROYED) {
                value = u256_zero();
                break;
            }
        }
        u256 key = v[k].key->key;
        bool differs;
        if (o->destroyed_ever) {
            differs = !u256_is_zero(&value);
        } else {
            u256 pre_value = world ? pv_world_account_storage(wa, &key) : m->pre->fn->read_storage(m->pre, a, &key);
            differs = !u256_eq(&value, &pre_value);
        }
        if (differs)
            pool[n++] = (pv_slot_change){key, value};
    }
    return n;
}

static void *collect_chunk_main(void *arg)
{
    collect_chunk *ch = arg;
    pv_mvmemory *m = ch->m;
    loc_ref *v = ch->v;
    size_t lo = ch->lo, hi = ch->hi;
    size_t naddr = 0, nslot = 0;
    for (size_t i = lo; i < hi; i++) {
        if (i + 16 < hi) /* keys and entries are scattered over the map's arena */
            __builtin_prefetch(v[i + 16].key);
        if (i == lo || !same_account(&v[i], &v[i - 1]))
            naddr++;
        if (v[i].key->kind == PV_LOC_STORAGE)
            nslot++;
    }
    ch->accounts = calloc(naddr + 1, sizeof *ch->accounts);
    ch->slot_pool = calloc(nslot + 1, sizeof *ch->slot_pool);
    if (!ch->accounts || !ch->slot_pool)
        oom();
    ch->count = ch->nslots = ch->cont_slots = 0;
    ch->all_continuation = false;
    /* Accounts are looked up in the pre-state in address order, all over its index: their
     * index entries fetched 16 locations ahead, their records 8 ahead. */
    const pv_world *world = pv_source_world(m->pre);
    for (size_t i = lo; i < hi;) {
        if (world && i + 16 < hi)
            pv_world_prefetch_account(world, &v[i + 16].key->addr, false);
        if (world && i + 8 < hi)
            pv_world_prefetch_account(world, &v[i + 8].key->addr, true);
        size_t j = i + 1;
        while (j < hi && same_account(&v[j], &v[i]))
            j++;
        bool continuation = i == lo && ch->first_start < lo;
        bool open = j == hi && ch->open_end;
        size_t start = continuation ? ch->first_start : i;
        account_outcome o;
        account_outcome_of(m, v, start, j, &o);
        if (continuation) {
            /* the slots of an account whose record the previous slice holds */
            if (o.post.exists)
                ch->cont_slots = changed_slots(m, v, i, j, &o, ch->slot_pool);
            ch->nslots = ch->cont_slots;
            ch->all_continuation = open;
            i = j;
            continue;
        }
        pv_account_change *c = &ch->accounts[ch->count];
        memset(c, 0, sizeof *c);
        c->address = v[i].key->addr;
        /* the decision from o and locals, not read back from *c (see collect_unsorted in
         * state.c: a load over several narrower fresh stores is not forwarded) */
        bool exists = o.post.exists, storage_reset = o.destroyed_ever && o.pre.exists && o.pre.has_storage;
        c->exists = exists;
        c->storage_reset = storage_reset;
        if (exists) {
            c->nonce = o.post.nonce;
            c->balance = o.balance;
            c->code = o.post.code;
        }
        c->slots = ch->slot_pool + ch->nslots;
        size_t slots_count = exists ? changed_slots(m, v, i, j, &o, ch->slot_pool + ch->nslots) : 0;
        c->slots_count = slots_count;
        bool fields_changed = exists != o.pre.exists || storage_reset ||
                              (exists && (o.post.nonce != o.pre.nonce || !u256_eq(&o.balance, &o.pre_balance) ||
                                          !pv_code_same(o.post.code, o.pre.code)));
        if (open || fields_changed || slots_count) {
            ch->count++;
            ch->nslots += slots_count;
        }
        if (open)
            ch->open_changed = fields_changed;
        i = j;
    }
    return NULL;
}

/* Cuts v[0, n) into `threads` slices of about equal length, inside an account only at a slot
 * (its BASIC and BALANCE, which sort first, stay with its record). */
static void slice_bounds(const loc_ref *v, size_t n, unsigned threads, collect_chunk *ch)
{
    size_t lo = 0;
    for (unsigned t = 0; t < threads; t++) {
        size_t hi = t + 1 == threads ? n : n * (t + 1) / threads;
        if (hi < lo)
            hi = lo;
        while (hi < n && hi > lo && same_account(&v[hi], &v[hi - 1]) && v[hi].key->kind != PV_LOC_STORAGE)
            hi++;
        ch[t].lo = lo;
        ch[t].hi = hi;
        ch[t].open_end = hi < n && hi > lo && same_account(&v[hi], &v[hi - 1]);
        size_t s = lo;
        while (s > 0 && lo < n && same_account(&v[s - 1], &v[lo]))
            s--;
        ch[t].first_start = s;
        lo = hi;
    }
}

/* Ties of the address prefix sorted by the full order, on whole accounts (a slice boundary may
 * fall inside an account only after this). */
typedef struct tie_job {
    loc_ref *v;
    size_t lo, hi;
} tie_job;

static void *tie_job_main(void *arg)
{
    tie_job *j = arg;
    fix_ties(j->v, j->lo, j->hi);
    return NULL;
}

void pv_mv_collect_changes(pv_mvmemory *m, pv_state_changes *out, unsigned threads)
{
    memset(out, 0, sizeof *out);
    loc_list ls = {0};
    pv_cmap_for_each(m->map, collect_loc, &ls);
    sort_by_prefix(ls.v, ls.n);
    if (threads < 1 || ls.n < 4096)
        threads = 1;
    if (threads > 16)
        threads = 16;
    /* ties first, on whole accounts (boundaries where the prefix changes) */
    {
        tie_job tj[16];
        void *targs[16];
        size_t lo = 0;
        for (unsigned t = 0; t < threads; t++) {
            size_t hi = t + 1 == threads ? ls.n : ls.n * (t + 1) / threads;
            if (hi < lo)
                hi = lo;
            while (hi < ls.n && hi > 0 && ls.v[hi].prefix == ls.v[hi - 1].prefix)
                hi++;
            tj[t] = (tie_job){ls.v, lo, hi};
            targs[t] = &tj[t];
            lo = hi;
        }
        if (threads == 1)
            tie_job_main(&tj[0]);
        else
            pv_pool_run(tie_job_main, targs, threads);
    }
    collect_chunk ch[16];
    void *args[16];
    memset(ch, 0, sizeof ch);
    slice_bounds(ls.v, ls.n, threads, ch);
    for (unsigned t = 0; t < threads; t++) {
        ch[t].m = m;
        ch[t].v = ls.v;
        args[t] = &ch[t];
    }
    if (threads == 1)
        collect_chunk_main(&ch[0]);
    else
        pv_pool_run(collect_chunk_main, args, threads);
    size_t count = 0, nslots = 0;
    for (unsigned t = 0; t < threads; t++) {
        count += ch[t].count;
        nslots += ch[t].nslots;
    }
    out->accounts = malloc((count + 1) * sizeof *out->accounts);
    out->slot_pool = malloc((nslots + 1) * sizeof *out->slot_pool);
    if (!out->accounts || !out->slot_pool)
        oom();
    /* In order; a record left open by one slice takes the next slices' continuation slots (its
     * own are the last before them in the pool) and is dropped if nothing about it changed. */
    size_t ai = 0, si = 0;
    bool open = false, open_changed = false;
    for (unsigned t = 0; t < threads; t++) {
        if (ch[t].lo == ch[t].hi) { /* an empty slice changes nothing, an open record stays open */
            free(ch[t].accounts);
            free(ch[t].slot_pool);
            continue;
        }
        if (ch[t].nslots)
            memcpy(out->slot_pool + si, ch[t].slot_pool, ch[t].nslots * sizeof *out->slot_pool);
        if (ch[t].cont_slots && open)
            out->accounts[ai - 1].slots_count += ch[t].cont_slots;
        if (!ch[t].all_continuation) {
            if (open && !open_changed && !out->accounts[ai - 1].slots_count)
                ai--;
            open = false;
            for (size_t k = 0; k < ch[t].count; k++) {
                pv_account_change *c = &out->accounts[ai++];
                *c = ch[t].accounts[k];
                c->slots = out->slot_pool + si + (size_t)(c->slots - ch[t].slot_pool);
            }
            if (ch[t].open_end && ch[t].count) {
                open = true;
                open_changed = ch[t].open_changed;
            }
        }
        si += ch[t].nslots;
        free(ch[t].accounts);
        free(ch[t].slot_pool);
    }
    if (open && !open_changed && !out->accounts[ai - 1].slots_count)
        ai--;
    out->count = ai;
    free(ls.v);
}
