/* Optimistic chunks (see chunks.h). */
#include "chunks.h"

#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../state/trie.h"
#include "../util/clock.h"
#include "../util/conc_map.h"
#include "../util/pool.h"

/* Below this many transactions a block is Block-STM's (or sequential): the attempt has fixed
 * costs (tables, a state per chunk, merging) of a millisecond or two. Measured: mainnet block
 * 15274915 (1226 transactions, 30M gas) takes 3.8 ms in chunks, 3.3 ms sequentially. */
#define PV_CHUNKS_MIN_TXS 4096

/* The first transactions of each chunk (this many, or 1/256 of the chunk if more) publish their
 * reads and writes in the shared footprint as they run, so that a block with hot locations
 * gives up within milliseconds; the rest only log their reads, chunk-locally, for the final
 * validation against the lower chunks' net changes (a shared table costs ~0.4-1 us per
 * transfer: inserts, locked compare-and-swaps, misses): 512 of them were 7% of a
 * 10,000-transfer block's chunks; 128 find the mixed workload's conflicts as soon. A window of
 * 1/32 (744 transactions per chunk of a gigagas of transfers) cost 5-10% of the parallel time
 * there against 1/256 (median of 5 pairs: x0.92), which gives up as early on the mixed sweep. */
#define PV_CHUNKS_WINDOW_TXS 128

/* The most runs (initial chunks and the pieces steals cut from them) one attempt makes: their
 * per-run arrays live on the stack. */
#define MAX_RUNS 64

static void oom(void)
{
    fputs("parevm: out of memory (chunk executor)\n", stderr);
    abort();
}

/* ------------------------------------------------------------------ the footprint */

/* Per location: the lowest chunk that changed it and the highest that read it from the
 * pre-state. Account-level locations (the account, its balance, its storage as a whole, which a
 * storage read also reads: "not destroyed") share one entry per address, so the several touches
 * of a sender or a recipient in one transaction cost one lookup, and a chunk keeps its last few
 * entries at hand; storage slots have entries of their own. */
typedef struct fp_entry {
    atomic_uint min_writer;       /* UINT32_MAX: none */
    atomic_uint max_reader;       /* 0: none (chunks count from 1) */
} fp_entry;

enum { FP_BASIC = 0, FP_BALANCE = 1, FP_STORAGE_ALL = 2, FP_ACCOUNT_KINDS = 3 };

typedef struct fp_account {
    fp_entry kind[FP_ACCOUNT_KINDS];
} fp_account;

typedef struct fp_slot_key {
    u256 key;
    pv_address addr;
    uint8_t pad[4];
} fp_slot_key;

typedef struct fp_addr_key {
    pv_address addr;
    uint8_t pad[4];
} fp_addr_key;

static void fp_init(void *value, const void *key, void *ctx)
{
    (void)key;
    size_t count = (size_t)(uintptr_t)ctx;
    fp_entry *e = value;
    for (size_t i = 0; i < count; i++) {
        atomic_init(&e[i].min_writer, UINT32_MAX);
        atomic_init(&e[i].max_reader, 0);
    }
}

typedef struct chunk_run chunk_run;

typedef struct chunks_shared {
    const pv_block *b;
    pv_state_source *pre;
    chunk_run *all;               /* every run, in the order they were made (never moves) */
    unsigned cap;                 /* room in all */
    atomic_uint nruns;            /* made so far: grows under steal_lock */
    pthread_mutex_t steal_lock;
    size_t steal_min;             /* the fewest transactions a steal takes; SIZE_MAX: none */
    pv_block_result *res;         /* the receipts (and whether their root is wanted) */
    pv_cmap *accounts;            /* fp_addr_key -> fp_account */
    pv_cmap *slots;               /* fp_slot_key -> fp_entry */
    atomic_bool stop;             /* a conflict (or another reason to give up) was found */
    pthread_mutex_t why_lock;
    char why[96];
    /* The receipts trie's keys, written by each initial chunk's thread for its transactions
     * before it runs them (10,000 items: 96 us of cold memory on one thread before anything
     * ran); a run encodes its receipts into the trie once every fill is done. */
    pv_ordered_trie *trie;
    unsigned fills;               /* how many: the initial chunks */
    atomic_uint filled;           /* done so far */
} chunks_shared;

static void give_up(chunks_shared *sh, const char *why)
{
    pthread_mutex_lock(&sh->why_lock);
    if (!sh->why[0])
        snprintf(sh->why, sizeof sh->why, "%s", why);
    pthread_mutex_unlock(&sh->why_lock);
    atomic_store(&sh->stop, true);
}

static const char *kind_name(int kind)
{
    static const char *names[] = {"the account", "the balance", "the storage", "a slot"};
    return kind >= 0 && kind < 4 ? names[kind] : "?";
}

/* Chunk k read the location from the pre-state: fine unless a lower chunk changes it. */
static void fp_read(chunks_shared *sh, unsigned k, fp_entry *e, int kind, const pv_address *a)
{
    unsigned cur = atomic_load(&e->max_reader);
    while (cur < k && !atomic_compare_exchange_weak(&e->max_reader, &cur, k))
        ;
    unsigned w = atomic_load(&e->min_writer);
    if (w < k) {
        char why[96];
        snprintf(why, sizeof why, "chunk %u read %s of 0x%02x%02x%02x.. that chunk %u wrote", k, kind_name(kind),
                 a->b[0], a->b[1], a->b[2], w);
        give_up(sh, why);
    }
}

/* Chunk k changed the location: fine unless a higher chunk read it from the pre-state. */
static void fp_write(chunks_shared *sh, unsigned k, fp_entry *e, int kind, const pv_address *a)
{
    unsigned cur = atomic_load(&e->min_writer);
    while (cur > k && !atomic_compare_exchange_weak(&e->min_writer, &cur, k))
        ;
    unsigned r = atomic_load(&e->max_reader);
    if (r > k) {
        char why[96];
        snprintf(why, sizeof why, "chunk %u wrote %s of 0x%02x%02x%02x.. that chunk %u read", k, kind_name(kind),
                 a->b[0], a->b[1], a->b[2], r);
        give_up(sh, why);
    }
}

static fp_entry *fp_slot(chunks_shared *sh, const pv_address *a, const u256 *key)
{
    fp_slot_key k;
    memset(&k, 0, sizeof k);
    k.key = *key;
    k.addr = *a;
    uint64_t h = pv_hash_bytes(&k, sizeof k);
    return pv_cmap_get_or_insert(sh->slots, &k, h, fp_init, (void *)(uintptr_t)1, NULL);
}

/* ------------------------------------------------------------------ the chunks' own logs */

/* A location as 64 bits: its kind, address and slot key mixed. Two locations that collide look
 * like one, which can only make a conflict out of nothing: a fallback, never a wrong result. */
enum { LOC_SLOT = 3 };

/* Each word through its own multiply (independent: they overlap), summed, then one avalanche:
 * a few cycles, where a chain of rounds cost ~30 on every logged location. */
static inline uint64_t word_mix(uint64_t x, uint64_t k) { return (x ^ k) * 0x9e3779b97f4a7c15ull + (x >> 29); }


static uint64_t loc_hash(int kind, const pv_address *a, const u256 *key)
{
    uint64_t w0, w1;
    uint32_t w2;
    memcpy(&w0, a->b, 8);
    memcpy(&w1, a->b + 8, 8);
    memcpy(&w2, a->b + 16, 4);
    uint64_t h = word_mix(w0, 0x243f6a8885a308d3ull) + word_mix(w1, 0x13198a2e03707344ull) * 3 +
                 word_mix(w2 | (uint64_t)kind << 32, 0xa4093822299f31d0ull) * 5;
    if (key)
        h += word_mix(key->w[0], 0x082efa98ec4e6c89ull) * 7 + word_mix(key->w[1], 0x452821e638d01377ull) * 11 +
             word_mix(key->w[2], 0xbe5466cf34e90c6cull) * 13 + word_mix(key->w[3], 0xc0ac29b7c97c50ddull) * 17;
    return pv_mix64(h);
}

typedef struct loc_log {
    uint64_t *v;
    size_t n, cap;
} loc_log;

static void log_reserve(loc_log *l, size_t cap)
{
    if (cap > l->cap) {
        l->cap = cap;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v)
            oom();
    }
}

static void log_push(loc_log *l, uint64_t h)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 1024;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v)
            oom();
    }
    l->v[l->n++] = h;
}

/* ------------------------------------------------------------------ one chunk */

