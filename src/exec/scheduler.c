/* Block-STM collaborative scheduler (the paper's Algorithm 4 and 5; see scheduler.h for the two
 * departures: atomic status words and batched execution claims). */
#include "scheduler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The status word: incarnation << 8 | status. */
static inline uint64_t word_of(uint32_t incarnation, pv_tx_status st) { return (uint64_t)incarnation << 8 | st; }
static inline pv_tx_status status_of(uint64_t w) { return (pv_tx_status)(w & 0xff); }
static inline uint32_t incarnation_of(uint64_t w) { return (uint32_t)(w >> 8); }

void pv_scheduler_init(pv_scheduler *s, uint32_t n, uint32_t batch, unsigned workers)
{
    s->n = n;
    s->workers = workers ? workers : 1;
    s->active = aligned_alloc(64, s->workers * sizeof *s->active);
    if (!s->active)
        abort();
    for (unsigned i = 0; i < s->workers; i++)
        atomic_init(&s->active[i].n, 0);
    s->batch = batch ? batch : 1;
    s->txs = aligned_alloc(64, (n ? n : 1) * sizeof *s->txs);
    if (!s->txs)
        abort();
    for (uint32_t i = 0; i < n; i++) {
        pv_sched_tx *t = &s->txs[i];
        atomic_init(&t->word, word_of(0, PV_READY_TO_EXECUTE));
        atomic_init(&t->pending_deps, 0);
        pthread_mutex_init(&t->deps_lock, NULL);
        t->deps = NULL;
        t->ndeps = t->cap_deps = 0;
    }
    atomic_init(&s->execution_idx, 0);
    atomic_init(&s->validation_idx, 0);
    atomic_init(&s->decrease_cnt, 0);
    atomic_init(&s->done, n == 0);
    atomic_init(&s->n_dependency_waits, 0);
    atomic_init(&s->validation_hold, UINT32_MAX);
    s->prev = NULL;
    s->next = NULL;
    s->prev_call = s->first_call = NULL;
    s->next_call = s->call_rank = NULL;
    s->contention = s->contention_reach = NULL;
    s->hot = NULL;
    s->same_call = NULL;
}

void pv_scheduler_chain(pv_scheduler *s, const uint32_t *prev)
{
    s->next = calloc(s->n ? s->n : 1, sizeof *s->next);
    if (!s->next)
        abort();
    for (uint32_t i = 0; i < s->n; i++)
        if (prev[i])
            s->next[prev[i] - 1] = i + 1;
    s->prev = prev;
}

void pv_scheduler_link_callers(pv_scheduler *s, const uint32_t *prev_call, const uint8_t *same_call)
{
    size_t n = s->n ? s->n : 1;
    s->next_call = calloc(n, sizeof *s->next_call);
    s->first_call = calloc(n, sizeof *s->first_call);
    s->call_rank = calloc(n, sizeof *s->call_rank);
    s->contention = calloc(n, sizeof *s->contention);
    s->contention_reach = calloc(n, sizeof *s->contention_reach);
    s->hot = calloc(n, sizeof *s->hot);
    if (!s->next_call || !s->first_call || !s->call_rank || !s->contention || !s->contention_reach || !s->hot)
        abort();
    for (uint32_t i = 0; i < s->n; i++) {
        uint32_t p = prev_call[i];
        s->first_call[i] = p ? s->first_call[p - 1] : i;
        if (p) {
            s->next_call[p - 1] = i + 1;
            s->call_rank[i] = s->call_rank[p - 1] + 1;
        }
    }
    s->prev_call = prev_call;
    s->same_call = same_call;
}

/* A contract is hot when its callers' contention is no accident: a token whose transfers collide
 * now and then on one holder keeps its callers free, a sale or a counter that every caller
 * updates (most of them abort) has them wait. The share is of the callers up to the furthest
 * that contended, not up to this one: aborts come in any order (a cascade aborts callers far
 * above before the one that set it off, and with more workers than CPUs a contract with one
 * collision in ten callers had seemed hot by the latter). */
