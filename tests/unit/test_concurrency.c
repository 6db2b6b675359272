/*
 * The concurrent building blocks, also run under ThreadSanitizer (make check):
 *  - pv_cmap: threads insert overlapping key sets at once (so inserts race and some lose);
 *    every key must end with exactly one value, the one every inserter of it got back, found
 *    by pv_cmap_find, and pv_cmap_for_each (which walks the arena, skipping the losers' nodes)
 *    must visit each key exactly once;
 *  - pv_pool_run: nested and back-to-back runs, every job run exactly once, and a caller that
 *    returns only after all its jobs (the batch lives on its stack); with two CPUs or more, the
 *    jobs of one run are each bound to one CPU, distinct ones up to the CPU count (from a plain
 *    thread and from inside a pool job), as pv_pool_predict_cpus said just before, and a job
 *    alone may run on every CPU;
 *  - pv_mv_collect_changes on 2 to 16 threads equals the one-thread result, on multi-version
 *    memories where one account's slots span several threads' slices (the slices then cut the
 *    account: continuation slots, records left open and dropped when nothing changed).
 */
#include "test.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "exec/mvmemory.h"
#include "state/cached_source.h"
#include "util/clock.h"
#include "util/conc_map.h"
#include "util/pool.h"

/* ------------------------------------------------------------------ map */

#define KEYS 16384 /* a power of two: every odd stride below visits every key */
#define INSERTERS 4

typedef struct key24 {
    uint64_t w[3];
} key24;

typedef struct value {
    _Atomic uint32_t owner;       /* the inserter whose init won */
    uint32_t key_index;
} value;

typedef struct inserter {
    pv_cmap *m;
    uint32_t id;
    value **got;                  /* got[k]: what this inserter got back for key k */
    unsigned inserted;
} inserter;

static key24 key_of(uint32_t k)
{
    key24 x = {{k * 0x9e3779b97f4a7c15ULL, k, ~(uint64_t)k}};
    return x;
}

static uint64_t hash_of(uint32_t k)
{
    key24 x = key_of(k);
    return pv_hash_bytes(&x, sizeof x) | (k & 1); /* a few equal-bucket neighbours too */
}

typedef struct init_ctx {
    uint32_t id, k;
} init_ctx;

static void init_value(void *v, const void *key, void *ctx)
{
    (void)key;
    value *x = v;
    init_ctx *c = ctx;
    atomic_init(&x->owner, c->id);
    x->key_index = c->k;
}

static pthread_barrier_t start_line;

static void *insert_main(void *arg)
{
    inserter *in = arg;
    /* all inserters take the keys in the same order from the same moment, so that they race for
     * the same key again and again (half of them), or in their own order (the other half) */
    pthread_barrier_wait(&start_line);
    for (uint32_t i = 0; i < KEYS; i++) {
        uint32_t k = in->id % 2 ? i : (i * (2 * in->id + 1) + in->id * 7919) % KEYS;
        key24 x = key_of(k);
        init_ctx c = {in->id, k};
        bool inserted = false;
        in->got[k] = pv_cmap_get_or_insert(in->m, &x, hash_of(k), init_value, &c, &inserted);
        if (inserted)
            in->inserted++;
    }
    return NULL;
}

typedef struct visit {
    unsigned *seen;
    unsigned bad;
} visit;

static void count_visit(const void *key, void *v, void *ctx)
{
    visit *vi = ctx;
    const value *x = v;
    key24 want = key_of(x->key_index);
    if (x->key_index >= KEYS || memcmp(key, &want, sizeof want) != 0) {
        vi->bad++;
        return;
    }
    vi->seen[x->key_index]++;
}