/* The pre-state as chunk k sees it: every read published (except while collecting the results,
 * which is not a transaction reading). */
typedef struct chunk_source {
    pv_state_source base;
    chunk_run *run;
    bool collecting;
} chunk_source;

struct chunk_run {
    chunks_shared *sh;
    unsigned k;                   /* 1-based: 0 is "no reader" in the footprint */
    size_t first, end;            /* transactions [first, end); end final once the run's loop is */
    /* (next << 32) | end of the transactions still to run: the run claims a few at a time from
     * next by compare-and-swap, a thread that has finished its own lowers end (a steal) */
    _Atomic uint64_t span;
    atomic_uint_least64_t started_ns; /* when the run began (0: not yet), for its rate */
    uint64_t loop_ns;             /* how long its transactions took */
    size_t filled;                /* receipts [first, first + filled) written */
    bool last;
    chunk_source src;
    pv_state *st;
    pv_block_receipt *receipts;   /* the block's, filled for this chunk's transactions */
    bool uncle_rewards_missing;
    pv_state_changes changes;     /* in the state's order ... */
    pv_change_ref *order;         /* ... and by address */
    pv_address_ref *unchanged;    /* the accounts loaded but not changed, by address */
    size_t n_unchanged;
    size_t slots_count;           /* slot changes in changes */
    size_t window;                /* the first this many transactions publish ... */
    /* In the window reads and writes go to the shared footprint: the reads unless the chunk is
     * the first (nothing below it writes), the writes unless it is the last (nothing above it
     * reads in a window: a stolen run publishes nothing). */
    bool publish_reads, publish_writes;
    loc_log reads;                /* every location read from the pre-state ... */
    bool logging;                 /* ... by a chunk after the first */
    /* The block gas limit, checked once the gas before the chunk (base) is known: transaction
     * i fits when its limit <= block limit - (base + gas of the chunk before i), i.e. when base
     * <= gas_headroom, the least of (block limit - its limit - gas before it) over the chunk. */
    uint64_t gas_headroom;
    bool never_fits;              /* some transaction cannot fit whatever the base */
    atomic_bool gas_known;        /* slice.gas is final */
    atomic_bool encode_claimed;   /* slice encoded (with the gas before the chunk) while the chunks
                                     ran: whoever claims it finishes before its thread returns */
    pv_receipt_slice slice;       /* the chunk's receipts: gas, bloom (then, settled, encodings) */
    struct {
        pv_address addr;
        fp_account *e;
    } recent[8];                  /* the chunk's last account entries (most touches repeat) */
    unsigned recent_next;
};

static uint64_t addr_key_hash(const pv_address *a, fp_addr_key *k)
{
    memset(k, 0, sizeof *k);
    k->addr = *a;
    return pv_hash_bytes(k, sizeof *k);
}

/* The footprint's buckets of a transaction a few places ahead: their cache misses overlap with
 * the execution of the ones before. */
static void prefetch_tx(chunk_run *r, const pv_tx *tx)
{
    fp_addr_key k;
    pv_cmap_prefetch(r->sh->accounts, addr_key_hash(&tx->sender, &k));
    if (!tx->is_create)
        pv_cmap_prefetch(r->sh->accounts, addr_key_hash(&tx->to, &k));
}

static fp_account *fp_account_of(chunk_run *r, const pv_address *a)
{
    for (unsigned i = 0; i < 8; i++)
        if (r->recent[i].e && pv_address_eq(&r->recent[i].addr, a))
            return r->recent[i].e;
    fp_addr_key k;
    uint64_t h = addr_key_hash(a, &k);
    fp_account *e = pv_cmap_get_or_insert(r->sh->accounts, &k, h, fp_init, (void *)(uintptr_t)FP_ACCOUNT_KINDS, NULL);
    unsigned i = r->recent_next++ & 7;
    r->recent[i].addr = *a;
    r->recent[i].e = e;
    return e;
}

/* Publishes a read of an account-level location (and halts the transaction if the attempt is
 * over: its result will not be used). */
static void read_account_kind(chunk_source *c, const pv_address *a, int kind)
{
    chunk_run *r = c->run;
    if (r->logging)
        log_push(&r->reads, loc_hash(kind, a, NULL));
    if (r->publish_reads)
        fp_read(r->sh, r->k, &fp_account_of(r, a)->kind[kind], kind, a);
    if (atomic_load_explicit(&r->sh->stop, memory_order_relaxed))
        c->base.halted = true;
}

static void cs_read_basic(pv_state_source *s, const pv_address *a, pv_account_basic *out)
{
    chunk_source *c = (chunk_source *)s;
    if (!c->collecting)
        read_account_kind(c, a, FP_BASIC);
    c->run->sh->pre->fn->read_basic(c->run->sh->pre, a, out);
}

static u256 cs_read_balance(pv_state_source *s, const pv_address *a)
{
    chunk_source *c = (chunk_source *)s;
    if (!c->collecting)
        read_account_kind(c, a, FP_BALANCE);
    return c->run->sh->pre->fn->read_balance(c->run->sh->pre, a);
}

static u256 cs_read_storage(pv_state_source *s, const pv_address *a, const u256 *key)
{
    chunk_source *c = (chunk_source *)s;
    if (!c->collecting) {
        chunk_run *r = c->run;
        if (r->logging)
            log_push(&r->reads, loc_hash(LOC_SLOT, a, key));
        if (r->publish_reads)
            fp_read(r->sh, r->k, fp_slot(r->sh, a, key), LOC_SLOT, a);
        read_account_kind(c, a, FP_STORAGE_ALL);
    }
    return c->run->sh->pre->fn->read_storage(c->run->sh->pre, a, key);
}

/* The account and, from the same lookup where the pre-state offers it, its balance as a hint
 * (logged as read only when note_balance_read says a transaction used it). */
static void cs_read_basic_with_balance(pv_state_source *s, const pv_address *a, pv_account_basic *out,
                                       u256 *balance)
{
    chunk_source *c = (chunk_source *)s;
    if (!c->collecting)
        read_account_kind(c, a, FP_BASIC);
    pv_source_read_account(c->run->sh->pre, a, out, balance);
}

static void cs_note_balance_read(pv_state_source *s, const pv_address *a)
{
    chunk_source *c = (chunk_source *)s;
    if (!c->collecting)
        read_account_kind(c, a, FP_BALANCE);
}

static const pv_state_source_fn chunk_source_fn = {cs_read_basic, cs_read_balance, cs_read_storage,
                                                   cs_read_basic_with_balance, cs_note_balance_read, NULL};

/* The window's reads from a state over the world itself (the usual in-memory pre-state): no
 * source between the state and the world, whose indirections and per-account copies cost ~10%
 * of a plain transfer's time; the state reports its reads through this hook while publishing,
 * and is asked what it loaded at the end (validate_states). */
static void on_read(void *ctx, pv_state_read_kind kind, const pv_address *a, const u256 *key)
{
    chunk_run *r = ctx;
    if (kind == PV_READ_STORAGE)
        fp_read(r->sh, r->k, fp_slot(r->sh, a, key), LOC_SLOT, a);
    int k = kind == PV_READ_BASIC ? FP_BASIC : kind == PV_READ_BALANCE ? FP_BALANCE : FP_STORAGE_ALL;
    fp_read(r->sh, r->k, &fp_account_of(r, a)->kind[k], k, a);
}

/* The end of the window: no more publishing, reads or writes. */
static void stop_publishing(chunk_run *r, bool world)
{
    r->publish_reads = r->publish_writes = false;
    pv_state_set_write_hook(r->st, NULL, NULL);
    if (world)
        pv_state_set_read_hook(r->st, NULL, NULL);
}

/* The window's writes (the state's write hook, while publishing). */
static void on_write(void *ctx, pv_state_write_kind kind, const pv_address *a, const u256 *key)
{
    chunk_run *r = ctx;
    if (kind == PV_WRITE_STORAGE) {
        fp_write(r->sh, r->k, fp_slot(r->sh, a, key), LOC_SLOT, a);
        return;
    }
    int k = kind == PV_WRITE_BASIC ? FP_BASIC : kind == PV_WRITE_BALANCE ? FP_BALANCE : FP_STORAGE_ALL;
    fp_write(r->sh, r->k, &fp_account_of(r, a)->kind[k], k, a);
}

/* Encodes run r's receipts now (on any thread) if its gas and every lower chunk's are known
 * (the first chunk's base always is), unless someone else does; returns false if they are not
 * known yet. While the chunks run, where the settling would do it after them all; never waits;
 * the settling encodes what is left. */