void pv_scheduler_note_contention(pv_scheduler *s, uint32_t tx)
{
    if (!s->contention)
        return;
    uint32_t g = s->first_call[tx], place = s->call_rank[tx] + 1;
    uint32_t reach = atomic_load_explicit(&s->contention_reach[g], memory_order_relaxed);
    while (reach < place && !atomic_compare_exchange_weak_explicit(&s->contention_reach[g], &reach, place,
                                                                   memory_order_relaxed, memory_order_relaxed))
        ;
    if (reach < place)
        reach = place;
    uint32_t c = atomic_fetch_add_explicit(&s->contention[g], 1, memory_order_relaxed) + 1;
    if (c >= PV_SCHED_HOT_CALLS && (uint64_t)c * PV_SCHED_HOT_SHARE >= reach &&
        !atomic_load_explicit(&s->hot[g], memory_order_relaxed))
        atomic_store(&s->hot[g], 1);
}

uint32_t pv_scheduler_hot_contracts(const pv_scheduler *s)
{
    uint32_t k = 0;
    for (uint32_t i = 0; s->hot && i < s->n; i++)
        k += atomic_load_explicit(&s->hot[i], memory_order_relaxed) != 0;
    return k;
}

/* Whether tx waits for its contract's previous caller: it repeats that one's call, or the
 * contract is one its callers contend on. Neither is ever unset; the flag is read sequentially
 * consistent for the argument in behind(). */
static bool follows_caller(pv_scheduler *s, uint64_t tx)
{
    return (s->same_call && s->same_call[tx]) || (s->hot && atomic_load(&s->hot[s->first_call[tx]]));
}

void pv_scheduler_destroy(pv_scheduler *s)
{
    for (uint32_t i = 0; i < s->n; i++) {
        pthread_mutex_destroy(&s->txs[i].deps_lock);
        free(s->txs[i].deps);
    }
    free(s->txs);
    free(s->next);
    free(s->next_call);
    free(s->first_call);
    free(s->call_rank);
    free((void *)s->contention);
    free((void *)s->contention_reach);
    free((void *)s->hot);
    free(s->active);
}

static void decrease_execution_idx(pv_scheduler *s, uint64_t target)
{
    uint64_t cur = atomic_load(&s->execution_idx);
    while (cur > target && !atomic_compare_exchange_weak(&s->execution_idx, &cur, target))
        ;
    atomic_fetch_add(&s->decrease_cnt, 1);
}

static void decrease_validation_idx(pv_scheduler *s, uint64_t target)
{
    uint64_t cur = atomic_load(&s->validation_idx);
    while (cur > target && !atomic_compare_exchange_weak(&s->validation_idx, &cur, target))
        ;
    atomic_fetch_add(&s->decrease_cnt, 1);
}

void pv_scheduler_reserve_prefix(pv_scheduler *s, pv_sched_worker *w, uint32_t m)
{
    if (m < 2 || m >= s->n)
        abort();
    for (uint32_t i = 0; i < m; i++)
        atomic_store(&s->txs[i].word, word_of(0, PV_EXECUTING));
    atomic_store(&s->execution_idx, m);
    atomic_store(&s->validation_idx, m);
    atomic_store(&s->validation_hold, m);
    atomic_fetch_add(w->active, 1);
}

void pv_scheduler_release_hold(pv_scheduler *s) { atomic_store(&s->validation_hold, UINT32_MAX); }

void pv_scheduler_reopen(pv_scheduler *s, uint32_t from, uint32_t to)
{
    for (uint32_t i = from; i < to; i++)
        atomic_store(&s->txs[i].word, word_of(1, PV_READY_TO_EXECUTE));
    /* The hold only comes down, and never comes back once released: two takes can end in
     * either order, and a take can end after the prefix published (then validations must go
     * on, or completion never comes: seen at 3 threads, a take's hold of 77 set after the
     * release left every validation from 77 on waiting). */
    uint32_t hold = atomic_load(&s->validation_hold);
    while (hold != UINT32_MAX && hold > from && !atomic_compare_exchange_weak(&s->validation_hold, &hold, from))
        ;
    decrease_execution_idx(s, from);
}

void pv_scheduler_worker_init(pv_scheduler *s, pv_sched_worker *w, unsigned i)
{
    memset(w, 0, sizeof *w);
    w->active = &s->active[i].n;
}

/* The counts are read one after the other: a task that ends between two reads without a
 * follow-up either left nothing to do or lowered an index first (the decrease count changes);
 * one that starts must have found an index below n, which the reads of the indexes after the
 * first look at the decrease count rule out unless a decrease (seen) made it so. */
static void check_done(pv_scheduler *s)
{
    uint64_t observed = atomic_load(&s->decrease_cnt);
    uint64_t e = atomic_load(&s->execution_idx), v = atomic_load(&s->validation_idx);
    if ((e < v ? e : v) < s->n)
        return;
    for (unsigned i = 0; i < s->workers; i++)
        if (atomic_load(&s->active[i].n))
            return;
    if (observed == atomic_load(&s->decrease_cnt))
        atomic_store(&s->done, true);
}

