/*
 * `parevm bench blocks` (synthetic gigagas blocks) and `parevm bench mainnet` (the fixture
 * blocks): sequential against parallel, verified equal, with the projected scaling.
 */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench/projection.h"
#include "bench/synth.h"
#include "commands.h"
#include "exec/parallel.h"
#include "io/block_json.h"
#include "state/cached_source.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/pool.h"

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

typedef struct measure {
    char name[96];
    size_t txs;
    uint64_t gas;
    unsigned threads;
    double seq_ms, par_ms, speedup;
    double seq_min_ms, par_min_ms;  /* the fastest run of each: what the machine's noise only adds to */
    uint64_t reexecutions;
    /* ... of which Block-STM's failed validations, and its executions suspended on a dependency
     * (each counts as run: the next incarnation executes the transaction again) */
    uint64_t aborts, dependency_waits;
    double proj2, proj8, proj32, cp_bound;
    /* The machine's two CPUs as they were during the runs (0 when not measured): the block run
     * sequentially pinned to each, the ideal speed-up their speeds add up to (against the
     * faster one) and the list-scheduling projection on workers of those speeds. */
    double cpu_ms[2], ideal2, proj2_here;
    double line_ns;              /* a cache line's one-way transfer between them, after the runs */
    /* Waking the pool after a pause (wake_up_us): when the caller's share of a parallel block
     * begins and when the woken thread's does, after the run starts (0 when not measured). */
    double wake_first_us, wake_second_us;
    /* Block-STM's steps before and after its transactions (prepare, receipts root and state
     * changes), median over the parallel runs, 0 for other runs; and the 2-worker projection
     * with them added as they are (Amdahl's share: the projection schedules transactions only). */
    double serial_ms, proj2_serial;
    /* ... and with the wake-up too (pv_project_with_start; proj2_serial when not measured) */
    double proj2_start;
    double rss_mb;
    bool equal;
    bool fallback;
    char why[300];
} measure;

typedef struct run_opts {
    unsigned threads;            /* 0 = automatic */
    unsigned repeat;
    unsigned warmup;             /* untimed runs of each first (results still compared) */
    unsigned latency_us;         /* first reads of the pre-state cost this much */
    pv_chunks_mode chunks;       /* optimistic chunks before Block-STM (auto, never, always) */
    pv_prefix_mode prefix;       /* Block-STM's sequential prefix (auto, never, always) */
    bool verbose;                /* print every run's times and how the parallel run went */
} run_opts;

#define WARMUP_FAULTS 8
#define WARMUP_EXTRA 8

/* Page faults so far (minor: memory first touched). */
static long minor_faults(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_minflt : 0;
}

/* One run of one executor over pre (through a fresh cache with latency when asked). */
static double run_once(pv_state_source *pre, const pv_block *b, unsigned threads, bool parallel_engine,
                       unsigned latency_us, pv_chunks_mode chunks, pv_prefix_mode prefix, bool traces, pv_block_result *out,
                       pv_parallel_stats *st)
{
    pv_slow_source slow;
    pv_cached_source *cache = NULL;
    pv_state_source *src = pre;
    if (latency_us) {
        pv_slow_source_init(&slow, pre, latency_us);
        cache = pv_cached_source_new(&slow.base, b->txs_count * 8);
        src = pv_cached_source_base(cache);
    }
    pv_parallel_options o = {.threads = threads, .policy = PV_INVALID_TX_ABORT, .record_traces = traces, .chunks = chunks,
                             .prefix = prefix};
    double t0 = pv_now_ms();
    if (parallel_engine)
        pv_block_execute_parallel(src, b, threads, &o, out, st);
    else
        pv_execute_block_auto(src, b, &o, out, st);
    double t = pv_now_ms() - t0;
    pv_cached_source_free(cache);
    return t;
}

/* The sequential executor pinned to one CPU, on a thread of its own with a large stack (1024-deep
 * calls): how fast that CPU runs the block now. A VM's vCPUs are not equal: in phases one runs
 * the same block up to 40% slower than the other (a neighbour on its host core), which moves
 * the speed-up two threads can reach. -1 when the thread cannot be pinned. */
typedef struct pinned_worker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int cpu;
    bool pinned, has_job, done;
    pv_state_source *pre;     /* the job */
    const pv_block *b;
    double ms;
} pinned_worker;

/* Pins the calling thread to cpu; false if it cannot be. */
static bool pin_to(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

/* One long-lived thread per CPU: a new thread per run paid for its new stack's page faults
 * (30-40% on a 3 ms block). */
static void *pinned_main(void *arg)
{
    pinned_worker *w = arg;
    bool pinned = pin_to(w->cpu);
    pthread_mutex_lock(&w->lock);
    w->pinned = pinned;
    for (;;) {
        w->done = true;
        pthread_cond_broadcast(&w->cond);
        while (!w->has_job)
            pthread_cond_wait(&w->cond, &w->lock);
        w->has_job = false;
        w->done = false;
        pthread_mutex_unlock(&w->lock);
        pv_block_result r;
        double t0 = pv_now_ms();
        pv_block_execute(w->pre, w->b, PV_INVALID_TX_ABORT, &r);
        double ms = pv_now_ms() - t0;
        pv_block_result_free(&r);
        pthread_mutex_lock(&w->lock);
        w->ms = ms;
    }
    return NULL;
}

static pinned_worker *pinned_workers[CPU_SETSIZE];

static double run_pinned(pv_state_source *pre, const pv_block *b, int cpu)
{
    pinned_worker *w = pinned_workers[cpu];
    if (!w) {
        w = calloc(1, sizeof *w);
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->cond, NULL);
        w->cpu = cpu;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setstacksize(&at, (size_t)256 << 20);
        bool ok = pthread_create(&w->thread, &at, pinned_main, w) == 0;
        pthread_attr_destroy(&at);
        if (!ok) {
            free(w);
            return -1;
        }
        pthread_detach(w->thread);
        pinned_workers[cpu] = w;
    }
    pthread_mutex_lock(&w->lock);
    while (!w->done)
        pthread_cond_wait(&w->cond, &w->lock);
    if (!w->pinned) {
        pthread_mutex_unlock(&w->lock);
        return -1;
    }
    w->pre = pre;
    w->b = b;
    w->has_job = true;
    w->done = false;
    pthread_cond_broadcast(&w->cond);
    while (!w->done)
        pthread_cond_wait(&w->cond, &w->lock);
    double ms = w->ms;
    pthread_mutex_unlock(&w->lock);
    return ms;
}

