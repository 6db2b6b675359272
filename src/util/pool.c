#include "pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sched.h>
#include <time.h>

#define POOL_STACK_SIZE ((size_t)256 << 20)

typedef struct batch {
    pthread_mutex_t lock;
    pthread_cond_t done;
    _Atomic unsigned remaining;   /* jobs not finished */
    _Atomic unsigned left;        /* workers that have not let go of the batch yet */
    _Atomic bool sleeping;        /* the caller went to wait on done */
} batch;

/* How long a thread polls before it sleeps: a parked thread that is woken costs its CPU a
 * wake-up from idle, 20 to 40 us on a virtual machine (measured: a hop onto the pool 33-47 us),
 * and a block's phases come microseconds apart. */
#define POOL_SPIN_NS 100000

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

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

/* Polls sem for up to POOL_SPIN_NS; true if it was taken. */
static bool spin_take(sem_t *sem)
{
    uint64_t start = 0;
    for (unsigned i = 0;; i++) {
        if (sem_trywait(sem) == 0)
            return true;
        if ((i & 63) == 0) {
            uint64_t t = now_ns();
            if (!start)
                start = t;
            else if (t - start > POOL_SPIN_NS)
                return false;
        }
        pv_pool_relax(i);
    }
}

typedef struct pool_thread {
    struct pool_thread *next_idle;
    sem_t wake;
    void *(*fn)(void *);
    void *arg;
    batch *b;
} pool_thread;

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pool_thread *idle;
static _Thread_local bool on_pool_thread;

bool pv_pool_is_worker(void) { return on_pool_thread; }

static void *pool_main(void *arg)
{
    pool_thread *t = arg;
    pthread_setname_np(pthread_self(), "parevm-worker");
    on_pool_thread = true;
    for (;;) {
        if (!spin_take(&t->wake))
            while (sem_wait(&t->wake) != 0)
                ;
        t->fn(t->arg);
        batch *b = t->b;
        /* Back to the idle list before reporting, so the caller's next batch can reuse it. */
        pthread_mutex_lock(&pool_lock);
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

static pool_thread *new_thread(void)
{
    pool_thread *t = calloc(1, sizeof *t);
    if (!t || sem_init(&t->wake, 0, 0) != 0)
        abort();
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
    unsigned first = on_pool_thread ? 1 : 0;
    unsigned others = n - first;
    batch b;
    pthread_mutex_init(&b.lock, NULL);
    pthread_cond_init(&b.done, NULL);
    atomic_init(&b.remaining, others);
    atomic_init(&b.left, others);
    atomic_init(&b.sleeping, false);
    pool_thread **ts = malloc((others ? others : 1) * sizeof *ts);
    if (!ts)
        abort();
    pthread_mutex_lock(&pool_lock);
    for (unsigned i = 0; i < others; i++) {
        if (idle) {
            ts[i] = idle;
            idle = idle->next_idle;
        } else {
            ts[i] = NULL;
        }
    }
    pthread_mutex_unlock(&pool_lock);
    for (unsigned i = 0; i < others; i++) {
        if (!ts[i])
            ts[i] = new_thread();
        ts[i]->fn = fn;
        ts[i]->arg = args[first + i];
        ts[i]->b = &b;
    }
    for (unsigned i = 0; i < others; i++)
        sem_post(&ts[i]->wake);
    free(ts);
    if (first)
        fn(args[0]);
    /* Poll first (the jobs of a block's phase end within microseconds of each other), then
     * sleep; either way wait until every worker has let go of the batch. */
    uint64_t start = now_ns();
    for (unsigned i = 0; atomic_load_explicit(&b.left, memory_order_acquire); i++) {
        if ((i & 63) == 0 && now_ns() - start >= poll_ns)
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

void pv_pool_run(void *(*fn)(void *), void **args, unsigned n) { run(fn, args, n, POOL_SPIN_NS); }

void pv_pool_run_long(void *(*fn)(void *), void **args, unsigned n) { run(fn, args, n, 0); }