/* A task ended without a follow-up: its active count goes back, or, if the worker still has
 * indexes of its run to take, stays with the worker as the run's count. */
static void release(pv_sched_worker *w)
{
    if (!w->held && w->run_next < w->run_end) {
        w->held = true;
        return;
    }
    atomic_fetch_sub(w->active, 1);
}

static bool is_status(pv_scheduler *s, uint64_t tx, pv_tx_status st)
{
    return tx < s->n && status_of(atomic_load(&s->txs[tx].word)) == st;
}

/* Whether tx's sender's previous transaction, or the previous caller of its contract when tx
 * follows it (follows_caller), has yet to finish executing. Read after tx was seen ready: the
 * previous one's finisher stores EXECUTED and then looks at tx (finish_execution), so if this
 * load misses that store, the finisher sees tx ready (or claimed) and takes it. For a caller,
 * the finisher also sees that tx follows it: that never changes back, and the accesses are
 * sequentially consistent (this thread read the hot flag before missing the store, which the
 * finisher made before reading the flag). */
static bool behind(pv_scheduler *s, uint64_t tx)
{
    uint32_t p = s->prev ? s->prev[tx] : 0;
    if (p && status_of(atomic_load(&s->txs[p - 1].word)) != PV_EXECUTED)
        return true;
    p = s->prev_call ? s->prev_call[tx] : 0;
    return p && follows_caller(s, tx) && status_of(atomic_load(&s->txs[p - 1].word)) != PV_EXECUTED;
}

/* Claims tx for execution if it is ready (and not behind: see behind()); releases the caller's
 * active count otherwise. */
static pv_task try_incarnate(pv_scheduler *s, pv_sched_worker *w, uint64_t tx)
{
    if (tx < s->n) {
        pv_sched_tx *t = &s->txs[tx];
        uint64_t cur = atomic_load(&t->word);
        while (status_of(cur) == PV_READY_TO_EXECUTE && !behind(s, tx)) {
            if (atomic_compare_exchange_weak(&t->word, &cur, word_of(incarnation_of(cur), PV_EXECUTING)))
                return (pv_task){PV_TASK_EXECUTE, (uint32_t)tx, incarnation_of(cur)};
        }
    }
    release(w);
    return (pv_task){PV_TASK_NONE, 0, 0};
}

/* Claims the next run of execution indexes (the first is tried at once, the rest kept). */
static pv_task next_version_to_execute(pv_scheduler *s, pv_sched_worker *w)
{
    if (atomic_load(&s->execution_idx) >= s->n) {
        check_done(s);
        return (pv_task){PV_TASK_NONE, 0, 0};
    }
    atomic_fetch_add(w->active, 1);
    uint64_t idx = atomic_fetch_add(&s->execution_idx, s->batch);
    if (s->batch > 1 && idx + 1 < s->n) {
        w->run_next = (uint32_t)idx + 1;
        w->run_end = (uint32_t)(idx + s->batch < s->n ? idx + s->batch : s->n);
    }
    return try_incarnate(s, w, idx);
}

/* Claims the next validation index. borrowed: the worker's held run count pays for the task
 * (else a count is taken here). */
static pv_task next_version_to_validate(pv_scheduler *s, pv_sched_worker *w, bool borrowed)
{
    if (!borrowed) {
        if (atomic_load(&s->validation_idx) >= s->n) {
            check_done(s);
            return (pv_task){PV_TASK_NONE, 0, 0};
        }
        atomic_fetch_add(w->active, 1);
    }
    uint64_t idx = atomic_fetch_add(&s->validation_idx, 1);
    if (idx < s->n) {
        uint64_t cur = atomic_load(&s->txs[idx].word);
        if (status_of(cur) == PV_EXECUTED)
            return (pv_task){PV_TASK_VALIDATE, (uint32_t)idx, incarnation_of(cur)};
    }
    release(w);
    return (pv_task){PV_TASK_NONE, 0, 0};
}

