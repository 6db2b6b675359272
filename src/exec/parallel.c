/*
 * Block-STM executor. Indexes: the scheduler numbers the block's transactions 0..n-1; in
 * multi-version memory transaction k is version k+1, version 0 holds the EIP-4788 system call
 * (run before the transactions) and version n+1 the withdrawals and mining rewards (run after).
 */
#include "parallel.h"
#include "chunks.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../state/cached_source.h"
#include "../util/arena.h"
#include "../util/clock.h"
#include "../util/pool.h"
#include "scheduler.h"

/* Below this many transactions "automatic" runs sequentially (see pv_auto_threads). */
#define PV_PARALLEL_MIN_TXS 2

/* From this many receipts on, both threads of the finish encode receipts (see the finish). A
 * receipts root costs about 0.3 us a receipt (its bloom alone is two Keccak blocks): 70 us for
 * block 8038679's 237, against 40-60 us for its changes, so the changes' thread finished first
 * and waited. Shared from 32 on, the finish of blocks of 60-240 receipts took 5-15% less
 * (interleaved runs: 7279999 0.085 -> 0.074 ms, 19933612 0.148 -> 0.136, 6137495 0.050 ->
 * 0.042); below, the two are too short to matter. */
#define PV_FINISH_SHARE_MIN_RECEIPTS 32

static void oom(void)
{
    fputs("parevm: out of memory (parallel executor)\n", stderr);
    abort();
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        oom();
    return p;
}

/* Gas limits are whatever senders wrote: their sums saturate. */
static inline uint64_t add_saturating(uint64_t a, uint64_t b) { return a + b < a ? UINT64_MAX : a + b; }

/* ------------------------------------------------------------------ per-transaction data */

typedef struct px_read {
    pv_loc loc;
    pv_loc_value v;               /* the value read; for an at-least read, the least it may be */
    bool from_pre;                /* no lower transaction's write decided it */
    bool at_least;                /* a balance read only as "at least v" (a sender's funds check) */
    bool was_at_least;            /* ... and what that answered */
    bool nonce_zero_only;         /* BASIC: the nonce mattered only as zero or not */
} px_read;

/* A published read set: immutable once published, in its worker's arena (freed with the
 * block), so validators read it through one atomic pointer load and no lock. */
typedef struct px_read_set {
    uint32_t n;
    px_read r[];
} px_read_set;

/* On cache lines of its own: neighbouring transactions usually run on different workers, and
 * shared lines bounced between them at every execution. */
typedef struct px_tx {
    _Alignas(64) px_read_set *_Atomic reads; /* the last incarnation's */
    pv_mv_loc **wlocs;            /* the last incarnation's write set */
    pv_loc *wkeys;
    uint8_t *wflags;
    uint32_t nwrites;
    pv_tx_error err;              /* outputs of the last incarnation */
    pv_receipt rc;
    uint8_t *bloom;               /* in the worker's arena; NULL when there are no logs */
    uint32_t incarnations;
    double exec_us;
    const u256 *_Atomic credit;   /* the last incarnation's credit to the coinbase (see below) */
} px_tx;

/*
 * The coinbase's credits. Every transaction pays the coinbase its tip, a DELTA nobody reads
 * (the coinbase's balance is read only by its own payouts and by contracts that look at it).
 * In multi-version memory they made one version list that both workers wrote at every
 * transaction, two cache lines handed across CPUs each time (5-7% of Block-STM's execution on
 * block 8889776). So a transaction's credit to the coinbase stays in its px_tx, immutable in its
 * worker's arena behind one pointer: NULL for none, CREDIT_ESTIMATE while the transaction is
 * being re-executed after an abort (as an ESTIMATE entry would be). A read of the coinbase's
 * balance takes multi-version memory's value (a full value written by a transaction that read
 * the balance, or the pre-state's) and adds the credits of the transactions between that and
 * the reader (read_balance); a credit that appears where an incarnation had none counts as a
 * write to a new location (record), so that the transactions above are validated again. The
 * block's changes get the credits as one delta (fold_coinbase_credits).
 */
#define CREDIT_ESTIMATE ((const u256 *)(uintptr_t)1)

typedef struct px_exec {
    const pv_block *b;
    pv_mvmemory mv;
    pv_scheduler sched;
    px_tx *txs;                   /* n + 2 versions */
    uint32_t n;
    uint32_t *pred;               /* version -> version of the sender's previous transaction, 0 = none */
    uint32_t *prev_call;          /* tx -> 1 + the previous transaction to the same address, 0 = none */
    uint8_t *same_call;           /* tx -> its call data is the previous caller's */
    bool timing;                  /* measure each execution (for traces only: clock reads cost) */
    atomic_uint_fast64_t executions, validations, aborts;
    uint32_t prefix;              /* transactions [0, prefix) reserved for worker 0 (0: none) ... */
    uint32_t prefix_ran;          /* ... of which it ran [0, prefix_ran) (the rest was taken back) */
    /* The prefix's claims: limit << 32 | next (worker 0 takes next while next < limit; an idle
     * worker lowers limit to take the top of what is left). On a line of its own. */
    _Alignas(64) atomic_uint_fast64_t prefix_claims;
    pv_slow_source prefix_src;    /* what the prefix's state reads: the pre-state (latency 0) */
    bool timeline;                /* record_timeline */
    uint64_t origin_ns;           /* the timeline's zero */
} px_exec;

/* ------------------------------------------------------------------ a transaction's view */

/* The state source one incarnation reads through: multi-version memory at its version, with
 * every read recorded (the read set) and repeated reads answered from the record. */
typedef struct px_view {
    pv_state_source base;
    px_exec *ex;
    uint32_t version;
    bool blocked;
    uint32_t blocker;             /* version whose ESTIMATE (or pending nonce) stopped us */
    pv_address sender;
    uint32_t pred;
    px_read *reads;
    uint32_t nreads, cap_reads;
} px_view;


static void view_reset(px_view *v, uint32_t version, const pv_address *sender, uint32_t pred)
{
    v->version = version;
    v->blocked = false;
    v->base.halted = false;
    v->nreads = 0;
    if (sender)
        v->sender = *sender;
    v->pred = pred;
}

/* Appends a read to the read set. The state asks a source once per location and incarnation
 * (its records cache the answers), so there is nothing to deduplicate; a repeated read after a
 * revert only adds an entry that validation checks like the first. */
static px_read *view_record(px_view *v, const pv_loc *l, const pv_loc_value *val, bool from_pre)
{
    if (v->nreads == v->cap_reads) {
        v->cap_reads = v->cap_reads ? v->cap_reads * 2 : 64;
        v->reads = xrealloc(v->reads, v->cap_reads * sizeof *v->reads);
    }
    px_read *r = &v->reads[v->nreads++];
    r->loc = *l;
    r->v = *val;
    r->from_pre = from_pre;
    r->at_least = false;
    r->nonce_zero_only = false;
    return r;
}

static void view_block(px_view *v, uint32_t blocker)
{
    v->blocked = true;
    v->blocker = blocker;
    v->base.halted = true;
}

static void v_read_basic(pv_state_source *src, const pv_address *a, pv_account_basic *out)
{
    px_view *v = (px_view *)src;
    memset(out, 0, sizeof *out);
    if (v->blocked)
        return;
    uint32_t blocker, writer;
    for (int look = 0;; look++) {
        if (pv_mv_read_basic(&v->ex->mv, a, v->version, out, &blocker, &writer) == PV_MV_BLOCKED) {
            view_block(v, blocker);
            return;
        }
        /* The sender's previous transaction has not run yet: its nonce is coming. Wait for it
         * instead of failing with a nonce that is too high and being aborted later. */
        if (!v->pred || (writer != UINT32_MAX && writer >= v->pred) || !pv_address_eq(a, &v->sender))
            break;
        if (!pv_scheduler_is_executed(&v->ex->sched, v->pred - 1)) {
            view_block(v, v->pred);
            return;
        }
        /* It finished between the two looks (its writes go in before its status): look once
         * more, or the stale nonce costs an abort (1 in make check's runs of the busy sender) */
        if (look)
            break;
    }
    pv_loc l;
    pv_loc_make(&l, PV_LOC_BASIC, a, NULL);
    pv_loc_value val;
    val.basic = *out;
    view_record(v, &l, &val, writer == UINT32_MAX);
}

/* Adds to *sum the coinbase credits of the versions after full_at (UINT32_MAX: from the first)
 * and below version; *last: the last version with one (unchanged if none). PV_MV_BLOCKED with
 * *blocker at a credit being re-executed. */
static pv_mv_read_status add_credits(px_exec *ex, uint32_t full_at, uint32_t version, u256 *sum, uint32_t *blocker,
                                     uint32_t *last)
{
    for (uint32_t k = full_at == UINT32_MAX ? 0 : full_at + 1; k < version; k++) {
        const u256 *c = atomic_load_explicit(&ex->txs[k].credit, memory_order_acquire);
        if (c == CREDIT_ESTIMATE) {
            *blocker = k;
            return PV_MV_BLOCKED;
        }
        if (c) {
            u256_add(sum, sum, c);
            *last = k;
        }
    }
    return PV_MV_OK;
}

/* a's balance at version: multi-version memory's, plus, for the coinbase, the credits of the
 * transactions between the full value and version (*from_pre is never set for it: the credits
 * are not in multi-version memory, so validation must look again). */