static void test_map(void)
{
    /* few buckets: long chains, so racing inserters often meet in one chain */
    pv_cmap *m = pv_cmap_new(sizeof(key24), sizeof(value), 256);
    inserter ins[INSERTERS];
    pthread_t th[INSERTERS];
    pthread_barrier_init(&start_line, NULL, INSERTERS);
    for (uint32_t t = 0; t < INSERTERS; t++) {
        ins[t] = (inserter){m, t, calloc(KEYS, sizeof(value *)), 0};
        pthread_create(&th[t], NULL, insert_main, &ins[t]);
    }
    unsigned total_inserted = 0;
    for (uint32_t t = 0; t < INSERTERS; t++) {
        pthread_join(th[t], NULL);
        total_inserted += ins[t].inserted;
    }
    pthread_barrier_destroy(&start_line);
    CHECK(total_inserted == KEYS, "%u inserts reported for %u keys", total_inserted, KEYS);
    unsigned disagree = 0, missing = 0;
    for (uint32_t k = 0; k < KEYS; k++) {
        key24 x = key_of(k);
        value *found = pv_cmap_find(m, &x, hash_of(k));
        if (!found)
            missing++;
        for (uint32_t t = 0; t < INSERTERS; t++)
            if (ins[t].got[k] != found)
                disagree++;
    }
    CHECK(missing == 0, "%u keys not found", missing);
    CHECK(disagree == 0, "%u answers differ from the stored value", disagree);
    visit vi = {calloc(KEYS, sizeof(unsigned)), 0};
    pv_cmap_for_each(m, count_visit, &vi);
    unsigned not_once = 0;
    for (uint32_t k = 0; k < KEYS; k++)
        not_once += vi.seen[k] != 1;
    CHECK(vi.bad == 0, "for_each visited %u nodes with a wrong key", vi.bad);
    CHECK(not_once == 0, "for_each visited %u keys other than once", not_once);
    free(vi.seen);
    for (uint32_t t = 0; t < INSERTERS; t++)
        free(ins[t].got);
    pv_cmap_free(m, NULL);
}

/* ------------------------------------------------------------------ pool */

typedef struct job {
    _Atomic unsigned *runs;
    unsigned index;
    unsigned depth;
} job;

static void *job_main(void *arg)
{
    job *j = arg;
    atomic_fetch_add(&j->runs[j->index], 1);
    if (j->depth) {
        /* a nested run of three jobs from inside a pool job */
        _Atomic unsigned inner[3] = {0, 0, 0};
        job jobs[3];
        void *args[3];
        for (unsigned i = 0; i < 3; i++) {
            jobs[i] = (job){inner, i, j->depth - 1};
            args[i] = &jobs[i];
        }
        pv_pool_run(job_main, args, 3);
        for (unsigned i = 0; i < 3; i++)
            if (atomic_load(&inner[i]) != 1)
                atomic_fetch_add(&j->runs[j->index], 100); /* reported by the caller's check */
    }
    return NULL;
}

static void test_pool(void)
{
    unsigned wrong = 0;
    for (unsigned round = 0; round < 300; round++) {
        unsigned n = 1 + round % 4;
        _Atomic unsigned runs[4] = {0, 0, 0, 0};
        job jobs[4];
        void *args[4];
        for (unsigned i = 0; i < n; i++) {
            jobs[i] = (job){runs, i, round % 3 == 0 ? 1 : 0};
            args[i] = &jobs[i];
        }
        pv_pool_run(job_main, args, n);
        /* every job done by the time the call returns */
        for (unsigned i = 0; i < n; i++)
            wrong += atomic_load(&runs[i]) != 1;
    }
    CHECK(wrong == 0, "%u jobs not run exactly once (or a nested run incomplete)", wrong);
}

/* What a job sees of its own binding: the CPUs it may run on. */
typedef struct bind_probe {
    int allowed;                  /* how many */
    int cpu;                      /* the lowest */
    struct bind_probe *inner;     /* non-NULL: from inside the job, a run of inner_n probes */
    unsigned inner_n;
    int bound_after;              /* after that run: this thread's CPUs, ... */
    unsigned listed;              /* ... and pv_pool_cpus's */
    int listed_cpus[CPU_SETSIZE];
} bind_probe;