static bool encode_if_base_known(chunk_run *r)
{
    chunks_shared *sh = r->sh;
    if (atomic_load_explicit(&r->encode_claimed, memory_order_relaxed))
        return true;
    if (!atomic_load_explicit(&r->gas_known, memory_order_acquire))
        return false;
    /* the runs below this one, from transaction 0 up, each finished (its end final): runs are
     * only split while they run, so a finished tiling of [0, first) is the final one */
    unsigned nr = atomic_load_explicit(&sh->nruns, memory_order_acquire);
    uint64_t base = 0;
    for (size_t pos = 0; pos < r->first;) {
        const chunk_run *q = NULL;
        for (unsigned c = 0; c < nr && !q; c++)
            if (sh->all[c].first == pos && &sh->all[c] != r)
                q = &sh->all[c];
        if (!q || !atomic_load_explicit(&q->gas_known, memory_order_acquire))
            return false;
        base += q->slice.gas;
        pos = q->end;
    }
    if (atomic_exchange_explicit(&r->encode_claimed, true, memory_order_acq_rel))
        return true;
    r->slice.base = base;
    /* each fill precedes its chunk's run: they are done long before a run ends, in practice */
    for (unsigned i = 0; sh->trie && atomic_load_explicit(&sh->filled, memory_order_acquire) < sh->fills; i++)
        pv_pool_relax(i);
    pv_receipt_slice_encode(sh->res, sh->b->fork, &r->slice);
    return true;
}

/* A thread with nothing left to run or steal encodes the receipts of the runs that could not
 * (their lower chunks finished after them) as soon as their base is known: the slowest chunk's
 * thread is still busy, the others would wait at the end of the pool run anyway (a stolen tail
 * of 5,000 transfers left its 2 ms of encodings to one settling job). */
static void help_encode(chunks_shared *sh)
{
    for (unsigned spins = 0;; spins++) {
        if (atomic_load_explicit(&sh->stop, memory_order_relaxed))
            return;
        unsigned nr = atomic_load_explicit(&sh->nruns, memory_order_acquire);
        bool pending = false;
        for (unsigned c = 0; c < nr; c++)
            pending |= !encode_if_base_known(&sh->all[c]);
        if (!pending)
            return;
        pv_pool_relax(spins);
    }
}

/* ------------------------------------------------------------------ CPU speeds */

/*
 * How fast each CPU ran the chunks lately: the nanoseconds per million gas of the last whole
 * runs there (transactions, then receipts and collect; halved towards each new run), and when.
 * A virtual machine's vCPUs are not equal: on the 2-vCPU VM one ran a block 35-70% slower than
 * the other for minutes at a time, and chunks cut at equal gas then waited for the slow one,
 * each chunk's receipts and collect included (a steal evens out only the transactions still to
 * run). Nor is the slowness the same for all work: with one vCPU 34% slower at the
 * transactions of 10,000 transfers (hash lookups in the pre-state), its receipts and collect
 * (streams over its own memory) were 10% slower, and chunks cut by the transactions' speed
 * alone ended 0.25-0.45 ms apart. The partition gives each
 * chunk a share of the gas in proportion to the speed of the CPU its thread is bound to
 * (pv_pool_predict_cpus), when both are known from the last minute, within a factor of 3.
 */
#define SPEED_CPUS 256
#define SPEED_MAX_AGE_NS 60000000000ull
#define SPEED_MIN_TXS 256
static _Atomic uint64_t cpu_ns_per_mgas[SPEED_CPUS];
static _Atomic uint64_t cpu_speed_at[SPEED_CPUS];

static void record_speed(uint64_t loop_ns, uint64_t gas, size_t txs)
{
    int cpu = sched_getcpu();
    if (cpu < 0 || cpu >= SPEED_CPUS || txs < SPEED_MIN_TXS || !gas)
        return;
    uint64_t v = (uint64_t)((double)loop_ns * 1e6 / (double)gas);
    uint64_t old = atomic_load_explicit(&cpu_ns_per_mgas[cpu], memory_order_relaxed);
    atomic_store_explicit(&cpu_ns_per_mgas[cpu], old ? (old + v) / 2 : v, memory_order_relaxed);
    atomic_store_explicit(&cpu_speed_at[cpu], pv_now_ns(), memory_order_relaxed);
}

/* Each chunk's share (weights summing to chunks), all 1 unless every CPU's speed is known. */
static void chunk_weights(unsigned chunks, double *w)
{
    int cpus[MAX_RUNS];
    for (unsigned c = 0; c < chunks; c++)
        w[c] = 1;
    pv_pool_predict_cpus(chunks, cpus);
    uint64_t now = pv_now_ns();
    double speed[MAX_RUNS], fastest = 0;
    for (unsigned c = 0; c < chunks; c++) {
        if (cpus[c] < 0 || cpus[c] >= SPEED_CPUS)
            return;
        uint64_t v = atomic_load_explicit(&cpu_ns_per_mgas[cpus[c]], memory_order_relaxed);
        uint64_t at = atomic_load_explicit(&cpu_speed_at[cpus[c]], memory_order_relaxed);
        if (!v || now - at > SPEED_MAX_AGE_NS)
            return;
        speed[c] = 1.0 / (double)v;
        if (speed[c] > fastest)
            fastest = speed[c];
    }
    double sum = 0;
    for (unsigned c = 0; c < chunks; c++) {
        if (speed[c] < fastest / 3)
            speed[c] = fastest / 3;
        sum += speed[c];
    }
    for (unsigned c = 0; c < chunks; c++)
        w[c] = speed[c] * chunks / sum;
}

/* Transactions a run claims at once: a compare-and-swap on its own line per claim, at least
 * CLAIM_TXS, up to 1/CLAIM_SHARE of what is left (at most CLAIM_MAX), so that a thief finds all
 * but a thirty-second of the rest free to split. The locked compare-and-swap waits for the
 * stores of the transactions before it to drain; one per four transfers was 6% of a
 * 10,000-transfer block's extra CPU in chunks, and the bigger claims ran it 2% faster (median
 * of 12 alternating pairs). */
#define CLAIM_TXS 4
#define CLAIM_SHARE 32
#define CLAIM_MAX 64

/* The receipts a run writes were last read by whichever thread consumed the previous block's
 * result, usually on the other CPU: a receipt's lines (328 bytes) are fetched for writing a few
 * transactions ahead, so that the transfer of their ownership does not stall the transaction
 * that fills them. Without it, the chunk on the consumer's far CPU ran its transfers 15-20%
 * slower than the other, which the partition took for a slower CPU. */
#define RECEIPT_AHEAD 8