static pv_mv_read_status read_balance(px_exec *ex, const pv_address *a, uint32_t version, u256 *out,
                                      uint32_t *blocker, bool *from_pre)
{
    if (!pv_address_eq(a, &ex->b->env.coinbase))
        return pv_mv_read_balance(&ex->mv, a, version, out, blocker, from_pre, NULL);
    uint32_t full_at, last;
    pv_mv_read_status s = pv_mv_read_balance(&ex->mv, a, version, out, blocker, from_pre, &full_at);
    *from_pre = false;
    return s == PV_MV_OK ? add_credits(ex, full_at, version, out, blocker, &last) : s;
}

/* a's balance at this version, recorded in the read set (NULL when blocked: nothing recorded). */
static px_read *view_read_balance(px_view *v, const pv_address *a, u256 *out)
{
    pv_loc_value val;
    uint32_t blocker;
    bool from_pre;
    if (v->blocked)
        return NULL;
    if (read_balance(v->ex, a, v->version, &val.value, &blocker, &from_pre) == PV_MV_BLOCKED) {
        view_block(v, blocker);
        return NULL;
    }
    pv_loc l;
    pv_loc_make(&l, PV_LOC_BALANCE, a, NULL);
    *out = val.value;
    return view_record(v, &l, &val, from_pre);
}

static u256 v_read_balance(pv_state_source *src, const pv_address *a)
{
    u256 bal;
    return view_read_balance((px_view *)src, a, &bal) ? bal : u256_zero();
}

static u256 v_read_storage(pv_state_source *src, const pv_address *a, const u256 *key)
{
    px_view *v = (px_view *)src;
    if (v->blocked)
        return u256_zero();
    pv_loc_value val;
    uint32_t blocker;
    bool from_pre;
    if (pv_mv_read_storage(&v->ex->mv, a, key, v->version, &val.value, &blocker, &from_pre) == PV_MV_BLOCKED) {
        view_block(v, blocker);
        return u256_zero();
    }
    pv_loc l;
    pv_loc_make(&l, PV_LOC_STORAGE, a, key);
    view_record(v, &l, &val, from_pre);
    return val.value;
}

/* A sender's funds check: whether the balance covers *min, recorded as that and not as the
 * balance itself, so that an earlier transaction of the same sender whose gas changes on
 * re-execution does not abort this one unless the answer changes (either way: a transaction
 * found without funds is re-executed when they arrive). Validation re-asks; the debits then go
 * to multi-version memory as deltas. */
static bool v_balance_at_least(pv_state_source *src, const pv_address *a, const u256 *min)
{
    u256 bal;
    px_read *r = view_read_balance((px_view *)src, a, &bal);
    if (!r)
        return true; /* blocked: the incarnation is abandoned */
    r->v.value = *min; /* kept: the question and its answer, not the balance */
    r->at_least = true;
    r->was_at_least = !u256_lt(&bal, min);
    return r->was_at_least;
}

static const pv_state_source_fn view_fn = {v_read_basic, v_read_balance, v_read_storage, NULL, NULL,
                                           v_balance_at_least};

/* ------------------------------------------------------------------ write sets */

typedef struct worker {
    _Alignas(64) px_exec *ex;     /* a worker's counters are written at every task: lines of its own */
    px_view view;
    pv_arena arena;               /* published read and write sets (live until the block ends) */
    pv_state *st;
    pv_mv_write *writes;
    uint32_t nwrites, cap_writes;
    bool has_credit;              /* the execution's credit to the coinbase (not in writes) */
    u256 credit;
    pv_mv_loc **sorted_new, **sorted_old;
    uint32_t cap_sorted;
    uint64_t executions, validations, aborts;
    pv_sched_worker sched;        /* its claimed run of execution indexes */
    pv_bloom_cache bloom_cache;   /* the block's addresses and topics this worker has hashed ... */
    pv_bloom_batch blooms;        /* ... and those waiting (flushed when the worker stops) */
    bool runs_prefix;             /* worker 0 of a block with a sequential prefix, until it has */
    unsigned index;
    pv_timeline_event *events;    /* its tasks, with record_timeline */
    size_t nevents, cap_events;
} worker;

static void add_write(worker *w, const pv_loc *l, uint8_t flags, const pv_loc_value *v)
{
    if (w->nwrites == w->cap_writes) {
        w->cap_writes = w->cap_writes ? w->cap_writes * 2 : 64;
        w->writes = xrealloc(w->writes, w->cap_writes * sizeof *w->writes);
    }
    pv_mv_write *x = &w->writes[w->nwrites++];
    x->loc = *l;
    x->flags = flags;
    x->v = *v;
}

/* The start of a task for the timeline: 0 when none is recorded (no clock read). */
static inline uint64_t task_start(const px_exec *ex)
{
    return ex->timeline ? pv_now_ns() : 0;
}

/* A task that began at start (task_start) ends now. */
static void task_end(worker *w, pv_timeline_kind kind, uint32_t tx, uint32_t incarnation, uint64_t start)
{
    const px_exec *ex = w->ex;
    if (!ex->timeline)
        return;
    uint64_t end = pv_now_ns();
    if (w->nevents == w->cap_events) {
        w->cap_events = w->cap_events ? w->cap_events * 2 : 256;
        w->events = xrealloc(w->events, w->cap_events * sizeof *w->events);
    }
    w->events[w->nevents++] = (pv_timeline_event){.start_us = (double)(start - ex->origin_ns) / 1e3,
                                                  .end_us = (double)(end - ex->origin_ns) / 1e3,
                                                  .tx = tx,
                                                  .incarnation = incarnation,
                                                  .worker = (uint16_t)w->index,
                                                  .kind = (uint8_t)kind};
}

const char *pv_timeline_kind_name(pv_timeline_kind k)
{
    static const char *const names[PV_TL_KINDS] = {"prefix", "publish", "execute", "suspend",
                                                   "validate", "invalid", "suffix"};
    return (unsigned)k < PV_TL_KINDS ? names[k] : "?";
}

static bool basic_eq(const pv_account_basic *a, const pv_account_basic *b)
{
    return a->exists == b->exists && a->nonce == b->nonce && a->code == b->code && a->has_storage == b->has_storage;
}

/* The same for a read whose nonce mattered only as zero or not (relax_basic_reads). */
static bool basic_eq_nonce_zero(const pv_account_basic *a, const pv_account_basic *b)
{
    return a->exists == b->exists && (a->nonce == 0) == (b->nonce == 0) && a->code == b->code &&
           a->has_storage == b->has_storage;
}

/*
 * An account's nonce changes with every transaction it sends, and a transaction that only calls
 * it, pays it or checks its existence reads its BASIC location too: validated exactly, a busy
 * sender's nonce would abort every transaction above that touched it (block 8889776: a
 * transaction calling a contract that reads an exchange's account, re-executed in 94% of runs
 * behind the exchange's 40 transactions). When the incarnation never asked for the exact nonce
 * (pv_state_nonce_was_read: only emptiness looked at it) and did not write the location (a
 * written BASIC carries the nonce it read), the read is validated on the nonce being zero or
 * not, with existence, code and storage presence still exact.
 */
static void relax_basic_reads(worker *w)
{
    for (uint32_t i = 0; i < w->view.nreads; i++) {
        px_read *r = &w->view.reads[i];
        if (r->loc.kind != PV_LOC_BASIC || pv_state_nonce_was_read(w->st, &r->loc.addr))
            continue;
        bool written = false;
        for (uint32_t k = 0; k < w->nwrites && !written; k++)
            written = w->writes[k].loc.kind == PV_LOC_BASIC && pv_address_eq(&w->writes[k].loc.addr, &r->loc.addr);
        r->nonce_zero_only = !written;
    }
}

/* A location is written when its value differs from what the transaction read (every write
 * follows a read of the same location, except a pending credit, which is a DELTA). */
static void visit_account(void *ctx, const pv_state_visit_account *a)
{
    worker *w = ctx;
    pv_loc l;
    pv_loc_value val;
    if (a->destroyed || !basic_eq(a->loaded, &a->now)) {
        pv_loc_make(&l, PV_LOC_BASIC, a->addr, NULL);
        val.basic = a->now;
        add_write(w, &l, a->destroyed ? PV_MV_DESTROYED : 0, &val);
    }
    if (a->balance_loaded) {
        if (!a->balance_read || !u256_eq(a->loaded_balance, a->balance_or_delta)) {
            pv_loc_make(&l, PV_LOC_BALANCE, a->addr, NULL);
            val.value = *a->balance_or_delta;
            add_write(w, &l, 0, &val);
        }
    } else if (!u256_is_zero(a->balance_or_delta)) {
        if (pv_address_eq(a->addr, &w->ex->b->env.coinbase)) {
            w->has_credit = true;
            w->credit = *a->balance_or_delta;
            return;
        }
        pv_loc_make(&l, PV_LOC_BALANCE, a->addr, NULL);
        val.value = *a->balance_or_delta;
        add_write(w, &l, PV_MV_DELTA, &val);
    }
}

