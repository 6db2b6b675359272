/*
 * Optimistic chunks: the fast path of the parallel executor for big blocks of independent
 * transactions (thousands of transfers, token transfers, swaps on separate pools).
 *
 * The block is cut into one contiguous chunk per worker. Each worker executes its chunk in order
 * on a state of its own over the pre-state, exactly as the sequential executor would, except that
 * it cannot see what lower chunks write. A read by chunk k of a location that a chunk j < k
 * writes is the only thing that makes the outcome differ from sequential execution. Each chunk
 * logs, locally, every first read of a location from the pre-state and every location a
 * transaction changed (64-bit location hashes); when all are done, the validation builds a table
 * of the lower chunks' writes and probes every read (a collision can only invent a conflict).
 * The first transactions of each chunk (a window: 128, or 1/256 of the chunk) also publish reads
 * (chunks after the first) and writes (chunks before the last) in a shared footprint table as
 * they run (location -> lowest writing chunk, highest reading chunk; both sides check after
 * publishing, a Dekker pair of sequentially consistent operations), so that a block with hot
 * locations gives up within milliseconds instead of after a whole chunk; a conflict first met
 * beyond the windows costs the chunks' time before Block-STM.
 *
 * Without a conflict every transaction read exactly what it would have read in sequence, so the
 * receipts are the sequential ones and the block's changes are the union of the chunks' changes:
 * disjoint, except balances only credited (the coinbase's fees), which add up. With a conflict,
 * an invalid transaction, or a block that reaches its gas limit, the attempt returns false having
 * produced nothing, and the caller runs Block-STM; the attempt costs at most its chunks' time,
 * and a hot block usually fails within its first transactions.
 *
 * Balance credits stay deltas here as in Block-STM (pv_state_source.lazy_balance); the beacon-root
 * system call runs at the start of the first chunk and the withdrawals and rewards at the end of
 * the last, so that the footprint covers them too.
 */
#ifndef PV_EXEC_CHUNKS_H
#define PV_EXEC_CHUNKS_H

#include "parallel.h"

typedef struct pv_chunks_outcome {
    bool done;                    /* out is the block's result */
    unsigned chunks;              /* in the end, steals included */
    unsigned steals;              /* chunks split off a running one by a thread done with its own */
    char why_not[96];             /* when !done: the conflict, invalid transaction, ... */
    double ms_run, ms_validate, ms_finish; /* phases (wall time): the chunks; the final validation
                                              beside the merge of the changes; the receipts */
} pv_chunks_outcome;

/* Whether to try chunks for b on threads workers: big blocks (the attempt must pay for itself),
 * or with always any block of two or more transactions (tests: the attempt is correct whatever
 * it meets). No look at the transactions: a conflict, even one certain from the senders alone,
 * is found within the first transactions that meet it, and costs little more than that. */
bool pv_chunks_worth_trying(const pv_block *b, unsigned threads, bool always);

/* The attempt. window: how many transactions at the start of each chunk publish their footprint
 * as they run (0: the default, PV_CHUNKS_WINDOW_NONE: none, so that only the final validation
 * decides). steal_min: the fewest transactions a thread done with its chunk takes from the tail
 * of a running one (0: the default, PV_CHUNKS_STEAL_NONE: no steals, PV_CHUNKS_STEAL_SKEWED:
 * tests, every chunk but the last starts with one transaction and steals take any number). On
 * done, *out is complete (as pv_block_execute_parallel's); otherwise *out is untouched. pre must
 * be thread-safe. */
void pv_chunks_execute(pv_state_source *pre, const pv_block *b, unsigned threads, pv_invalid_tx_policy policy,
                       size_t window, size_t steal_min, pv_block_result *out, pv_chunks_outcome *outcome);

#endif
