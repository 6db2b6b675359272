#include "pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>

#include "clock.h"

#define POOL_STACK_SIZE ((size_t)256 << 20)

typedef struct batch {
    pthread_mutex_t lock;
    pthread_cond_t done;
    _Atomic unsigned remaining;   /* jobs not finished */
    _Atomic unsigned left;        /* workers that have not let go of the batch yet */
    _Atomic bool sleeping;        /* the caller went to wait on done */
} batch;

void pv_pool_relax(unsigned i)
{
    if (i < 256) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    } else {
        sched_yield();
    }
}

/* Polls sem for up to PV_POOL_POLL_NS; true if it was taken. */
static bool spin_take(sem_t *sem)
{
    uint64_t start = 0;
    for (unsigned i = 0;; i++) {
        if (sem_trywait(sem) == 0)
            return true;
        if ((i & 63) == 0) {
            uint64_t t = pv_now_ns();
            if (!start)
                start = t;
            else if (t - start > PV_POOL_POLL_NS)
                return false;
        }
        pv_pool_relax(i);
    }
}

typedef struct pool_thread {
    struct pool_thread *next_idle;
    int slot;                     /* the CPU it is bound to, as an index into bind_cpus (-1: none) */
    bool rebind;                  /* slot changed while it was idle: it binds itself on waking */
    sem_t wake;
    void *(*fn)(void *);
    void *arg;
    batch *b;
} pool_thread;

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pool_thread *idle;
static _Thread_local pool_thread *self;

bool pv_pool_is_worker(void) { return self != NULL; }

/*
 * Binding. The jobs of one run are bound to distinct CPUs (the least busy ones, so that
 * concurrent callers spread over a big machine; the first CPUs when all are free, so that a
 * thread keeps its CPU and its caches from block to block). Left to the kernel, a woken worker
 * was often placed beside its waker and shared one CPU with it for milliseconds while the other
 * idled: a 10,000-transfer block run from a plain thread took 4.9-6.0 ms in parallel unbound
 * and 3.8-4.2 bound (2 vCPUs, medians of 30). A job alone (a sequential block) is left free.
 * PAREVM_BIND_WORKERS=0 leaves all placement to the kernel.
 */
static int bind_cpus[CPU_SETSIZE]; /* the process's CPUs when it first used the pool */
static int cpu_count;              /* how many */
static int bind_count;             /* cpu_count, or 0: no binding (one CPU, or turned off) */
static unsigned slot_load[CPU_SETSIZE]; /* pool jobs running bound to each slot (pool_lock) */
static pthread_once_t bind_once = PTHREAD_ONCE_INIT;

static void bind_init(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return;
    int n = 0;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &set))
            bind_cpus[n++] = c;
    cpu_count = n;
    const char *env = getenv("PAREVM_BIND_WORKERS");
    bind_count = n >= 2 && !(env && strcmp(env, "0") == 0) ? n : 0;
}

unsigned pv_pool_cpus(int *cpus, unsigned max)
{
    pthread_once(&bind_once, bind_init);
    unsigned n = (unsigned)cpu_count < max ? (unsigned)cpu_count : max;
    for (unsigned i = 0; i < n; i++)
        cpus[i] = bind_cpus[i];
    return n;
}

/* Binds the calling thread to slot's CPU, or to all of bind_cpus when slot < 0. */
static void bind_self(int slot)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int c = 0; c < bind_count; c++)
        if (slot < 0 || c == slot)
            CPU_SET(bind_cpus[c], &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set); /* best effort: a refusal costs only speed */
}

/* The least busy slot by load[], the first such at or after `from` (pool_lock held). */
static int least_busy_slot(const unsigned *load, int from)
{
    int best = -1;
    for (int k = 0; k < bind_count; k++) {
        int c = (from + k) % bind_count;
        if (best < 0 || load[c] < load[best])
            best = c;
    }
    return best;
}

/* The slot of the CPU this thread runs on now (0 if it is not one of bind_cpus). */
static int current_slot(void)
{
    int here = sched_getcpu();
    for (int c = 0; c < bind_count; c++)
        if (bind_cpus[c] == here)
            return c;
    return 0;
}

/* The slots for the others jobs of a run from this thread that its own job does not take
 * (pool_lock held), each counted in load[]: the least busy after the calling pool thread's, or
 * from the first. Returns the calling pool thread's slot (-1 for a plain thread): where it runs
 * now if it is free to move, counted in load[] then too. */
static int choose_slots(unsigned *load, unsigned others, int *slots)
{
    int own = -1;
    if (self) {
        own = self->slot;
        if (own < 0)
            load[own = current_slot()]++;
    }
    for (unsigned i = 0; i < others; i++) {
        slots[i] = least_busy_slot(load, own + 1);
        load[slots[i]]++;
    }
    return own;
}

/* An idle thread for slot (one bound to it if there is one, else any, rebound), or NULL; taken
 * off the idle list (pool_lock held). */
static pool_thread *take_idle(int slot)
{
    pool_thread **pick = NULL;
    for (pool_thread **p = &idle; *p && !pick; p = &(*p)->next_idle)
        if ((*p)->slot == slot)
            pick = p;
    if (!pick && idle)
        pick = &idle;
    if (!pick)
        return NULL;
    pool_thread *t = *pick;
    *pick = t->next_idle;
    if (t->slot != slot) {
        t->slot = slot;
        t->rebind = true;
    }
    return t;
}