static void visit_slot(void *ctx, const pv_address *a, const u256 *key, const u256 *loaded, const u256 *value)
{
    worker *w = ctx;
    if (!u256_eq(loaded, value)) {
        pv_loc l;
        pv_loc_make(&l, PV_LOC_STORAGE, a, key);
        pv_loc_value val;
        val.value = *value;
        add_write(w, &l, 0, &val);
    }
}

static const pv_state_visitor write_visitor = {visit_account, visit_slot};

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
    return (x > y) - (x < y);
}

/*
 * MVMemory.record: publishes the worker's write set (and read set) as the new incarnation of
 * `version`, removes what the previous incarnation wrote and this one did not, and says whether
 * this one wrote a location the previous did not (then everything above must be re-validated).
 */
static bool record(px_exec *ex, worker *w, uint32_t version, uint32_t incarnation)
{
    px_tx *t = &ex->txs[version];
    uint32_t n = w->nwrites;
    if (n > w->cap_sorted || t->nwrites > w->cap_sorted) {
        w->cap_sorted = (n > t->nwrites ? n : t->nwrites) * 2 + 16;
        w->sorted_new = xrealloc(w->sorted_new, w->cap_sorted * sizeof *w->sorted_new);
        w->sorted_old = xrealloc(w->sorted_old, w->cap_sorted * sizeof *w->sorted_old);
    }
    pv_mv_loc **wlocs = pv_arena_alloc(&w->arena, n * sizeof *wlocs);
    pv_loc *wkeys = pv_arena_alloc(&w->arena, n * sizeof *wkeys);
    uint8_t *wflags = pv_arena_alloc(&w->arena, n);
    for (uint32_t i = 0; i < n; i++) {
        pv_mv_loc *loc = pv_mv_get(&ex->mv, &w->writes[i].loc, true);
        pv_mv_write_entry(&ex->mv, loc, version, incarnation, w->writes[i].flags, &w->writes[i].v);
        w->sorted_new[i] = wlocs[i] = loc;
        wkeys[i] = w->writes[i].loc;
        wflags[i] = w->writes[i].flags;
    }
    /* The credit to the coinbase goes out before the previous incarnation's entries are
     * removed: a reader meets the entry (ESTIMATE) or the credit, never neither. */
    bool wrote_new = false;
    {
        const u256 *prev = atomic_load_explicit(&t->credit, memory_order_relaxed), *now = NULL;
        if (w->has_credit) {
            u256 *c = pv_arena_alloc(&w->arena, sizeof *c);
            *c = w->credit;
            now = c;
            wrote_new = !prev; /* ESTIMATE: the aborted incarnation had one */
        }
        atomic_store_explicit(&t->credit, now, memory_order_release);
    }
    if (t->nwrites)
        memcpy(w->sorted_old, t->wlocs, t->nwrites * sizeof *t->wlocs);
    if (n <= 16 && t->nwrites <= 16) {
        /* small sets (almost all): quadratic scans beat sorting */
        for (uint32_t i = 0; i < n; i++) {
            bool seen = false;
            for (uint32_t j = 0; j < t->nwrites && !seen; j++)
                seen = w->sorted_old[j] == w->sorted_new[i];
            wrote_new |= !seen;
        }
        for (uint32_t j = 0; j < t->nwrites; j++) {
            bool kept = false;
            for (uint32_t i = 0; i < n && !kept; i++)
                kept = w->sorted_new[i] == w->sorted_old[j];
            if (!kept)
                pv_mv_remove_entry(w->sorted_old[j], version);
        }
    } else {
        qsort(w->sorted_new, n, sizeof *w->sorted_new, cmp_ptr);
        qsort(w->sorted_old, t->nwrites, sizeof *w->sorted_old, cmp_ptr);
        uint32_t i = 0, j = 0;
        while (i < n || j < t->nwrites) {
            if (j == t->nwrites || (i < n && w->sorted_new[i] < w->sorted_old[j])) {
                wrote_new = true;
                i++;
            } else if (i == n || w->sorted_old[j] < w->sorted_new[i]) {
                pv_mv_remove_entry(w->sorted_old[j], version);
                j++;
            } else {
                i++;
                j++;
            }
        }
    }
    /* The write set (only this transaction's executor and its aborting validator use it). */
    t->wlocs = wlocs;
    t->wkeys = wkeys;
    t->wflags = wflags;
    t->nwrites = n;
    /* The read set, published under the lock validators take. */
    px_read_set *rs = pv_arena_alloc(&w->arena, sizeof *rs + w->view.nreads * sizeof(px_read));
    rs->n = w->view.nreads;
    if (rs->n)
        memcpy(rs->r, w->view.reads, rs->n * sizeof(px_read));
    atomic_store_explicit(&t->reads, rs, memory_order_release);
    w->view.nreads = 0;
    return wrote_new;
}

/* ------------------------------------------------------------------ execution and validation */

typedef struct exec_outcome {
    bool blocked;
    uint32_t blocker;             /* scheduler index */
    bool wrote_new;
} exec_outcome;

/* An execution's receipt and error become t's (the previous incarnation's receipt is freed);
 * its bloom is queued in the worker's batch (complete at the flush). */
static void keep_outcome(worker *w, px_tx *t, pv_tx_error err, const pv_receipt *rc)
{
    pv_receipt_free(&t->rc);
    t->rc = *rc;
    t->err = err;
    t->bloom = NULL;
    if (rc->logs_count) {
        t->bloom = pv_arena_alloc(&w->arena, 256);
        memset(t->bloom, 0, 256);
        pv_bloom_batch_add_logs(&w->blooms, t->bloom, rc->logs, rc->logs_count);
    }
    t->incarnations++;
}

/* Runs one pseudo-transaction (system call or rewards) at `version` and records it. */
static void run_block_step(px_exec *ex, worker *w, uint32_t version, bool rewards, bool *uncles_missing)
{
    view_reset(&w->view, version, NULL, 0);
    pv_state_reset(w->st, &w->view.base);
    if (rewards)
        *uncles_missing = pv_block_finish_rewards(w->st, ex->b);
    else
        pv_block_beacon_root_call(w->st, ex->b);
    w->nwrites = 0;
    w->has_credit = false;
    pv_state_visit(w->st, &write_visitor, w);
    record(ex, w, version, 0);
}

/* prev[k] = 1 + the index of the latest transaction before k with k's address (its sender, or
 * with by_recipient its recipient: a creation has none), 0 for none; n entries. A small open-
 * addressing table of the latest transaction per address. Aborts on OOM. */
static void link_same_address(const pv_tx *txs, uint32_t n, bool by_recipient, uint32_t *prev)
{
    uint32_t cap = 64;
    while (cap < 2 * n)
        cap <<= 1;
    uint32_t *last = calloc(cap, sizeof *last);
    if (!last)
        oom();
    for (uint32_t k = 0; k < n; k++) {
        prev[k] = 0;
        if (by_recipient && txs[k].is_create)
            continue;
        const pv_address *a = by_recipient ? &txs[k].to : &txs[k].sender;
        uint32_t i = (uint32_t)pv_hash_bytes(a->b, 20) & (cap - 1);
        while (last[i] && !pv_address_eq(by_recipient ? &txs[last[i] - 1].to : &txs[last[i] - 1].sender, a))
            i = (i + 1) & (cap - 1);
        prev[k] = last[i];
        last[i] = k + 1;
    }
    free(last);
}

/* Each transaction's previous caller of the same address and whether it repeats that one's call
 * data, for the scheduler (pv_scheduler_link_callers); aborts on OOM. */
static void link_callers(px_exec *ex)
{
    uint32_t n = ex->n;
    const pv_tx *txs = ex->b->txs;
    ex->prev_call = calloc((size_t)n + 1, sizeof *ex->prev_call);
    ex->same_call = calloc((size_t)n + 1, sizeof *ex->same_call);
    if (!ex->prev_call || !ex->same_call)
        oom();
    link_same_address(txs, n, true, ex->prev_call);
    for (uint32_t k = 0; k < n; k++) {
        const pv_tx *prev = ex->prev_call[k] ? &txs[ex->prev_call[k] - 1] : NULL;
        ex->same_call[k] = prev && txs[k].data_size && prev->data_size == txs[k].data_size &&
                           memcmp(prev->data, txs[k].data, txs[k].data_size) == 0;
    }
    pv_scheduler_link_callers(&ex->sched, ex->prev_call, ex->same_call);
}

/* Runs transaction k as `incarnation` and records it. block_gas_used is 0 in the parallel phase
 * (the gas before a transaction is not known there) and exact in the sequential suffix. */