/* The first two CPUs this process may run on (false when it may run on fewer). The process's,
 * from the pool: this thread is one of the pool's, bound to one CPU after its first parallel
 * block, and its own affinity would name that CPU alone. */
static bool two_cpus(int cpu[2])
{
    return pv_pool_cpus(cpu, 2) == 2;
}

/* Ping-pong of one cache line between the first two CPUs, pinned: the one-way time of a line
 * written on one and read on the other. Block-STM pays it wherever a worker reads what the other
 * wrote last (the scheduler's counters, version lists, statuses, the map's buckets). This VM's
 * two vCPUs measured 227-260 ns in most phases (across chiplets), 60-85 ns in others, against
 * 20-50 ns between cores that share a cache. 0 when two CPUs cannot be pinned. */
#define PINGPONG_ROUNDS 100000
#define PINGPONG_ROUNDS_BLOCK 2000 /* beside each block: 5 batches, 5 ms in all */
#define PINGPONG_BATCHES_BLOCK 5
typedef struct pingpong {
    _Alignas(64) _Atomic long turn;
    int cpu;
    bool pinned;
    long rounds;
    _Atomic bool ready;           /* the partner runs: the clock may start */
} pingpong;

/* One side's strokes: waits for turn first, first + 2, ... and passes each on. */
static void volley(pingpong *p, long first)
{
    for (long i = first; i < 2 * p->rounds; i += 2) {
        while (atomic_load_explicit(&p->turn, memory_order_acquire) != i)
            ;
        atomic_store_explicit(&p->turn, i + 1, memory_order_release);
    }
}

static void *pingpong_main(void *arg)
{
    pingpong *p = arg;
    p->pinned = pin_to(p->cpu);
    atomic_store_explicit(&p->ready, true, memory_order_release);
    volley(p, 1);
    return NULL;
}

static double line_transfer_ns(long rounds)
{
    int cpu[2];
    if (!two_cpus(cpu))
        return 0;
    pingpong *p = aligned_alloc(64, sizeof *p);
    if (!p)
        return 0;
    atomic_init(&p->turn, -1);
    p->cpu = cpu[1];
    p->rounds = rounds;
    atomic_init(&p->ready, false);
    double ns = 0;
    pthread_t th;
    cpu_set_t before;
    bool restore = pthread_getaffinity_np(pthread_self(), sizeof before, &before) == 0;
    if (pthread_create(&th, NULL, pingpong_main, p) == 0) {
        bool pinned = pin_to(cpu[0]);
        while (!atomic_load_explicit(&p->ready, memory_order_acquire))
            sched_yield();
        atomic_store_explicit(&p->turn, 0, memory_order_release);
        double t0 = pv_now_ms();
        volley(p, 0);
        double ms = pv_now_ms() - t0;
        pthread_join(th, NULL);
        if (pinned && p->pinned)
            ns = ms * 1e6 / (2.0 * (double)rounds);
    }
    if (restore)
        pthread_setaffinity_np(pthread_self(), sizeof before, &before);
    free(p);
    return ns;
}

/* The line transfer beside a block: the median of short batches (one preempted vCPU spoils a
 * batch, not the figure). */
static double line_transfer_median_ns(void)
{
    double line[PINGPONG_BATCHES_BLOCK];
    for (int i = 0; i < PINGPONG_BATCHES_BLOCK; i++)
        line[i] = line_transfer_ns(PINGPONG_ROUNDS_BLOCK);
    return median(line, PINGPONG_BATCHES_BLOCK);
}

/* Waking the pool: a parallel block's first pool run after the pool's threads went to sleep (a
 * block that follows anything longer than PV_POOL_POLL_NS) costs the caller the wake call before
 * its own share begins, and the woken thread its start. Measured the way a block meets it: from
 * this (pool) thread, a run of two jobs after a pause long enough for the other thread to sleep;
 * the medians of WAKE_SAMPLES. 0 when two CPUs cannot be pinned. */
#define WAKE_SAMPLES 5
#define WAKE_PAUSE_NS (10 * (uint64_t)PV_POOL_POLL_NS)
typedef struct wake_probe {
    uint64_t t0;
    uint64_t start_ns[2];         /* each job's start after t0 */
} wake_probe;
typedef struct wake_job {
    wake_probe *probe;
    int index;
} wake_job;

static void *wake_job_main(void *arg)
{
    wake_job *j = arg;
    j->probe->start_ns[j->index] = pv_now_ns() - j->probe->t0;
    return NULL;
}

static void wake_up_us(double *caller_us, double *worker_us)
{
    double own[WAKE_SAMPLES], other[WAKE_SAMPLES];
    *caller_us = *worker_us = 0;
    int cpu[2];
    if (!two_cpus(cpu))
        return;
    for (int i = 0; i < WAKE_SAMPLES; i++) {
        struct timespec pause = {0, (long)WAKE_PAUSE_NS};
        nanosleep(&pause, NULL);
        wake_probe p = {0, {0, 0}};
        wake_job jobs[2] = {{&p, 0}, {&p, 1}};
        void *args[2] = {&jobs[0], &jobs[1]};
        p.t0 = pv_now_ns();
        pv_pool_run(wake_job_main, args, 2);
        own[i] = (double)p.start_ns[0] / 1e3;
        other[i] = (double)p.start_ns[1] / 1e3;
    }
    *caller_us = median(own, WAKE_SAMPLES);
    *worker_us = median(other, WAKE_SAMPLES);
}

#define PROJECTION_RUNS 7
#define PROJECTION_BUDGET_MS 150.0

/* Replaces the traces' times by their medians over further traced runs (as many as fit in
 * PROJECTION_BUDGET_MS, up to PROJECTION_RUNS in all). */