pv_task pv_scheduler_next_task(pv_scheduler *s, pv_sched_worker *w)
{
    if (w->next.kind != PV_TASK_NONE) {
        pv_task t = w->next;
        w->next.kind = PV_TASK_NONE;
        return t;
    }
    for (;;) {
        if (w->held) {
            /* Validations that have fallen behind this run come first (as the paper's
             * validation_idx < execution_idx rule would have it), but only of executed
             * transactions: skipping an unexecuted one would cost a revalidation sweep when it
             * finishes. */
            uint64_t v = atomic_load(&s->validation_idx);
            w->held = false;
            pv_task t;
            if (v < w->run_next && v < atomic_load(&s->validation_hold) && is_status(s, v, PV_EXECUTED))
                t = next_version_to_validate(s, w, true);
            else
                t = try_incarnate(s, w, w->run_next++);
            if (t.kind != PV_TASK_NONE)
                return t;
            continue; /* the count came back to the run, or went back to the scheduler */
        }
        uint64_t v = atomic_load(&s->validation_idx), e = atomic_load(&s->execution_idx);
        pv_task t;
        if (v < e && v < atomic_load(&s->validation_hold) && (e >= s->n || is_status(s, v, PV_EXECUTED)))
            t = next_version_to_validate(s, w, false);
        else
            t = next_version_to_execute(s, w);
        if (t.kind != PV_TASK_NONE || !w->held)
            return t;
    }
}

bool pv_scheduler_add_dependency(pv_scheduler *s, pv_sched_worker *w, uint32_t tx, uint32_t blocker)
{
    pv_sched_tx *b = &s->txs[blocker];
    pthread_mutex_lock(&b->deps_lock);
    /* Announce first, then look: finish_execution stores EXECUTED, then reads pending_deps, so
     * one of the two sees the other (both sequentially consistent). */
    atomic_fetch_add(&b->pending_deps, 1);
    if (status_of(atomic_load(&b->word)) == PV_EXECUTED) {
        atomic_fetch_sub(&b->pending_deps, 1);
        pthread_mutex_unlock(&b->deps_lock);
        return false;
    }
    pv_sched_tx *t = &s->txs[tx];
    atomic_store(&t->word, word_of(incarnation_of(atomic_load(&t->word)), PV_ABORTING));
    if (b->ndeps == b->cap_deps) {
        b->cap_deps = b->cap_deps ? b->cap_deps * 2 : 4;
        b->deps = realloc(b->deps, b->cap_deps * sizeof *b->deps);
        if (!b->deps)
            abort();
    }
    b->deps[b->ndeps++] = tx;
    pthread_mutex_unlock(&b->deps_lock);
    atomic_fetch_add(&s->n_dependency_waits, 1);
    release(w);
    return true;
}

/* Only the owner of an ABORTING (or suspended) transaction calls this. */
static void set_ready_status(pv_scheduler *s, uint32_t tx)
{
    pv_sched_tx *t = &s->txs[tx];
    atomic_store(&t->word, word_of(incarnation_of(atomic_load(&t->word)) + 1, PV_READY_TO_EXECUTE));
}

/* tx was just stored EXECUTED: its suspended dependents become ready; returns the lowest of
 * them (UINT64_MAX: none), for the caller to bring the execution index back to. */
static uint64_t wake_dependents(pv_scheduler *s, pv_sched_tx *t)
{
    if (!atomic_load(&t->pending_deps))
        return UINT64_MAX;
    pthread_mutex_lock(&t->deps_lock);
    uint32_t *deps = t->deps, ndeps = t->ndeps;
    t->deps = NULL;
    t->ndeps = t->cap_deps = 0;
    atomic_fetch_sub(&t->pending_deps, ndeps);
    pthread_mutex_unlock(&t->deps_lock);
    uint64_t lowest = UINT64_MAX;
    for (uint32_t i = 0; i < ndeps; i++) {
        set_ready_status(s, deps[i]);
        if (deps[i] < lowest)
            lowest = deps[i];
    }
    free(deps);
    return lowest;
}