static exec_outcome execute(px_exec *ex, worker *w, uint32_t k, uint32_t incarnation, uint64_t block_gas_used)
{
    exec_outcome o = {false, 0, false};
    uint32_t version = k + 1;
    const pv_tx *tx = &ex->b->txs[k];
    px_tx *t = &ex->txs[version];
    /* its record is written when the transaction ends: fetched for writing now (the caller
     * zeroed it, the other worker may have written the lines around it) */
    pv_prefetch_lines_for_write(t, sizeof *t);
    w->executions++;
    double t0 = ex->timing ? pv_now_ms() : 0;
    view_reset(&w->view, version, &tx->sender, ex->pred[version]);
    /* The sender's and the recipient's locations are about to be looked up: start the misses. */
    {
        pv_loc l;
        pv_loc_make(&l, PV_LOC_BASIC, &tx->sender, NULL);
        pv_cmap_prefetch(ex->mv.map, pv_loc_hash(&l));
        l.kind = PV_LOC_BALANCE;
        pv_cmap_prefetch(ex->mv.map, pv_loc_hash(&l));
        if (!tx->is_create) {
            pv_loc_make(&l, PV_LOC_BASIC, &tx->to, NULL);
            pv_cmap_prefetch(ex->mv.map, pv_loc_hash(&l));
            l.kind = PV_LOC_BALANCE;
            pv_cmap_prefetch(ex->mv.map, pv_loc_hash(&l));
        }
    }
    pv_receipt rc;
    memset(&rc, 0, sizeof rc);
    pv_state_reset(w->st, &w->view.base);
    pv_tx_error err = pv_transact(w->st, &ex->b->env, ex->b->fork, tx, block_gas_used, &rc);
    if (w->view.blocked) {
        pv_receipt_free(&rc);
        o.blocked = true;
        o.blocker = w->view.blocker - 1;
        return o;
    }
    w->nwrites = 0;
    w->has_credit = false;
    if (err == PV_TX_VALID)
        pv_state_visit(w->st, &write_visitor, w);
    relax_basic_reads(w);
    keep_outcome(w, t, err, &rc);
    if (ex->timing)
        t->exec_us = (pv_now_ms() - t0) * 1e3;
    o.wrote_new = record(ex, w, version, incarnation);
    return o;
}

static bool loc_value_eq(uint8_t kind, const pv_loc_value *a, const pv_loc_value *b)
{
    return kind == PV_LOC_BASIC ? basic_eq(&a->basic, &b->basic) : u256_eq(&a->value, &b->value);
}

/* Re-reads the read set of version's last incarnation: still what it saw? If not, *conflict is
 * the address of the first location that changed. */
static bool validate(px_exec *ex, uint32_t version, pv_address *conflict)
{
    px_tx *t = &ex->txs[version];
    bool ok = true;
    const px_read_set *rs = atomic_load_explicit(&t->reads, memory_order_acquire);
    for (uint32_t i = 0; rs && i < rs->n && ok; i++) {
        const px_read *r = &rs->r[i];
        pv_address a = r->loc.addr;
        if (r->from_pre && !pv_mv_has_versions_below(&ex->mv, &r->loc, version)) {
            /* No lower transaction has written this location: still the pre-state (the
             * pre-state never changes), unless a storage slot's account was destroyed below. */
            if (r->loc.kind != PV_LOC_STORAGE)
                continue;
            pv_loc b;
            pv_loc_make(&b, PV_LOC_BASIC, &a, NULL);
            if (!pv_mv_has_versions_below(&ex->mv, &b, version))
                continue;
        }
        pv_loc_value now;
        memset(&now, 0, sizeof now);
        uint32_t blocker, writer;
        bool pre;
        pv_mv_read_status s;
        if (r->loc.kind == PV_LOC_BASIC) {
            s = pv_mv_read_basic(&ex->mv, &a, version, &now.basic, &blocker, &writer);
        } else if (r->loc.kind == PV_LOC_BALANCE) {
            s = read_balance(ex, &a, version, &now.value, &blocker, &pre);
        } else {
            s = pv_mv_read_storage(&ex->mv, &a, &r->loc.key, version, &now.value, &blocker, &pre);
        }
        ok = s == PV_MV_OK &&
             (r->at_least          ? !u256_lt(&now.value, &r->v.value) == r->was_at_least
              : r->nonce_zero_only ? basic_eq_nonce_zero(&r->v.basic, &now.basic)
                                   : loc_value_eq(r->loc.kind, &r->v, &now));
        if (!ok)
            *conflict = a;
    }
    return ok;
}

/*
 * Contracts that their callers contend on. A contract whose every call updates the same slots (a
 * sale's running total, a mint counter, a pool's reserves) chains its callers: each reads what
 * the previous one wrote. Block-STM learns such a chain only by failing: a worker that takes the
 * next caller while the other still executes the one before reads the old value, is validated,
 * aborts, and runs it again, for every caller of the chain (block 6137495: 34 calls of one
 * contract's fallback, 25-33 re-executions a run). So an abort on the called contract's own
 * state (the location that changed is its account or one of its slots) is reported to the
 * scheduler, which, once such aborts are frequent among the contract's callers, makes each of
 * them wait until the previous one has executed (pv_scheduler_note_contention). Only the
 * schedule changes: whatever a caller then reads is validated as always. A contract that callers seldom contend on (a router, a token
 * whose transfers touch different holders) keeps its callers independent. One prediction needs
 * no abort: a caller whose call data is its previous caller's, byte for byte, calls the same
 * function with the same arguments and waits for it from the start (block 10760440: three bots'
 * bundles of 4-10 identical calls, 25-36 re-executions a run before, 9-11 after).
 */
static void note_abort(px_exec *ex, uint32_t tx, const pv_address *conflict)
{
    const pv_tx *t = &ex->b->txs[tx];
    if (!t->is_create && pv_address_eq(&t->to, conflict))
        pv_scheduler_note_contention(&ex->sched, tx);
}

static pv_task try_execute(px_exec *ex, worker *w, pv_task task)
{
    for (;;) {
        uint64_t start = task_start(ex);
        exec_outcome o = execute(ex, w, task.tx, task.incarnation, 0);
        task_end(w, o.blocked ? PV_TL_SUSPEND : PV_TL_EXECUTE, task.tx, task.incarnation, start);
        if (o.blocked) {
            if (pv_scheduler_add_dependency(&ex->sched, &w->sched, task.tx, o.blocker))
                return (pv_task){PV_TASK_NONE, 0, 0};
            continue; /* the blocker finished meanwhile: run again at once */
        }
        return pv_scheduler_finish_execution(&ex->sched, &w->sched, task.tx, task.incarnation, o.wrote_new);
    }
}

static pv_task needs_reexecution(px_exec *ex, worker *w, pv_task task)
{
    w->validations++;
    uint64_t start = task_start(ex);
    pv_address conflict;
    bool valid = validate(ex, task.tx + 1, &conflict);
    task_end(w, valid ? PV_TL_VALIDATE : PV_TL_INVALID, task.tx, task.incarnation, start);
    bool aborted = !valid && pv_scheduler_try_validation_abort(&ex->sched, task.tx, task.incarnation);
    if (aborted) {
        w->aborts++;
        note_abort(ex, task.tx, &conflict);
        px_tx *t = &ex->txs[task.tx + 1];
        for (uint32_t i = 0; i < t->nwrites; i++)
            pv_mv_mark_estimate(t->wlocs[i], task.tx + 1);
        if (atomic_load_explicit(&t->credit, memory_order_relaxed))
            atomic_store_explicit(&t->credit, CREDIT_ESTIMATE, memory_order_release);
    }
    return pv_scheduler_finish_validation(&ex->sched, &w->sched, task.tx, aborted);
}

/* ------------------------------------------------------------------ the sequential prefix */

/*
 * Worker 0 runs transactions [0, m) in order on a plain state over the pre-state, exactly as the
 * sequential executor does (exact gas before each, no view, no read set, nothing shared), while
 * the other workers run Block-STM from m on. Then it publishes what the prefix changed as two
 * pseudo-incarnations: the destroyed accounts' BASIC (with the DESTROYED flag) as transaction
 * m - 2's writes and everything else as m - 1's, so that a slot the prefix wrote after
 * destroying and re-creating its account lies above the destruction (a slot's latest write wins
 * over a destruction at a lower version only). Transactions [0, m - 2) publish nothing.
 *
 * Why it gives the sequential result: the prefix's transactions read only the pre-state and
 * each other, in order, so their receipts and net writes are the sequential ones; to the
 * transactions above, the prefix is one lower transaction whose writes appear when it finishes,
 * which lowers the validation index as any new write does, so each of them is validated
 * against it (and re-executed if it read something the prefix changed). The prefix's read set
 * is empty: nothing below it can change.
 *
 * Why: Block-STM's bookkeeping per transaction (a view, a read set, multi-version writes, a
 * validation, scheduler traffic, the lines the workers hand each other) made a 330-transaction
 * block 30% slower on one worker than the sequential executor; the prefix pays none of it.
 */