static void median_trace_times(pv_state_source *pre, const pv_block *b, unsigned threads, pv_parallel_stats *st)
{
    size_t n = st->ntraces;
    double *times = malloc((n ? n : 1) * PROJECTION_RUNS * sizeof *times);
    if (!times)
        return;
    for (size_t k = 0; k < n; k++)
        times[k * PROJECTION_RUNS] = st->traces[k].exec_us;
    unsigned runs = 1;
    double spent = 0;
    while (runs < PROJECTION_RUNS && spent < PROJECTION_BUDGET_MS) {
        pv_block_result r;
        pv_parallel_stats more;
        spent += run_once(pre, b, threads, true, 0, PV_CHUNKS_NEVER, PV_PREFIX_NEVER, true, &r, &more);
        bool same = more.ntraces == n;
        if (same)
            for (size_t k = 0; k < n; k++)
                times[k * PROJECTION_RUNS + runs] = more.traces[k].exec_us;
        pv_parallel_stats_free(&more);
        pv_block_result_free(&r);
        if (!same)
            break;
        runs++;
    }
    for (size_t k = 0; k < n; k++)
        st->traces[k].exec_us = median(&times[k * PROJECTION_RUNS], runs);
    free(times);
}

/* Sequential vs parallel, repeat times each (alternating), medians; results compared every time.
 * Beside them (unless the reads are slowed: then the CPUs hardly matter) the block runs
 * sequentially pinned to each of two CPUs, for the ideal and the projection on these CPUs. */
