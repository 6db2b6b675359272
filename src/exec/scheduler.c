/* Block-STM collaborative scheduler (the paper's Algorithm 4 and 5). */
#include "scheduler.h"

#include <stdio.h>
#include <stdlib.h>

void pv_scheduler_init(pv_scheduler *s, uint32_t n)
{
    s->n = n;
    s->txs = calloc(n ? n : 1, sizeof *s->txs);
    if (!s->txs)
        abort();
    for (uint32_t i = 0; i < n; i++) {
        pthread_mutex_init(&s->txs[i].lock, NULL);
        pthread_mutex_init(&s->txs[i].deps_lock, NULL);
    }
    atomic_init(&s->execution_idx, 0);
    atomic_init(&s->validation_idx, 0);
    atomic_init(&s->decrease_cnt, 0);
    atomic_init(&s->num_active_tasks, 0);
    atomic_init(&s->done, n == 0);
    atomic_init(&s->n_dependency_waits, 0);
}

void pv_scheduler_destroy(pv_scheduler *s)
{
    for (uint32_t i = 0; i < s->n; i++) {
        pthread_mutex_destroy(&s->txs[i].lock);
        pthread_mutex_destroy(&s->txs[i].deps_lock);
        free(s->txs[i].deps);
    }
    free(s->txs);
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

static void check_done(pv_scheduler *s)
{
    uint64_t observed = atomic_load(&s->decrease_cnt);
    uint64_t e = atomic_load(&s->execution_idx), v = atomic_load(&s->validation_idx);
    if ((e < v ? e : v) >= s->n && atomic_load(&s->num_active_tasks) == 0 &&
        observed == atomic_load(&s->decrease_cnt))
        atomic_store(&s->done, true);
}

/* Claims tx for execution if it is ready; consumes the active-task count otherwise. */
static pv_task try_incarnate(pv_scheduler *s, uint64_t tx)
{
    if (tx < s->n) {
        pv_sched_tx *t = &s->txs[tx];
        pthread_mutex_lock(&t->lock);
        if (t->status == PV_READY_TO_EXECUTE) {
            t->status = PV_EXECUTING;
            pv_task r = {PV_TASK_EXECUTE, (uint32_t)tx, t->incarnation};
            pthread_mutex_unlock(&t->lock);
            return r;
        }
        pthread_mutex_unlock(&t->lock);
    }
    atomic_fetch_sub(&s->num_active_tasks, 1);
    return (pv_task){PV_TASK_NONE, 0, 0};
}

static pv_task next_version_to_execute(pv_scheduler *s)
{
    if (atomic_load(&s->execution_idx) >= s->n) {
        check_done(s);
        return (pv_task){PV_TASK_NONE, 0, 0};
    }
    atomic_fetch_add(&s->num_active_tasks, 1);
    uint64_t idx = atomic_fetch_add(&s->execution_idx, 1);
    return try_incarnate(s, idx);
}

static pv_task next_version_to_validate(pv_scheduler *s)
{
    if (atomic_load(&s->validation_idx) >= s->n) {
        check_done(s);
        return (pv_task){PV_TASK_NONE, 0, 0};
    }
    atomic_fetch_add(&s->num_active_tasks, 1);
    uint64_t idx = atomic_fetch_add(&s->validation_idx, 1);
    if (idx < s->n) {
        pv_sched_tx *t = &s->txs[idx];
        pthread_mutex_lock(&t->lock);
        if (t->status == PV_EXECUTED) {
            pv_task r = {PV_TASK_VALIDATE, (uint32_t)idx, t->incarnation};
            pthread_mutex_unlock(&t->lock);
            return r;
        }
        pthread_mutex_unlock(&t->lock);
    }
    atomic_fetch_sub(&s->num_active_tasks, 1);
    return (pv_task){PV_TASK_NONE, 0, 0};
}

pv_task pv_scheduler_next_task(pv_scheduler *s)
{
    if (atomic_load(&s->validation_idx) < atomic_load(&s->execution_idx)) {
        pv_task t = next_version_to_validate(s);
        if (t.kind != PV_TASK_NONE)
            return t;
    } else {
        pv_task t = next_version_to_execute(s);
        if (t.kind != PV_TASK_NONE)
            return t;
    }
    return (pv_task){PV_TASK_NONE, 0, 0};
}

bool pv_scheduler_add_dependency(pv_scheduler *s, uint32_t tx, uint32_t blocker)
{
    pv_sched_tx *b = &s->txs[blocker];
    pthread_mutex_lock(&b->deps_lock);
    pthread_mutex_lock(&b->lock);
    bool executed = b->status == PV_EXECUTED;
    pthread_mutex_unlock(&b->lock);
    if (executed) {
        pthread_mutex_unlock(&b->deps_lock);
        return false;
    }
    pv_sched_tx *t = &s->txs[tx];
    pthread_mutex_lock(&t->lock);
    t->status = PV_ABORTING;
    pthread_mutex_unlock(&t->lock);
    if (b->ndeps == b->cap_deps) {
        b->cap_deps = b->cap_deps ? b->cap_deps * 2 : 4;
        b->deps = realloc(b->deps, b->cap_deps * sizeof *b->deps);
        if (!b->deps)
            abort();
    }
    b->deps[b->ndeps++] = tx;
    pthread_mutex_unlock(&b->deps_lock);
    atomic_fetch_add(&s->n_dependency_waits, 1);
    atomic_fetch_sub(&s->num_active_tasks, 1);
    return true;
}

static void set_ready_status(pv_scheduler *s, uint32_t tx)
{
    pv_sched_tx *t = &s->txs[tx];
    pthread_mutex_lock(&t->lock);
    t->incarnation++;
    t->status = PV_READY_TO_EXECUTE;
    pthread_mutex_unlock(&t->lock);
}

pv_task pv_scheduler_finish_execution(pv_scheduler *s, uint32_t tx, uint32_t incarnation, bool wrote_new_location)
{
    pv_sched_tx *t = &s->txs[tx];
    pthread_mutex_lock(&t->lock);
    t->status = PV_EXECUTED;
    pthread_mutex_unlock(&t->lock);
    pthread_mutex_lock(&t->deps_lock);
    uint32_t *deps = t->deps, ndeps = t->ndeps;
    t->deps = NULL;
    t->ndeps = t->cap_deps = 0;
    pthread_mutex_unlock(&t->deps_lock);
    if (ndeps) {
        uint32_t min_dep = UINT32_MAX;
        for (uint32_t i = 0; i < ndeps; i++) {
            set_ready_status(s, deps[i]);
            if (deps[i] < min_dep)
                min_dep = deps[i];
        }
        decrease_execution_idx(s, min_dep);
    }
    free(deps);
    if (atomic_load(&s->validation_idx) > tx) {
        if (wrote_new_location)
            decrease_validation_idx(s, tx);
        else
            return (pv_task){PV_TASK_VALIDATE, tx, incarnation};
    }
    atomic_fetch_sub(&s->num_active_tasks, 1);
    return (pv_task){PV_TASK_NONE, 0, 0};
}

bool pv_scheduler_try_validation_abort(pv_scheduler *s, uint32_t tx, uint32_t incarnation)
{
    pv_sched_tx *t = &s->txs[tx];
    pthread_mutex_lock(&t->lock);
    bool won = t->status == PV_EXECUTED && t->incarnation == incarnation;
    if (won)
        t->status = PV_ABORTING;
    pthread_mutex_unlock(&t->lock);
    return won;
}

pv_task pv_scheduler_finish_validation(pv_scheduler *s, uint32_t tx, bool aborted)
{
    if (aborted) {
        set_ready_status(s, tx);
        decrease_validation_idx(s, (uint64_t)tx + 1);
        /* try_incarnate consumes this task's active count when it cannot claim tx (someone
         * else may have, after execution_idx was lowered below tx). */
        if (atomic_load(&s->execution_idx) > tx)
            return try_incarnate(s, tx);
    }
    atomic_fetch_sub(&s->num_active_tasks, 1);
    return (pv_task){PV_TASK_NONE, 0, 0};
}

bool pv_scheduler_is_executed(pv_scheduler *s, uint32_t tx)
{
    pv_sched_tx *t = &s->txs[tx];
    pthread_mutex_lock(&t->lock);
    bool e = t->status == PV_EXECUTED;
    pthread_mutex_unlock(&t->lock);
    return e;
}
