/*
 * Projected scaling of a block from one parallel run's traces (each transaction's final read and
 * write sets and the duration of its last execution):
 *   - the dependency graph: j depends on i < j when j read a location whose value i's writes
 *     decide (the latest full writer before j, and every balance credit since it);
 *   - the critical-path bound on speed-up: total work / longest weighted dependency chain;
 *   - list scheduling on W workers in transaction order (each transaction starts when its
 *     dependencies are done and a worker is free): total work / makespan.
 * Both ignore the engine's overheads (validation, re-execution, scheduling), so the gap between
 * them and the measured speed-up is the engine's own cost.
 */
#ifndef PV_BENCH_PROJECTION_H
#define PV_BENCH_PROJECTION_H

#include "../exec/parallel.h"

typedef struct pv_projection {
    double total_us;              /* sum of the transactions' execution times */
    double critical_path_us;
    double critical_path_bound;   /* total_us / critical_path_us */
    size_t edges;                 /* dependencies found */
} pv_projection;

/* Analyses traces[0..n) (pv_parallel_stats.traces). */
void pv_project(const pv_tx_trace *traces, size_t n, pv_projection *out);

/* Speed-up that list scheduling predicts on `workers` workers. */
double pv_project_list_schedule(const pv_tx_trace *traces, size_t n, unsigned workers);

/* The same on workers of unequal speed (speed[w] > 0: how much faster worker w runs a
 * transaction than the reference that the speed-up is against; a VM's vCPUs differ by up to
 * 40% in phases): each transaction goes to the worker that would finish it first. With every
 * speed 1 it is pv_project_list_schedule. */
double pv_project_list_schedule_speeds(const pv_tx_trace *traces, size_t n, const double *speed, unsigned workers);

/* A block's projected speed-up with the steps outside its transactions added (Amdahl): the
 * sequential run took seq_ms, serial_ms of which the parallel run also spends outside the
 * scheduled transactions (Block-STM's prepare and finish); the rest is sped up by `projected`
 * (a list-scheduling figure). Returns projected unchanged unless 0 < serial_ms < seq_ms. */
double pv_project_with_serial(double seq_ms, double serial_ms, double projected);

/* The same for two workers that do not start with the block: one begins first_ms after it, the
 * other second_ms after it (waking the pool's threads); until both run, one runs transactions
 * alone, and the rest is sped up by `projected`. At least 1: a block that cannot repay the start
 * is best run sequentially. serial_ms outside (0, seq_ms) counts as 0; negative starts as 0;
 * returns 0 if seq_ms or projected is not positive. */
double pv_project_with_start(double seq_ms, double serial_ms, double projected, double first_ms, double second_ms);

#endif