static void *probe_main(void *arg)
{
    bind_probe *p = arg;
    cpu_set_t set;
    p->allowed = -1;
    if (pthread_getaffinity_np(pthread_self(), sizeof set, &set) == 0) {
        p->allowed = CPU_COUNT(&set);
        for (p->cpu = 0; p->cpu < CPU_SETSIZE && !CPU_ISSET(p->cpu, &set); p->cpu++)
            ;
    }
    if (p->inner) {
        void *args[8];
        for (unsigned i = 0; i < p->inner_n; i++)
            args[i] = &p->inner[i];
        pv_pool_run(probe_main, args, p->inner_n);
        if (pthread_getaffinity_np(pthread_self(), sizeof set, &set) == 0)
            p->bound_after = CPU_COUNT(&set);
        p->listed = pv_pool_cpus(p->listed_cpus, CPU_SETSIZE);
    }
    return NULL;
}

/* Distinct single CPUs for the first min(n, cpus) probes of a run; returns how many are wrong. */
static unsigned check_spread(const bind_probe *p, unsigned n, int cpus)
{
    unsigned wrong = 0;
    for (unsigned i = 0; i < n; i++) {
        wrong += p[i].allowed != 1;
        for (unsigned k = 0; k < i; k++)
            wrong += (int)i < cpus && p[k].cpu == p[i].cpu;
    }
    return wrong;
}

static void test_pool_binding(void)
{
    cpu_set_t set;
    const char *env = getenv("PAREVM_BIND_WORKERS");
    if (sched_getaffinity(0, sizeof set, &set) != 0 || CPU_COUNT(&set) < 2 || (env && strcmp(env, "0") == 0)) {
        SKIP("pool binding: needs two CPUs and binding on");
        return;
    }
    int cpus = CPU_COUNT(&set);
    unsigned wrong_outer = 0, wrong_inner = 0, wrong_alone = 0, wrong_predicted = 0, wrong_listed = 0;
    for (unsigned round = 0; round < 50; round++) {
        unsigned n = 2 + round % 3;
        bind_probe outer[4], inner[2], alone;
        memset(outer, 0, sizeof outer);
        memset(inner, 0, sizeof inner);
        void *args[4];
        for (unsigned i = 0; i < n; i++)
            args[i] = &outer[i];
        int predicted[4];
        pv_pool_predict_cpus(n, predicted); /* nothing else runs: the run that follows binds so */
        pv_pool_run(probe_main, args, n);
        wrong_outer += check_spread(outer, n, cpus);
        for (unsigned i = 0; i < n; i++)
            wrong_predicted += predicted[i] != outer[i].cpu;
        /* from inside a lone job: the job binds itself where it is and the other goes elsewhere */
        memset(&alone, 0, sizeof alone);
        alone.inner = inner;
        alone.inner_n = 2;
        void *one = &alone;
        pv_pool_run(probe_main, &one, 1);
        wrong_alone += alone.allowed != cpus;
        wrong_inner += check_spread(inner, 2, cpus);
        /* that job is bound now, but pv_pool_cpus still names every CPU of the process */
        wrong_listed += alone.bound_after != 1 || alone.listed != (unsigned)cpus;
        for (unsigned i = 0; i < alone.listed; i++)
            wrong_listed += !CPU_ISSET(alone.listed_cpus[i], &set) || (i && alone.listed_cpus[i] <= alone.listed_cpus[i - 1]);
    }
    CHECK(wrong_listed == 0, "pv_pool_cpus from a bound job: %u wrong", wrong_listed);
    CHECK(wrong_outer == 0, "jobs of one run not bound to distinct CPUs: %u", wrong_outer);
    CHECK(wrong_inner == 0, "nested run's jobs not bound to distinct CPUs: %u", wrong_inner);
    CHECK(wrong_alone == 0, "a job alone was bound (%u times)", wrong_alone);
    CHECK(wrong_predicted == 0, "pv_pool_predict_cpus missed the binding %u times", wrong_predicted);
}

/* ------------------------------------------------------------------ MV collect */

static pv_address acct(uint32_t i)
{
    pv_address a;
    memset(&a, 0, sizeof a);
    uint64_t h = (i + 1) * 0x9e3779b97f4a7c15ULL;
    memcpy(a.b, &h, 8); /* spread over the address space, as real addresses are */
    a.b[19] = (uint8_t)i;
    return a;
}