/* Runs the prefix and publishes it; returns the follow-up task of its last pseudo-incarnation. */
static pv_task run_prefix(px_exec *ex, worker *w)
{
    const pv_block *b = ex->b;
    w->runs_prefix = false;
    uint64_t start = task_start(ex);
    pv_state_reset(w->st, &ex->prefix_src.base);
    pv_state_reserve(w->st, 2 * (size_t)ex->prefix + 16, 2 * (size_t)ex->prefix + 16);
    pv_block_beacon_root_call(w->st, b); /* version 0's writes again, the same values */
    uint64_t gas = 0;
    uint32_t k;
    for (;;) {
        uint64_t claims = atomic_load_explicit(&ex->prefix_claims, memory_order_relaxed);
        k = (uint32_t)claims;
        if (k >= (uint32_t)(claims >> 32))
            break;
        if (!atomic_compare_exchange_weak_explicit(&ex->prefix_claims, &claims, claims + 1, memory_order_relaxed,
                                                   memory_order_relaxed))
            continue;
        pv_receipt rc;
        pv_tx_error err = pv_transact(w->st, &b->env, b->fork, &b->txs[k], gas, &rc);
        if (err == PV_TX_VALID)
            gas += rc.gas_used;
        keep_outcome(w, &ex->txs[k + 1], err, &rc);
    }
    uint32_t m = k; /* >= 2: a take-back leaves at least that */
    task_end(w, PV_TL_PREFIX, m, 0, start);
    start = task_start(ex);
    ex->prefix_ran = m;
    w->executions += m;
    w->nwrites = 0;
    w->has_credit = false;
    pv_state_visit(w->st, &write_visitor, w); /* eager balances: every write a full value, the coinbase's too */
    /* The destroyed accounts' BASIC first (transaction m - 2), the rest after (m - 1). */
    uint32_t total = w->nwrites, nd = 0;
    for (uint32_t i = 0; i < total; i++)
        if (w->writes[i].flags & PV_MV_DESTROYED) {
            pv_mv_write x = w->writes[i];
            w->writes[i] = w->writes[nd];
            w->writes[nd++] = x;
        }
    w->view.nreads = 0;
    w->nwrites = nd;
    bool new_destroyed = record(ex, w, m - 1, 1);
    memmove(w->writes, w->writes + nd, (total - nd) * sizeof *w->writes);
    w->nwrites = total - nd;
    bool new_rest = record(ex, w, m, 1);
    task_end(w, PV_TL_PUBLISH, m, 0, start);
    atomic_fetch_add(w->sched.active, 1); /* one count per finish below (the reservation held one) */
    pv_scheduler_release_hold(&ex->sched);
    pv_scheduler_finish_prefix(&ex->sched, 0, m - 2);
    pv_task t = pv_scheduler_finish_execution(&ex->sched, &w->sched, m - 2, 1, new_destroyed);
    while (t.kind != PV_TASK_NONE)
        t = t.kind == PV_TASK_EXECUTE ? try_execute(ex, w, t) : needs_reexecution(ex, w, t);
    return pv_scheduler_finish_execution(&ex->sched, &w->sched, m - 1, 1, new_rest);
}

/* An idle worker takes back the top half of what the prefix has left, if that is worth a take
 * (gas limits say little about time: a prefix of a quarter of a block's gas limits ran longer
 * than the other worker's three quarters on some blocks). The take is a task: it holds an
 * active count from before its CAS until the taken transactions are ready, or completion could
 * be declared in between (after the prefix published and let its own count go) with them never
 * executed. A take that succeeded leaves the prefix at least 2 transactions (limit >= next + 4). */
#define PREFIX_TAKE_MIN 4
static bool take_from_prefix(px_exec *ex, worker *w)
{
    uint64_t claims = atomic_load_explicit(&ex->prefix_claims, memory_order_relaxed);
    uint32_t next = (uint32_t)claims, limit = (uint32_t)(claims >> 32);
    if (limit < next + PREFIX_TAKE_MIN)
        return false;
    uint32_t cut = next + (limit - next + 1) / 2;
    atomic_fetch_add(w->sched.active, 1);
    bool taken = atomic_compare_exchange_strong(&ex->prefix_claims, &claims, (uint64_t)cut << 32 | next);
    if (taken)
        pv_scheduler_reopen(&ex->sched, cut, limit);
    atomic_fetch_sub(w->sched.active, 1);
    return taken;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    px_exec *ex = w->ex;
    pv_task task = {PV_TASK_NONE, 0, 0};
    if (w->runs_prefix)
        task = run_prefix(ex, w);
    unsigned idle = 0;
    while (!pv_scheduler_done(&ex->sched)) {
        if (task.kind == PV_TASK_EXECUTE)
            task = try_execute(ex, w, task);
        if (task.kind == PV_TASK_VALIDATE)
            task = needs_reexecution(ex, w, task);
        if (task.kind == PV_TASK_NONE) {
            task = pv_scheduler_next_task(&ex->sched, &w->sched);
            if (task.kind == PV_TASK_NONE && ex->prefix && take_from_prefix(ex, w))
                continue;
            if (task.kind == PV_TASK_NONE) {
                /* Waiting for a dependency or for the others to finish. */
                if (++idle > 16)
                    sched_yield();
            } else {
                idle = 0;
            }
        }
    }
    pv_bloom_batch_flush(&w->blooms);
    return NULL;
}

static void worker_init(worker *w, px_exec *ex, unsigned i)
{
    memset(w, 0, sizeof *w);
    w->ex = ex;
    pv_scheduler_worker_init(&ex->sched, &w->sched, i);
    w->index = i;
    w->view.base.fn = &view_fn;
    w->view.base.lazy_balance = true;
    w->view.ex = ex;
    w->st = pv_state_new_from(&w->view.base);
    pv_bloom_cache_clear(&w->bloom_cache);
    pv_bloom_batch_init(&w->blooms, &w->bloom_cache);
}

static void worker_free(worker *w)
{
    pv_state_free(w->st);
    free(w->view.reads);
    free(w->writes);
    free(w->sorted_new);
    free(w->sorted_old);
    free(w->events);
    pv_arena_free_all(&w->arena);
}

static int cmp_event_start(const void *a, const void *b)
{
    const pv_timeline_event *x = a, *y = b;
    return x->start_us < y->start_us ? -1 : x->start_us > y->start_us ? 1 : (int)x->worker - (int)y->worker;
}

/* The workers' timelines, merged by start time into stats. */
static void collect_timeline(worker *workers, unsigned threads, pv_parallel_stats *stats)
{
    size_t total = 0;
    for (unsigned i = 0; i < threads; i++)
        total += workers[i].nevents;
    stats->timeline = malloc((total ? total : 1) * sizeof *stats->timeline);
    if (!stats->timeline)
        oom();
    stats->ntimeline = 0;
    for (unsigned i = 0; i < threads; i++) {
        if (workers[i].nevents)
            memcpy(stats->timeline + stats->ntimeline, workers[i].events, workers[i].nevents * sizeof *workers[i].events);
        stats->ntimeline += workers[i].nevents;
    }
    qsort(stats->timeline, stats->ntimeline, sizeof *stats->timeline, cmp_event_start);
}

/* The sequential suffix: transactions from `from` on, in order, each over every lower one final,
 * with the exact gas used before it (the block gas limit was reached at `from`). */
typedef struct suffix_job {
    px_exec *ex;
    worker *w;
    uint32_t from;
    uint64_t gas_before;
} suffix_job;

static void *suffix_main(void *arg)
{
    suffix_job *j = arg;
    uint64_t gas = j->gas_before;
    for (uint32_t k = j->from; k < j->ex->n; k++) {
        px_tx *t = &j->ex->txs[k + 1];
        uint64_t start = task_start(j->ex);
        uint32_t incarnation = t->incarnations;
        execute(j->ex, j->w, k, incarnation, gas);
        task_end(j->w, PV_TL_SUFFIX, k, incarnation, start);
        if (t->err == PV_TX_VALID)
            gas += t->rc.gas_used;
    }
    pv_bloom_batch_flush(&j->w->blooms);
    return NULL;
}

/* The two halves of a block's finish, which can run at the same time. */
typedef enum { FINISH_RECEIPTS, FINISH_CHANGES } finish_kind;
typedef struct finish_job {
    finish_kind kind;
    pv_block_result *out;
    pv_fork fork;
    unsigned threads;
    pv_mvmemory *mv;
    pv_receipts_share *share;     /* receipts shared by both jobs (the changes one joins after) */
} finish_job;

static void *finish_main(void *arg)
{
    finish_job *j = arg;
    if (j->kind == FINISH_CHANGES)
        pv_mv_collect_changes(j->mv, &j->out->changes, j->threads);
    if (j->share)
        pv_receipts_share_work(j->share);
    else if (j->kind == FINISH_RECEIPTS)
        pv_block_finish_receipts(j->out, j->fork, j->threads);
    return NULL;
}

/* ------------------------------------------------------------------ the block */

/* After every transaction and block step: the coinbase's credits above its last full value go
 * into multi-version memory as one delta, at the last of them (whose own write to the balance
 * was that credit, so it has no entry there), for pv_mv_collect_changes. */
static void fold_coinbase_credits(px_exec *ex)
{
    const pv_address *cb = &ex->b->env.coinbase;
    u256 balance, sum = u256_zero();
    uint32_t blocker, full_at, last = UINT32_MAX;
    bool from_pre;
    pv_mv_read_balance(&ex->mv, cb, ex->n + 2, &balance, &blocker, &from_pre, &full_at);
    /* (never blocked: no estimate is left once every transaction is done) */
    if (add_credits(ex, full_at, ex->n + 2, &sum, &blocker, &last) != PV_MV_OK || last == UINT32_MAX)
        return;
    pv_loc l;
    pv_loc_make(&l, PV_LOC_BALANCE, cb, NULL);
    pv_loc_value v;
    v.value = sum;
    pv_mv_write_entry(&ex->mv, pv_mv_get(&ex->mv, &l, true), last, 0, PV_MV_DELTA, &v);
}

/* Errors that validate() in transition.c finds before it checks the block's gas: they stand
 * even when the gas limit is exceeded too. */
