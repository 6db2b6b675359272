/*
 * The collaborative scheduler of Block-STM (Gelashvili et al., PPoPP 2023), followed closely:
 * workers pull EXECUTE and VALIDATE tasks from two shared indexes (lowest transaction first),
 * a transaction that reads an ESTIMATE is suspended as a dependent of the writer and resumed
 * when the writer finishes, and completion is detected from the indexes, active-task counts
 * (one per worker) and a counter of index decreases. There is no dispatcher thread.
 *
 * Two departures, both for blocks of many tiny transactions (a plain transfer executes in about
 * half a microsecond, so a handful of contended atomics per transaction costs as much as the
 * transaction):
 *  - a transaction's status and incarnation are one atomic word changed by compare-and-swap,
 *    not fields behind a mutex; the dependents list keeps a lock, taken only when a dependency
 *    exists (a Dekker-style pending counter tells the writer whether to look);
 *  - a worker claims execution indexes in batches (pv_scheduler_init's `batch`): one fetch-add
 *    on the shared index hands it a run of consecutive transactions, which it executes in order
 *    while holding one active-task count for the whole run (the count keeps completion from
 *    being declared while the run has transactions left). A claimed transaction is still taken
 *    by the status compare-and-swap, so an index lowered by an abort behind a run and claimed
 *    again by another worker is executed once; and before each transaction of its run the
 *    worker does the validations that have fallen behind it, as the paper's next_task would.
 *
 * And one addition for senders with several transactions in the block (pv_scheduler_chain):
 * a transaction whose sender's previous transaction has not finished executing is not claimed
 * from the indexes (it would only be suspended on that one's nonce); whoever finishes the
 * previous one claims it next (pv_sched_worker.next), so that a sender's run of transactions
 * (a pool's payouts, an exchange's withdrawals) executes on one worker, one after the other,
 * instead of handing the sender's lines across CPUs and suspending at each transaction.
 *
 * And much the same for the callers of a contract that they contend on
 * (pv_scheduler_link_callers): once their executions have aborted on the contract's own state
 * often enough, or from the start when a caller repeats its previous caller's call data, a
 * caller whose previous caller has not finished executing is not claimed either; when that one
 * finishes, the execution index comes back to it (it is not taken by the finisher: see
 * finish_execution).
 *
 * Transactions are numbered 0..n-1 here (the parallel executor maps its pseudo-transactions).
 */
#ifndef PV_EXEC_SCHEDULER_H
#define PV_EXEC_SCHEDULER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum pv_task_kind { PV_TASK_NONE = 0, PV_TASK_EXECUTE, PV_TASK_VALIDATE } pv_task_kind;

typedef struct pv_task {
    pv_task_kind kind;
    uint32_t tx;
    uint32_t incarnation;
} pv_task;

typedef enum pv_tx_status {
    PV_READY_TO_EXECUTE = 0,
    PV_EXECUTING,
    PV_EXECUTED,
    PV_ABORTING,
} pv_tx_status;

/* One transaction, on its own cache line (neighbours are usually run by other workers). */
typedef struct pv_sched_tx {
    _Alignas(64) atomic_uint_fast64_t word; /* incarnation << 8 | status */
    atomic_uint pending_deps;               /* dependents added or being added (see .c) */
    pthread_mutex_t deps_lock;              /* deps, ndeps, cap_deps */
    uint32_t *deps;
    uint32_t ndeps, cap_deps;
} pv_sched_tx;

/* A worker's count of active tasks, on a line of its own (see pv_scheduler.active). */
typedef struct pv_sched_count {
    _Alignas(64) atomic_int_fast64_t n;
} pv_sched_count;

typedef struct pv_scheduler {
    uint32_t n;
    uint32_t batch;
    pv_sched_tx *txs;
    /* The paper's num_active_tasks, one count per worker: every task starts and ends with a
     * change to it, and one shared count was a line handed across CPUs twice per task. A task's
     * count never moves between workers (follow-ups stay with the worker), and a new task can
     * only start from an index below n or from a decrease, which the completion check sees; so
     * the check may add the counts one after the other (check_done in scheduler.c). */
    pv_sched_count *active;
    unsigned workers;
    /* Each shared counter on its own line: they are hit from every worker. */
    _Alignas(64) atomic_uint_fast64_t execution_idx;
    _Alignas(64) atomic_uint_fast64_t validation_idx;
    _Alignas(64) atomic_uint_fast64_t decrease_cnt;
    _Alignas(64) atomic_bool done;
    /* No validation at or above this index (UINT32_MAX: none held): what lies above an
     * unpublished prefix is validated after it publishes, and validating it before is wasted. */
    _Atomic uint32_t validation_hold;
    const uint32_t *prev; /* tx -> 1 + the sender's previous transaction, 0 = none (NULL: no chains) */
    uint32_t *next;       /* tx -> 1 + the sender's next transaction, 0 = none */
    /* The same by contract (NULL: not linked): each caller's next one, the contract's first
     * caller and its place among the contract's callers; by a contract's first caller, how
     * often its callers contended, the furthest place among them that did, and whether they are
     * found hot (then they wait for one another; never unset). */
    const uint32_t *prev_call;
    uint32_t *next_call, *first_call, *call_rank;
    _Atomic uint32_t *contention, *contention_reach;
    _Atomic uint8_t *hot;
    const uint8_t *same_call; /* tx -> whether it repeats its previous caller's call data */
    /* statistics */
    atomic_uint_fast64_t n_dependency_waits;
} pv_scheduler;