static void run_chunk(chunk_run *r)
{
    chunks_shared *sh = r->sh;
    const pv_block *b = sh->b;
    atomic_store_explicit(&r->started_ns, pv_now_ns(), memory_order_relaxed);
    r->src.base.fn = &chunk_source_fn;
    r->src.base.lazy_balance = true;
    r->src.run = r;
    /* Over the world itself, the state is asked what it loaded at the end (validate_states),
     * and reports reads only to publish them in the window; over a source, the chunk source
     * logs them. */
    const pv_world *world = pv_source_world(sh->pre);
    r->publish_reads = r->window > 0 && r->first > 0;
    r->publish_writes = r->window > 0 && r->end < b->txs_count;
    if (world) {
        r->st = pv_state_new(world);
        pv_state_set_lazy_balance(r->st);
        if (r->publish_reads)
            pv_state_set_read_hook(r->st, on_read, r);
    } else {
        r->st = pv_state_new_from(&r->src.base);
    }
    pv_state_reserve(r->st, 2 * (r->end - r->first) + 16, 2 * (r->end - r->first) + 16);
    if (r->publish_writes)
        pv_state_set_write_hook(r->st, on_write, r);
    /* a transfer logs three reads: no regrowth (copies, fresh pages) for most blocks; the first
     * chunk's reads are the pre-state's: nothing to validate */
    r->logging = !world && r->first > 0;
    if (r->logging)
        log_reserve(&r->reads, 4 * (r->end - r->first) + 64);
    if (r->first == 0)
        pv_block_beacon_root_call(r->st, b);
    const uint64_t block_limit = b->env.gas_limit;
    uint64_t local_gas = 0;
    r->gas_headroom = UINT64_MAX;
    const uint64_t loop_start = pv_now_ns();
    for (;;) {
        uint64_t span = atomic_load_explicit(&r->span, memory_order_relaxed);
        size_t next = (size_t)(span >> 32), end = (size_t)(uint32_t)span;
        if (next >= end) {
            r->end = end; /* next == end: claims never pass end, steals leave one at least */
            break;
        }
        size_t left = end - next, take = left / CLAIM_SHARE;
        take = take < CLAIM_TXS ? CLAIM_TXS : take > CLAIM_MAX ? CLAIM_MAX : take;
        if (take > left)
            take = left;
        if (!atomic_compare_exchange_weak_explicit(&r->span, &span, ((uint64_t)(next + take) << 32) | end,
                                                   memory_order_acq_rel, memory_order_relaxed))
            continue; /* a steal lowered end meanwhile */
        for (size_t i = next; i < next + take; i++) {
            if (atomic_load_explicit(&sh->stop, memory_order_relaxed))
                return;
            bool publishing = r->publish_reads || r->publish_writes;
            if (publishing && i - r->first == r->window)
                stop_publishing(r, world);
            else if (publishing && i + 4 < end)
                prefetch_tx(r, &b->txs[i + 4]);
            const uint64_t tx_limit = b->txs[i].gas_limit;
            if (tx_limit > block_limit || local_gas > block_limit - tx_limit)
                r->never_fits = true;
            else if (block_limit - tx_limit - local_gas < r->gas_headroom)
                r->gas_headroom = block_limit - tx_limit - local_gas;
            if (i + RECEIPT_AHEAD < end)
                pv_prefetch_lines_for_write(&r->receipts[i + RECEIPT_AHEAD], sizeof *r->receipts);
            pv_receipt rc;
            pv_tx_error err = pv_transact(r->st, &b->env, b->fork, &b->txs[i], 0, &rc);
            local_gas += rc.gas_used;
            pv_block_receipt *out = &r->receipts[i];
            memset(out, 0, sizeof *out); /* here, not for the chunk at its start: a thief may own the rest */
            out->tx_type = b->txs[i].type;
            out->status = rc.status;
            out->gas_used = rc.gas_used;
            out->logs = rc.logs;
            out->logs_count = rc.logs_count;
            out->has_contract_address = b->txs[i].is_create && rc.status == PV_SUCCESS && err == PV_TX_VALID;
            out->contract_address = rc.contract_address;
            r->filled = i - r->first + 1;
            if (err != PV_TX_VALID && !r->src.base.halted) {
                /* Block-STM knows what an invalid transaction means under each policy. Usually a
                 * dependency: the sender's nonce or balance comes from a lower chunk. */
                char why[96];
                snprintf(why, sizeof why, "transaction %zu invalid in chunk %u (%s)", i, r->k, pv_tx_error_name(err));
                give_up(sh, why);
                return;
            }
        }
    }
    r->loop_ns = pv_now_ns() - loop_start;
    if (r->publish_reads || r->publish_writes)
        stop_publishing(r, world);
    r->last = r->end == b->txs_count;
    if (r->last)
        r->uncle_rewards_missing = pv_block_finish_rewards(r->st, b);
    if (atomic_load(&sh->stop))
        return;
    /* the blooms of the chunk's receipts, on its thread, hashed in full batches */
    pv_bloom_add_receipts(&r->receipts[r->first], r->end - r->first);
    r->slice.lo = r->first;
    r->slice.hi = r->end;
    pv_receipt_slice_sum(r->receipts, &r->slice);
    atomic_store_explicit(&r->gas_known, true, memory_order_release);
    encode_if_base_known(r);
    r->src.collecting = true;
    pv_state_collect_changes_unordered(r->st, &r->changes, &r->order, &r->slots_count, &r->unchanged,
                                       &r->n_unchanged);
    /* the lower chunks may have finished meanwhile; a run whose receipts are left for later
     * tells nothing of its CPU's speed over a whole run */
    if (encode_if_base_known(r))
        record_speed(pv_now_ns() - loop_start, local_gas, r->end - r->first);
}

/* A thread whose run is done takes the tail of the run with the most transactions left, cut so
 * that both should finish together at the rates measured so far (the victim's since it began,
 * the thief's over its last run): the partition's guess of the transactions' cost, or one CPU
 * running slower than the other (a virtual machine's often does, by up to half), no longer
 * decides when the chunks end. The new run is a chunk like the others, ordered by its first
 * transaction; it publishes nothing early (it starts late), the final validation checks it.
 * Returns NULL when nothing is worth taking. */
static chunk_run *steal(chunks_shared *sh, const chunk_run *mine)
{
    if (sh->steal_min == SIZE_MAX || atomic_load_explicit(&sh->stop, memory_order_relaxed))
        return NULL;
    double my_rate = (double)(mine->end - mine->first) / (double)(mine->loop_ns ? mine->loop_ns : 1);
    chunk_run *got = NULL;
    pthread_mutex_lock(&sh->steal_lock);
    unsigned nr = atomic_load_explicit(&sh->nruns, memory_order_relaxed); /* changed only under the lock */
    for (int attempt = 0; nr < sh->cap && !got && attempt < 16; attempt++) {
        chunk_run *v = NULL;
        uint64_t vspan = 0;
        size_t most = 0;
        for (unsigned c = 0; c < nr; c++) {
            uint64_t span = atomic_load_explicit(&sh->all[c].span, memory_order_acquire);
            size_t left = (size_t)(uint32_t)span - (size_t)(span >> 32);
            if (&sh->all[c] != mine && left > most) {
                most = left;
                v = &sh->all[c];
                vspan = span;
            }
        }
        if (!v || most < sh->steal_min + 1)
            break;
        size_t next = (size_t)(vspan >> 32), end = (size_t)(uint32_t)vspan;
        uint64_t began = atomic_load_explicit(&v->started_ns, memory_order_relaxed), now = pv_now_ns();
        double v_rate = began && now > began ? (double)(next - v->first) / (double)(now - began) : 0;
        size_t keep = (size_t)((double)most * v_rate / (v_rate + my_rate));
        if (keep < 1)
            keep = 1;
        if (keep > most - sh->steal_min)
            keep = most - sh->steal_min;
        size_t split = next + keep;
        if (!atomic_compare_exchange_strong_explicit(&v->span, &vspan, ((uint64_t)next << 32) | split,
                                                     memory_order_acq_rel, memory_order_relaxed))
            continue; /* the victim claimed more meanwhile: look again */
        got = &sh->all[nr];
        got->sh = sh;
        got->k = v->k; /* (for messages until the runs are ordered) */
        got->first = split;
        got->end = end;
        atomic_init(&got->span, ((uint64_t)split << 32) | end);
        atomic_init(&got->started_ns, 0);
        atomic_init(&got->gas_known, false);
        atomic_init(&got->encode_claimed, false);
        got->window = 0;
        got->receipts = v->receipts;
        got->slice.trie = v->slice.trie;
        got->slice.first_item = split;
        atomic_store_explicit(&sh->nruns, nr + 1, memory_order_release);
    }
    pthread_mutex_unlock(&sh->steal_lock);
    return got;
}

/* One thread: its chunk, then whatever it can steal. */
static void *chunk_main(void *arg)
{
    chunk_run *r = arg;
    chunks_shared *sh = r->sh;
    if (sh->trie) {
        pv_ordered_trie_fill(sh->trie, r->first, r->end); /* before any steal can move end */
        atomic_fetch_add_explicit(&sh->filled, 1, memory_order_release);
    }
    while (r) {
        run_chunk(r);
        r = steal(sh, r);
    }
    help_encode(sh);
    return NULL;
}

/* ------------------------------------------------------------------ validation */

/* Every chunk's reads against the lower chunks' changes: an open-addressing table of changed
 * locations -> lowest changing chunk, from the chunks' change lists, then a probe per logged
 * read. What a chunk left as it found it (written and written back) is no conflict: a higher
 * chunk read the value it would have read in sequence. Exact up to 64-bit collisions, which
 * only cost a fallback. */
typedef struct written_table {
    uint64_t *slot;               /* (hash with the low 7 bits cleared) | lowest chunk; 0: empty */
    size_t mask;
} written_table;

#define CHUNK_BITS 127ull

static uint64_t table_key(uint64_t h)
{
    h &= ~CHUNK_BITS;
    return h ? h : 1ull << 63;
}