static bool error_precedes_gas_check(pv_tx_error e)
{
    switch (e) {
    case PV_TX_TYPE_NOT_SUPPORTED:
    case PV_TX_BLOB_CREATE:
    case PV_TX_BLOB_COUNT:
    case PV_TX_BLOB_VERSIONED_HASH:
    case PV_TX_NONCE_MAX:
    case PV_TX_NONCE_TOO_LOW:
    case PV_TX_NONCE_TOO_HIGH:
    case PV_TX_SENDER_NOT_EOA:
    case PV_TX_PRIORITY_FEE_ABOVE_FEE_CAP:
    case PV_TX_FEE_CAP_BELOW_BASE_FEE:
        return true;
    default:
        return false;
    }
}

void pv_parallel_stats_free(pv_parallel_stats *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ntraces; i++) {
        free(s->traces[i].reads);
        free(s->traces[i].writes);
        free(s->traces[i].write_flags);
    }
    free(s->traces);
    s->traces = NULL;
    s->ntraces = 0;
    free(s->timeline);
    s->timeline = NULL;
    s->ntimeline = 0;
}

/*
 * The pool threads hired together with the one that runs a block (pv_block_execute_parallel from
 * a thread outside the pool): they wake at the same time as it, instead of after its prepare,
 * and wait until the workers' arguments are ready. Waking a parked thread costs 20-40 us on a
 * virtual machine; one after the other, the second worker started 30-45 us after the first
 * (block 8038679: 85 us after the call, for a block of about 1 ms).
 */
enum { CREW_WAIT, CREW_GO, CREW_DISMISSED };
typedef struct px_crew {
    _Alignas(64) _Atomic int state;
    void **args;                  /* the workers' (set before CREW_GO): helper i runs args[i + 1] */
    unsigned helpers;
    _Atomic unsigned active;      /* helpers still running worker_main */
} px_crew;

/* Runs worker_main(args[i]) for i < threads: with the crew (threads - 1 helpers) on the first
 * call, else on the pool. */
static void run_workers(px_crew *crew, void **args, unsigned threads)
{
    if (!crew || atomic_load_explicit(&crew->state, memory_order_relaxed) != CREW_WAIT) {
        if (crew)
            atomic_store_explicit(&crew->state, CREW_DISMISSED, memory_order_release);
        pv_pool_run(worker_main, args, threads);
        return;
    }
    crew->args = args;
    atomic_store_explicit(&crew->active, crew->helpers, memory_order_relaxed);
    atomic_store_explicit(&crew->state, CREW_GO, memory_order_release);
    worker_main(args[0]);
    for (unsigned i = 0; atomic_load_explicit(&crew->active, memory_order_acquire); i++)
        pv_pool_relax(i);
}

/* Blocks the prefix is for: many transactions with small gas limits, whose bookkeeping weighs
 * most beside their execution. In paired runs of the 34 mainnet blocks run in parallel, a prefix
 * of 40% of the gas limits ran 1.00-1.13x as fast on the 11 such blocks (8889776: x1.12), and
 * 0.79-0.98x on several blocks of few or heavy transactions, where the transactions that ran
 * blind to it and read what it wrote (a pool's reserves) re-executed one after the other at the
 * end. */
#define PREFIX_MIN_TXS 128
#define PREFIX_MAX_AVG_GAS_LIMIT 160000
#define PREFIX_PERCENT_2_THREADS 40

/* How many transactions worker 0 runs in order before joining Block-STM (0: none). Its share
 * of the gas limits is a little under one worker's: the transactions above it run blind to it
 * (and re-execute if they read what it wrote), and an idle worker takes back the top of what
 * it has left anyway. */
static uint32_t prefix_length(const pv_block *b, unsigned threads, const pv_parallel_options *o)
{
    uint32_t n = (uint32_t)b->txs_count;
    if (o->record_traces || o->prefix == PV_PREFIX_NEVER || threads < 2 || n < 4)
        return 0;
    uint64_t all = 0;
    for (uint32_t k = 0; k < n; k++)
        all = add_saturating(all, b->txs[k].gas_limit);
    if (o->prefix == PV_PREFIX_AUTO && (n < PREFIX_MIN_TXS || all / n > PREFIX_MAX_AVG_GAS_LIMIT))
        return 0;
    unsigned pct = o->prefix_percent ? o->prefix_percent : PREFIX_PERCENT_2_THREADS * 2 / threads;
    uint64_t want = (uint64_t)((double)all * pct / 100), sum = 0;
    uint32_t m = 0;
    while (m < n && sum + b->txs[m].gas_limit / 2 < want)
        sum = add_saturating(sum, b->txs[m++].gas_limit);
    return m < 2 ? 2 : m > n - 1 ? n - 1 : m;
}

/* Big blocks of independent transactions go to the optimistic chunks first (traces need
 * Block-STM's per-transaction read and write sets). */
static bool chunks_first(const pv_block *b, unsigned threads, const pv_parallel_options *o)
{
    return !o->record_traces && o->chunks != PV_CHUNKS_NEVER &&
           pv_chunks_worth_trying(b, threads, o->chunks == PV_CHUNKS_ALWAYS);
}