/* A worker's own scheduling state: the rest of its claimed run of execution indexes. */
typedef struct pv_sched_worker {
    atomic_int_fast64_t *active; /* its count of active tasks (pv_scheduler_worker_init) */
    uint32_t run_next, run_end; /* indexes claimed but not yet taken */
    bool held;                  /* it holds one active-task count for that run */
    pv_task next;               /* claimed when its sender's previous one finished here (own count) */
} pv_sched_worker;

/* batch: execution indexes claimed per fetch-add (1 = the paper's scheduler); workers: how many
 * will ask for tasks (each with its own pv_sched_worker). Aborts on OOM. */
void pv_scheduler_init(pv_scheduler *s, uint32_t n, uint32_t batch, unsigned workers);
/* Sets up worker i's scheduling state (i < workers), before it asks for a task. */
void pv_scheduler_worker_init(pv_scheduler *s, pv_sched_worker *w, unsigned i);
void pv_scheduler_destroy(pv_scheduler *s);

/* Chains each transaction to its sender's previous one: prev[tx] = 1 + that one's index, 0 for
 * a sender's first (n entries, kept by the caller until destroy). Call before any worker starts.
 * Aborts on OOM. */
void pv_scheduler_chain(pv_scheduler *s, const uint32_t *prev);

/* Links each transaction to the previous one to the same contract: prev_call[tx] = 1 + its
 * index (0: none), same_call[tx] set when tx's call data is its previous caller's, byte for byte
 * (and not empty): such a caller waits for the previous one from the start, hot or not. n
 * entries each, kept by the caller until destroy. Call before any worker starts. Aborts on
 * OOM. */
void pv_scheduler_link_callers(pv_scheduler *s, const uint32_t *prev_call, const uint8_t *same_call);

/* Callers of tx's contract contended on its state (an execution of tx read what an earlier
 * caller changed). Once at least PV_SCHED_HOT_CALLS of these make up a PV_SCHED_HOT_SHARE-th of
 * the contract's callers up to the furthest one that contended, its callers wait for one
 * another. */
#define PV_SCHED_HOT_CALLS 2
#define PV_SCHED_HOT_SHARE 4
void pv_scheduler_note_contention(pv_scheduler *s, uint32_t tx);

/* How many contracts' callers were made to wait for one another. */
uint32_t pv_scheduler_hot_contracts(const pv_scheduler *s);

/* A sequential prefix (see parallel.c): one worker executes transactions [0, m) in order on a
 * plain state while the others run Block-STM from m on. Marks [0, m) executing (incarnation 0:
 * a transaction whose sender's previous one is in the prefix waits for it, as for any
 * transaction being executed), starts both indexes at m, holds validations from m on until
 * pv_scheduler_release_hold, and gives worker w one active task for the prefix (so that
 * completion waits for it). The prefix's worker publishes its writes as incarnation 1 of its
 * last two transactions, marks the others executed with pv_scheduler_finish_prefix, and then
 * finishes the two with pv_scheduler_finish_execution, taking one more active count so that
 * each has one. 2 <= m < n; call after pv_scheduler_worker_init(w) and before any worker
 * starts. */
void pv_scheduler_reserve_prefix(pv_scheduler *s, pv_sched_worker *w, uint32_t m);

/* Hands transactions [from, to) of a reserved prefix over to Block-STM (the prefix's worker
 * gave them up): ready as incarnation 1, the execution index lowered to from. */
void pv_scheduler_reopen(pv_scheduler *s, uint32_t from, uint32_t to);

/* The prefix is about to publish: validations may go on above it again. */
void pv_scheduler_release_hold(pv_scheduler *s);

/* Transactions [from, to) of the prefix are done (incarnation 1, nothing read, nothing written
 * of their own): executed, their suspended dependents ready, the execution index back at the
 * lowest of those or of their senders' next transactions that it skipped. */
void pv_scheduler_finish_prefix(pv_scheduler *s, uint32_t from, uint32_t to);

static inline bool pv_scheduler_done(pv_scheduler *s) { return atomic_load(&s->done); }

/* The next task for an idle worker (kind NONE: nothing right now; check done and ask again). */
pv_task pv_scheduler_next_task(pv_scheduler *s, pv_sched_worker *w);

/* Execution of tx read an ESTIMATE of blocker. Returns false if blocker has meanwhile finished
 * (then re-run the execution at once); true if tx is now suspended behind blocker. */
bool pv_scheduler_add_dependency(pv_scheduler *s, pv_sched_worker *w, uint32_t tx, uint32_t blocker);

/* An execution finished; wrote_new_location: its write set has a location the previous
 * incarnation's had not. Returns a follow-up task (or NONE). */
pv_task pv_scheduler_finish_execution(pv_scheduler *s, pv_sched_worker *w, uint32_t tx, uint32_t incarnation,
                                      bool wrote_new_location);

/* Validation of (tx, incarnation) failed: true if this caller won the right to abort it. */
bool pv_scheduler_try_validation_abort(pv_scheduler *s, uint32_t tx, uint32_t incarnation);

/* A validation finished (aborted: the caller won try_validation_abort). Returns a follow-up. */
pv_task pv_scheduler_finish_validation(pv_scheduler *s, pv_sched_worker *w, uint32_t tx, bool aborted);

/* Whether tx's latest incarnation has finished executing (it may still be re-executed later). */
bool pv_scheduler_is_executed(pv_scheduler *s, uint32_t tx);

#endif
