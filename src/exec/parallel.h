/*
 * Parallel block execution: optimistic Block-STM over multi-version memory (mvmemory.h) with the
 * collaborative scheduler (scheduler.h). Produces the same pv_block_result as pv_block_execute,
 * byte for byte, at any thread count. docs/ARCHITECTURE.md explains the EVM-specific rules
 * (deltas for coinbase fees and value credits, sender nonce chains, destroyed-account floors,
 * block gas limit rounds).
 */
#ifndef PV_EXEC_PARALLEL_H
#define PV_EXEC_PARALLEL_H

#include "block.h"
#include "mvmemory.h"

/* Optimistic chunks (chunks.h) before Block-STM: for big blocks that pass the static checks
 * (auto), never, or for every block (always: tests). */
typedef enum pv_chunks_mode { PV_CHUNKS_AUTO = 0, PV_CHUNKS_NEVER, PV_CHUNKS_ALWAYS } pv_chunks_mode;
/* Block-STM's sequential prefix (parallel.c): auto = for blocks of many small transactions. */
typedef enum pv_prefix_mode { PV_PREFIX_AUTO = 0, PV_PREFIX_NEVER, PV_PREFIX_ALWAYS } pv_prefix_mode;
#define PV_CHUNKS_WINDOW_NONE SIZE_MAX
#define PV_CHUNKS_STEAL_NONE SIZE_MAX
#define PV_CHUNKS_STEAL_SKEWED (SIZE_MAX - 1)

typedef struct pv_parallel_options {
    unsigned threads;             /* 0: automatic; 1: sequential */
    pv_invalid_tx_policy policy;
    bool record_traces;           /* keep each transaction's final read/write sets and timing */
    pv_chunks_mode chunks;
    size_t chunks_window;         /* early-checked transactions per chunk (chunks.h): 0 default,
                                     PV_CHUNKS_WINDOW_NONE none (tests of the final validation) */
    size_t chunks_steal_min;      /* least steal (chunks.h): 0 default, PV_CHUNKS_STEAL_NONE,
                                     PV_CHUNKS_STEAL_SKEWED (tests) */
    pv_prefix_mode prefix;        /* never with record_traces (traces are per transaction) */
    unsigned prefix_percent;      /* its share of the block's gas limits: 0 default, 1..99 (tests) */
    bool record_timeline;         /* keep every Block-STM task of every worker (pv_timeline_event) */
} pv_parallel_options;

/* One task of one Block-STM worker, with record_timeline: what it did and when, in microseconds
 * from the call of pv_block_execute_parallel (so the workers' start shows the wake-up). Costs one
 * clock read per task when recorded, a branch when not. */
typedef enum pv_timeline_kind {
    PV_TL_PREFIX,                 /* the sequential prefix ran transactions [0, tx) in order */
    PV_TL_PUBLISH,                /* ... and wrote what they changed into multi-version memory */
    PV_TL_EXECUTE,                /* incarnation `incarnation` of transaction tx */
    PV_TL_SUSPEND,                /* ... that stopped at a lower transaction's estimate or nonce */
    PV_TL_VALIDATE,               /* a validation of tx's read set that passed ... */
    PV_TL_INVALID,                /* ... or failed */
    PV_TL_SUFFIX,                 /* tx run in order after the block gas limit was reached */
    PV_TL_KINDS
} pv_timeline_kind;

typedef struct pv_timeline_event {
    double start_us, end_us;
    uint32_t tx, incarnation;
    uint16_t worker;
    uint8_t kind;                 /* pv_timeline_kind */
} pv_timeline_event;

/* The kind's name in the CSV and the summaries: "prefix", "publish", "execute", ... */
const char *pv_timeline_kind_name(pv_timeline_kind k);

/* What one transaction finally read and wrote (its last, committed incarnation). */
typedef struct pv_tx_trace {
    pv_loc *reads;
    uint32_t nreads;
    pv_loc *writes;
    uint8_t *write_flags;         /* PV_MV_DELTA for a balance credit, PV_MV_DESTROYED */
    uint32_t nwrites;
    uint32_t incarnations;        /* executions of this transaction (1 = never re-executed) */
    double exec_us;               /* duration of the last execution */
} pv_tx_trace;

typedef struct pv_parallel_stats {
    unsigned threads;             /* workers used; 1 when run sequentially */
    bool sequential_fallback;     /* run sequentially although threads != 1 was possible */
    char fallback_reason[96];
    uint64_t executions;          /* incarnations run, including re-executions */
    uint64_t reexecutions;
    uint64_t validations;
    uint64_t aborts;              /* validations that failed and aborted an incarnation */
    uint64_t dependency_waits;    /* executions suspended on an ESTIMATE or a sender's nonce */
    uint32_t hot_contracts;       /* contracts whose callers were made to wait for one another */
    uint32_t rounds;              /* 2 when the block gas limit was reached (skip policy) ... */
    bool has_sequential_suffix;   /* ... and the transactions from this one on ran in order */
    uint32_t sequential_suffix_from;
    uint32_t prefix_txs;          /* transactions run in order by one worker before Block-STM (0: none) */
    double ms_prepare, ms_parallel, ms_finish;
    unsigned chunks;              /* optimistic chunks tried (0: not tried) ... */
    unsigned chunks_steals;       /* ... of which split off a running one (chunks.h) */
    bool chunks_done;             /* ... and they produced the result (else Block-STM did) */
    char chunks_why_not[96];      /* why they did not */
    double ms_chunks;             /* time of the attempt ... */
    double ms_chunks_run, ms_chunks_validate, ms_chunks_finish; /* ... by phase (chunks.h) */
    pv_tx_trace *traces;          /* traces[i] for transaction i when record_traces */
    size_t ntraces;
    pv_timeline_event *timeline;  /* with record_timeline, by start time (none for chunks or a */
    size_t ntimeline;             /* sequential run) */
} pv_parallel_stats;

void pv_parallel_stats_free(pv_parallel_stats *s);

/* The worker count "automatic" picks for b on this machine: 1 (sequential) for blocks too small
 * to gain, else up to the number of online CPUs. reason (may be NULL) says why when it is 1. */
unsigned pv_auto_threads(const pv_block *b, char *reason, size_t reason_len);

/* Executes b with Block-STM on threads workers (>= 1; 1 still goes through Block-STM). pre must
 * be thread-safe. stats may be NULL. */
void pv_block_execute_parallel(pv_state_source *pre, const pv_block *b, unsigned threads,
                               const pv_parallel_options *o, pv_block_result *out, pv_parallel_stats *stats);

/* The library's entry point: options->threads 0 = pv_auto_threads, 1 = sequential executor,
 * more = parallel. Runs on threads of its own with large stacks (1024-deep calls). */
void pv_execute_block_auto(pv_state_source *pre, const pv_block *b, const pv_parallel_options *o,
                           pv_block_result *out, pv_parallel_stats *stats);

#endif