/* chunks: chunks_first(b, threads, o), decided once by the caller (it hires no crew then). */
static void execute_parallel(pv_state_source *pre, const pv_block *b, unsigned threads, bool chunks, px_crew *crew,
                             const pv_parallel_options *o, uint64_t origin_ns, pv_block_result *out,
                             pv_parallel_stats *stats)
{
    double t0 = pv_now_ms();
    pv_parallel_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    memset(out, 0, sizeof *out);
    if (threads < 1)
        threads = 1;
    stats->threads = threads;
    uint32_t n = (uint32_t)b->txs_count;

    if (chunks) {
        pv_chunks_outcome co;
        if (crew) /* none hired: dismissed, a fall back to Block-STM takes its workers from the pool */
            atomic_store_explicit(&crew->state, CREW_DISMISSED, memory_order_release);
        pv_chunks_execute(pre, b, threads, o->policy, o->chunks_window, o->chunks_steal_min, out, &co);
        stats->chunks = co.chunks;
        stats->chunks_steals = co.steals;
        stats->chunks_done = co.done;
        stats->ms_chunks = pv_now_ms() - t0;
        stats->ms_chunks_run = co.ms_run;
        stats->ms_chunks_validate = co.ms_validate;
        stats->ms_chunks_finish = co.ms_finish;
        if (co.done) {
            stats->executions = n;
            stats->ms_parallel = stats->ms_chunks;
            return;
        }
        snprintf(stats->chunks_why_not, sizeof stats->chunks_why_not, "%s", co.why_not);
        memset(out, 0, sizeof *out);
    }

    px_exec ex;
    memset(&ex, 0, sizeof ex);
    ex.b = b;
    ex.n = n;
    ex.timing = o->record_traces;
    ex.timeline = o->record_timeline;
    ex.origin_ns = origin_ns;
    pv_mvmemory_init(&ex.mv, pre, (size_t)n * 12 + 256);
    /* Runs of consecutive transactions per claim when the block is long enough that the runs
     * are small beside each worker's share (the tail imbalance is at most one run). */
    uint32_t batch = n / (threads * 128);
    pv_scheduler_init(&ex.sched, n, batch < 1 ? 1 : batch > 16 ? 16 : batch, threads);
    ex.txs = aligned_alloc(64, ((size_t)n + 2) * sizeof *ex.txs);
    ex.pred = calloc((size_t)n + 2, sizeof *ex.pred);
    if (!ex.txs || !ex.pred)
        oom();
    memset(ex.txs, 0, ((size_t)n + 2) * sizeof *ex.txs);
    for (uint32_t v = 0; v < n + 2; v++) {
        atomic_init(&ex.txs[v].reads, NULL);
        atomic_init(&ex.txs[v].credit, NULL);
    }
    /* The previous transaction of each sender: 1 + its index is its version. */
    link_same_address(b->txs, n, false, ex.pred + 1);
    pv_scheduler_chain(&ex.sched, ex.pred + 1);
    link_callers(&ex);

    worker *workers = aligned_alloc(64, threads * sizeof *workers);
    void **args = calloc(threads, sizeof *args);
    if (!workers || !args)
        oom();
    for (unsigned i = 0; i < threads; i++) {
        worker_init(&workers[i], &ex, i);
        args[i] = &workers[i];
    }
    ex.prefix = prefix_length(b, threads, o);
    if (ex.prefix) {
        pv_slow_source_init(&ex.prefix_src, pre, 0);
        atomic_init(&ex.prefix_claims, (uint64_t)ex.prefix << 32);
        pv_scheduler_reserve_prefix(&ex.sched, &workers[0].sched, ex.prefix);
        workers[0].runs_prefix = true;
    }
    /* Version 0: the beacon-root system call, before every transaction. */
    run_block_step(&ex, &workers[0], 0, false, NULL);
    double t1 = pv_now_ms();
    stats->ms_prepare = t1 - t0;

    out->valid = true;
    out->receipts = calloc((size_t)n + 1, sizeof *out->receipts);
    if (!out->receipts)
        oom();
    bool suffix_done = false;
    for (;;) {
        stats->rounds++;
        if (n && !suffix_done)
            run_workers(crew, args, threads);
        /* In order: the block gas limit, and what each transaction's validity really is. */
        uint64_t gas = 0;
        uint32_t restart = UINT32_MAX;
        out->valid = true;
        out->receipts_count = 0;
        for (uint32_t k = 0; k < n; k++) {
            px_tx *t = &ex.txs[k + 1];
            const pv_tx *tx = &b->txs[k];
            pv_tx_error err = t->err;
            bool fits = tx->gas_limit <= b->env.gas_limit && tx->gas_limit <= b->env.gas_limit - gas;
            if (!fits && !error_precedes_gas_check(err))
                err = PV_TX_GAS_LIMIT_EXCEEDS_BLOCK;
            if (err != PV_TX_VALID && o->policy == PV_INVALID_TX_ABORT) {
                out->valid = false;
                out->invalid_tx = k;
                out->invalid_error = err;
                break;
            }
            if (err == PV_TX_GAS_LIMIT_EXCEEDS_BLOCK && t->err == PV_TX_VALID && !suffix_done) {
                /* It ran and wrote, but does not fit: the block is full. Everything before it is
                 * final; the rest runs in order with the exact gas (rarely more than a few). */
                restart = k;
                break;
            }
            pv_block_receipt *r = &out->receipts[out->receipts_count++];
            memset(r, 0, sizeof *r);
            r->tx_type = tx->type;
            if (err != PV_TX_VALID) {
                r->rejected = err;
                continue;
            }
            r->status = t->rc.status;
            r->gas_used = t->rc.gas_used;
            r->has_contract_address = tx->is_create && t->rc.status == PV_SUCCESS;
            r->contract_address = t->rc.contract_address;
            gas += t->rc.gas_used;
        }
        if (restart == UINT32_MAX)
            break;
        suffix_job job = {&ex, &workers[0], restart, gas};
        void *arg = &job;
        pv_pool_run(suffix_main, &arg, 1);
        stats->sequential_suffix_from = restart;
        stats->has_sequential_suffix = true;
        suffix_done = true;
    }
    /* Hand the logs over (receipts were filled without them so a restart could redo them). */
    for (size_t k = 0; k < out->receipts_count; k++) {
        px_tx *t = &ex.txs[k + 1];
        if (out->receipts[k].rejected != PV_TX_VALID)
            continue;
        out->receipts[k].logs = t->rc.logs;
        out->receipts[k].logs_count = t->rc.logs_count;
        if (t->bloom)
            memcpy(out->receipts[k].bloom, t->bloom, 256);
        t->rc.logs = NULL;
        t->rc.logs_count = 0;
    }
    double t2 = pv_now_ms();
    stats->ms_parallel = t2 - t1;
    stats->prefix_txs = ex.prefix_ran;

    if (out->valid) {
        /* Version n+1: withdrawals and rewards, after every transaction. */
        run_block_step(&ex, &workers[0], n + 1, true, &out->uncle_rewards_missing);
        fold_coinbase_credits(&ex);
    }
    /* The receipts root and the state changes do not depend on each other: for a usual block,
     * build them at once, one thread each; for a big one, one after the other, each on all
     * threads. Never both at once on all threads: a pool run nested in a busy pool takes extra
     * threads, and more threads than CPUs cost whole time slices (measured: block 15274915's
     * finish went from 0.59 ms to 0.40 ms). */
    finish_job fr = {FINISH_RECEIPTS, out, b->fork, threads, &ex.mv, NULL};
    finish_job fc = {FINISH_CHANGES, out, b->fork, threads, &ex.mv, NULL};
    if (out->valid && threads > 1 && n < 4096) {
        fr.threads = fc.threads = 1;
        /* The receipts are most of the finish (block 15274915: 0.45 ms against the changes'
         * 0.17): the changes' thread takes receipts slices too when it is done, so that both
         * end together. */
        pv_receipts_share share; /* also for a few receipts if one of them is hashed as it is encoded */
        pv_receipts_share_init(&share, out, b->fork);
        bool shared = out->receipts_count >= PV_FINISH_SHARE_MIN_RECEIPTS || share.big.receipt != SIZE_MAX;
        if (shared)
            fr.share = fc.share = &share;
        void *fargs[2] = {&fr, &fc};
        pv_pool_run(finish_main, fargs, 2);
        if (shared)
            pv_receipts_share_root(&share);
    } else {
        finish_main(&fr);
        if (out->valid)
            finish_main(&fc);
    }

    for (unsigned i = 0; i < threads; i++) {
        stats->executions += workers[i].executions;
        stats->validations += workers[i].validations;
        stats->aborts += workers[i].aborts;
    }
    stats->reexecutions = stats->executions > n ? stats->executions - n : 0;
    stats->dependency_waits = atomic_load(&ex.sched.n_dependency_waits);
    stats->hot_contracts = pv_scheduler_hot_contracts(&ex.sched);
    if (ex.timeline)
        collect_timeline(workers, threads, stats);
    if (o->record_traces) {
        stats->traces = calloc((size_t)n + 1, sizeof *stats->traces);
        if (!stats->traces)
            oom();
        stats->ntraces = n;
        for (uint32_t k = 0; k < n; k++) {
            px_tx *t = &ex.txs[k + 1];
            pv_tx_trace *tr = &stats->traces[k];
            const px_read_set *rs = atomic_load(&t->reads);
            tr->nreads = rs ? rs->n : 0;
            tr->reads = malloc((tr->nreads + 1) * sizeof *tr->reads);
            tr->nwrites = t->nwrites;
            tr->writes = malloc((t->nwrites + 1) * sizeof *tr->writes);
            tr->write_flags = malloc(t->nwrites + 1);
            if (!tr->reads || !tr->writes || !tr->write_flags)
                oom();
            if (t->nwrites) {
                memcpy(tr->write_flags, t->wflags, t->nwrites);
                memcpy(tr->writes, t->wkeys, t->nwrites * sizeof *tr->writes);
            }
            if (atomic_load_explicit(&t->credit, memory_order_relaxed)) { /* room for it: nwrites + 1 */
                pv_loc_make(&tr->writes[tr->nwrites], PV_LOC_BALANCE, &b->env.coinbase, NULL);
                tr->write_flags[tr->nwrites++] = PV_MV_DELTA;
            }
            for (uint32_t i = 0; i < tr->nreads; i++)
                tr->reads[i] = rs->r[i].loc;
            tr->incarnations = t->incarnations;
            tr->exec_us = t->exec_us;
        }
    }

    for (unsigned i = 0; i < threads; i++)
        worker_free(&workers[i]);
    free(workers);
    free(args);
    for (uint32_t v = 0; v < n + 2; v++) {
        px_tx *t = &ex.txs[v];
        pv_receipt_free(&t->rc);
    }
    free(ex.txs);
    free(ex.pred);
    free(ex.prev_call);
    free(ex.same_call);
    pv_scheduler_destroy(&ex.sched);
    pv_mvmemory_destroy(&ex.mv);
    stats->ms_finish = pv_now_ms() - t2;
}

typedef struct parallel_job {
    pv_state_source *pre;
    const pv_block *b;
    unsigned threads;
    bool chunks;                  /* optimistic chunks first (chunks_first) */
    const pv_parallel_options *o;
    uint64_t origin_ns;           /* when pv_block_execute_parallel was called */
    pv_block_result *out;
    pv_parallel_stats *stats;
} parallel_job;

/* One job of the pool run that pv_block_execute_parallel starts: index 0 runs the block, the
 * others are its crew. */
typedef struct crew_member {
    parallel_job *job;
    px_crew *crew;
    unsigned index;
} crew_member;

static void *crew_member_main(void *arg)
{
    crew_member *m = arg;
    px_crew *crew = m->crew;
    if (m->index == 0) {
        parallel_job *j = m->job;
        execute_parallel(j->pre, j->b, j->threads, j->chunks, crew, j->o, j->origin_ns, j->out, j->stats);
        /* a block that needed no workers (no transactions, or its chunks did it) */
        atomic_store_explicit(&crew->state, CREW_DISMISSED, memory_order_release);
        return NULL;
    }
    for (unsigned i = 0;; i++) {
        int state = atomic_load_explicit(&crew->state, memory_order_acquire);
        if (state == CREW_GO) {
            worker_main(crew->args[m->index]);
            atomic_fetch_sub_explicit(&crew->active, 1, memory_order_release);
            return NULL;
        }
        if (state == CREW_DISMISSED)
            return NULL;
        pv_pool_relax(i);
    }
}

void pv_block_execute_parallel(pv_state_source *pre, const pv_block *b, unsigned threads,
                               const pv_parallel_options *o, pv_block_result *out, pv_parallel_stats *stats)
{
    uint64_t origin_ns = pv_now_ns();
    if (threads < 1)
        threads = 1;
    parallel_job j = {pre, b, threads, chunks_first(b, threads, o), o, origin_ns, out, stats};
    px_crew crew;
    atomic_init(&crew.state, CREW_WAIT);
    crew.args = NULL;
    /* No crew for a block that goes to the chunks: they take their threads from the pool, and a
     * crew member dismissed just before might not be back in the pool yet. Then the chunks
     * took another thread while it polled for work, three threads on two CPUs, and each chunk
     * was run by whichever thread was free, away from its allocator arena's memory. */
    unsigned hired = j.chunks ? 1 : threads;
    crew.helpers = hired - 1;
    atomic_init(&crew.active, 0);
    crew_member *members = malloc(threads * sizeof *members);
    void **args = malloc(threads * sizeof *args);
    if (!members || !args)
        oom();
    for (unsigned i = 0; i < threads; i++) {
        members[i] = (crew_member){&j, &crew, i};
        args[i] = &members[i];
    }
    if (pv_pool_is_worker()) {
        /* This thread runs the block (the pool's first job stays with a pool thread) and the
         * crew is woken meanwhile; its members end with the workers, long before the block. */
        pv_pool_run(crew_member_main, args, hired);
    } else {
        /* Handed over: the caller sleeps at once (polling, it would be one thread more than the
         * CPUs while the crew starts), and pays a wake-up when the block is done. */
        pv_pool_run_long(crew_member_main, args, hired);
    }
    free(members);
    free(args);
}