static void measure_block(const char *name, pv_state_source *pre, const pv_block *b, const run_opts *ro, measure *m)
{
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    m->txs = b->txs_count;
    m->equal = true;
    unsigned threads = ro->threads ? ro->threads : pv_auto_threads(b, NULL, 0);
    bool force_parallel = ro->threads != 0; /* an explicit count runs Block-STM even for tiny blocks */
    double *ts = calloc(32 * ro->repeat, sizeof *ts), *tp = calloc(32 * ro->repeat, sizeof *tp);
    double *tc[2] = {calloc(32 * ro->repeat, sizeof(double)), calloc(32 * ro->repeat, sizeof(double))};
    double *tf = calloc(32 * ro->repeat, sizeof *tf);
    int cpu[2];
    bool calibrate = !ro->latency_us && two_cpus(cpu);
    pv_block_result ref;
    pv_parallel_stats st;
    memset(&ref, 0, sizeof ref);
    /* Warm-up first: the first runs of a process pay for what a client pays once (the worker
     * threads, their allocator arenas growing, page faults, caches): the parallel ones most,
     * since their memory is new (a gigagas swaps block: 85 ms for its first parallel runs, 57
     * after). Both executors are warmed alike and their results still compared. Then more
     * warm-up pairs while the last one still touched new memory (WARMUP_FAULTS pages or more,
     * up to WARMUP_EXTRA pairs): a page fault costs this VM 15 us (madvised huge pages 0.3 us a
     * 4 KB page), and a gigagas ERC-20 block's parallel runs faulted 1,342, 3,757, 2,589, 1,039,
     * 120 and 14 times, 36 ms a run at the end against 52-84 ms in the first three. */
    unsigned warmups = ro->warmup;
    for (unsigned k = 0; k < warmups; k++) {
        long faults0 = minor_faults();
        pv_block_result rs, rp;
        run_once(pre, b, 1, false, ro->latency_us, ro->chunks, ro->prefix, false, &rs, &st);
        pv_parallel_stats_free(&st);
        run_once(pre, b, force_parallel || threads > 1 ? threads : 0, force_parallel, ro->latency_us, ro->chunks, ro->prefix,
                 false, &rp, &st);
        pv_parallel_stats_free(&st);
        char why[300];
        if (m->equal && !pv_block_results_equal(&rs, &rp, why, sizeof why)) {
            m->equal = false;
            snprintf(m->why, sizeof m->why, "warm-up run: %.280s", why);
        }
        pv_block_result_free(&rs);
        pv_block_result_free(&rp);
        long faults = minor_faults() - faults0;
        if (k + 1 == warmups && faults >= WARMUP_FAULTS && warmups < ro->warmup + WARMUP_EXTRA)
            warmups++;
        if (ro->verbose && k + 1 >= ro->warmup)
            printf("  warm-up %u: %ld page faults%s\n", k + 1, faults, k + 1 < warmups ? ", one more" : "");
    }
    /* At least `repeat` runs of each, more (up to 32x, while under 300 ms in all) for short
     * blocks, so that a median is not at the mercy of one noisy moment: a 0.1 ms block's median
     * of 28 runs still moved by 10% from one measurement to the next. */
    unsigned runs = ro->repeat;
    for (unsigned k = 0; k < runs; k++) {
        pv_block_result rs, rp;
        /* Which goes first alternates: the second of two back-to-back runs finds the pool's
         * threads still polling and the caches warm. */
        if (k % 2) {
            ts[k] = run_once(pre, b, 1, false, ro->latency_us, ro->chunks, ro->prefix, false, &rs, &st);
            pv_parallel_stats_free(&st);
        }
        long faults0 = ro->verbose ? minor_faults() : 0;
        if (force_parallel || threads > 1)
            tp[k] = run_once(pre, b, threads, force_parallel, ro->latency_us, ro->chunks, ro->prefix, false, &rp, &st);
        else
            tp[k] = run_once(pre, b, 0, false, ro->latency_us, ro->chunks, ro->prefix, false, &rp, &st);
        long par_faults = ro->verbose ? minor_faults() - faults0 : 0;
        if (k % 2 == 0) {
            pv_parallel_stats st_seq;
            ts[k] = run_once(pre, b, 1, false, ro->latency_us, ro->chunks, ro->prefix, false, &rs, &st_seq);
            pv_parallel_stats_free(&st_seq);
        }
        /* The CPUs' order turns every other iteration, not with the runs' order above: a run
         * that always followed the same CPU's pinned run (which fills that CPU's caches with
         * its own copy of the block) measured 9% slower on 0.06-0.3 ms blocks. */
        for (int c = 0; calibrate && c < 2; c++) {
            int which = (c + (int)(k / 2)) % 2;
            tc[which][k] = run_pinned(pre, b, cpu[which]);
            calibrate = tc[which][k] >= 0;
        }
        tf[k] = st.validations ? st.ms_prepare + st.ms_finish : 0;
        m->reexecutions = st.reexecutions;
        m->aborts = st.aborts;
        m->dependency_waits = st.dependency_waits;
        m->threads = st.threads;
        m->fallback = st.sequential_fallback;
        if (ro->verbose) {
            printf("  run %u: sequential %.2f ms, parallel %.2f ms (%ld page faults; %u threads", k + 1, ts[k], tp[k],
                   par_faults, st.threads);
            if (st.prefix_txs)
                printf(", sequential prefix of %u", st.prefix_txs);
            if (st.chunks && st.chunks_done)
                printf(", %u optimistic chunks (%u stolen): run %.2f, validate+merge %.2f, receipts %.2f ms", st.chunks,
                       st.chunks_steals, st.ms_chunks_run, st.ms_chunks_validate, st.ms_chunks_finish);
            else if (st.chunks)
                printf(", chunks gave up after %.2f ms: %s", st.ms_chunks, st.chunks_why_not);
            if (st.executions)
                printf(", %llu executions, %llu validations", (unsigned long long)st.executions,
                       (unsigned long long)st.validations);
            if (st.validations)
                printf("; Block-STM: prepare %.2f, execute %.2f, finish %.2f ms", st.ms_prepare, st.ms_parallel,
                       st.ms_finish);
            printf(")\n");
        }
        pv_parallel_stats_free(&st);
        char why[300];
        if (m->equal && !pv_block_results_equal(&rs, &rp, why, sizeof why)) {
            m->equal = false;
            snprintf(m->why, sizeof m->why, "%s", why);
        }
        if (k == 0) {
            ref = rs;
        } else {
            pv_block_result_free(&rs);
        }
        pv_block_result_free(&rp);
        double spent = 0;
        for (unsigned q = 0; q <= k; q++)
            spent += ts[q] + tp[q];
        if (k + 1 == runs && runs < 32 * ro->repeat && spent < 300)
            runs++;
    }
    m->gas = ref.gas_used;
    pv_block_result_free(&ref);
    m->seq_ms = median(ts, runs); /* sorts: [0] is the fastest */
    m->par_ms = median(tp, runs);
    m->serial_ms = median(tf, runs);
    m->seq_min_ms = ts[0];
    m->par_min_ms = tp[0];
    m->speedup = m->par_ms > 0 ? m->seq_ms / m->par_ms : 0;
    /* Speeds relative to the faster CPU: the ideal is 2 only when the CPUs are equal. (Against
     * the sequential median they would mix in how the pool's thread, which may move between
     * CPUs, differs from a pinned one: a few percent either way.) */
    double speed[2] = {0, 0};
    if (calibrate) {
        for (int c = 0; c < 2; c++)
            m->cpu_ms[c] = median(tc[c], runs);
        double fast = m->cpu_ms[0] < m->cpu_ms[1] ? m->cpu_ms[0] : m->cpu_ms[1];
        for (int c = 0; c < 2; c++)
            speed[c] = m->cpu_ms[c] > 0 ? fast / m->cpu_ms[c] : 0;
        m->ideal2 = speed[0] + speed[1];
        m->line_ns = line_transfer_median_ns();
        wake_up_us(&m->wake_first_us, &m->wake_second_us);
    }
    /* Traced parallel runs (untimed) for the dependency analysis: the read and write sets of
     * the first, each transaction's time the median over up to PROJECTION_RUNS. One run's
     * times alone moved a small block's projection by a third (9068998: x1.32 to x1.80; its
     * 47 us first transaction sometimes caught an interrupt or a cold cache). */
    pv_block_result rt;
    run_once(pre, b, threads < 2 ? 2 : threads, true, 0, PV_CHUNKS_NEVER, PV_PREFIX_NEVER, true, &rt, &st);
    median_trace_times(pre, b, threads < 2 ? 2 : threads, &st);
    pv_projection pj;
    pv_project(st.traces, st.ntraces, &pj);
    m->cp_bound = pj.critical_path_bound;
    m->proj2 = pv_project_list_schedule(st.traces, st.ntraces, 2);
    m->proj8 = pv_project_list_schedule(st.traces, st.ntraces, 8);
    m->proj32 = pv_project_list_schedule(st.traces, st.ntraces, 32);
    if (speed[0] > 0 && speed[1] > 0)
        m->proj2_here = pv_project_list_schedule_speeds(st.traces, st.ntraces, speed, 2);
    /* The sequential run does the same steps once: its transactions take the rest. */
    m->proj2_serial = pv_project_with_serial(m->seq_ms, m->serial_ms, m->proj2);
    m->proj2_start = m->wake_second_us > 0 ? pv_project_with_start(m->seq_ms, m->serial_ms, m->proj2,
                                                                   m->wake_first_us / 1e3, m->wake_second_us / 1e3)
                                           : m->proj2_serial;
    pv_parallel_stats_free(&st);
    pv_block_result_free(&rt);
    m->rss_mb = peak_rss_mb();
    free(ts);
    free(tp);
    free(tc[0]);
    free(tc[1]);
    free(tf);
}