static void table_insert(written_table *t, uint64_t h, uint64_t chunk)
{
    uint64_t key = table_key(h);
    for (size_t at = (key >> 7) & t->mask;; at = (at + 1) & t->mask) {
        uint64_t e = t->slot[at];
        if (!e) {
            t->slot[at] = key | chunk;
            return;
        }
        if ((e & ~CHUNK_BITS) == key)
            return; /* chunks are inserted in order: the first is the lowest */
    }
}

static bool validate_logs(chunk_run **runs, unsigned chunks, char *why, size_t why_len)
{
    if (chunks < 2)
        return true;
    size_t total = 0;
    for (unsigned c = 0; c + 1 < chunks; c++)
        total += 3 * runs[c]->changes.count + runs[c]->slots_count;
    size_t cap = 1024;
    while (cap < 2 * total)
        cap *= 2;
    written_table t = {calloc(cap, sizeof(uint64_t)), cap - 1};
    if (!t.slot)
        oom();
    for (unsigned c = 0; c + 1 < chunks; c++) {
        uint64_t k = runs[c]->k;
        const pv_state_changes *ch = &runs[c]->changes;
        for (size_t i = 0; i < ch->count; i++) {
            const pv_account_change *a = &ch->accounts[i];
            if (a->changed & PV_CHANGED_BASIC)
                table_insert(&t, loc_hash(FP_BASIC, &a->address, NULL), k);
            if (a->changed & PV_CHANGED_BALANCE)
                table_insert(&t, loc_hash(FP_BALANCE, &a->address, NULL), k);
            if (a->storage_reset)
                table_insert(&t, loc_hash(FP_STORAGE_ALL, &a->address, NULL), k);
            for (size_t s = 0; s < a->slots_count; s++)
                table_insert(&t, loc_hash(LOC_SLOT, &a->address, &a->slots[s].key), k);
        }
    }
    bool ok = true;
    for (unsigned c = 1; ok && c < chunks; c++) {
        uint64_t k = runs[c]->k;
        for (size_t i = 0; i < runs[c]->reads.n; i++) {
            uint64_t key = table_key(runs[c]->reads.v[i]);
            size_t at = (key >> 7) & t.mask;
            uint64_t e;
            while ((e = t.slot[at]) && (e & ~CHUNK_BITS) != key)
                at = (at + 1) & t.mask;
            if (e && (e & CHUNK_BITS) < k) {
                snprintf(why, why_len, "chunk %u read a location that chunk %u changed (found at the end)",
                         (unsigned)k, (unsigned)(e & CHUNK_BITS));
                ok = false;
                break;
            }
        }
    }
    free(t.slot);
    return ok;
}

static int cmp_addr(const pv_address *a, const pv_address *b);

/* Over the world: each higher chunk's state says what it loaded, and every net change of a
 * lower chunk to an account it loaded is checked there (no read log during the transactions, no
 * table): a changed account (its basic fields), one whose balance it used, or a changed slot it
 * loaded, is a conflict. Loading counts as reading even when a write came first: conservative.
 * Whether chunk c's state read what change a (of a lower chunk j) changed; if so, why. */
static bool state_read_change(chunk_run **runs, unsigned c, unsigned j, const pv_account_change *a, char *why,
                              size_t why_len)
{
    bool balance_used;
    pv_state *st = runs[c]->st;
    if (!pv_state_loaded_account(st, &a->address, &balance_used))
        return false;
    const char *what = NULL;
    if ((a->changed & PV_CHANGED_BASIC) || a->storage_reset)
        what = "the account";
    else if ((a->changed & PV_CHANGED_BALANCE) && balance_used)
        what = "the balance";
    if (!what && pv_state_loaded_any_slot(st, &a->address, a->slots, a->slots_count))
        what = "a slot";
    if (what)
        snprintf(why, why_len, "chunk %u read %s of 0x%02x%02x%02x.. that chunk %u changed (found at the end)",
                 runs[c]->k, what, a->address.b[0], a->address.b[1], a->address.b[2], runs[j]->k);
    return what != NULL;
}

/* a before b, both (prefix, address) */
static inline int ref_cmp(uint64_t pa, const pv_address *a, uint64_t pb, const pv_address *b)
{
    if (pa != pb)
        return pa < pb ? -1 : 1;
    return cmp_addr(a, b);
}

/* The settling's address ranges, one per job: bound[p * chunks + c] is chunk c's first order
 * entry of range p (row `parts` holds the counts), ubound the same in its unchanged list. */
typedef struct settle_plan {
    unsigned parts, chunks;
    size_t *bound, *ubound;
    size_t *records, *slots;      /* what each range of the merged changes holds, counted */
    atomic_uint arrived;          /* jobs that have counted their range */
    atomic_bool invalid;          /* a job's validation failed: nobody writes */
    size_t total_slots;
    pv_state_changes out;
} settle_plan;

/* Whether chunk c loaded an account of lower chunk j's changes xs[0..nx) (a conflict if so,
 * state_read_change decides), with ys c's order or unchanged entries by address, ny of them,
 * stride bytes apart: each starts with the prefix and then a pointer to the address (a
 * pv_change_ref's change starts with its address). An intersection of two sorted lists that
 * advances without branching on which is ahead (a branch taken at random cost more than the
 * rest of the step); equal prefixes, rare, compare the addresses. */
_Static_assert(offsetof(pv_change_ref, change) == 8 && offsetof(pv_address_ref, addr) == 8 &&
                   offsetof(pv_account_change, address) == 0,
               "loaded_by_higher reads both kinds of entry alike");
static bool loaded_by_higher(chunk_run **runs, unsigned c, unsigned j, const pv_change_ref *xs, size_t nx,
                             const unsigned char *ys, size_t ny, size_t stride, char *why, size_t why_len)
{
    const pv_change_ref *x = xs, *xe = xs + nx;
    const unsigned char *y = ys, *ye = ys + ny * stride;
    while (x < xe && y < ye) {
        uint64_t a = x->prefix, b;
        memcpy(&b, y, 8);
        if (PV_UNLIKELY(a == b)) {
            const pv_address *ya;
            memcpy(&ya, y + 8, sizeof ya);
            int d = cmp_addr(&x->change->address, ya);
            if (d == 0 && state_read_change(runs, c, j, x->change, why, why_len))
                return false;
            x += d <= 0;
            y += d >= 0 ? stride : 0;
            continue;
        }
        x += a < b;
        y += a > b ? stride : 0;
    }
    return true;
}

/* Every account higher chunk c loaded is in its change order or its unchanged list, both by
 * address: intersections of those with each lower chunk's change order find the accounts both
 * touched, and only those are looked up in c's state (sequential passes over the entries,
 * where a lookup per change cost a cache miss each). Only range p of the addresses. */
static bool validate_states(chunk_run **runs, const settle_plan *pl, unsigned p, char *why, size_t why_len)
{
    const unsigned chunks = pl->chunks;
    const size_t *lo = pl->bound + (size_t)p * chunks, *hi = lo + chunks;
    const size_t *ulo = pl->ubound + (size_t)p * chunks, *uhi = ulo + chunks;
    for (unsigned c = 1; c < chunks; c++)
        for (unsigned j = 0; j < c; j++) {
            const pv_change_ref *xs = runs[j]->order + lo[j];
            size_t nx = hi[j] - lo[j];
            if (!loaded_by_higher(runs, c, j, xs, nx, (const unsigned char *)(runs[c]->order + lo[c]), hi[c] - lo[c],
                                  sizeof(pv_change_ref), why, why_len) ||
                !loaded_by_higher(runs, c, j, xs, nx, (const unsigned char *)(runs[c]->unchanged + ulo[c]),
                                  uhi[c] - ulo[c], sizeof(pv_address_ref), why, why_len))
                return false;
        }
    return true;
}

/* ------------------------------------------------------------------ partition */

/* Chunk boundaries: equal shares of the transactions' gas limits (the best guess of their cost
 * before running them). bounds[0..chunks]. A big block's limits are sampled, every stride-th
 * transaction standing for the stride it starts: reading all of them walked a transaction
 * array of megabytes on one thread before anything ran (0.45 ms for 50,000 transfers), and
 * even 4,096 samples, a cache miss each, took 36-47 us of a 10,000-transfer block before
 * either chunk began; 256 take 9 us. A guess off by a few percent costs little: the steals
 * even out the chunks' ends. */
#define PARTITION_SAMPLES 256

