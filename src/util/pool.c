#include "pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

#define POOL_STACK_SIZE ((size_t)256 << 20)

typedef struct batch {
    pthread_mutex_t lock;
    pthread_cond_t done;
    unsigned remaining;
} batch;

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
        while (sem_wait(&t->wake) != 0)
            ;
        t->fn(t->arg);
        batch *b = t->b;
        /* Back to the idle list before reporting, so the caller's next batch can reuse it. */
        pthread_mutex_lock(&pool_lock);
        t->next_idle = idle;
        idle = t;
        pthread_mutex_unlock(&pool_lock);
        pthread_mutex_lock(&b->lock);
        if (--b->remaining == 0)
            pthread_cond_signal(&b->done);
        pthread_mutex_unlock(&b->lock);
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

void pv_pool_run(void *(*fn)(void *), void **args, unsigned n)
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
    b.remaining = others;
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
    pthread_mutex_lock(&b.lock);
    while (b.remaining)
        pthread_cond_wait(&b.done, &b.lock);
    pthread_mutex_unlock(&b.lock);
    pthread_cond_destroy(&b.done);
    pthread_mutex_destroy(&b.lock);
}