static void print_measure(const measure *m, bool json)
{
    if (json) {
        printf("{\"name\":\"%s\",\"txs\":%zu,\"gas\":%llu,\"threads\":%u,\"sequential_ms\":%.3f,\"parallel_ms\":%.3f,"
               "\"speedup\":%.3f,\"sequential_min_ms\":%.3f,\"parallel_min_ms\":%.3f,\"reexecutions\":%llu,\"aborts\":%llu,\"dependency_waits\":%llu,\"projected\":{\"2\":%.3f,\"8\":%.3f,\"32\":%.3f},"
               "\"critical_path_bound\":%.3f,\"peak_rss_mb\":%.1f,\"equal\":%s%s",
               m->name, m->txs, (unsigned long long)m->gas, m->threads, m->seq_ms, m->par_ms, m->speedup,
               m->seq_min_ms, m->par_min_ms, (unsigned long long)m->reexecutions, (unsigned long long)m->aborts,
               (unsigned long long)m->dependency_waits, m->proj2, m->proj8, m->proj32, m->cp_bound, m->rss_mb,
               m->equal ? "true" : "false", m->fallback ? ",\"sequential_fallback\":true" : "");
        if (m->ideal2 > 0)
            printf(",\"cpu_ms\":[%.3f,%.3f],\"ideal_2cpu\":%.3f,\"projected_here_2\":%.3f,\"cpu_line_ns\":%.0f",
                   m->cpu_ms[0], m->cpu_ms[1], m->ideal2, m->proj2_here, m->line_ns);
        if (m->serial_ms > 0)
            printf(",\"serial_ms\":%.3f,\"projected_with_serial_2\":%.3f", m->serial_ms, m->proj2_serial);
        if (m->wake_second_us > 0)
            printf(",\"wake_us\":[%.1f,%.1f],\"projected_with_start_2\":%.3f", m->wake_first_us, m->wake_second_us,
                   m->proj2_start);
        printf("}\n");
        return;
    }
    printf("%-28s %6zu txs %11llu gas  seq %9.2f ms (%7.1f Mgas/s)  par %9.2f ms (%7.1f Mgas/s, %u thr)  "
           "x%.2f (best runs x%.2f)  reexec %llu (%llu aborts)  proj x%.2f/%.2f/%.2f (2/8/32)  cp x%.1f  rss %.0f MB%s%s\n",
           m->name, m->txs, (unsigned long long)m->gas, m->seq_ms, m->seq_ms > 0 ? (double)m->gas / m->seq_ms / 1e3 : 0,
           m->par_ms, m->par_ms > 0 ? (double)m->gas / m->par_ms / 1e3 : 0, m->threads, m->speedup,
           m->par_min_ms > 0 ? m->seq_min_ms / m->par_min_ms : 0, (unsigned long long)m->reexecutions,
           (unsigned long long)m->aborts, m->proj2, m->proj8, m->proj32, m->cp_bound, m->rss_mb,
           m->fallback ? "  (sequential: small block)" : "", m->equal ? "" : "  RESULTS DIFFER");
    if (m->ideal2 > 0)
        printf("%-28s   the 2 CPUs now: sequential %.2f / %.2f ms pinned, ideal x%.2f, projection x%.2f on them, "
               "line %.0f ns, wake-up %.0f / %.0f us\n",
               "", m->cpu_ms[0], m->cpu_ms[1], m->ideal2, m->proj2_here, m->line_ns, m->wake_first_us,
               m->wake_second_us);
    if (!m->equal)
        printf("  first difference: %s\n", m->why);
}

/* A bar chart of speed-up per block: measured, projected at 8 and 32 workers, critical path. */
static bool write_svg(const char *path, const measure *ms, size_t n, const char *title)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    double top = 2;
    for (size_t i = 0; i < n; i++) {
        double v[] = {ms[i].speedup, ms[i].proj8, ms[i].proj32, ms[i].cp_bound};
        for (int k = 0; k < 4; k++)
            if (v[k] > top)
                top = v[k];
    }
    top = ceil(top > 64 ? 64 : top);
    const int left = 60, bar = 7, group = 4 * bar + 10, height = 360, bottom = 150;
    int width = left + (int)n * group + 180;
    int title_width = left + 8 * (int)strlen(title) + 20; /* ~8 px per character at 14 px */
    if (width < title_width)
        width = title_width;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
               "font-size=\"11\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            width, height + bottom + 40);
    fprintf(f, "<text x=\"%d\" y=\"20\" font-size=\"14\">%s</text>\n", left, title);
    for (int g = 0; g <= (int)top; g += top > 16 ? 8 : top > 8 ? 2 : 1) {
        double y = 30 + height - (double)g / top * height;
        fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                   "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%dx</text>\n",
                left, left + (int)n * group, y, y, left - 4, y + 4, g);
    }
    static const char *colors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#999999"};
    static const char *labels[] = {"measured on this machine", "projected, 8 workers", "projected, 32 workers",
                                   "critical-path bound"};
    for (size_t i = 0; i < n; i++) {
        double v[] = {ms[i].speedup, ms[i].proj8, ms[i].proj32, ms[i].cp_bound > 64 ? 64 : ms[i].cp_bound};
        for (int k = 0; k < 4; k++) {
            double h = v[k] / top * height;
            fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"/>\n",
                    left + (int)i * group + k * bar, 30 + height - h, bar - 1, h, colors[k]);
        }
        fprintf(f, "<text transform=\"translate(%d,%d) rotate(60)\">%s</text>\n", left + (int)i * group + 6,
                30 + height + 8, ms[i].name);
    }
    double y1 = 30 + height - 1.0 / top * height;
    fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\" stroke-dasharray=\"4 3\"/>\n", left,
            left + (int)n * group, y1, y1);
    for (int k = 0; k < 4; k++)
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n",
                left + (int)n * group + 12, 40 + 18 * k, colors[k], left + (int)n * group + 26, 49 + 18 * k, labels[k]);
    fprintf(f, "</svg>\n");
    return fclose(f) == 0;
}

static double geomean(const measure *ms, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += log(ms[i].speedup > 0 ? ms[i].speedup : 1e-9);
    return n ? exp(s / (double)n) : 0;
}

/* The same over each block's fastest runs (sequential and parallel): on a machine whose noise
 * comes in phases, the medians move between series; the best runs say what the engine does. */
static double geomean_best(const measure *ms, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += log(ms[i].par_min_ms > 0 && ms[i].seq_min_ms > 0 ? ms[i].seq_min_ms / ms[i].par_min_ms : 1e-9);
    return n ? exp(s / (double)n) : 0;
}

/* The worst block among those the automatic choice ran in parallel, and among those it ran
 * sequentially: there both sides run the same executor, so their ratio is the measurement's
 * noise (and a bound on what the choice itself costs), not a slowdown. */
