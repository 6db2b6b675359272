/*
 * A process-wide pool of worker threads with large stacks (256 MiB reserved, for 1024-deep EVM
 * calls), so that executing a block does not create threads: they are made on first use, parked
 * between jobs, and live until the process ends.
 */
#ifndef PV_UTIL_POOL_H
#define PV_UTIL_POOL_H

#include <stdbool.h>

/* How long an idle pool thread polls for work before it sleeps: a block's phases come
 * microseconds apart, and waking a sleeping thread is slow on a VM. On this project's 2-vCPU VM
 * (a PVM guest: a system call is a trip to the host, 1.1-1.3 us, and a futex wake also
 * interrupts a halted vCPU) it costs the waker about 20 us and the woken thread 50-100 us before
 * it runs (`parevm bench` measures it beside each block). */
#define PV_POOL_POLL_NS 100000

/* Runs fn(args[i]) for i in [0, n) on n pool threads at once and returns when all are done; a
 * caller that is itself a pool thread runs args[0] on its own thread. Thread-safe: concurrent
 * callers get disjoint threads (the pool grows as needed). Aborts if a thread cannot be
 * created. */
void pv_pool_run(void *(*fn)(void *), void **args, unsigned n);

/* pv_pool_run for jobs that keep every CPU busy for a while (a whole block on all its threads):
 * the caller sleeps at once instead of polling first, so that it does not take a CPU from them. */
void pv_pool_run_long(void *(*fn)(void *), void **args, unsigned n);

/* The CPUs a run of n jobs started now from this thread would bind its jobs to, in job order
 * (for a pool thread, job 0 is its own: the CPU it is bound to or is on), -1 where binding is off
 * or n < 2. A hint: other callers may start runs meanwhile, and a thread may move before it
 * binds itself. */
void pv_pool_predict_cpus(unsigned n, int *cpus);

/* The CPUs the process could run on when it first used the pool, ascending: the first
 * min(max, their count) into cpus; returns how many were written (0 if they cannot be read).
 * Unlike the calling thread's own affinity, which binding may have narrowed to one CPU. */
unsigned pv_pool_cpus(int *cpus, unsigned max);

/* One poll's pause in a wait loop, i the polls so far: a few spins, then yields, so that a
 * poller never keeps a thread that has real work (a worker of the same block) off its CPU. */
void pv_pool_relax(unsigned i);

/* Whether the calling thread is one of the pool's (and so has its large stack). */
bool pv_pool_is_worker(void);

#endif