static void partition(const pv_block *b, unsigned chunks, const double *weight, size_t *bounds)
{
    size_t n = b->txs_count;
    size_t stride = n / PARTITION_SAMPLES + 1;
    unsigned __int128 total = 0;
    for (size_t i = 0; i < n; i += stride)
        total += b->txs[i].gas_limit;
    bounds[0] = 0;
    unsigned __int128 acc = 0;
    size_t i = 0;
    double before = 0; /* the weights of the chunks before boundary c */
    for (unsigned c = 1; c < chunks; c++) {
        before += weight[c - 1];
        unsigned __int128 target = (unsigned __int128)((double)total * (before / chunks));
        while (i < n && acc + b->txs[i].gas_limit / 2 < target) {
            acc += b->txs[i].gas_limit;
            i += stride;
        }
        if (i > n)
            i = n;
        /* never an empty chunk */
        if (i <= bounds[c - 1])
            i = bounds[c - 1] + 1;
        if (i > n - (chunks - c))
            i = n - (chunks - c);
        bounds[c] = i;
    }
    bounds[chunks] = n;
}

static unsigned chunk_count(const pv_block *b, unsigned threads)
{
    unsigned c = threads;
    if (c > MAX_RUNS)
        c = MAX_RUNS;
    if (c > b->txs_count)
        c = (unsigned)b->txs_count;
    return c;
}

bool pv_chunks_worth_trying(const pv_block *b, unsigned threads, bool always)
{
    size_t n = b->txs_count;
    return threads >= 2 && n >= 2 && (always || n >= PV_CHUNKS_MIN_TXS);
}

/* ------------------------------------------------------------------ merging the chunks' changes */

/* Two sorted, disjoint slot lists merged into out (which aliases neither), with the lists'
 * ends in locals: the general loop reloaded them through its pointers after every store (out
 * might have aliased them), 40 ns a slot. Returns na + nb. */
static size_t merge_slots_two(pv_slot_change *restrict out, const pv_slot_change *a, size_t na,
                              const pv_slot_change *b, size_t nb)
{
    const pv_slot_change *ae = a + na, *be = b + nb;
    pv_slot_change *o = out;
    while (a < ae && b < be) {
        bool take_a = u256_lt(&a->key, &b->key);
        *o++ = take_a ? *a : *b;
        a += take_a;
        b += !take_a;
    }
    while (a < ae)
        *o++ = *a++;
    while (b < be)
        *o++ = *b++;
    return (size_t)(o - out);
}

/* Several chunks changed one account: only credits can overlap (anything else reads first, and
 * would have been a conflict), so the balance is the pre-state's plus every chunk's difference,
 * and the rest comes from the chunk that changed it, if any. */
static void combine(pv_state_source *pre, pv_account_change *into, const pv_account_change *const *parts,
                    unsigned nparts, pv_slot_change *slot_out, size_t *nslots_out, bool *changed)
{
    pv_account_basic pb;
    u256 pre_balance;
    pv_source_read_account(pre, &parts[0]->address, &pb, &pre_balance);
    pv_account_change c;
    memset(&c, 0, sizeof c);
    c.address = parts[0]->address;
    c.exists = pb.exists;
    c.nonce = pb.exists ? pb.nonce : 0;
    c.code = pb.exists ? pb.code : NULL;
    u256 balance = pre_balance;
    for (unsigned p = 0; p < nparts; p++) {
        const pv_account_change *x = parts[p];
        if (x->exists != pb.exists || (x->exists && (x->nonce != pb.nonce || x->code != pb.code))) {
            c.exists = x->exists;
            c.nonce = x->nonce;
            c.code = x->code;
        }
        c.storage_reset |= x->storage_reset;
        u256 d;
        u256_sub(&d, &x->balance, &pre_balance);
        u256_add(&balance, &balance, &d);
    }
    c.balance = c.exists ? balance : u256_zero();
    /* slots: each chunk's are sorted and the chunks' are disjoint: merge (only counted without
     * slot_out) */
    size_t ns = 0;
    size_t at[MAX_RUNS] = {0};
    for (unsigned p = 0; !slot_out && p < nparts; p++)
        ns += parts[p]->slots_count;
    if (slot_out && nparts == 2) /* a token contract both chunks changed: thousands each */
        ns = merge_slots_two(slot_out, parts[0]->slots, parts[0]->slots_count, parts[1]->slots,
                             parts[1]->slots_count);
    for (; slot_out && nparts != 2;) {
        int best = -1;
        for (unsigned p = 0; p < nparts; p++)
            if (at[p] < parts[p]->slots_count &&
                (best < 0 || u256_lt(&parts[p]->slots[at[p]].key, &parts[best]->slots[at[best]].key)))
                best = (int)p;
        if (best < 0)
            break;
        slot_out[ns++] = parts[best]->slots[at[best]++];
    }
    if (!c.exists)
        ns = 0;
    c.slots = slot_out;
    c.slots_count = ns;
    *nslots_out = ns;
    *changed = c.exists != pb.exists || c.storage_reset || ns ||
               (c.exists && (c.nonce != pb.nonce || !u256_eq(&c.balance, &pre_balance) || c.code != pb.code));
    *into = c;
}

static int cmp_addr(const pv_address *a, const pv_address *b) { return memcmp(a->b, b->b, 20); }

/* How far ahead the merge fetches the records it will copy, both lines of each (measured on
 * gigagas transfers: 8 ahead, 1.4 ms; 16 or more, 2.1 ms; 8 ahead one line, 1.8 ms). */
#define MERGE_AHEAD 8

/* Every line of a record (88 bytes: most straddle two); with only the first, half of merge_two's
 * samples waited on the second. */
static inline void prefetch_record(const pv_account_change *c) { pv_prefetch_lines(c, sizeof *c); }

/* One range of the merge: the chunks' order entries [from[c], to[c]), merged, writing each
 * record once at dst and its slots at slots; with dst NULL only counted, from the orders alone
 * (reading the records only of accounts several chunks changed, to see whether the sum changed
 * anything). Returns how many records, and in *nslots how many slots. */
static size_t merge_part(pv_state_source *pre, chunk_run **runs, unsigned chunks, const size_t *from,
                         const size_t *to, pv_account_change *dst, pv_slot_change *slots, size_t *nslots)
{
    size_t at[MAX_RUNS], count = 0, ns = 0;
    memcpy(at, from, chunks * sizeof *at);
    const pv_account_change *parts[MAX_RUNS];
    for (;;) {
        /* the least address among the chunks' next ones */
        const pv_change_ref *min = NULL;
        for (unsigned c = 0; c < chunks; c++) {
            if (at[c] >= to[c])
                continue;
            const pv_change_ref *x = &runs[c]->order[at[c]];
            if (dst && at[c] + MERGE_AHEAD < to[c]) /* records read in address order: scattered */
                prefetch_record(runs[c]->order[at[c] + MERGE_AHEAD].change);
            if (!min || ref_cmp(x->prefix, &x->change->address, min->prefix, &min->change->address) < 0)
                min = x;
        }
        if (!min)
            break;
        const pv_change_ref least = *min;
        unsigned np = 0;
        for (unsigned c = 0; c < chunks; c++) {
            if (at[c] >= to[c])
                continue;
            const pv_change_ref *x = &runs[c]->order[at[c]];
            /* (the least itself is not compared: its record would be read for nothing) */
            if (x == min || (x->prefix == least.prefix && pv_address_eq(&x->change->address, &least.change->address))) {
                parts[np++] = x->change;
                at[c]++;
            }
        }
        if (np == 1) {
            if (dst) {
                pv_account_change *d = &dst[count];
                *d = *parts[0];
                d->slots = slots + ns;
                if (least.slots_count)
                    memcpy(slots + ns, parts[0]->slots, least.slots_count * sizeof *slots);
            }
            ns += least.slots_count;
            count++;
        } else {
            size_t k;
            bool changed;
            pv_account_change tmp;
            combine(pre, dst ? &dst[count] : &tmp, parts, np, dst ? slots + ns : NULL, &k, &changed);
            if (changed) {
                ns += k;
                count++;
            }
        }
    }
    *nslots = ns;
    return count;
}

/* merge_part for two chunks (the usual case, one per CPU of a small machine): a merge that
 * advances without branching on which list is ahead, as loaded_by_higher (the general walk
 * spent most of its time on that branch). Counts only with dst NULL. */