static void write_slot(pv_mvmemory *m, const pv_address *a, uint64_t key, uint64_t value, uint32_t tx)
{
    pv_loc l;
    u256 k = u256_from_u64(key);
    pv_loc_make(&l, PV_LOC_STORAGE, a, &k);
    pv_loc_value v;
    memset(&v, 0, sizeof v);
    v.value = u256_from_u64(value);
    pv_mv_write_entry(m, pv_mv_get(m, &l, true), tx, 0, 0, &v);
}

static void write_balance(pv_mvmemory *m, const pv_address *a, uint64_t value, uint32_t tx, uint8_t flags)
{
    pv_loc l;
    pv_loc_make(&l, PV_LOC_BALANCE, a, NULL);
    pv_loc_value v;
    memset(&v, 0, sizeof v);
    v.value = u256_from_u64(value);
    pv_mv_write_entry(m, pv_mv_get(m, &l, true), tx, 0, flags, &v);
}

static void write_basic(pv_mvmemory *m, const pv_address *a, bool exists, uint64_t nonce, uint32_t tx,
                        uint8_t flags)
{
    pv_loc l;
    pv_loc_make(&l, PV_LOC_BASIC, a, NULL);
    pv_loc_value v;
    memset(&v, 0, sizeof v);
    v.basic.exists = exists;
    v.basic.nonce = nonce;
    pv_mv_write_entry(m, pv_mv_get(m, &l, true), tx, 0, flags, &v);
}

/* Case c: a pre-state with a token holding slots, then writes: the token's slots (some written
 * back to their pre-state value: unchanged), many small accounts, and per case a twist that
 * matters when the token's record is left open by a slice: its only changes are slots in a
 * later slice (c 0), it changes nothing at all (c 1: every write restores the pre-state), it is
 * destroyed (c 2), it gets a balance credit (c 3). */