static void *pool_main(void *arg)
{
    pool_thread *t = arg;
    pthread_setname_np(pthread_self(), "parevm-worker");
    self = t;
    for (;;) {
        if (!spin_take(&t->wake))
            while (sem_wait(&t->wake) != 0)
                ;
        if (t->rebind) {
            t->rebind = false;
            bind_self(t->slot);
        }
        t->fn(t->arg);
        batch *b = t->b;
        /* Back to the idle list before reporting, so the caller's next batch can reuse it. */
        pthread_mutex_lock(&pool_lock);
        if (t->slot >= 0)
            slot_load[t->slot]--;
        t->next_idle = idle;
        idle = t;
        pthread_mutex_unlock(&pool_lock);
        /* Under the lock, so that a caller gone to sleep cannot miss the signal; then `left`,
         * this thread's last touch of the batch (on the caller's stack, gone once it returns). */
        pthread_mutex_lock(&b->lock);
        if (atomic_fetch_sub(&b->remaining, 1) == 1 && atomic_load(&b->sleeping))
            pthread_cond_signal(&b->done);
        pthread_mutex_unlock(&b->lock);
        atomic_fetch_sub_explicit(&b->left, 1, memory_order_release);
    }
    return NULL;
}

static pool_thread *new_thread(int slot)
{
    pool_thread *t = calloc(1, sizeof *t);
    if (!t || sem_init(&t->wake, 0, 0) != 0)
        abort();
    t->slot = slot;
    t->rebind = bind_count > 0; /* its creator's binding is not its own */
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, POOL_STACK_SIZE);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t th;
    if (pthread_create(&th, &attr, pool_main, t) != 0) {
        fputs("parevm: cannot create a worker thread\n", stderr);
        abort();
    }
    pthread_attr_destroy(&attr);
    return t;
}

static void run(void *(*fn)(void *), void **args, unsigned n, uint64_t poll_ns)
{
    if (!n)
        return;
    /* A pool thread (large stack already) runs the first job itself: one wake-up fewer, and the
     * woken threads find the other CPUs idle instead of queueing behind a busy one. */
    unsigned first = self ? 1 : 0;
    unsigned others = n - first;
    pthread_once(&bind_once, bind_init);
    bool spread = bind_count && n >= 2;
    batch b;
    pthread_mutex_init(&b.lock, NULL);
    pthread_cond_init(&b.done, NULL);
    atomic_init(&b.remaining, others);
    atomic_init(&b.left, others);
    atomic_init(&b.sleeping, false);
    pool_thread **ts = malloc((others ? others : 1) * sizeof *ts);
    if (!ts)
        abort();
    int *slots = malloc((others ? others : 1) * sizeof *slots);
    if (!slots)
        abort();
    pthread_mutex_lock(&pool_lock);
    if (spread) {
        int own = choose_slots(slot_load, others, slots);
        if (self && self->slot < 0) { /* a pool thread that was free to move stays where it is, now bound */
            self->slot = own;
            bind_self(own);
        }
    } else {
        for (unsigned i = 0; i < others; i++)
            slots[i] = -1;
    }
    for (unsigned i = 0; i < others; i++)
        ts[i] = take_idle(slots[i]);
    pthread_mutex_unlock(&pool_lock);
    for (unsigned i = 0; i < others; i++) {
        if (!ts[i])
            ts[i] = new_thread(slots[i]);
        ts[i]->fn = fn;
        ts[i]->arg = args[first + i];
        ts[i]->b = &b;
    }
    for (unsigned i = 0; i < others; i++)
        sem_post(&ts[i]->wake);
    free(ts);
    free(slots);
    if (first)
        fn(args[0]);
    /* Poll first (the jobs of a block's phase end within microseconds of each other), then
     * sleep; either way wait until every worker has let go of the batch. */
    uint64_t start = pv_now_ns();
    for (unsigned i = 0; atomic_load_explicit(&b.left, memory_order_acquire); i++) {
        if ((i & 63) == 0 && pv_now_ns() - start >= poll_ns)
            break;
        pv_pool_relax(i);
    }
    if (atomic_load_explicit(&b.left, memory_order_acquire)) {
        pthread_mutex_lock(&b.lock);
        atomic_store(&b.sleeping, true);
        while (atomic_load(&b.remaining))
            pthread_cond_wait(&b.done, &b.lock);
        pthread_mutex_unlock(&b.lock);
        /* The last worker is between its unlock and its final decrement: a few instructions,
         * unless waking this thread preempted it there on this very CPU. Then only yielding
         * lets it finish: pausing alone spun out the time slice (the pinned runs of `bench`,
         * three threads on two CPUs: 13% of the samples here, blocks 1.5-2x slower). */
        for (unsigned i = 0; atomic_load_explicit(&b.left, memory_order_acquire); i++)
            pv_pool_relax(i);
    }
    pthread_cond_destroy(&b.done);
    pthread_mutex_destroy(&b.lock);
}

void pv_pool_predict_cpus(unsigned n, int *cpus)
{
    for (unsigned i = 0; i < n; i++)
        cpus[i] = -1;
    pthread_once(&bind_once, bind_init);
    if (!bind_count || n < 2)
        return;
    static unsigned load[CPU_SETSIZE]; /* a copy, under pool_lock */
    pthread_mutex_lock(&pool_lock);
    memcpy(load, slot_load, (size_t)bind_count * sizeof *load);
    unsigned first = self ? 1 : 0;
    int own = choose_slots(load, n - first, cpus + first); /* slots, made CPUs below */
    pthread_mutex_unlock(&pool_lock);
    if (self)
        cpus[0] = own;
    for (unsigned i = 0; i < n; i++)
        cpus[i] = bind_cpus[cpus[i]];
}

void pv_pool_run(void *(*fn)(void *), void **args, unsigned n) { run(fn, args, n, PV_POOL_POLL_NS); }

void pv_pool_run_long(void *(*fn)(void *), void **args, unsigned n) { run(fn, args, n, 0); }