static size_t merge_two(pv_state_source *pre, chunk_run **runs, const size_t *from, const size_t *to,
                        pv_account_change *dst, pv_slot_change *slots, size_t *nslots)
{
    const pv_change_ref *x = runs[0]->order + from[0], *xe = runs[0]->order + to[0];
    const pv_change_ref *y = runs[1]->order + from[1], *ye = runs[1]->order + to[1];
    size_t count = 0, ns = 0;
    for (;;) {
        const pv_change_ref *pick;
        if (x < xe && y < ye) {
            uint64_t a = x->prefix, b = y->prefix;
            int d = a < b ? -1 : a > b ? 1 : 0;
            if (PV_UNLIKELY(d == 0))
                d = cmp_addr(&x->change->address, &y->change->address);
            if (PV_UNLIKELY(d == 0)) { /* both changed it: one record if the sum changed anything */
                const pv_account_change *parts[2] = {x->change, y->change};
                size_t k;
                bool changed;
                pv_account_change tmp;
                combine(pre, dst ? &dst[count] : &tmp, parts, 2, dst ? slots + ns : NULL, &k, &changed);
                count += changed;
                ns += changed ? k : 0;
                x++;
                y++;
                continue;
            }
            pick = d < 0 ? x : y;
            x += d < 0;
            y += d > 0;
        } else if (x < xe) {
            pick = x++;
        } else if (y < ye) {
            pick = y++;
        } else {
            break;
        }
        if (dst) {
            if (x + MERGE_AHEAD < xe) /* records read in address order: scattered */
                prefetch_record(x[MERGE_AHEAD].change);
            if (y + MERGE_AHEAD < ye)
                prefetch_record(y[MERGE_AHEAD].change);
            pv_account_change *out = &dst[count];
            *out = *pick->change;
            out->slots = slots + ns;
            if (pick->slots_count)
                memcpy(slots + ns, pick->change->slots, pick->slots_count * sizeof *slots);
        }
        count++;
        ns += pick->slots_count;
    }
    *nslots = ns;
    return count;
}

/* The union of the chunks' change lists, by address, cut into one address range per job at
 * pivots spread over the longest list. Each job counts its range from the orders, then, once
 * every range is counted, writes it at its offset: the merge and the validation are shared
 * evenly (one job merging beside another validating left the merge alone on the critical path:
 * 0.42 ms of a 10,000-transfer block's 5.3). */
/* The first of n entries, stride bytes apart and each starting with its address prefix, whose
 * prefix is at least pivot (they are in prefix order): a binary search. */
static size_t first_at_or_above(const void *base, size_t n, size_t stride, uint64_t pivot)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t x = lo + (hi - lo) / 2;
        uint64_t prefix;
        memcpy(&prefix, (const unsigned char *)base + x * stride, 8);
        if (prefix < pivot)
            lo = x + 1;
        else
            hi = x;
    }
    return lo;
}

static void settle_plan_init(settle_plan *pl, chunk_run **runs, unsigned chunks, unsigned parts)
{
    memset(pl, 0, sizeof *pl);
    pl->parts = parts;
    pl->chunks = chunks;
    size_t rows = (size_t)(parts + 1) * chunks;
    pl->bound = calloc(rows, sizeof *pl->bound);
    pl->ubound = calloc(rows, sizeof *pl->ubound);
    pl->records = calloc(parts, sizeof *pl->records);
    pl->slots = calloc(parts, sizeof *pl->slots);
    if (!pl->bound || !pl->ubound || !pl->records || !pl->slots)
        oom();
    atomic_init(&pl->arrived, 0);
    atomic_init(&pl->invalid, false);
    size_t total = 0;
    unsigned longest = 0;
    for (unsigned c = 0; c < chunks; c++) {
        total += runs[c]->changes.count;
        pl->total_slots += runs[c]->slots_count;
        if (runs[c]->changes.count > runs[longest]->changes.count)
            longest = c;
    }
    pl->out.accounts = malloc((total + 1) * sizeof *pl->out.accounts);
    pl->out.slot_pool = malloc((pl->total_slots + 1) * sizeof *pl->out.slot_pool);
    if (!pl->out.accounts || !pl->out.slot_pool)
        oom();
    const chunk_run *l = runs[longest];
    for (unsigned p = 1; p <= parts; p++) {
        uint64_t pivot = p < parts && l->changes.count ? l->order[l->changes.count * p / parts].prefix : 0;
        for (unsigned c = 0; c < chunks; c++) { /* the first entries at or above the pivot */
            size_t *b = &pl->bound[(size_t)p * chunks + c], *ub = &pl->ubound[(size_t)p * chunks + c];
            if (p == parts) {
                *b = runs[c]->changes.count;
                *ub = runs[c]->n_unchanged;
                continue;
            }
            *b = first_at_or_above(runs[c]->order, runs[c]->changes.count, sizeof *runs[c]->order, pivot);
            *ub = first_at_or_above(runs[c]->unchanged, runs[c]->n_unchanged, sizeof *runs[c]->unchanged, pivot);
        }
    }
}

static void settle_plan_free(settle_plan *pl)
{
    free(pl->bound);
    free(pl->ubound);
    free(pl->records);
    free(pl->slots);
    pv_state_changes_free(&pl->out);
}

/* Every job waits here until all have counted their range (each job has a thread of its own:
 * pv_pool_run; a waiter yields, in case there are more threads than CPUs). */
static void settle_barrier(settle_plan *pl)
{
    atomic_fetch_add_explicit(&pl->arrived, 1, memory_order_acq_rel);
    for (unsigned spins = 0; atomic_load_explicit(&pl->arrived, memory_order_acquire) < pl->parts; spins++)
        pv_pool_relax(spins);
}

/* ------------------------------------------------------------------ the attempt */

/* After the chunks, one job per thread: an address range's validation and merge (settle_plan),
 * then the receipts' encodings of the chunks c = part, part + parts, ... that could not encode
 * their own (and their share of the block gas limit check); all thrown away if a validation
 * fails. One pool run, never nested in another: a nested run on a busy pool takes a third
 * thread, and three threads on two CPUs cost milliseconds of time slices. */
typedef struct settle_job {
    unsigned part;                /* the address range, and the chunks whose receipts it encodes */
    pv_state_source *pre;
    const pv_block *b;
    chunk_run **runs;             /* in block order */
    unsigned chunks;
    pv_block_result *res;
    pv_receipt_slice *slices;     /* one per chunk */
    settle_plan *plan;
    bool valid, gas_fits;
    char why[96];
} settle_job;

static void *settle_main(void *arg)
{
    settle_job *j = arg;
    settle_plan *pl = j->plan;
    const unsigned p = j->part, chunks = j->chunks;
    /* over the world each range is validated by its job; over a source, job 0 probes the logs */
    if (pv_source_world(j->pre))
        j->valid = validate_states(j->runs, pl, p, j->why, sizeof j->why);
    else
        j->valid = p != 0 || validate_logs(j->runs, chunks, j->why, sizeof j->why);
    if (!j->valid)
        atomic_store(&pl->invalid, true);
    const size_t *from = pl->bound + (size_t)p * chunks, *to = from + chunks;
    pl->records[p] = chunks == 2 ? merge_two(j->pre, j->runs, from, to, NULL, NULL, &pl->slots[p])
                                 : merge_part(j->pre, j->runs, chunks, from, to, NULL, NULL, &pl->slots[p]);
    settle_barrier(pl);
    if (!atomic_load(&pl->invalid)) {
        size_t at = 0, slot_at = 0;
        for (unsigned q = 0; q < p; q++) {
            at += pl->records[q];
            slot_at += pl->slots[q];
        }
        size_t slots_written;
        if (chunks == 2)
            merge_two(j->pre, j->runs, from, to, pl->out.accounts + at, pl->out.slot_pool + slot_at, &slots_written);
        else
            merge_part(j->pre, j->runs, chunks, from, to, pl->out.accounts + at, pl->out.slot_pool + slot_at,
                       &slots_written);
    }
    /* the block gas limit, now that the gas before each chunk is known */
    j->gas_fits = true;
    for (unsigned c = p; c < chunks; c += pl->parts) {
        const chunk_run *r = j->runs[c];
        bool fits = !r->never_fits && j->slices[c].base <= r->gas_headroom;
        if (fits && !atomic_load_explicit(&r->encode_claimed, memory_order_relaxed))
            pv_receipt_slice_encode(j->res, j->b->fork, &j->slices[c]);
        j->gas_fits &= fits;
    }
    return NULL;
}

static int cmp_run_first(const void *a, const void *b)
{
    const chunk_run *x = *(chunk_run *const *)a, *y = *(chunk_run *const *)b;
    return (x->first > y->first) - (x->first < y->first);
}