pv_task pv_scheduler_finish_execution(pv_scheduler *s, pv_sched_worker *w, uint32_t tx, uint32_t incarnation,
                                      bool wrote_new_location)
{
    pv_sched_tx *t = &s->txs[tx];
    atomic_store(&t->word, word_of(incarnation, PV_EXECUTED));
    uint64_t min_dep = wake_dependents(s, t);
    if (min_dep != UINT64_MAX)
        decrease_execution_idx(s, min_dep);
    /* The sender's next transaction, if the execution index has passed it (skipped while this
     * one ran, or taken by another worker): claimed here, with a count of its own, and run after
     * this one's follow-up. One the index has yet to reach is left to it: taken now, far ahead
     * of the index, it would run before most of the transactions below it and abort more.
     * (A worker that skipped nx had moved the index past it before it found this one not
     * executed, that is before the store above: this load sees the index past nx, or lowered
     * since, and then the index comes back to nx after this one is executed.) */
    uint32_t nx = s->next ? s->next[tx] : 0;
    if (nx && nx - 1 < atomic_load(&s->execution_idx)) {
        pv_sched_tx *x = &s->txs[nx - 1];
        uint64_t cur = atomic_load(&x->word);
        if (w->next.kind != PV_TASK_NONE) {
            /* Already holding one (only when this transaction was re-executed in the follow-up
             * of its own finish, so nx is that one): the indexes must see nx again. */
            if (status_of(cur) == PV_READY_TO_EXECUTE)
                decrease_execution_idx(s, nx - 1);
        } else {
            atomic_fetch_add(w->active, 1);
            while (status_of(cur) == PV_READY_TO_EXECUTE &&
                   !atomic_compare_exchange_weak(&x->word, &cur, word_of(incarnation_of(cur), PV_EXECUTING)))
                ;
            if (status_of(cur) == PV_READY_TO_EXECUTE)
                w->next = (pv_task){PV_TASK_EXECUTE, nx - 1, incarnation_of(cur)};
            else
                atomic_fetch_sub(w->active, 1);
        }
    }
    /* The contract's next caller, skipped while this one ran: the index comes back to it. Not
     * taken here as a sender's is: a worker that follows one contract's callers runs ahead of
     * the index, and with two such chains in a block (a token's and a pool's) each caller that
     * one runs below the other's lowers the validation index under all the other's executions
     * (thousands of validations for 1,600 transactions, half of the runs twice as long). */
    uint32_t nc = s->next_call ? s->next_call[tx] : 0;
    if (nc && follows_caller(s, nc - 1) && nc - 1 < atomic_load(&s->execution_idx) &&
        is_status(s, nc - 1, PV_READY_TO_EXECUTE))
        decrease_execution_idx(s, nc - 1);
    if (atomic_load(&s->validation_idx) > tx) {
        if (wrote_new_location)
            decrease_validation_idx(s, tx);
        else
            return (pv_task){PV_TASK_VALIDATE, tx, incarnation};
    }
    release(w);
    return (pv_task){PV_TASK_NONE, 0, 0};
}

void pv_scheduler_finish_prefix(pv_scheduler *s, uint32_t from, uint32_t to)
{
    uint64_t lowest = UINT64_MAX;
    for (uint32_t tx = from; tx < to; tx++) {
        pv_sched_tx *t = &s->txs[tx];
        atomic_store(&t->word, word_of(1, PV_EXECUTED));
        uint64_t min_dep = wake_dependents(s, t);
        if (min_dep < lowest)
            lowest = min_dep;
        /* The sender's next transaction and the contract's next caller, if the index skipped
         * them while this one was not executed (see pv_scheduler_finish_execution): the index
         * must come back to them. */
        uint32_t followers[2] = {s->next ? s->next[tx] : 0, s->next_call ? s->next_call[tx] : 0};
        for (int f = 0; f < 2; f++) {
            uint32_t nx = followers[f];
            if (nx && nx - 1 < atomic_load(&s->execution_idx) && is_status(s, nx - 1, PV_READY_TO_EXECUTE) &&
                nx - 1 < lowest)
                lowest = nx - 1;
        }
    }
    if (lowest != UINT64_MAX)
        decrease_execution_idx(s, lowest);
}

bool pv_scheduler_try_validation_abort(pv_scheduler *s, uint32_t tx, uint32_t incarnation)
{
    uint64_t expect = word_of(incarnation, PV_EXECUTED);
    return atomic_compare_exchange_strong(&s->txs[tx].word, &expect, word_of(incarnation, PV_ABORTING));
}

pv_task pv_scheduler_finish_validation(pv_scheduler *s, pv_sched_worker *w, uint32_t tx, bool aborted)
{
    if (aborted) {
        set_ready_status(s, tx);
        decrease_validation_idx(s, (uint64_t)tx + 1);
        /* try_incarnate releases this task's active count when it cannot claim tx (someone
         * else may have, after execution_idx was lowered below tx). */
        if (atomic_load(&s->execution_idx) > tx)
            return try_incarnate(s, w, tx);
    }
    release(w);
    return (pv_task){PV_TASK_NONE, 0, 0};
}

bool pv_scheduler_is_executed(pv_scheduler *s, uint32_t tx) { return is_status(s, tx, PV_EXECUTED); }