static void print_worst_by_kind(const measure *ms, size_t n)
{
    const measure *worst[2] = {NULL, NULL}; /* [fallback] */
    size_t count[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        int k = ms[i].fallback ? 1 : 0;
        count[k]++;
        if (!worst[k] || ms[i].speedup < worst[k]->speedup)
            worst[k] = &ms[i];
    }
    if (!count[0] || !count[1])
        return;
    printf("worst block run in parallel (%zu of them): %s x%.3f; run sequentially on both sides (%zu, noise): %s x%.3f\n",
           count[0], worst[0]->name, worst[0]->speedup, count[1], worst[1]->name, worst[1]->speedup);
}

/* The CPUs as the pinned runs found them, over the blocks that measured them. */
static void print_cpu_summary(const measure *ms, size_t n)
{
    double ideal = 0, here = 0, proj = 0, measured = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (ms[i].ideal2 <= 0 || ms[i].proj2_here <= 0)
            continue;
        ideal += log(ms[i].ideal2);
        here += log(ms[i].proj2_here);
        proj += log(ms[i].proj2);
        measured += log(ms[i].speedup);
        k++;
    }
    if (!k)
        return;
    printf("the 2 CPUs during the runs (%zu blocks): ideal x%.3f (2 when equal), list-scheduling projection on them "
           "x%.3f (on equal ones x%.3f); measured x%.3f is %.1f%% below the projection on them\n",
           k, exp(ideal / (double)k), exp(here / (double)k), exp(proj / (double)k), exp(measured / (double)k),
           100.0 * (1 - exp((measured - here) / (double)k)));
}

/* The line transfer now, and its range over the blocks' measurements. */
static void print_line_transfer(const measure *ms, size_t n)
{
    double ns = line_transfer_ns(PINGPONG_ROUNDS);
    if (ns <= 0)
        return;
    double lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        if (ms[i].line_ns <= 0)
            continue;
        lo = lo > 0 && lo < ms[i].line_ns ? lo : ms[i].line_ns;
        hi = hi > ms[i].line_ns ? hi : ms[i].line_ns;
    }
    printf("a cache line written on one of the 2 CPUs and read on the other: %.0f ns one way now", ns);
    if (lo > 0)
        printf(", %.0f-%.0f ns beside the blocks", lo, hi);
    printf(" (cores sharing a cache: 20-50 ns); Block-STM pays it at each hand-over between workers\n");
}

/* The pool's wake-up over the blocks: medians of the per-block medians, and their ranges. */
static void print_wake_up(const measure *ms, size_t n)
{
    double *first = malloc((n + 1) * sizeof *first), *second = malloc((n + 1) * sizeof *second);
    unsigned k = 0;
    for (size_t i = 0; first && second && i < n; i++)
        if (ms[i].wake_second_us > 0) {
            first[k] = ms[i].wake_first_us;
            second[k++] = ms[i].wake_second_us;
        }
    if (k) {
        double f = median(first, k), s = median(second, k); /* sorts: [0] and [k-1] are the range */
        printf("waking the pool's other thread for a parallel block after a pause: the caller's share begins after "
               "%.0f us (%.0f-%.0f), the woken thread's after %.0f us (%.0f-%.0f); until then one thread runs the "
               "block alone\n",
               f, first[0], first[k - 1], s, second[0], second[k - 1]);
    }
    free(first);
    free(second);
}

/* Where the measured geometric mean falls short of the 2-worker projection, as shares of the
 * gap's logarithm (they add up): the wake-up of the pool's other thread at the start of each
 * block (the projection starts both workers with the block), blocks the automatic choice runs
 * sequentially (beyond what the wake-up explains), Block-STM's steps outside the transactions
 * (which the projection leaves out), and the rest (Block-STM's bookkeeping and re-executions,
 * the CPUs' inequality, the pool's later hops). */
static void print_gap_summary(const measure *ms, size_t n)
{
    double start = 0, seq = 0, serial = 0, rest = 0, proj_serial = 0, proj_start = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const measure *m = &ms[i];
        if (m->speedup <= 0 || m->proj2 <= 0 || m->proj2_serial <= 0 || m->proj2_start <= 0)
            continue;
        if (m->fallback) { /* (nothing timed outside its transactions: proj2_start has no serial part) */
            start += log(m->proj2 / m->proj2_start);
            seq += log(m->proj2_start / m->speedup);
        } else {
            serial += log(m->proj2 / m->proj2_serial);
            start += log(m->proj2_serial / m->proj2_start);
            rest += log(m->proj2_start / m->speedup);
        }
        proj_serial += log(m->proj2_serial);
        proj_start += log(m->proj2_start);
        k++;
    }
    double gap = start + seq + serial + rest;
    if (!k || gap <= 0)
        return;
    printf("gap to the projection, as shares of its logarithm: the wake-up %.0f%%, blocks run sequentially (beyond "
           "it) %.0f%%, Block-STM's prepare and finish %.0f%%, the rest %.0f%%; projection with prepare and finish "
           "as measured x%.3f, with the wake-up too x%.3f\n",
           100 * start / gap, 100 * seq / gap, 100 * serial / gap, 100 * rest / gap, exp(proj_serial / (double)k),
           exp(proj_start / (double)k));
}

/* Reads a hex file (whitespace ignored) into a malloc'd buffer. */
static bool read_hex_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap);
    int c;
    while ((c = fgetc(f)) != EOF) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        if (n + 1 >= cap)
            s = realloc(s, cap *= 2);
        s[n++] = (char)c;
    }
    fclose(f);
    bool ok = pv_hex_decode_alloc(s, n, out, len);
    free(s);
    return ok;
}

/* bench/contracts/Pool.runtime.hex next to the binary's project, or under the current folder. */
static bool load_pool_code(uint8_t **code, size_t *len, char *where, size_t where_len)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            snprintf(where, where_len, "%s/../bench/contracts/Pool.runtime.hex", exe);
            if (read_hex_file(where, code, len))
                return true;
        }
    }
    snprintf(where, where_len, "bench/contracts/Pool.runtime.hex");
    return read_hex_file(where, code, len);
}

static const char *fixtures_dir(void)
{
    const char *d = getenv("PAREVM_FIXTURES");
    return d && *d ? d : "../shared/fixtures";
}