/* The default least steal: below it a new chunk's fixed costs (a state, its collect, one more
 * list to validate and merge) outweigh what it saves. */
static size_t default_steal_min(size_t n)
{
    return n / 256 > 64 ? n / 256 : 64;
}

void pv_chunks_execute(pv_state_source *pre, const pv_block *b, unsigned threads, pv_invalid_tx_policy policy,
                       size_t window, size_t steal_min, pv_block_result *out, pv_chunks_outcome *outcome)
{
    (void)policy; /* every transaction must be valid here: Block-STM handles the rest */
    memset(outcome, 0, sizeof *outcome);
    size_t n = b->txs_count;
    unsigned initial = chunk_count(b, threads);
    size_t bounds[MAX_RUNS + 1];
    if (steal_min == PV_CHUNKS_STEAL_SKEWED) {
        /* (tests) every chunk but the last one transaction: the threads steal at once */
        for (unsigned c = 0; c < initial; c++)
            bounds[c] = c;
        bounds[initial] = n;
        steal_min = 1;
    } else {
        double weight[MAX_RUNS];
        chunk_weights(initial, weight);
        partition(b, initial, weight, bounds);
        if (steal_min == 0)
            steal_min = default_steal_min(n);
    }
    unsigned cap = steal_min == PV_CHUNKS_STEAL_NONE ? initial : initial * 4 > MAX_RUNS ? MAX_RUNS : initial * 4;
    if (cap < initial)
        cap = initial;

    chunks_shared sh;
    memset(&sh, 0, sizeof sh);
    sh.b = b;
    sh.pre = pre;
    atomic_init(&sh.stop, false);
    pthread_mutex_init(&sh.why_lock, NULL);
    pthread_mutex_init(&sh.steal_lock, NULL);
    sh.steal_min = steal_min;

    /* Each chunk zeroes its own receipts as it fills them (16 MB for 50,000: not on one thread). */
    pv_block_receipt *receipts = malloc((n + 1) * sizeof *receipts);
    chunk_run *all = calloc(cap, sizeof *all);
    chunk_run **runs = calloc(cap, sizeof *runs);
    void **args = calloc(cap, sizeof *args);
    if (!receipts || !all || !runs || !args)
        oom();
    pv_block_result res;
    memset(&res, 0, sizeof res);
    res.valid = true;
    res.receipts = receipts;
    res.receipts_count = n;
    res.receipts_root_known = b->fork >= PV_BYZANTIUM; /* as pv_receipt_slices_prefix says */
    sh.all = all;
    sh.cap = cap;
    atomic_init(&sh.nruns, initial);
    sh.res = &res;
    /* Every transaction is in the block if the attempt succeeds, so the receipts trie has n
     * items: each chunk hashes its receipts' leaves with their encodings, on its thread. */
    pv_ordered_trie *trie = res.receipts_root_known ? pv_ordered_trie_new_unfilled(n) : NULL;
    sh.trie = trie;
    sh.fills = initial;
    atomic_init(&sh.filled, 0);
    size_t published = 0;
    for (unsigned c = 0; c < initial; c++) {
        chunk_run *r = &all[c];
        r->sh = &sh;
        atomic_init(&r->gas_known, false);
        atomic_init(&r->encode_claimed, false);
        atomic_init(&r->started_ns, 0);
        atomic_init(&r->span, ((uint64_t)bounds[c] << 32) | bounds[c + 1]);
        r->k = c + 1;
        r->first = bounds[c];
        r->end = bounds[c + 1];
        size_t len = bounds[c + 1] - bounds[c];
        r->window = window == PV_CHUNKS_WINDOW_NONE ? 0
                    : window                        ? window
                    : len / 256 > PV_CHUNKS_WINDOW_TXS ? len / 256
                                                     : PV_CHUNKS_WINDOW_TXS;
        r->receipts = receipts;
        r->slice.trie = trie;
        r->slice.first_item = bounds[c];
        args[c] = r;
        published += r->window < len ? r->window : len;
    }
    /* sized for the windows' transactions, not the block's */
    sh.accounts = pv_cmap_new(sizeof(fp_addr_key), sizeof(fp_account), published * 3 + 256);
    sh.slots = pv_cmap_new(sizeof(fp_slot_key), sizeof(fp_entry), published * 2 + 256);
    double t0 = pv_now_ms();
    pv_pool_run(chunk_main, args, initial);
    double t1 = pv_now_ms();
    outcome->ms_run = t1 - t0;

    /* the runs in block order, each its place as k */
    unsigned chunks = atomic_load(&sh.nruns);
    outcome->chunks = chunks;
    outcome->steals = chunks - initial;
    for (unsigned c = 0; c < chunks; c++)
        runs[c] = &all[c];
    qsort(runs, chunks, sizeof *runs, cmp_run_first);
    bool ok = !atomic_load(&sh.stop);
    for (unsigned c = 0; c < chunks; c++) {
        runs[c]->k = c + 1;
        if (ok && runs[c]->first != (c ? runs[c - 1]->end : 0)) {
            fprintf(stderr, "parevm: internal error: chunk %u starts at %zu\n", c + 1, runs[c]->first);
            abort();
        }
    }
    if (ok && runs[chunks - 1]->end != n) {
        fprintf(stderr, "parevm: internal error: the chunks end at %zu of %zu\n", runs[chunks - 1]->end, n);
        abort();
    }
    unsigned parts = chunks < initial ? chunks : initial;
    pv_receipt_slice *slices = calloc(chunks, sizeof *slices);
    settle_job *jobs = calloc(parts, sizeof *jobs);
    if (!slices || !jobs)
        oom();
    for (unsigned c = 0; c < chunks; c++) /* the slices own the encodings from here */
        slices[c] = runs[c]->slice;
    settle_plan plan;
    memset(&plan, 0, sizeof plan);
    if (ok) {
        settle_plan_init(&plan, runs, chunks, parts);
        pv_receipt_slices_prefix(&res, b->fork, slices, chunks);
        for (unsigned p = 0; p < parts; p++) {
            jobs[p] = (settle_job){.part = p, .pre = pre, .b = b, .runs = runs, .chunks = chunks, .res = &res,
                                   .slices = slices, .plan = &plan};
            args[p] = &jobs[p];
        }
        pv_pool_run(settle_main, args, parts);
        for (unsigned p = 0; ok && p < parts; p++)
            if (!jobs[p].valid) {
                give_up(&sh, jobs[p].why);
                ok = false;
            }
        for (unsigned p = 0; ok && p < parts; p++)
            if (!jobs[p].gas_fits) {
                give_up(&sh, "the block gas limit is reached");
                ok = false;
            }
    }
    double t2 = pv_now_ms();
    outcome->ms_validate = t2 - t1;
    if (ok) {
        pv_receipt_slices_root(&res, slices, chunks, threads);
        res.uncle_rewards_missing = runs[chunks - 1]->uncle_rewards_missing;
        res.changes = plan.out;
        res.changes.count = 0;
        for (unsigned p = 0; p < parts; p++)
            res.changes.count += plan.records[p];
        memset(&plan.out, 0, sizeof plan.out);
        *out = res;
        receipts = NULL;
        outcome->done = true;
        outcome->ms_finish = pv_now_ms() - t2;
    } else {
        snprintf(outcome->why_not, sizeof outcome->why_not, "%s", sh.why);
    }

    /* (after a give-up, receipts of transactions nobody reached hold nothing: zeroed here) */
    for (unsigned c = 0; receipts && c < chunks; c++)
        for (size_t i = all[c].first; i < all[c].first + all[c].filled; i++) {
            pv_receipt rc = {.logs = receipts[i].logs, .logs_count = receipts[i].logs_count};
            pv_receipt_free(&rc);
        }
    for (unsigned c = 0; c < chunks; c++) {
        if (all[c].st)
            pv_state_free(all[c].st);
        pv_state_changes_free(&all[c].changes);
        free(all[c].order);
        free(all[c].unchanged);
        free(all[c].reads.v);
    }
    settle_plan_free(&plan);
    pv_receipt_slices_free(slices, chunks);
    pv_ordered_trie_free(trie);
    free(slices);
    free(jobs);
    free(receipts);
    free(all);
    free(runs);
    free(args);
    pv_cmap_free(sh.accounts, NULL);
    pv_cmap_free(sh.slots, NULL);
    pthread_mutex_destroy(&sh.why_lock);
    pthread_mutex_destroy(&sh.steal_lock);
}