static void test_mv_collect(void)
{
    unsigned bad = 0, total = 0;
    for (int c = 0; c < 4; c++) {
        pv_world *w = pv_world_new();
        u256 one = u256_from_u64(1000);
        static const uint8_t code[] = {0x00};
        pv_address token = acct(5000), other = acct(5001);
        pv_world_put_account(w, &token, 1, &one, code, sizeof code);
        pv_world_put_account(w, &other, 1, &one, code, sizeof code);
        for (uint64_t k = 0; k < 3000; k++) {
            u256 key = u256_from_u64(k), val = u256_from_u64(k + 7);
            pv_world_put_storage(w, &token, &key, &val);
            pv_world_put_storage(w, &other, &key, &val);
        }
        for (uint32_t i = 0; i < 2000; i++) {
            pv_address a = acct(i);
            pv_world_put_account(w, &a, 0, &one, NULL, 0);
        }
        pv_world_seal(w);
        /* the same writes over the world itself (the collect's direct lookups) and through a
         * cached source in front of it (the source's reads) */
        pv_mvmemory m, via_source;
        pv_cached_source *cache = pv_cached_source_new(pv_world_source(w), 64);
        pv_mvmemory_init(&m, pv_world_source(w), 20000);
        pv_mvmemory_init(&via_source, pv_cached_source_base(cache), 20000);
        pv_mvmemory *both[2] = {&m, &via_source};
        for (int k2 = 0; k2 < 2; k2++) {
            pv_mvmemory *mm = both[k2];
            uint32_t tx = 1;
            for (uint64_t k = 0; k < 9000; k++) /* written back to the pre-state value below 3000 */
                write_slot(mm, &token, k,
                           c == 1 ? (k < 3000 ? k + 7 : 0) : (k % 3 == 0 && k < 3000 ? k + 7 : k * 11 + 1),
                           tx++ % 7000 + 1);
            for (uint64_t k = 0; k < 3000; k += 2)
                write_slot(mm, &other, k, k + 7, tx++ % 7000 + 1); /* all unchanged */
            for (uint32_t i = 0; i < 2000; i++) {
                pv_address a = acct(i);
                write_basic(mm, &a, true, 1 + (i % 2), i + 1, 0);
                write_balance(mm, &a, i % 5 == 0 ? 1000 : 999 - i % 100, i + 1, 0);
            }
            if (c == 2)
                write_basic(mm, &token, false, 0, 7001, PV_MV_DESTROYED);
            if (c == 3)
                write_balance(mm, &token, 5, 7002, PV_MV_DELTA);
        }
        pv_state_changes one_thread;
        pv_mv_collect_changes(&m, &one_thread, 1);
        for (unsigned threads = 1; threads <= 4; threads += 3) {
            pv_state_changes through;
            pv_mv_collect_changes(&via_source, &through, threads);
            char why[256];
            total++;
            if (!pv_state_changes_equal(&one_thread, &through, why, sizeof why)) {
                bad++;
                fprintf(stderr, "case %d, through a source, %u threads: %s\n", c, threads, why);
            }
            pv_state_changes_free(&through);
        }
        pv_mvmemory_destroy(&via_source);
        pv_cached_source_free(cache);
        for (unsigned threads = 2; threads <= 16; threads++) {
            pv_state_changes split;
            pv_mv_collect_changes(&m, &split, threads);
            char why[256];
            total++;
            if (!pv_state_changes_equal(&one_thread, &split, why, sizeof why)) {
                bad++;
                fprintf(stderr, "case %d, %u threads: %s\n", c, threads, why);
            }
            pv_state_changes_free(&split);
        }
        /* the one-thread result itself: the token's changes as written */
        const pv_account_change *t = NULL;
        for (size_t i = 0; i < one_thread.count; i++)
            if (pv_address_eq(&one_thread.accounts[i].address, &token))
                t = &one_thread.accounts[i];
        size_t want = c == 0 || c == 3 ? 9000 - 1000 : 0;
        if (c == 1 || c == 2)
            CHECK(c == 2 ? t && !t->exists : !t, "case %d: token record %s", c, t ? "present" : "absent");
        else
            CHECK(t && t->slots_count == want, "case %d: %zu changed token slots, want %zu", c,
                  t ? t->slots_count : 0, want);
        pv_state_changes_free(&one_thread);
        pv_mvmemory_destroy(&m);
        pv_world_free(w);
    }
    CHECK(bad == 0, "%u of %u split collects differ from the one-thread collect", bad, total);
}

/* The --db-latency-us source: every read waits at least the latency (a lower bound only: an
 * upper one would depend on the machine's load) and returns what the source under it holds. */
static void test_slow_source(void)
{
    pv_world *w = pv_world_new();
    u256 balance = u256_from_u64(77);
    pv_address a = acct(1);
    pv_world_put_account(w, &a, 3, &balance, NULL, 0);
    for (uint64_t k = 0; k < 20; k++) {
        u256 key = u256_from_u64(k), val = u256_from_u64(k * 5 + 1);
        pv_world_put_storage(w, &a, &key, &val);
    }
    pv_world_seal(w);
    pv_slow_source slow;
    pv_slow_source_init(&slow, pv_world_source(w), 300);
    pv_state_source *src = &slow.base;
    unsigned wrong = 0;
    uint64_t t0 = pv_now_ns();
    for (uint64_t k = 0; k < 20; k++) {
        u256 key = u256_from_u64(k), want = u256_from_u64(k * 5 + 1);
        u256 got = src->fn->read_storage(src, &a, &key);
        wrong += !u256_eq(&got, &want);
    }
    pv_account_basic basic;
    src->fn->read_basic(src, &a, &basic);
    double ms = (double)(pv_now_ns() - t0) / 1e6;
    CHECK(wrong == 0 && basic.exists && basic.nonce == 3, "slow source: %u wrong values, nonce %llu", wrong,
          (unsigned long long)basic.nonce);
    CHECK(ms >= 21 * 0.3, "slow source: 21 reads of 300 us in %.2f ms", ms);
    pv_world_free(w);
}

int main(void)
{
    test_map();
    test_pool();
    test_pool_binding();
    test_mv_collect();
    test_slow_source();
    TEST_DONE();
}