/* ------------------------------------------------------------------ automatic choice */

/*
 * What a block promises before it runs, from its transactions alone:
 *  - contract gas: the gas limits of the transactions that run code (calldata or a creation);
 *    plain transfers cost about a microsecond each and never repay parallel bookkeeping;
 *  - the static critical path: a transaction waits for its sender's previous one, and one sent
 *    by the coinbase waits for every earlier one (it reads the balance all their fees credit).
 * The thresholds come from the mainnet fixtures on 2 cores (docs/BENCHMARKS.md): every block
 * that ran slower in parallel has under 5M contract gas or a static parallelism under 4. From
 * Berlin on (EIP-2929) gas tracks the work of state access closely enough that 2M suffices
 * (block 19923400: 24 transactions, 3.9M contract gas, 0.46 ms, x1.49 in parallel); before,
 * a 3.6M block can take 0.08 ms (2675000, x0.58 in parallel). A block of a few transactions
 * passes by the same rule (9068998: 3 transactions, 8.3M contract gas, x1.12-1.28 in four
 * series of 30 runs). Plain transfers also weigh against it: Block-STM costs each one about
 * 1-2 us of thread time (view, read and write sets, validation, scheduler) against ~0.6 us to
 * run it, so the contract work must repay them: block 15274915 (1,152 plain transfers, 11,400
 * contract gas per transfer) ran x0.85-0.88 in parallel, 13217637 (987, 28,000) x1.16-1.36; the
 * line is drawn between them, at 18,000.
 * One transaction that may burn nearly all of the block's gas is a critical path of its own: a
 * second worker can take at most the rest. 9068998 (one transaction with 3.5M of its 3.6M gas
 * limits, 190 of 300 us) then ran x0.72-1.02 in series of 9-30 runs: the second worker's wake-up
 * (20-40 us on a VM) and the finish's receipts (45 us, serial either way) ate what tx 0 and 2 beside
 * it saved. Below a ratio of 5/4 between all gas limits and the largest, it runs sequentially.
 */
#define PV_AUTO_MIN_CONTRACT_GAS 5000000ULL
#define PV_AUTO_MIN_CONTRACT_GAS_BERLIN 2000000ULL
#define PV_AUTO_MIN_CONTRACT_GAS_PER_TRANSFER 18000ULL
#define PV_AUTO_MIN_PARALLELISM 4
#define PV_AUTO_MIN_OTHERS_GAS_DIVISOR 4 /* the others' gas limits >= the largest's / 4 */

static uint32_t static_critical_path(const pv_block *b)
{
    size_t n = b->txs_count;
    uint32_t *prev = calloc(n + 1, sizeof *prev), *depth = calloc(n + 1, sizeof *depth);
    if (!prev || !depth)
        abort();
    link_same_address(b->txs, (uint32_t)n, false, prev);
    uint32_t longest = 0;
    for (size_t k = 0; k < n; k++) {
        uint32_t d = 1 + (prev[k] ? depth[prev[k] - 1] : 0);
        if (pv_address_eq(&b->txs[k].sender, &b->env.coinbase) && longest + 1 > d)
            d = longest + 1;
        depth[k] = d;
        if (d > longest)
            longest = d;
    }
    free(prev);
    free(depth);
    return longest;
}

/* Whether one sender's chain (or the coinbase's payouts) leaves too little parallelism; *cp is
 * its length. A block of a few independent transactions is not chained (3 of 3 is all it can do). */
static bool sender_chained(const pv_block *b, uint32_t *cp)
{
    *cp = static_critical_path(b);
    return *cp > 1 && (uint64_t)*cp * PV_AUTO_MIN_PARALLELISM > b->txs_count;
}

/* A bounded copy of a reason: snprintf's formatting machinery showed on one-transaction blocks
 * (a few microseconds in all). */
static void copy_reason(char *dst, size_t len, const char *src)
{
    if (!len)
        return;
    size_t n = strlen(src);
    if (n >= len)
        n = len - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

unsigned pv_auto_threads(const pv_block *b, char *reason, size_t reason_len)
{
    static _Atomic long online; /* sysconf reads /sys: once is enough */
    long cpus = atomic_load_explicit(&online, memory_order_relaxed);
    if (!cpus) {
        cpus = sysconf(_SC_NPROCESSORS_ONLN);
        if (cpus < 1)
            cpus = 1;
        atomic_store_explicit(&online, cpus, memory_order_relaxed);
    }
    if (reason_len)
        reason[0] = 0;
    if (cpus == 1) {
        if (reason_len)
            snprintf(reason, reason_len, "one CPU online");
        return 1;
    }
    if (b->txs_count < PV_PARALLEL_MIN_TXS) {
        copy_reason(reason, reason_len, b->txs_count ? "one transaction" : "no transactions");
        return 1;
    }
    unsigned t = (unsigned)cpus;
    if (t > b->txs_count / 2)
        t = (unsigned)(b->txs_count / 2);
    if (t < 2)
        t = 2;
    /* Big blocks go to the optimistic chunks (even plain transfers gain there) unless one
     * sender's chain makes them sequential anyway. The critical path (a hash per sender) only
     * where it can change the answer: on a block that stays sequential it is pure overhead. */
    uint32_t cp = 0;
    bool big = pv_chunks_worth_trying(b, t, false);
    bool chained = big && sender_chained(b, &cp);
    if (big && !chained)
        return t;
    uint64_t contract_gas = 0, transfers = 0, all_gas = 0, largest = 0;
    for (size_t k = 0; k < b->txs_count; k++) {
        uint64_t g = b->txs[k].gas_limit;
        if (b->txs[k].data_size || b->txs[k].is_create)
            contract_gas = add_saturating(contract_gas, g);
        else
            transfers++;
        all_gas = add_saturating(all_gas, g);
        if (g > largest)
            largest = g;
    }
    if (all_gas - largest < largest / PV_AUTO_MIN_OTHERS_GAS_DIVISOR) {
        if (reason_len)
            snprintf(reason, reason_len, "one transaction may use %llu of the block's %llu gas: a critical path of its own",
                     (unsigned long long)largest, (unsigned long long)all_gas);
        return 1;
    }
    uint64_t min_gas = b->fork >= PV_BERLIN ? PV_AUTO_MIN_CONTRACT_GAS_BERLIN : PV_AUTO_MIN_CONTRACT_GAS;
    if (contract_gas < min_gas) {
        if (reason_len)
            snprintf(reason, reason_len, "%llu gas in contract transactions (< %llu): too little work to share",
                     (unsigned long long)contract_gas, (unsigned long long)min_gas);
        return 1;
    }
    if (contract_gas < transfers * PV_AUTO_MIN_CONTRACT_GAS_PER_TRANSFER) {
        if (reason_len)
            snprintf(reason, reason_len,
                     "%llu plain transfers, %llu contract gas (< %llu each): their bookkeeping outweighs it",
                     (unsigned long long)transfers, (unsigned long long)contract_gas,
                     (unsigned long long)PV_AUTO_MIN_CONTRACT_GAS_PER_TRANSFER);
        return 1;
    }
    if (!big)
        chained = sender_chained(b, &cp);
    if (chained) {
        if (reason_len)
            snprintf(reason, reason_len, "a chain of %u transactions of one sender (or after coinbase payouts) in %zu",
                     cp, b->txs_count);
        return 1;
    }
    return t;
}

typedef struct seq_job {
    pv_state_source *pre;
    const pv_block *b;
    pv_invalid_tx_policy policy;
    pv_block_result *out;
} seq_job;

static void *seq_main(void *arg)
{
    seq_job *j = arg;
    pv_block_execute(j->pre, j->b, j->policy, j->out);
    return NULL;
}

void pv_execute_block_auto(pv_state_source *pre, const pv_block *b, const pv_parallel_options *o,
                           pv_block_result *out, pv_parallel_stats *stats)
{
    pv_parallel_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    unsigned threads = o->threads;
    char reason[96] = "";
    if (threads == 0)
        threads = pv_auto_threads(b, reason, sizeof reason);
    if (threads == 1) {
        double t0 = pv_now_ms();
        seq_job j = {pre, b, o->policy, out};
        void *arg = &j;
        pv_pool_run(seq_main, &arg, 1);
        stats->threads = 1;
        stats->sequential_fallback = o->threads == 0;
        copy_reason(stats->fallback_reason, sizeof stats->fallback_reason,
                    o->threads == 0 ? reason : "sequential requested");
        stats->executions = b->txs_count;
        stats->rounds = 1;
        stats->ms_parallel = pv_now_ms() - t0;
        return;
    }
    pv_block_execute_parallel(pre, b, threads, o, out, stats);
}