/* --chunks and --prefix: auto, never or always. */
static bool parse_mode(const char *s, int *out)
{
    *out = pv_parse_auto_never_always(s);
    return *out >= 0;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    double v = strtod(s, &end);
    if (*end || end == s || v < 0)
        return false;
    *out = (uint64_t)v;
    return true;
}

int pv_bench_blocks(int argc, char **argv)
{
    const char *usage =
        "usage: parevm bench blocks [--workload transfers|erc20|swaps|mixed|all] [--gas G | --txs N]\n"
        "                           [--hot-ratio R | --sweep] [--db-latency-us N] [--threads N] [--repeat K]\n"
        "                           [--warmup K]\n"
        "                           [--seed S] [--fork NAME] [--chunks auto|never|always]\n"
        "                           [--prefix auto|never|always] [--json] [--verbose]\n"
        "                           [--svg FILE]\n";
    const char *workload = "all", *svg = NULL;
    uint64_t gas = 1000000000, txs = 0, seed = 1, latency = 0, threads = 2, repeat = 3, warmup = 2;
    double hot = 0.1;
    bool json = false, sweep = false, verbose = false;
    pv_chunks_mode chunks = PV_CHUNKS_AUTO;
    pv_prefix_mode prefix = PV_PREFIX_AUTO;
    pv_fork fork = PV_CANCUN;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool ok = true;
        if (strcmp(a, "--json") == 0)
            json = true;
        else if (strcmp(a, "--sweep") == 0)
            sweep = true;
        else if (strcmp(a, "--verbose") == 0)
            verbose = true;
        else if (!v)
            ok = false;
        else if (strcmp(a, "--workload") == 0)
            workload = v, i++;
        else if (strcmp(a, "--svg") == 0)
            svg = v, i++;
        else if (strcmp(a, "--gas") == 0)
            ok = parse_u64(v, &gas) && gas > 0, i++;
        else if (strcmp(a, "--txs") == 0)
            ok = parse_u64(v, &txs), i++;
        else if (strcmp(a, "--seed") == 0)
            ok = parse_u64(v, &seed), i++;
        else if (strcmp(a, "--db-latency-us") == 0)
            ok = parse_u64(v, &latency) && latency <= 1000000, i++;
        else if (strcmp(a, "--threads") == 0)
            ok = parse_u64(v, &threads) && threads <= 1024, i++;
        else if (strcmp(a, "--repeat") == 0)
            ok = parse_u64(v, &repeat) && repeat >= 1 && repeat <= 1000, i++;
        else if (strcmp(a, "--warmup") == 0)
            ok = parse_u64(v, &warmup) && warmup <= 1000, i++;
        else if (strcmp(a, "--hot-ratio") == 0) {
            char *end;
            hot = strtod(v, &end);
            ok = !*end && hot >= 0 && hot <= 1;
            i++;
        } else if (strcmp(a, "--fork") == 0) {
            ok = pv_fork_from_name(v, &fork), i++;
        } else if (strcmp(a, "--prefix") == 0 || strcmp(a, "--chunks") == 0) {
            int mode;
            ok = parse_mode(v, &mode), i++;
            if (a[2] == 'p')
                prefix = (pv_prefix_mode)mode;
            else
                chunks = (pv_chunks_mode)mode;
        } else
            ok = false;
        if (!ok) {
            fprintf(stderr, "parevm bench blocks: bad option or value '%s%s%s'\n%s", a, v ? " " : "", v ? v : "", usage);
            return 2;
        }
    }
    pv_synth_kind kinds[4];
    size_t nkinds = 0;
    if (strcmp(workload, "all") == 0) {
        for (int k = 0; k < 4; k++)
            kinds[nkinds++] = (pv_synth_kind)k;
    } else if (pv_synth_kind_from_name(workload, &kinds[0])) {
        nkinds = 1;
    } else {
        fprintf(stderr, "parevm bench blocks: unknown workload '%s'\n%s", workload, usage);
        return 2;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/contracts/ERC20Token.runtime.hex", fixtures_dir());
    uint8_t *erc20 = NULL, *pool = NULL;
    size_t erc20_len = 0, pool_len = 0;
    if (!read_hex_file(path, &erc20, &erc20_len)) {
        fprintf(stderr, "parevm bench blocks: cannot read %s (set PAREVM_FIXTURES)\n", path);
        return 1;
    }
    char where[4200];
    if (!load_pool_code(&pool, &pool_len, where, sizeof where)) {
        fprintf(stderr, "parevm bench blocks: cannot read %s\n", where);
        free(erc20);
        return 1;
    }
    run_opts ro = {(unsigned)threads, (unsigned)repeat, (unsigned)warmup, (unsigned)latency, chunks, prefix,
                   verbose && !json};
    measure ms[64];
    size_t nms = 0;
    int failed = 0;
    double hots[5] = {hot};
    size_t nhot = 1;
    if (sweep) {
        nhot = 5;
        for (int k = 0; k < 5; k++)
            hots[k] = k * 0.25;
    }
    for (size_t k = 0; k < nkinds; k++) {
        for (size_t h = 0; h < (kinds[k] == PV_SYNTH_MIXED ? nhot : 1); h++) {
            pv_synth_params p = {kinds[k], seed, gas, (size_t)txs, hots[h], fork, erc20, erc20_len, pool, pool_len};
            pv_synth_block sb;
            double t0 = pv_now_ms();
            const char *e = pv_synth_build(&p, &sb);
            if (e) {
                fprintf(stderr, "parevm bench blocks: %s\n", e);
                failed++;
                continue;
            }
            double build_ms = pv_now_ms() - t0;
            char name[96];
            if (kinds[k] == PV_SYNTH_MIXED)
                snprintf(name, sizeof name, "mixed-hot%.2f%s", hots[h], latency ? "-lat" : "");
            else
                snprintf(name, sizeof name, "%s%s", pv_synth_kind_name(kinds[k]), latency ? "-lat" : "");
            measure *m = &ms[nms++];
            measure_block(name, pv_world_source(sb.pre), &sb.block, &ro, m);
            if (!json)
                printf("(built in %.0f ms) ", build_ms);
            print_measure(m, json);
            fflush(stdout);
            failed += !m->equal;
            pv_synth_free(&sb);
        }
    }
    if (svg && !write_svg(svg, ms, nms, "parevm: synthetic blocks, speed-up over sequential")) {
        fprintf(stderr, "parevm bench blocks: cannot write %s\n", svg);
        failed++;
    }
    if (!json) {
        printf("%zu blocks, %d with differing results; geometric-mean speed-up x%.2f (best runs x%.2f)\n", nms,
               failed, geomean(ms, nms), geomean_best(ms, nms));
        print_cpu_summary(ms, nms);
        print_line_transfer(ms, nms);
        print_wake_up(ms, nms);
    }
    free(erc20);
    free(pool);
    return failed ? 1 : 0;
}

int pv_bench_mainnet(int argc, char **argv)
{
    const char *usage =
        "usage: parevm bench mainnet [--threads N] [--repeat K] [--warmup K] [--prefix auto|never|always]\n"
        "                            [--json] [--verbose] [--svg FILE]\n"
        "                            [FILE...]\n";
    uint64_t threads = 0, repeat = 5, warmup = 1;
    bool json = false, verbose = false;
    pv_prefix_mode prefix = PV_PREFIX_AUTO;
    const char *svg = NULL;
    int first = argc;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool ok = true;
        if (a[0] != '-') {
            first = i;
            break;
        }
        if (strcmp(a, "--json") == 0)
            json = true;
        else if (strcmp(a, "--verbose") == 0)
            verbose = true;
        else if (!v)
            ok = false;
        else if (strcmp(a, "--threads") == 0)
            ok = parse_u64(v, &threads) && threads <= 1024, i++;
        else if (strcmp(a, "--repeat") == 0)
            ok = parse_u64(v, &repeat) && repeat >= 1 && repeat <= 1000, i++;
        else if (strcmp(a, "--warmup") == 0)
            ok = parse_u64(v, &warmup) && warmup <= 1000, i++;
        else if (strcmp(a, "--svg") == 0)
            svg = v, i++;
        else if (strcmp(a, "--prefix") == 0) {
            int mode;
            ok = parse_mode(v, &mode), i++;
            prefix = (pv_prefix_mode)mode;
        }
        else
            ok = false;
        if (!ok) {
            fprintf(stderr, "parevm bench mainnet: bad option or value '%s'\n%s", a, usage);
            return 2;
        }
    }
    char **files = NULL;
    size_t nfiles = 0;
    if (first < argc) {
        files = argv + first;
        nfiles = (size_t)(argc - first);
    } else {
        /* every fixture block */
        static char *list[256];
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "ls %s/mainnet/*.json.gz 2>/dev/null | sort -t/ -k99 -V", fixtures_dir());
        FILE *p = popen(cmd, "r");
        char line[4200];
        while (p && fgets(line, sizeof line, p) && nfiles < 256) {
            line[strcspn(line, "\n")] = 0;
            list[nfiles++] = strdup(line);
        }
        if (p)
            pclose(p);
        files = list;
    }
    if (!nfiles) {
        fprintf(stderr, "parevm bench mainnet: no block files (set PAREVM_FIXTURES)\n%s", usage);
        return 1;
    }
    measure *ms = calloc(nfiles, sizeof *ms);
    size_t nms = 0;
    int failed = 0;
    run_opts ro = {(unsigned)threads, (unsigned)repeat, (unsigned)warmup, 0, PV_CHUNKS_AUTO, prefix, verbose && !json};
    for (size_t i = 0; i < nfiles; i++) {
        char *err = NULL;
        pv_block_file *f = pv_block_file_load(files[i], &err);
        if (!f) {
            fprintf(stderr, "parevm bench mainnet: %s\n", err);
            free(err);
            failed++;
            continue;
        }
        char name[32];
        snprintf(name, sizeof name, "%lld", (long long)f->block.env.number);
        measure *m = &ms[nms++];
        measure_block(name, pv_world_source(f->pre), &f->block, &ro, m);
        print_measure(m, json);
        fflush(stdout);
        failed += !m->equal;
        pv_block_file_free(f);
    }
    if (svg && !write_svg(svg, ms, nms, "parevm: mainnet blocks, speed-up over sequential")) {
        fprintf(stderr, "parevm bench mainnet: cannot write %s\n", svg);
        failed++;
    }
    if (!json && nms) {
        size_t worst = 0, worst_best = 0;
        double sum_seq = 0, sum_par = 0, gm_proj2 = 0;
        uint64_t gas = 0;
        for (size_t i = 0; i < nms; i++) {
            if (ms[i].speedup < ms[worst].speedup)
                worst = i;
            if (ms[i].seq_min_ms * ms[worst_best].par_min_ms < ms[worst_best].seq_min_ms * ms[i].par_min_ms)
                worst_best = i;
            sum_seq += ms[i].seq_ms;
            sum_par += ms[i].par_ms;
            gas += ms[i].gas;
            gm_proj2 += log(ms[i].proj2);
        }
        gm_proj2 = exp(gm_proj2 / (double)nms);
        printf("%zu blocks: geometric-mean speed-up x%.3f (list-scheduling projection for 2 workers x%.3f); worst "
               "block %s x%.3f; total %.1f ms sequential (%.0f Mgas/s), %.1f ms parallel (%.0f Mgas/s)\n",
               nms, geomean(ms, nms), gm_proj2, ms[worst].name, ms[worst].speedup, sum_seq,
               (double)gas / sum_seq / 1e3, sum_par, (double)gas / sum_par / 1e3);
        printf("best runs: geometric-mean speed-up x%.3f; worst block %s x%.3f\n", geomean_best(ms, nms),
               ms[worst_best].name,
               ms[worst_best].par_min_ms > 0 ? ms[worst_best].seq_min_ms / ms[worst_best].par_min_ms : 0);
        print_worst_by_kind(ms, nms);
        print_cpu_summary(ms, nms);
        print_line_transfer(ms, nms);
        print_wake_up(ms, nms);
        print_gap_summary(ms, nms);
    }
    free(ms);
    return failed ? 1 : 0;
}
